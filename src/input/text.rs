//! What kind of text an input's bytes are: plain UTF-8 that is parsed as it is, text to
//! transcode first (UTF-16 by its BOM, else Windows-1252 when the bytes are not UTF-8), or
//! binary that is no text dump at all. The UTF-8 BOM is the encoding's mark too, so its one
//! stripping rule lives here for every format to use.
//!
//! Binary is told by known magic bytes (images, PDF, executables, archives, databases, media)
//! and by the share of NUL and control bytes in the first 64 KiB, never by one byte: real
//! exports carry a stray NUL in a field, and that NUL is data.

use std::path::Path;

use super::compression::Compression;
use crate::error::{BinaryKind, Error, Result};

/// Bytes after a UTF-8 byte order mark, if there is one.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether bytes can be parsed as they are: not compressed, and UTF-8 text (judged, like every
/// sniff here, from the first 64 KiB).
pub(crate) fn is_plain_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 << 10)];
    Compression::sniff(head) == Compression::None && text_encoding(head, bytes.len() <= head.len()).is_none()
}

/// The encoding to transcode from, when the text is not plain UTF-8: UTF-16 by its BOM, else
/// Windows-1252 when the sample is not valid UTF-8 (`complete`: the sample is the whole input,
/// so a multi-byte character cut at its end is an error too).
pub(crate) fn text_encoding(sample: &[u8], complete: bool) -> Option<&'static encoding_rs::Encoding> {
    match sample {
        [0xFF, 0xFE, ..] => return Some(encoding_rs::UTF_16LE),
        [0xFE, 0xFF, ..] => return Some(encoding_rs::UTF_16BE),
        _ => {}
    }
    match std::str::from_utf8(sample) {
        Ok(_) => None,
        Err(e) if e.error_len().is_none() && !complete => None,
        Err(_) => Some(encoding_rs::WINDOWS_1252),
    }
}

/// Bytes of the sample that binary detection reads.
const SNIFF: usize = 64 << 10;

/// A file type told by its first bytes: what it is, and its name.
pub fn magic(head: &[u8]) -> Option<(BinaryKind, &'static str)> {
    use BinaryKind::*;
    let at = |offset: usize, m: &[u8]| head.get(offset..offset + m.len()) == Some(m);
    let found = match head {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => (Image, "PNG image"),
        [0xFF, 0xD8, 0xFF, ..] => (Image, "JPEG image"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => (Image, "GIF image"),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => (Image, "TIFF image"),
        [b'B', b'M', _, _, _, _, 0, 0, 0, 0, ..] => (Image, "BMP image"),
        [0, 0, 1, 0, ..] if head.len() >= 22 => (Image, "icon"),
        [b'R', b'I', b'F', b'F', ..] if at(8, b"WEBP") => (Image, "WebP image"),
        [b'R', b'I', b'F', b'F', ..] if at(8, b"WAVE") || at(8, b"AVI ") => (Media, "RIFF audio or video"),
        [0, _, _, _, ..] if at(4, b"ftyp") => match head.get(8..12) {
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"avif") => (Image, "HEIF/AVIF image"),
            _ => (Media, "MP4/QuickTime media"),
        },
        [b'I', b'D', b'3', 2..=4, 0, ..] => (Media, "MP3 audio"),
        [b'O', b'g', b'g', b'S', 0, ..] => (Media, "Ogg media"),
        [b'f', b'L', b'a', b'C', ..] => (Media, "FLAC audio"),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => (Media, "Matroska/WebM media"),
        [b'%', b'P', b'D', b'F', b'-', ..] => (Pdf, "PDF document"),
        [0x7F, b'E', b'L', b'F', ..] => (Executable, "ELF executable"),
        [b'M', b'Z', ..] if head.len() >= 64 && head[2..64].contains(&0) => (Executable, "Windows executable"),
        [0xFE, 0xED, 0xFA, 0xCE | 0xCF, ..] | [0xCE | 0xCF, 0xFA, 0xED, 0xFE, ..] => (Executable, "Mach-O executable"),
        [0xCA, 0xFE, 0xBA, 0xBE, ..] => (Executable, "Mach-O or Java class file"),
        [0x00, b'a', b's', b'm', ..] => (Executable, "WebAssembly module"),
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, ..] => (Archive, "7z archive"),
        [b'R', b'a', b'r', b'!', 0x1A, 0x07, ..] => (Archive, "RAR archive"),
        _ if at(257, b"ustar\0") || at(257, b"ustar  \0") => (Archive, "tar archive"),
        [b'P', b'K', 0x03 | 0x05 | 0x07, 0x04 | 0x06 | 0x08, ..] => (Archive, "zip archive"),
        [0x1F, 0x8B, ..] => (Archive, "gzip data"),
        [0x28, 0xB5, 0x2F, 0xFD, ..] => (Archive, "zstd data"),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, ..] => (Archive, "bzip2 data"),
        [0xFD, b'7', b'z', b'X', b'Z', 0x00, ..] => (Archive, "xz data"),
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, ..] => (Document, "OLE2 document (doc, xls, msg)"),
        [b'S', b'Q', b'L', b'i', b't', b'e', b' ', b'f', b'o', b'r', b'm', b'a', b't', b' ', b'3', 0, ..] => (Database, "SQLite database"),
        [b'P', b'A', b'R', b'1', ..] if head[..head.len().min(256)].iter().any(|&b| b == 0 || is_odd_control(b)) => (Data, "Parquet file"),
        _ => return None,
    };
    Some(found)
}

/// A control byte no text holds: C0 controls other than tab, line ends, form feed, escape and
/// the DOS end-of-file mark, and DEL. NUL is counted apart.
fn is_odd_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0E..=0x19 | 0x1C..=0x1F | 0x7F)
}

/// Rejects input that is clearly not a text dump, from its first 64 KiB: known magic bytes
/// ([`magic`], at byte 0), or NUL and control bytes no text holds, over 1 in 20 bytes (and at
/// least 4 of them, unless they are over a third of a tiny sample, so that a 10-byte file
/// with one NUL in a field is still text). UTF-16 is transcoded before this check, so its
/// NULs are gone. A few NULs in a text are data, read as field bytes. The offset is that of
/// the first NUL (else the first odd control byte) in the sample.
pub fn check_text(path: &Path, sample: &[u8]) -> Result<()> {
    check_magic(path, sample)?;
    let head = &sample[..sample.len().min(SNIFF)];
    let nul = memchr::memchr_iter(0, head).count();
    let odd = head.iter().filter(|&&b| is_odd_control(b)).count();
    let bad = nul + odd;
    if bad * 20 <= head.len() || (bad < 4 && bad * 3 <= head.len()) {
        return Ok(());
    }
    let at = memchr::memchr(0, head).or_else(|| head.iter().position(|&b| is_odd_control(b))).unwrap_or(0);
    let what = if nul >= odd { "NUL bytes" } else { "control bytes" };
    Err(Error::Binary { path: path.to_path_buf(), offset: at as u64, kind: BinaryKind::Data, what })
}

/// Rejects input whose first bytes are a known binary format's magic ([`magic`]).
pub fn check_magic(path: &Path, sample: &[u8]) -> Result<()> {
    match magic(&sample[..sample.len().min(SNIFF)]) {
        Some((kind, what)) => Err(Error::Binary { path: path.to_path_buf(), offset: 0, kind, what }),
        None => Ok(()),
    }
}
