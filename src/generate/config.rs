//! What to generate: the dump's format and the settings the CLI fills in. A leaf module, so the
//! generator's parts can read the settings without importing the generator's entry point.

use std::path::PathBuf;

use crate::{Error, Result};

/// The dump's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DumpFormat {
    /// RFC 4180 comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row and no quoting.
    Tsv,
    /// A mysqldump-like `CREATE TABLE` plus extended `INSERT` statements.
    Sql,
    /// One JSON object per line.
    Jsonl,
}

impl DumpFormat {
    /// The lowercase name, also the usual file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            DumpFormat::Csv => "csv",
            DumpFormat::Tsv => "tsv",
            DumpFormat::Sql => "sql",
            DumpFormat::Jsonl => "jsonl",
        }
    }
}

impl std::str::FromStr for DumpFormat {
    type Err = Error;

    /// `csv`, `tsv`, `sql` or `jsonl` (any case).
    fn from_str(s: &str) -> Result<DumpFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(DumpFormat::Csv),
            "tsv" => Ok(DumpFormat::Tsv),
            "sql" => Ok(DumpFormat::Sql),
            "jsonl" => Ok(DumpFormat::Jsonl),
            _ => Err(Error::Usage(format!("unknown dump format {s:?} (csv, tsv, sql or jsonl)"))),
        }
    }
}

/// What to generate. The CLI fills this in; [`GenerateConfig::DEFAULT_DUP_RATE`] and
/// [`GenerateConfig::DEFAULT_INVALID_RATE`] are its defaults.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// Data records to write (the header is extra).
    pub records: u64,
    /// Same seed and config, same bytes.
    pub seed: u64,
    pub format: DumpFormat,
    /// Share of records that repeat an earlier person's record (same NIK).
    pub dup_rate: f64,
    /// Share of records whose NIK is invalid (spread over the reasons).
    pub invalid_rate: f64,
    /// The dump's path; the answer goes to `<output>.answer.json`.
    pub output: PathBuf,
    /// Share of records with a dummy NIK (1111111111111111).
    pub placeholder_rate: f64,
    /// A fabricated dump instead of a realistic one: serials spread over 0001-9999, birth dates
    /// uniform over 1930-2008, birth-date and gender columns that contradict the NIK, a family
    /// card per person issued in another regency, place names of another regency.
    pub fabricate: bool,
}

impl GenerateConfig {
    pub const DEFAULT_DUP_RATE: f64 = 0.05;
    pub const DEFAULT_INVALID_RATE: f64 = 0.02;
    pub const DEFAULT_PLACEHOLDER_RATE: f64 = 0.001;
}
