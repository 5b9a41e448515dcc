//! `takar generate`: a synthetic KPU voter list (DPT) with an exact answer file beside it.
//!
//! takar's counts are only as trustworthy as the data they were checked on, and real dumps
//! come without ground truth. So the generator writes a realistic, messy dump *and* the exact
//! counts takar must report for it: valid, invalid (per reason), missing, placeholder and
//! unique NIKs and KKs, birth-date/gender consistency, and per-region records. The counts come
//! from what the generator decided to write, never from a scanner.
//!
//! How (and why it is fast and deterministic):
//! 1. [`identity`]: one cheap sequential pass decides each record's identity (which family,
//!    which NIK and KK, fresh/duplicate/invalid/missing/placeholder, which columns are wrong or
//!    empty) and counts it. NIKs and KKs are unique by construction ([`numbering`]), so no hash
//!    set is needed to know the unique counts.
//! 2. [`render`]: every other byte of a record (names, address, date format, the exact spelling
//!    of an invalid number) is a pure function of the seed, the row index and its identity, so
//!    blocks of rows are formatted in parallel with rayon and written in order. The output is
//!    the same at any thread count.

mod answer;
mod config;
mod districts;
mod identity;
mod invalid;
mod names;
mod numbering;
mod person;
mod random;
mod render;
mod row;
mod writer;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use answer::{Answer, RegionAnswer, VALID_FOR_REFERENCE_DATES_FROM};
pub use config::{DumpFormat, GenerateConfig};

use crate::{Error, Result};

/// Rates must be shares, and leave room for the fixed missing and placeholder shares.
fn check(cfg: &GenerateConfig) -> Result<()> {
    let ok = |r: f64| r.is_finite() && (0.0..=1.0).contains(&r);
    if !ok(cfg.dup_rate) || !ok(cfg.invalid_rate) || !ok(cfg.placeholder_rate) {
        return Err(Error::Usage("--dup-rate, --invalid-rate and --placeholder-rate must be between 0 and 1".into()));
    }
    if cfg.dup_rate + cfg.invalid_rate + cfg.placeholder_rate + identity::NIK_MISSING_RATE > 1.0 {
        return Err(Error::Usage(format!(
            "--dup-rate + --invalid-rate + --placeholder-rate must be at most {} (the rest holds missing NIKs)",
            1.0 - identity::NIK_MISSING_RATE
        )));
    }
    Ok(())
}

/// The path of the answer file that [`run`] writes beside `output`.
pub fn answer_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".answer.json");
    PathBuf::from(name)
}

/// Writes `output` and, beside it, `<output>.answer.json` (e.g. dump.csv.answer.json), each via a
/// temporary file renamed at the end.
pub fn run(cfg: &GenerateConfig) -> Result<Answer> {
    check(cfg)?;
    let answer_file = answer_path(&cfg.output);
    let dump_tmp = tmp_path(&cfg.output);
    let answer_tmp = tmp_path(&answer_file);
    let result = write_both(cfg, &dump_tmp, &answer_tmp).and_then(|answer| {
        // Dump first: an answer file never sits beside a dump it does not describe.
        std::fs::rename(&dump_tmp, &cfg.output).map_err(|e| Error::io(&cfg.output, e))?;
        std::fs::rename(&answer_tmp, &answer_file).map_err(|e| Error::io(&answer_file, e))?;
        Ok(answer)
    });
    if result.is_err() {
        // Best effort: leave no partial files behind; the original error is what matters.
        let _ = std::fs::remove_file(&dump_tmp);
        let _ = std::fs::remove_file(&answer_tmp);
    }
    result
}

fn write_both(cfg: &GenerateConfig, dump_tmp: &Path, answer_tmp: &Path) -> Result<Answer> {
    let file = File::create(dump_tmp).map_err(|e| Error::io(dump_tmp, e))?;
    // Blocks reach the file as large `write_all`s, so no BufWriter. No fsync either: the dump
    // is synthetic and reproducible from its seed, and syncing 2 GB would dominate the run.
    let answer = write_dump(cfg, &file)?;
    drop(file);
    let mut json = serde_json::to_vec_pretty(&answer)
        .map_err(|e| Error::io(answer_tmp, std::io::Error::other(e)))?;
    json.push(b'\n');
    std::fs::write(answer_tmp, json).map_err(|e| Error::io(answer_tmp, e))?;
    Ok(answer)
}

/// `dump.csv` -> `dump.csv.tmp`, in the same directory so the rename is atomic.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// Same dump into any writer (for tests), returning the exact expected counts.
pub fn write_dump<W: Write>(cfg: &GenerateConfig, out: W) -> Result<Answer> {
    check(cfg)?;
    writer::write(cfg, out).map_err(|e| match e {
        writer::Failure::Io(e) => Error::io(&cfg.output, e),
        writer::Failure::Other(e) => e,
    })
}
