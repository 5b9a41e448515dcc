//! What an input file was, byte for byte: its size and BLAKE3 hash, read in blocks, for the
//! manifest that lets two analysts check they scanned the same files.

use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

/// Size and BLAKE3 hash of the file at `path`. The hash is written in groups of four hex
/// characters joined by `:`: 64 plain hex characters hold a run of 16 decimal digits about one
/// time in 40, which the text outputs' leak guard would (rightly) refuse, and so would it four
/// all-digit groups joined by `-` (about one hash in 170).
pub fn file_digest(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                bytes += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok((bytes, grouped_hex(hasher.finalize().as_bytes())))
}

/// `0123:4567:...`: hex in groups of four, so no run of more than four digits, and `:` is no
/// separator inside a NIK ([`mask`](crate::nik::mask)).
pub fn grouped_hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.chunks(2).map(|pair| pair.iter().map(|b| format!("{b:02x}")).collect()).collect();
    hex.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_a_known_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"abc").unwrap();
        let (bytes, hash) = file_digest(&p).unwrap();
        assert_eq!(bytes, 3);
        // BLAKE3("abc"), from the reference implementation's test vectors.
        assert_eq!(hash.replace(':', ""), "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
        assert!(hash.split(':').all(|g| g.len() == 4));
        assert!(matches!(file_digest(&dir.path().join("missing")), Err(Error::Io { .. })));
    }
}
