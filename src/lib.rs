//! takar sizes leaked Indonesian population-data dumps: how many records, valid NIKs, unique
//! people and families (No. KK), and where the victims live, per province, regency/city and
//! district, with official Kemendagri names.
//!
//! Four wings and a driver. [`input`] decides how bytes arrive (memory map, or a stream of
//! reused blocks, decoded in parallel where the container allows); [`format`] detects what they
//! mean and returns a ready parser; [`engine`] parses spans in parallel, feeds every record
//! through one counter into the pure [`nik`] core, and merges per-span
//! [`Harvest`](engine::Harvest)s (counts plus a key store) associatively; the key store's
//! visitor walks each unique key once; [`report`] builds the [`Summary`](report::summary::Summary)
//! and writes JSON, Parquet, the terminal report and an HTML page with a map (`report::html`)
//! through staged, leak-guarded outputs.
//! [`scan`] is the driver that joins them; [`overlap_command`] and [`keys_command`] (per-record
//! pseudonyms as bucketed Parquet, for DuckDB and Spark past one machine) drive the same wings.
//! Imports run one way: `nik` imports nothing of takar,
//! `engine` and `input` nothing of `format` or `report`, `format` nothing of `report`.
//!
//! The privacy promise: no raw NIK or KK leaves takar by default. Keys stay inside as `u64`;
//! outputs carry counts and region codes only, and every output file is checked for 16-digit
//! runs before it is renamed into place.

pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod forensics;
pub mod format;
pub mod generate;
pub mod input;
pub mod keyring;
pub mod keys_command;
pub mod machine;
pub mod nik;
pub mod nik_command;
pub mod overlap_command;
pub mod report;
pub mod scan;

pub use error::{Error, Result};

/// Proptest settings for the unit tests: a failing case is saved beside its source file
/// (`src/.../name.proptest-regressions`), not in a directory at the crate's top.
#[cfg(test)]
pub(crate) fn test_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))),
        ..proptest::test_runner::Config::default()
    }
}
