//! The leak guard's policies: how each output file is checked, from disk, for something shaped
//! like a raw NIK or No. KK before it may be renamed into place.
//!
//! Text is checked for a run of 16 or more ASCII digits, read back in fixed-size blocks so an
//! output of any size costs one block of memory; a digit run cut by a block boundary is carried
//! into the next block, so the answer is the same as for the whole file at once. Parquet is
//! checked by its decoded values ([`parquet::holds_nik_like_value`]), because its raw bytes
//! hold bit-packed indices that may look like digits. A binary output of another kind brings
//! its own check ([`Guard::Custom`]).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::parquet;
use crate::nik::mask::DigitRun;
use crate::{Error, Result};

/// Bytes read per block by [`Guard::TextNoDigitRun`].
pub const TEXT_BLOCK: usize = 64 << 10;

/// The leak-guard policy of one output file.
#[derive(Clone, Copy)]
pub enum Guard<'a> {
    /// No run of 16 or more ASCII digits anywhere in the bytes.
    TextNoDigitRun,
    /// No run of 16 or more *adjacent* ASCII digits: for drawn pages (report.html, map.svg),
    /// whose path data (`l1.2-3.4 5.6`) reads as a separated NIK to the full guard. Their
    /// words come from summary.json, which passed the full guard before they were drawn.
    DrawnNoDigitRun,
    /// No string value or metadata entry with a 16-digit run, no integer of 16+ digits.
    ParquetValues,
    /// The output's own check of its temporary file: `Ok(true)` when it leaks. Its errors
    /// carry their own path context.
    /// A reference, so the check may hold what it needs (the keys file's guard asks the
    /// dump's key store whether a number is one of the dump's).
    Custom(&'a (dyn Fn(&Path) -> Result<bool> + Sync)),
}

impl std::fmt::Debug for Guard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Guard::TextNoDigitRun => "TextNoDigitRun",
            Guard::DrawnNoDigitRun => "DrawnNoDigitRun",
            Guard::ParquetValues => "ParquetValues",
            Guard::Custom(_) => "Custom",
        })
    }
}

impl Guard<'_> {
    /// Does the temporary file `tmp` (to become `target`) hold a NIK-shaped value?
    pub fn leaks(&self, tmp: &Path, target: &Path) -> Result<bool> {
        match self {
            Guard::TextNoDigitRun => File::open(tmp)
                .and_then(|f| reader_has_nik_like_run(f, TEXT_BLOCK))
                .map_err(|e| Error::io(tmp, e)),
            Guard::DrawnNoDigitRun => std::fs::read(tmp).map(|b| has_adjacent_digit_run(&b)).map_err(|e| Error::io(tmp, e)),
            Guard::ParquetValues => parquet::holds_nik_like_value(tmp)
                .map_err(|source| Error::Parquet { path: target.to_path_buf(), source }),
            Guard::Custom(check) => check(tmp),
        }
    }
}

/// [`has_nik_like_run`](crate::nik::mask::has_nik_like_run) over everything `reader` yields, read `block` bytes at a time.
pub fn reader_has_nik_like_run(mut reader: impl Read, block: usize) -> io::Result<bool> {
    let mut buf = vec![0u8; block.max(1)];
    let mut run = DigitRun::default();
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                if run.feed(&buf[..n]) {
                    return Ok(true);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// 16 or more ASCII digits side by side.
pub fn has_adjacent_digit_run(bytes: &[u8]) -> bool {
    let mut run = 0usize;
    for b in bytes {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 16 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod drawn_tests {
    use super::has_adjacent_digit_run;

    #[test]
    fn drawn_pages_refuse_adjacent_runs_only() {
        assert!(has_adjacent_digit_run(b"x 3507011508900001 y"));
        assert!(!has_adjacent_digit_run(b"M350.7,11.5l0.8-9.0 0.0-0.1"));
        assert!(!has_adjacent_digit_run(b"350701150890000"));
    }
}
