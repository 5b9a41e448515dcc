//! takar sizes leaked Indonesian population-data dumps: how many records, valid NIKs, unique
//! people and families (No. KK), and where the victims live, per province, regency/city and
//! district, with official Kemendagri names.
//!
//! Pipeline: [`scan::source`] opens each input (memory map, or a stream for stdin and
//! compressed files); [`scan`] cuts the bytes into chunks on record boundaries and parses them
//! in parallel; every field goes through the pure [`nik`] core; each chunk yields a
//! [`tally::Tally`] (counts plus dedup keys) and tallies merge associatively; [`dedup`] counts
//! unique keys shard by shard; [`report`] renders JSON, Parquet and the terminal report from a
//! [`summary::Summary`].
//!
//! The privacy promise: no raw NIK or KK leaves takar by default. Keys stay inside as `u64`;
//! outputs carry counts and region codes only, and every output file is checked for 16-digit
//! runs before it is renamed into place.

pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod format;
pub mod generate;
pub mod input;
pub mod nik;
pub mod nik_command;
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
