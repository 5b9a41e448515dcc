//! What the zstd frame walk and the gzip member scan share: little-endian header fields, and
//! the error for a frame or member that cannot be decoded. A leaf, so the two format files and
//! the decoder that runs them import it without importing each other.

use std::io;

/// The `n`-byte little-endian field at `at`, or `None` past the end of `d`.
pub(super) fn le(d: &[u8], at: usize, n: usize) -> Option<u64> {
    let b = d.get(at..at.checked_add(n)?)?;
    Some(b.iter().rev().fold(0u64, |v, &x| (v << 8) | x as u64))
}

/// A frame or member that cannot be decoded: where it starts in the compressed file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    pub offset: u64,
    pub message: String,
}

impl Corrupt {
    pub(super) fn new(offset: usize, message: impl Into<String>) -> Corrupt {
        Corrupt { offset: offset as u64, message: message.into() }
    }

    /// The error the reader returns; the offset travels separately (in the raw-byte counter).
    pub fn to_io(&self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self.message.clone())
    }
}
