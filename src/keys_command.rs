//! `takar keys INPUT... --out DIR`: every valid record of every input as one row of keyed
//! pseudonyms and region codes, in Parquet files bucketed by the NIK pseudonym
//! ([`report::keys_parquet`](crate::report::keys_parquet)), for DuckDB, Spark or any engine
//! that reads hive-partitioned Parquet to count past one machine, exactly.
//!
//! Each input file is one source (a folder is walked, each file its own source; a zip is one
//! source, all its members): parsed in parallel with the counter keeping per-record rows
//! ([`Keep::Rows`]), its rows turned into pseudonyms and sorted chunk by chunk in parallel,
//! then written as one file per bucket, each on its own worker, staged and leak-guarded, all
//! renamed into place together. One source is held at a time, 16 bytes per valid record.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::KeysConfig;
use crate::engine::keys::pseudonym::Pseudonyms;
use crate::engine::rows::NO_KK;
use crate::engine::Keep;
use crate::error::shown;
use crate::input::members::Password;
use crate::input::source;
use crate::nik::mask::mask_digits;
use crate::nik::{Nik, Validator};
use crate::report::keys_parquet::{bucket_folder, bucket_of, pack, part_name, BucketFile, PackedRow, RegionCodes, RunInfo, BUCKETS};
use crate::report::{write_staged_parallel, Output};
use crate::scan::{harvest, ScanOptions};
use crate::{Error, Result};

/// What `takar keys` wrote for one source.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceWritten {
    /// The `source` column's value: the input's path as given (digit runs masked), or
    /// `--source`.
    pub source: String,
    /// The file name of this source in each bucket folder.
    pub file_name: String,
    pub records: u64,
    /// Rows written: the records with a valid NIK.
    pub rows: u64,
    /// Rows with a valid KK.
    pub rows_with_kk: u64,
    /// Bucket files written (a bucket with no row of this source gets no file).
    pub files: usize,
}

/// What `takar keys` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeysWritten {
    pub out: String,
    pub buckets: usize,
    pub key_fingerprint: String,
    pub sources: Vec<SourceWritten>,
}

/// The sources of the inputs, in order: each file given or found in a folder (a zip's
/// members fold into their file). A file given twice is two sources of one name, refused by
/// the caller. Expanded with the password, as the scan of each source is: without it, an
/// encrypted zip named directly is refused as needing one.
fn sources(inputs: &[PathBuf], password: &Password) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut zip: Option<PathBuf> = None;
    for input in source::expand_all(inputs, password)?.inputs {
        let member = input.member.is_some();
        if !(member && zip.as_ref() == Some(&input.path)) {
            files.push(input.path.clone());
        }
        zip = member.then_some(input.path);
    }
    Ok(files)
}

/// Writes every source's bucket files into `c.scan.out`. Runs on the current rayon pool.
pub fn run(c: &KeysConfig, validator: &Validator<'_>, pseudonyms: &Pseudonyms) -> Result<KeysWritten> {
    let out = c.scan.out.as_ref().expect("takar keys has --out");
    let files = sources(&c.scan.scan.inputs, &c.scan.scan.password)?;
    if c.source.is_some() && files.len() != 1 {
        return Err(Error::Usage(format!("--source names one input file; these inputs hold {}", files.len())));
    }
    let names: Vec<String> = files
        .iter()
        .map(|p| match &c.source {
            Some(name) => mask_digits(name),
            None if p.as_os_str() == "-" => "stdin".to_string(),
            None => shown(p),
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for name in &names {
        if !seen.insert(part_name(name)) {
            return Err(Error::Usage(format!("{name} is given twice: each input file is one source")));
        }
    }
    let codes = RegionCodes::new(validator.regions());
    let run = RunInfo { key_fingerprint: pseudonyms.fingerprint(), reference_date: validator.dates().reference().to_string(), codes: &codes };
    let mut written = Vec::with_capacity(files.len());
    for (path, name) in files.iter().zip(&names) {
        let opts = ScanOptions { inputs: vec![path.clone()], ..c.scan.scan.clone() };
        let h = harvest(&opts, validator, Keep::Rows)?.harvest;
        let rows = h.rows.len() as u64;
        debug_assert_eq!(rows, h.tally.nik.valid, "one row per valid NIK");
        let mut chunks = h.rows.chunks;
        let rows_with_kk: u64 = chunks.par_iter_mut().map(|chunk| pseudonymize(chunk, pseudonyms)).sum();
        let file_name = part_name(name);
        let (files, remove) = bucket_files(&chunks, name, &file_name, &run);
        let outputs: Vec<&(dyn Output + Sync)> = files.iter().map(|f| f as &(dyn Output + Sync)).collect();
        write_staged_parallel(out, &outputs, &remove)?;
        written.push(SourceWritten {
            source: name.clone(),
            file_name,
            records: h.tally.records,
            rows,
            rows_with_kk,
            files: files.len(),
        });
    }
    Ok(KeysWritten { out: shown(out), buckets: BUCKETS, key_fingerprint: pseudonyms.fingerprint().to_string(), sources: written })
}

/// Turns one chunk's rows of keys into packed rows of pseudonyms, in place, and sorts them;
/// returns how many have a KK.
fn pseudonymize(chunk: &mut [PackedRow], p: &Pseudonyms) -> u64 {
    let with_kk = chunk
        .par_iter_mut()
        .map(|row| {
            let [nik, kk] = *row;
            let kk = (kk != NO_KK).then(|| p.kk(kk));
            *row = pack(p.nik(nik), Nik::key_district(nik), kk);
            u64::from(kk.is_some())
        })
        .sum();
    chunk.par_sort_unstable();
    with_kk
}

/// One file per bucket that holds rows of this source (each chunk's part of the bucket found
/// by binary search in the sorted chunk), and the names of this source's files in the other
/// buckets, to remove what an earlier run left there.
fn bucket_files<'a>(chunks: &'a [Vec<PackedRow>], source: &'a str, file_name: &str, run: &'a RunInfo<'a>) -> (Vec<BucketFile<'a>>, Vec<String>) {
    let start = |chunk: &[PackedRow], b: usize| chunk.partition_point(|r| bucket_of(r[0]) < b);
    let mut files = Vec::new();
    let mut remove = Vec::new();
    for bucket in 0..BUCKETS {
        let ranges: Vec<(usize, usize)> = chunks.iter().map(|c| (start(c, bucket), start(c, bucket + 1))).collect();
        let name = format!("{}/{file_name}", bucket_folder(bucket));
        if ranges.iter().all(|(a, b)| a == b) {
            remove.push(name);
        } else {
            files.push(BucketFile { name, bucket, source, chunks, ranges, run });
        }
    }
    (files, remove)
}

/// What was written, as JSON (one object, a newline).
pub fn render_json(w: &KeysWritten) -> String {
    let mut s = serde_json::to_string_pretty(w).expect("plain data serializes");
    s.push('\n');
    s
}

/// What was written, for a person.
pub fn render_text(w: &KeysWritten) -> String {
    use crate::report::terminal::thousands as group;
    use std::fmt::Write as _;
    let mut s = String::new();
    let rows: u64 = w.sources.iter().map(|s| s.rows).sum();
    let files: usize = w.sources.iter().map(|s| s.files).sum();
    let _ = writeln!(
        s,
        "takar keys: {} row{} of {} source{} in {files} file{} under {} ({} buckets, key {})",
        group(rows),
        if rows == 1 { "" } else { "s" },
        w.sources.len(),
        if w.sources.len() == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        w.out,
        w.buckets,
        w.key_fingerprint
    );
    for src in &w.sources {
        let _ = writeln!(
            s,
            "  {}: {} records, {} rows ({} with a KK) -> bucket=*/{}",
            src.source,
            group(src.records),
            group(src.rows),
            group(src.rows_with_kk),
            src.file_name
        );
    }
    s
}
