//! `keys.takar`: the keyed pseudonyms of one dump's unique valid NIKs (each with its province
//! code) and unique valid No. KKs, the file `takar overlap` compares. It holds no NIK: a
//! pseudonym is a keyed permutation of a NIK's packed key
//! ([`Pseudonyms`](crate::engine::keys::pseudonym::Pseudonyms)), below 2^48, meaningless
//! without the key; the header names the key only by its fingerprint.
//!
//! # Layout, byte by byte
//!
//! | offset     | bytes | content                                                        |
//! |------------|-------|----------------------------------------------------------------|
//! | 0          | 9     | magic, the ASCII bytes `TAKARKEYS`                             |
//! | 9          | 1     | format version, `1`                                            |
//! | 10         | 4     | `H`, the header's length in bytes, little-endian `u32`         |
//! | 14         | `H`   | the header, UTF-8 JSON (below)                                 |
//! | 14 + `H`   | rest  | exactly one zstd frame (level 3, with its content checksum)    |
//!
//! The header is one JSON object with exactly these fields, in this order when takar writes it:
//! `{"format_version":1,"takar_version":"0.1.0","key_fingerprint":"<xxxx:xxxx:xxxx:xxxx>","nik":N,"kk":M}`.
//! `format_version` repeats the version byte, `key_fingerprint` is
//! [`Key::fingerprint`](crate::keyring::Key::fingerprint) of the key that made the
//! pseudonyms (files made with different keys cannot be compared), `N` and `M` count the NIK
//! and KK pseudonyms. A fingerprint joined by `-` (how takar wrote it before `-` counted as a
//! separator inside a NIK) is read too, as the same fingerprint joined by `:`.
//!
//! The frame decompresses to the body, three sections back to back and nothing after them:
//!
//! 1. NIK pseudonyms: `N` unsigned LEB128 varints (7 bits a byte, low bits first, high bit set
//!    on every byte but the last), the deltas of the ascending pseudonyms, the first one from
//!    0. Every delta after the first is at least 1 (the pseudonyms are unique);
//! 2. provinces: `N` bytes, the province code (11..=99) of each NIK, in the same order;
//! 3. KK pseudonyms: `M` varints, deltas as in section 1.
//!
//! Why deltas: sorted, the pseudonyms of `n` people spread over 2^48 values are about
//! 2^48 / n apart, so a delta takes 3 to 5 bytes where the value would take 6 to 8. Varints
//! keep each delta byte-aligned so zstd finds what regularity there is (the high bits);
//! the province bytes sit in their own section so their skewed distribution compresses apart
//! from the random deltas. Sorting is also what lets `takar overlap` merge two files linearly.
//!
//! # The leak guard
//!
//! [`leaks`] is this output's own check (a binary file needs one, see
//! [`guard`](super::guard)). The raw file must hold no run of 16 ASCII digits at all, whatever
//! it means (that is what a person running `strings` would see). The decompressed body is
//! checked for the numbers of the dump itself: any 8-byte window read as a little- or big-endian
//! `u64` that is a 16-digit number, and any 16-digit window of an ASCII digit run, that the
//! caller's `is_input_number` says is a NIK or KK of the dump. The body's ASCII runs are not
//! refused outright because the province section legitimately holds them: codes 51, 52 and 53
//! (Bali, NTB, NTT) are the bytes `'3'`, `'4'`, `'5'`, so a dump of those provinces alone has
//! long digit runs there (and those runs are no valid NIK: their month digits would be 3-5).
//!
//! The header is raw bytes; the key fingerprint in it is written in groups of four joined by
//! `:`, so it is never a NIK-like run, even for the one key in about 1,850 whose 16 hex
//! characters are all decimal digits.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::guard::{reader_has_nik_like_run, TEXT_BLOCK};
use crate::engine::keys::pseudonym::DOMAIN;
use crate::nik::mask::mask_digits;
use crate::{Error, Result};

/// The file's name in a scan's output directory.
pub const FILE_NAME: &str = "keys.takar";

/// The first bytes of every keys file.
pub const MAGIC: [u8; 9] = *b"TAKARKEYS";

/// The format version this takar writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// zstd level of the body: level 3 (zstd's default) already reaches the entropy of random
/// deltas to within a few percent; higher levels cost time for nothing on such data.
pub const ZSTD_LEVEL: i32 = 3;

/// Longest header accepted. A real header is about 130 bytes; a length over this is damage,
/// refused before anything is allocated for it.
pub const MAX_HEADER_BYTES: u32 = 64 << 10;

/// Valid province codes: the two-digit first field of a NIK.
pub const PROVINCES: std::ops::RangeInclusive<u8> = 11..=99;

/// Bytes of the body buffered between the varint writer and zstd, and read at a time back.
const BODY_BLOCK: usize = 64 << 10;

/// A delta below 2^48 takes at most 7 varint bytes (49 bits); an eighth byte is damage.
const MAX_VARINT_BYTES: usize = 7;

/// Offset of the header in the file: magic, version byte, length.
const HEADER_AT: u64 = (MAGIC.len() + 1 + 4) as u64;

/// The header: what the file holds and which key made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format_version: u32,
    pub takar_version: String,
    pub key_fingerprint: String,
    pub nik: u64,
    pub kk: u64,
}

/// A whole keys file, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    pub header: Header,
    /// NIK pseudonyms, ascending, unique, each below 2^48.
    pub nik: Vec<u64>,
    /// The province code of each NIK pseudonym, parallel to `nik`.
    pub nik_province: Vec<u8>,
    /// KK pseudonyms, ascending, unique, each below 2^48.
    pub kk: Vec<u64>,
}

/// Writes a keys file to `out`.
///
/// `nik`: (pseudonym, province code 11..=99) sorted by pseudonym, unique; `kk` sorted, unique;
/// every pseudonym below 2^48. Input that breaks these rules (or a `key_fingerprint` that is not
/// 16 lowercase hex characters) is an `InvalidInput` error, found while streaming: `out` may
/// then hold part of a file, which is why outputs are staged. The body streams through the
/// zstd encoder in one pass per section, never held whole.
pub fn write(out: &mut dyn Write, key_fingerprint: &str, nik: &[(u64, u8)], kk: &[u64]) -> io::Result<()> {
    write_sets(out, key_fingerprint, nik.iter().copied(), nik.len(), kk)
}

/// [`write`] with each NIK given packed as `pseudonym << 8 | province` (pseudonyms are below
/// 2^48, so one u64 holds both and sorts by pseudonym): what a scan gathers, written without
/// unpacking it into 16-byte pairs first.
pub fn write_packed(out: &mut dyn Write, key_fingerprint: &str, nik: &[u64], kk: &[u64]) -> io::Result<()> {
    write_sets(out, key_fingerprint, nik.iter().map(|&v| (v >> 8, v as u8)), nik.len(), kk)
}

fn write_sets(out: &mut dyn Write, key_fingerprint: &str, nik: impl Iterator<Item = (u64, u8)> + Clone, nik_len: usize, kk: &[u64]) -> io::Result<()> {
    if !is_fingerprint(key_fingerprint) {
        return Err(invalid_input("the key fingerprint is not four groups of four lowercase hex characters".to_string()));
    }
    let header = Header {
        format_version: u32::from(FORMAT_VERSION),
        takar_version: env!("CARGO_PKG_VERSION").to_string(),
        key_fingerprint: key_fingerprint.to_string(),
        nik: nik_len as u64,
        kk: kk.len() as u64,
    };
    let json = serde_json::to_vec(&header).map_err(io::Error::other)?;
    let json_len = u32::try_from(json.len()).map_err(|_| invalid_input("header too long".to_string()))?;
    out.write_all(&MAGIC)?;
    out.write_all(&[FORMAT_VERSION])?;
    out.write_all(&json_len.to_le_bytes())?;
    out.write_all(&json)?;

    let mut encoder = zstd::stream::write::Encoder::new(out, ZSTD_LEVEL)?;
    // The checksum makes any damage to the frame an error on reading, not wrong pseudonyms.
    encoder.include_checksum(true)?;
    // Varints are 1 to 7 bytes; a buffer in front of zstd keeps its calls block-sized.
    let mut body = BufWriter::with_capacity(BODY_BLOCK, encoder);
    write_deltas(&mut body, nik.clone().map(|(pseudonym, _)| pseudonym), "NIK")?;
    for (index, (_, province)) in nik.enumerate() {
        if !PROVINCES.contains(&province) {
            return Err(invalid_input(format!("NIK {index}: province code {province} is not in 11..=99")));
        }
        body.write_all(&[province])?;
    }
    write_deltas(&mut body, kk.iter().copied(), "KK")?;
    let encoder = body.into_inner().map_err(io::IntoInnerError::into_error)?;
    encoder.finish()?.flush()
}

/// Writes the varint deltas of ascending, unique `values`, checking that they are.
fn write_deltas(body: &mut impl Write, values: impl Iterator<Item = u64>, what: &str) -> io::Result<()> {
    let mut previous: Option<u64> = None;
    let mut varint = [0u8; 10];
    for (index, value) in values.enumerate() {
        if value >= DOMAIN {
            return Err(invalid_input(format!("{what} pseudonym {index} is not below 2^48")));
        }
        let delta = match previous {
            None => value,
            Some(previous) if value > previous => value - previous,
            Some(_) => return Err(invalid_input(format!("{what} pseudonym {index} is not above the one before it"))),
        };
        let len = encode_varint(delta, &mut varint);
        body.write_all(&varint[..len])?;
        previous = Some(value);
    }
    Ok(())
}

/// LEB128 of `value` into `out`; returns its length.
fn encode_varint(mut value: u64, out: &mut [u8; 10]) -> usize {
    let mut len = 0;
    while value >= 0x80 {
        out[len] = (value as u8) | 0x80;
        value >>= 7;
        len += 1;
    }
    out[len] = value as u8;
    len + 1
}

fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Four groups of four lowercase hex characters joined by `:`, the form of
/// [`Key::fingerprint`](crate::keyring::Key::fingerprint).
fn is_fingerprint(text: &str) -> bool {
    text.len() == 19 && text.split(':').count() == 4 && text.split(':').all(|g| g.len() == 4 && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Reads and checks the keys file at `path`, streamed from disk.
pub fn read(path: &Path) -> Result<KeySet> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    read_stream(BufReader::with_capacity(BODY_BLOCK, file), path)
}

/// Reads and checks a keys file held in `bytes`; `path` only names it in errors.
pub fn read_from(bytes: &[u8], path: &Path) -> Result<KeySet> {
    read_stream(bytes, path)
}

/// The reader behind [`read`] and [`read_from`]: header, the three sections, then the end of
/// the frame (which checks zstd's checksum) and the end of the file.
fn read_stream<R: BufRead>(mut reader: R, path: &Path) -> Result<KeySet> {
    let header = read_header(&mut reader, path)?;
    let mut body = Body::new(reader, path)?;
    let nik = body.pseudonyms(header.nik, "NIK")?;
    let nik_province = body.provinces(header.nik)?;
    let kk = body.pseudonyms(header.kk, "KK")?;
    body.finish(&header)?;
    Ok(KeySet { header, nik, nik_province, kk })
}

/// Reads the magic, the version byte and the header, leaving `reader` at the zstd frame.
fn read_header<R: BufRead>(reader: &mut R, path: &Path) -> Result<Header> {
    let mut magic = [0u8; MAGIC.len()];
    let got = read_up_to(reader, &mut magic).map_err(|e| Error::io(path, e))?;
    if got < magic.len() || magic != MAGIC {
        return Err(Error::keys_file(path, "does not start with TAKARKEYS (not a keys file)"));
    }
    let mut version_and_len = [0u8; 5];
    let got = read_up_to(reader, &mut version_and_len).map_err(|e| Error::io(path, e))?;
    if got >= 1 && version_and_len[0] != FORMAT_VERSION {
        return Err(Error::keys_file(
            path,
            format!("byte 9: format version {}; this takar reads version {FORMAT_VERSION}", version_and_len[0]),
        ));
    }
    if got < version_and_len.len() {
        return Err(Error::keys_file(path, format!("file ends at byte {} inside the preamble", MAGIC.len() + got)));
    }
    let header_len = u32::from_le_bytes([version_and_len[1], version_and_len[2], version_and_len[3], version_and_len[4]]);
    if header_len > MAX_HEADER_BYTES {
        return Err(Error::keys_file(path, format!("byte 10: header length {header_len} is over {MAX_HEADER_BYTES} bytes")));
    }
    let mut json = vec![0u8; header_len as usize];
    let got = read_up_to(reader, &mut json).map_err(|e| Error::io(path, e))?;
    if got < json.len() {
        return Err(Error::keys_file(
            path,
            format!("file ends at byte {} inside the {header_len}-byte header", HEADER_AT + got as u64),
        ));
    }
    // serde_json quotes what it did not expect; masked, as a damaged file could hold anything.
    let mut header: Header = serde_json::from_slice(&json).map_err(|e| {
        Error::keys_file(path, format!("byte {HEADER_AT}: the header is not takar's JSON: {}", mask_digits(&e.to_string())))
    })?;
    if header.format_version != u32::from(FORMAT_VERSION) {
        return Err(Error::keys_file(
            path,
            format!("header: format_version {} disagrees with the version byte {FORMAT_VERSION}", header.format_version),
        ));
    }
    // Written by an earlier takar, with `-` between the groups: the same fingerprint.
    if header.key_fingerprint.len() == 19 && header.key_fingerprint.split('-').count() == 4 {
        header.key_fingerprint = header.key_fingerprint.replace('-', ":");
    }
    if !is_fingerprint(&header.key_fingerprint) {
        return Err(Error::keys_file(path, "header: key_fingerprint is not four groups of four lowercase hex characters"));
    }
    Ok(header)
}

/// Fills `buf` from `reader` as far as it goes; returns how many bytes it got (less than
/// `buf.len()` only at the end of the input).
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// The body, decompressed block by block, read a byte (or a run of bytes) at a time. Offsets in
/// its errors are offsets in the decompressed body ("body byte"), which is where a damaged
/// count or delta is; zstd's own errors name the file offset where the frame starts.
struct Body<'p, R: BufRead> {
    decoder: zstd::stream::read::Decoder<'static, R>,
    path: &'p Path,
    block: Vec<u8>,
    /// Unread bytes of `block`: `start..end`.
    start: usize,
    end: usize,
    /// Body offset of `block[0]`.
    block_at: u64,
}

impl<'p, R: BufRead> Body<'p, R> {
    fn new(reader: R, path: &'p Path) -> Result<Self> {
        // `single_frame`: stop at the end of the first frame, so anything after it is left in
        // `reader` for `finish` to find, not decoded as a second frame.
        let decoder = zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| zstd_error(path, e))?.single_frame();
        Ok(Body { decoder, path, block: vec![0u8; BODY_BLOCK], start: 0, end: 0, block_at: 0 })
    }

    /// Body offset of the next unread byte.
    fn at(&self) -> u64 {
        self.block_at + self.start as u64
    }

    /// Makes unread bytes available; false at the end of the frame.
    fn fill(&mut self) -> Result<bool> {
        if self.start < self.end {
            return Ok(true);
        }
        self.block_at += self.end as u64;
        self.start = 0;
        self.end = 0;
        loop {
            match self.decoder.read(&mut self.block) {
                Ok(n) => {
                    self.end = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(zstd_error(self.path, e)),
            }
        }
    }

    fn byte(&mut self) -> Result<Option<u8>> {
        if !self.fill()? {
            return Ok(None);
        }
        let byte = self.block[self.start];
        self.start += 1;
        Ok(Some(byte))
    }

    fn error(&self, message: String) -> Error {
        Error::keys_file(self.path, message)
    }

    /// The `count` pseudonyms of one section, undone from their deltas and checked: ascending,
    /// unique, below 2^48.
    fn pseudonyms(&mut self, count: u64, what: &str) -> Result<Vec<u64>> {
        // The count comes from the file: a damaged one must not reserve terabytes up front.
        let mut values = Vec::with_capacity(count.min(1 << 20) as usize);
        let mut previous: Option<u64> = None;
        for index in 0..count {
            let at = self.at();
            let delta = self.varint(index, count, what)?;
            let value = match previous {
                None => delta,
                Some(_) if delta == 0 => {
                    return Err(self.error(format!(
                        "body byte {at}: {what} pseudonym {index} repeats the one before it (pseudonyms must be sorted and unique)"
                    )))
                }
                // Below 2^48 plus a 7-byte delta (below 2^49): cannot overflow.
                Some(previous) => previous + delta,
            };
            if value >= DOMAIN {
                return Err(self.error(format!("body byte {at}: {what} pseudonym {index} is not below 2^48")));
            }
            values.push(value);
            previous = Some(value);
        }
        Ok(values)
    }

    /// One LEB128 varint, at most [`MAX_VARINT_BYTES`] long and in its shortest form.
    fn varint(&mut self, index: u64, count: u64, what: &str) -> Result<u64> {
        let at = self.at();
        let mut value = 0u64;
        for i in 0..MAX_VARINT_BYTES {
            let Some(byte) = self.byte()? else {
                return Err(self.error(format!(
                    "body ends at body byte {} after {index} of the {count} {what} pseudonyms the header counts",
                    self.at()
                )));
            };
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(self.error(format!("body byte {at}: {what} delta {index} is not in its shortest form")));
                }
                return Ok(value);
            }
        }
        Err(self.error(format!("body byte {at}: {what} delta {index} is longer than {MAX_VARINT_BYTES} bytes")))
    }

    /// The `count` province codes, each checked to be in 11..=99.
    fn provinces(&mut self, count: u64) -> Result<Vec<u8>> {
        let mut codes = Vec::with_capacity(count.min(1 << 20) as usize);
        let mut left = count;
        while left > 0 {
            if !self.fill()? {
                return Err(self.error(format!(
                    "body ends at body byte {} after {} of the {count} province codes the header counts",
                    self.at(),
                    count - left
                )));
            }
            let take = (self.end - self.start).min(usize::try_from(left).unwrap_or(usize::MAX));
            let run = &self.block[self.start..self.start + take];
            if let Some(bad) = run.iter().position(|code| !PROVINCES.contains(code)) {
                let at = self.at() + bad as u64;
                return Err(self.error(format!("body byte {at}: province code {} is not in 11..=99", run[bad])));
            }
            codes.extend_from_slice(run);
            self.start += take;
            left -= take as u64;
        }
        Ok(codes)
    }

    /// Checks that the body ends with the KK section, the frame ends there (zstd verifies its
    /// checksum), and the file ends with the frame.
    fn finish(mut self, header: &Header) -> Result<()> {
        if self.fill()? {
            return Err(self.error(format!(
                "body byte {}: the body goes on after the {} NIK and {} KK pseudonyms the header counts",
                self.at(),
                header.nik,
                header.kk
            )));
        }
        let path = self.path;
        let mut rest = self.decoder.finish();
        let trailing = rest.fill_buf().map_err(|e| Error::io(path, e))?.len();
        if trailing > 0 {
            return Err(Error::keys_file(path, "bytes follow the zstd frame"));
        }
        Ok(())
    }
}

fn zstd_error(path: &Path, source: io::Error) -> Error {
    Error::keys_file(path, format!("the zstd frame is truncated or corrupt: {}", mask_digits(&source.to_string())))
}

/// The keys file's own leak guard: true when the raw file holds a run of 16 ASCII digits, or
/// the decompressed body holds a number of the dump, as an 8-byte little- or big-endian `u64`
/// window that is a 16-digit number (10^15 <= v < 10^16), or as 16 consecutive ASCII digits,
/// that `is_input_number` says is a NIK or KK of the dump (see the module head for why ASCII
/// runs in the body are judged by value). Two streaming passes over the file, one block of
/// memory each; the body need not be valid, only decompressible.
pub fn leaks(path: &Path, is_input_number: &dyn Fn(u64) -> bool) -> Result<bool> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    if reader_has_nik_like_run(file, TEXT_BLOCK).map_err(|e| Error::io(path, e))? {
        return Ok(true);
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(BODY_BLOCK, file);
    read_header(&mut reader, path)?;
    let mut body = Body::new(reader, path)?;
    let mut scan = BodyScan::new(is_input_number);
    while body.fill()? {
        if scan.feed(&body.block[body.start..body.end]) {
            return Ok(true);
        }
        body.start = body.end;
    }
    Ok(false)
}

/// The smallest and one past the largest 16-digit number.
const SIXTEEN_DIGITS: std::ops::Range<u64> = 1_000_000_000_000_000..10_000_000_000_000_000;

/// [`leaks`]'s scan of the body, fed block by block: the last 8 bytes are kept as two rolling
/// `u64`s (one per byte order), and the last 16 digits of the current ASCII digit run as a
/// number, so a window cut by a block boundary is seen whole.
struct BodyScan<'f> {
    is_input_number: &'f dyn Fn(u64) -> bool,
    /// Bytes fed so far (windows count once 8 are in).
    fed: u64,
    /// The last 8 bytes read as little-endian (the newest byte most significant) and big-endian.
    little: u64,
    big: u64,
    /// Length of the ASCII digit run that ends the bytes fed, and its last 16 digits' value.
    digits: u64,
    digits_value: u64,
}

impl<'f> BodyScan<'f> {
    fn new(is_input_number: &'f dyn Fn(u64) -> bool) -> Self {
        BodyScan { is_input_number, fed: 0, little: 0, big: 0, digits: 0, digits_value: 0 }
    }

    fn is_dump_number(&self, value: u64) -> bool {
        SIXTEEN_DIGITS.contains(&value) && (self.is_input_number)(value)
    }

    /// Feeds the next bytes; true as soon as a number of the dump is found.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        for &byte in bytes {
            self.little = (self.little >> 8) | (u64::from(byte) << 56);
            self.big = (self.big << 8) | u64::from(byte);
            self.fed += 1;
            if self.fed >= 8 && (self.is_dump_number(self.little) || self.is_dump_number(self.big)) {
                return true;
            }
            if byte.is_ascii_digit() {
                // Keep the last 16 digits: drop the oldest (the 10^15 place), shift, add.
                self.digits_value = self.digits_value % 1_000_000_000_000_000 * 10 + u64::from(byte - b'0');
                self.digits += 1;
                // The 16 digits are passed as they are (a leading 0 included): the caller knows
                // what its numbers look like.
                if self.digits >= 16 && (self.is_input_number)(self.digits_value) {
                    return true;
                }
            } else {
                self.digits = 0;
                self.digits_value = 0;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};
    use std::collections::{BTreeMap, BTreeSet, HashSet};
    use std::path::PathBuf;

    const FINGERPRINT: &str = "0123:4567:89ab:cdef";

    fn path() -> PathBuf {
        PathBuf::from("dump/keys.takar")
    }

    fn written(nik: &[(u64, u8)], kk: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, FINGERPRINT, nik, kk).unwrap();
        out
    }

    fn header_json(nik: u64, kk: u64) -> String {
        format!(
            r#"{{"format_version":1,"takar_version":"{}","key_fingerprint":"{FINGERPRINT}","nik":{nik},"kk":{kk}}}"#,
            env!("CARGO_PKG_VERSION")
        )
    }

    /// A file by hand: preamble, `json` as the header, `body` as one zstd frame.
    fn crafted(json: &str, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(json.as_bytes());
        out.extend_from_slice(&zstd::encode_all(body, ZSTD_LEVEL).unwrap());
        out
    }

    fn varints(values: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 10];
        for &v in values {
            let n = encode_varint(v, &mut buf);
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    /// The message of the keys-file error `bytes` gives, checking that it names the file.
    fn keys_error(bytes: &[u8]) -> String {
        match read_from(bytes, &path()) {
            Err(error @ Error::KeysFile { .. }) => {
                let shown = error.to_string();
                assert!(shown.starts_with("dump/keys.takar: not a valid keys file: "), "{shown}");
                shown
            }
            other => panic!("expected a keys-file error, got {other:?}"),
        }
    }

    fn pseudonym() -> impl Strategy<Value = u64> {
        // Both ends of the domain as well as anywhere in it.
        prop_oneof![0..DOMAIN, 0..64u64, DOMAIN - 64..DOMAIN]
    }

    proptest! {
        #![proptest_config(crate::test_config(128))]

        #[test]
        fn round_trips(
            nik in proptest::collection::btree_map(pseudonym(), 11u8..=99, 0..300),
            kk in proptest::collection::btree_set(pseudonym(), 0..300),
        ) {
            let nik: Vec<(u64, u8)> = nik.into_iter().collect();
            let kk: Vec<u64> = kk.into_iter().collect();
            let bytes = written(&nik, &kk);
            let set = read_from(&bytes, &path()).unwrap();
            prop_assert_eq!(set.header.nik, nik.len() as u64);
            prop_assert_eq!(set.header.kk, kk.len() as u64);
            prop_assert_eq!(&set.header.key_fingerprint, FINGERPRINT);
            prop_assert_eq!(set.nik, nik.iter().map(|p| p.0).collect::<Vec<_>>());
            prop_assert_eq!(set.nik_province, nik.iter().map(|p| p.1).collect::<Vec<_>>());
            prop_assert_eq!(set.kk, kk);
        }
    }

    #[test]
    fn empty_sets_round_trip() {
        let set = read_from(&written(&[], &[]), &path()).unwrap();
        assert_eq!((set.header.nik, set.header.kk), (0, 0));
        assert!(set.nik.is_empty() && set.nik_province.is_empty() && set.kk.is_empty());
    }

    #[test]
    fn reads_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        let nik = [(3, 32), (1 << 40, 51)];
        std::fs::write(&file, written(&nik, &[9])).unwrap();
        let set = read(&file).unwrap();
        assert_eq!((set.nik, set.nik_province, set.kk), (vec![3, 1 << 40], vec![32, 51], vec![9]));
        assert!(matches!(read(&dir.path().join("missing")), Err(Error::Io { .. })));
    }

    #[test]
    fn byte_layout_of_a_tiny_file() {
        let bytes = written(&[(5, 32), (300, 51)], &[7]);
        assert_eq!(&bytes[..9], b"TAKARKEYS");
        assert_eq!(bytes[9], 1);
        let json = format!(
            r#"{{"format_version":1,"takar_version":"{}","key_fingerprint":"0123:4567:89ab:cdef","nik":2,"kk":1}}"#,
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(env!("CARGO_PKG_VERSION"), "0.1.0");
        let len = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
        assert_eq!(len, json.len());
        assert_eq!(&bytes[14..14 + len], json.as_bytes());
        let frame = &bytes[14 + len..];
        assert_eq!(&frame[..4], &[0x28, 0xb5, 0x2f, 0xfd], "a zstd frame's magic");
        // Deltas 5 and 295 (0b10_0100111: 0xA7 0x02), provinces 32 and 51, then KK delta 7.
        assert_eq!(zstd::decode_all(frame).unwrap(), [5, 0xA7, 0x02, 32, 51, 7]);
    }

    #[test]
    fn varints_are_leb128() {
        assert_eq!(varints(&[0, 127, 128, 300, DOMAIN - 1]), [
            0, 127, 0x80, 1, 0xAC, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F
        ]);
    }

    #[test]
    fn refuses_a_file_that_is_not_a_keys_file() {
        assert!(keys_error(b"PAR1 not ours at all").contains("does not start with TAKARKEYS"));
        assert!(keys_error(b"TAKAR").contains("does not start with TAKARKEYS"));
        assert!(keys_error(b"").contains("does not start with TAKARKEYS"));
    }

    #[test]
    fn refuses_an_unknown_version() {
        let mut bytes = written(&[(1, 11)], &[]);
        bytes[9] = 2;
        assert!(keys_error(&bytes).contains("byte 9: format version 2; this takar reads version 1"));
        // The header's own version must agree with the byte.
        let json = header_json(0, 0).replace(r#""format_version":1"#, r#""format_version":2"#);
        assert!(keys_error(&crafted(&json, &[])).contains("format_version 2 disagrees"));
    }

    #[test]
    fn refuses_a_truncated_preamble_or_header() {
        let bytes = written(&[(1, 11)], &[]);
        assert!(keys_error(&bytes[..12]).contains("file ends at byte 12 inside the preamble"));
        assert!(keys_error(&bytes[..20]).contains("file ends at byte 20 inside the"));
        let mut huge = bytes.clone();
        huge[10..14].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(keys_error(&huge).contains("header length 4294967295 is over 65536 bytes"));
    }

    #[test]
    fn a_fingerprint_joined_by_dashes_reads_as_the_same_one() {
        let dashed = header_json(0, 0).replace(FINGERPRINT, &FINGERPRINT.replace(':', "-"));
        let set = read_from(&crafted(&dashed, &[]), &path()).unwrap();
        assert_eq!(set.header.key_fingerprint, FINGERPRINT);
        // And an all-digit fingerprint, written now, is no NIK to the guard.
        let digits = "1234:5678:9012:3456";
        let mut out = Vec::new();
        write(&mut out, digits, &[], &[]).unwrap();
        assert!(!crate::nik::mask::has_nik_like_run(&out));
    }

    #[test]
    fn refuses_a_header_that_is_not_takars_json() {
        let good = header_json(0, 0);
        let not_json = "x".repeat(good.len());
        assert!(keys_error(&crafted(&not_json, &[])).contains("byte 14: the header is not takar's JSON"));
        let extra = good.replace(r#""kk":0"#, r#""kk":0,"more":1"#);
        assert!(keys_error(&crafted(&extra, &[])).contains("unknown field `more`"));
        let missing = good.replace(r#","kk":0"#, "");
        assert!(keys_error(&crafted(&missing, &[])).contains("missing field `kk`"));
        let upper = good.replace(FINGERPRINT, "0123:4567:89AB:CDEF");
        assert!(keys_error(&crafted(&upper, &[])).contains("key_fingerprint is not four groups of four lowercase hex"));
        // What serde quotes from a damaged header is masked.
        let digits = good.replace(r#""nik":0"#, r#""nik":"1234567890123456""#);
        let message = keys_error(&crafted(&digits, &[]));
        assert!(message.contains("123456**********") && !message.contains("1234567890123456"), "{message}");
    }

    #[test]
    fn refuses_a_truncated_or_corrupt_frame() {
        let nik: Vec<(u64, u8)> = (0..1000u64).map(|i| (i * 1_000_003, 32)).collect();
        let bytes = written(&nik, &[1, 2, 3]);
        let header_end = 14 + u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
        for cut in [1, 4, (bytes.len() - header_end) / 2, bytes.len() - header_end - 1] {
            let message = keys_error(&bytes[..bytes.len() - cut]);
            assert!(message.contains("zstd frame is truncated or corrupt"), "cut {cut}: {message}");
        }
        for at in [header_end, header_end + 20, bytes.len() - 2] {
            let mut corrupt = bytes.clone();
            corrupt[at] ^= 0x55;
            let message = keys_error(&corrupt);
            assert!(message.contains("zstd frame is truncated or corrupt"), "byte {at}: {message}");
        }
    }

    #[test]
    fn refuses_bytes_after_the_frame() {
        let mut bytes = written(&[(1, 11)], &[2]);
        bytes.push(0);
        assert!(keys_error(&bytes).contains("bytes follow the zstd frame"));
        // A second frame is no better.
        let mut two = written(&[(1, 11)], &[2]);
        two.extend_from_slice(&zstd::encode_all(&[][..], 3).unwrap());
        assert!(keys_error(&two).contains("bytes follow the zstd frame"));
    }

    #[test]
    fn refuses_a_body_that_disagrees_with_the_header() {
        let body = [varints(&[1, 2]), vec![11, 12], varints(&[5])].concat();
        assert!(read_from(&crafted(&header_json(2, 1), &body), &path()).is_ok());
        // Too short: the header counts more than the body holds, in each section.
        assert!(keys_error(&crafted(&header_json(2, 2), &body)).contains("after 1 of the 2 KK pseudonyms"));
        assert!(keys_error(&crafted(&header_json(6, 0), &body)).contains("after 5 of the 6 NIK pseudonyms"));
        let short_provinces = [varints(&[1, 2, 3]), vec![11, 12]].concat();
        assert!(keys_error(&crafted(&header_json(3, 0), &short_provinces)).contains("after 2 of the 3 province codes"));
        // Too long: bytes after the KK section.
        assert!(keys_error(&crafted(&header_json(2, 0), &body)).contains("body byte 4: the body goes on"));
        // A multi-byte varint cut by the end of the body.
        let cut = [varints(&[1]), vec![11], vec![0x80]].concat();
        assert!(keys_error(&crafted(&header_json(1, 1), &cut)).contains("after 0 of the 1 KK pseudonyms"));
    }

    #[test]
    fn refuses_unsorted_duplicate_or_oversized_pseudonyms() {
        let duplicate = [varints(&[1, 0]), vec![11, 11]].concat();
        assert!(keys_error(&crafted(&header_json(2, 0), &duplicate))
            .contains("body byte 1: NIK pseudonym 1 repeats the one before it"));
        let kk_duplicate = varints(&[4, 3, 0]);
        assert!(keys_error(&crafted(&header_json(0, 3), &kk_duplicate)).contains("KK pseudonym 2 repeats"));
        let first_too_big = [varints(&[DOMAIN]), vec![11]].concat();
        assert!(keys_error(&crafted(&header_json(1, 0), &first_too_big)).contains("NIK pseudonym 0 is not below 2^48"));
        let sum_too_big = varints(&[DOMAIN - 1, 1]);
        assert!(keys_error(&crafted(&header_json(0, 2), &sum_too_big)).contains("KK pseudonym 1 is not below 2^48"));
        let eight_bytes = [vec![0xFF; 7], vec![0x01]].concat();
        assert!(keys_error(&crafted(&header_json(0, 1), &eight_bytes)).contains("longer than 7 bytes"));
        let overlong = vec![0x85, 0x00];
        assert!(keys_error(&crafted(&header_json(0, 1), &overlong)).contains("not in its shortest form"));
        let province = [varints(&[1, 1]), vec![11, 100]].concat();
        assert!(keys_error(&crafted(&header_json(2, 0), &province)).contains("body byte 3: province code 100 is not in 11..=99"));
    }

    #[test]
    fn writer_refuses_what_the_reader_would() {
        let refused = |nik: &[(u64, u8)], kk: &[u64]| {
            let error = write(&mut Vec::new(), FINGERPRINT, nik, kk).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
            error.to_string()
        };
        assert!(refused(&[(2, 11), (2, 11)], &[]).contains("NIK pseudonym 1 is not above"));
        assert!(refused(&[(3, 11), (2, 11)], &[]).contains("NIK pseudonym 1 is not above"));
        assert!(refused(&[], &[DOMAIN]).contains("KK pseudonym 0 is not below 2^48"));
        assert!(refused(&[(1, 10)], &[]).contains("province code 10"));
        let error = write(&mut Vec::new(), "not hex", &[], &[]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }

    /// `count` unique random pseudonyms, sorted.
    fn random_pseudonyms(rng: &mut rand_pcg::Pcg64, count: usize) -> Vec<u64> {
        let mut set = BTreeSet::new();
        while set.len() < count {
            set.insert(rng.random_range(0..DOMAIN));
        }
        set.into_iter().collect()
    }

    #[test]
    fn size_per_million_pseudonyms() {
        // The 38 province codes, drawn uniformly: a worst case for the province section (real
        // dumps are skewed towards Java and compress better).
        const CODES: [u8; 38] = [
            11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73,
            74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
        ];
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let nik: Vec<(u64, u8)> =
            random_pseudonyms(&mut rng, 1_000_000).into_iter().map(|p| (p, CODES[rng.random_range(0..CODES.len())])).collect();
        let kk = random_pseudonyms(&mut rng, 1_000_000);
        let nik_file = written(&nik, &[]).len() as f64;
        let kk_file = written(&[], &kk).len() as f64;
        eprintln!(
            "keys.takar, 1M random pseudonyms: NIK with province {:.3} bytes each ({:.2} MB), KK {:.3} bytes each ({:.2} MB)",
            nik_file / 1e6,
            nik_file / 1e6,
            kk_file / 1e6,
            kk_file / 1e6
        );
        assert!((3.5..5.5).contains(&(nik_file / 1e6)), "{nik_file}");
        assert!((3.0..4.5).contains(&(kk_file / 1e6)), "{kk_file}");
    }

    fn write_file(dir: &Path, bytes: &[u8]) -> PathBuf {
        let file = dir.join(FILE_NAME);
        std::fs::write(&file, bytes).unwrap();
        file
    }

    #[test]
    fn a_clean_file_does_not_leak() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
        let nik: Vec<(u64, u8)> = random_pseudonyms(&mut rng, 20_000).into_iter().map(|p| (p, 32)).collect();
        let kk = random_pseudonyms(&mut rng, 10_000);
        let file = write_file(dir.path(), &written(&nik, &kk));
        // The dump's numbers: plausible 16-digit NIKs the file has no reason to hold.
        let dump: HashSet<u64> = (0..10_000).map(|_| rng.random_range(SIXTEEN_DIGITS)).collect();
        assert!(!leaks(&file, &|v| dump.contains(&v)).unwrap());
        assert!(!leaks(&file, &|_| false).unwrap());
    }

    #[test]
    fn packed_nik_write_the_same_bytes() {
        let nik = [(1u64, 11u8), (300, 35), ((1 << 48) - 1, 94)];
        let packed: Vec<u64> = nik.iter().map(|&(p, province)| p << 8 | u64::from(province)).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write(&mut a, FINGERPRINT, &nik, &[7, 9]).unwrap();
        write_packed(&mut b, FINGERPRINT, &packed, &[7, 9]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_header_with_sixteen_digits_leaks() {
        let dir = tempfile::tempdir().unwrap();
        let good = written(&[(1, 11)], &[]);
        // The takar version rewritten as 16 digits (header length fixed up): still a valid
        // header, but a 16-digit run in the raw bytes.
        let version = env!("CARGO_PKG_VERSION");
        let len = u32::from_le_bytes(good[10..14].try_into().unwrap()) as usize;
        let header = String::from_utf8(good[14..14 + len].to_vec()).unwrap().replace(version, "1234567890123456");
        let mut bytes = good[..10].to_vec();
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&good[14 + len..]);
        assert!(read_from(&bytes, &path()).is_ok());
        let file = write_file(dir.path(), &bytes);
        assert!(leaks(&file, &|_| false).unwrap());
    }

    #[test]
    fn a_body_holding_a_number_of_the_dump_leaks() {
        let dir = tempfile::tempdir().unwrap();
        let number: u64 = 3_201_234_512_340_001;
        let is_it = |v: u64| v == number;
        let json = header_json(0, 0);
        for (order, bytes) in [("little", number.to_le_bytes()), ("big", number.to_be_bytes())] {
            // Anywhere in the body, misaligned, with bytes around it.
            let body = [vec![1, 2, 3], bytes.to_vec(), vec![9, 9]].concat();
            let file = write_file(dir.path(), &crafted(&json, &body));
            assert!(leaks(&file, &is_it).unwrap(), "{order}-endian");
            assert!(!leaks(&file, &|_| false).unwrap(), "{order}-endian, not a number of the dump");
        }
        // Spread over two decompressed blocks: the rolling windows still see it.
        let body = [vec![7u8; BODY_BLOCK - 3], number.to_le_bytes().to_vec()].concat();
        let file = write_file(dir.path(), &crafted(&json, &body));
        assert!(leaks(&file, &is_it).unwrap());
        // A number of the dump as ASCII digits in the body. Repeated digits, so zstd stores
        // one literal '3' and a match, and the raw file holds no digit run of its own.
        let number: u64 = 3_333_333_333_333_333;
        let body = [b"ab".to_vec(), number.to_string().into_bytes(), b"7".to_vec()].concat();
        let bytes = crafted(&json, &body);
        assert!(!crate::nik::mask::has_nik_like_run(&bytes));
        let file = write_file(dir.path(), &bytes);
        assert!(leaks(&file, &|v| v == number).unwrap());
        assert!(!leaks(&file, &|_| false).unwrap());
        // Digits in the raw file leak whatever they are.
        let body = [b"ab".to_vec(), b"3201234512340001".to_vec()].concat();
        let bytes = crafted(&json, &body);
        assert!(crate::nik::mask::has_nik_like_run(&bytes), "stored as a zstd literal");
        let file = write_file(dir.path(), &bytes);
        assert!(leaks(&file, &|_| false).unwrap());
    }

    #[test]
    fn a_dump_of_bali_alone_does_not_leak() {
        // Provinces 51, 52, 53 are the ASCII digits '3', '4', '5': the body has long digit runs
        // that are no number of the dump.
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(51);
        let nik: Vec<(u64, u8)> = random_pseudonyms(&mut rng, 1000).into_iter().map(|p| (p, 51)).collect();
        let bytes = written(&nik, &[]);
        let file = write_file(dir.path(), &bytes);
        let body = zstd::decode_all(&bytes[14 + header_json(1000, 0).len()..]).unwrap();
        assert!(crate::nik::mask::has_nik_like_run(&body));
        let dump: BTreeMap<u64, ()> = (0..1000).map(|i| (3_201_000_000_000_000 + i, ())).collect();
        assert!(!leaks(&file, &|v| dump.contains_key(&v)).unwrap());
    }
}
