//! What kind of text an input's bytes are: plain UTF-8 that is parsed as it is, text to
//! transcode first (UTF-16 by its BOM, else Windows-1252 when the bytes are not UTF-8), or
//! binary that is no text dump at all. The UTF-8 BOM is the encoding's mark too, so its one
//! stripping rule lives here for every format to use.

use std::path::Path;

use super::compression::Compression;
use crate::error::{Error, Result};

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

/// Rejects input that is clearly not a text dump (NUL bytes near the start), with the offset
/// of the first NUL in the decoded sample.
pub fn check_text(path: &Path, sample: &[u8]) -> Result<()> {
    if let Some(at) = memchr::memchr(0, &sample[..sample.len().min(64 << 10)]) {
        return Err(Error::input(path, at as u64, "binary data (NUL byte), not a text dump; is it a spreadsheet or an unsupported archive?"));
    }
    Ok(())
}
