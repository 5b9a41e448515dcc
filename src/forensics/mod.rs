//! "Is it real?": the dump-level signals that tell a real register from a padded, resold or
//! fabricated dump, and the verdict they add up to.
//!
//! Pure, like the NIK core: plain counts in ([`signals::Evidence`], built by the report from
//! the scan's tallies and key visits), signals and a verdict out, so each threshold is tested
//! on both sides without a scan. [`population`] holds the official population per regency for
//! the coverage signal (and the Parquet `coverage` column); [`schemas`] the known source
//! schemas for the source fingerprint. Imports only `nik` (the region table).

pub mod population;
pub mod schemas;
pub mod signals;
pub mod verdict;

#[cfg(test)]
mod tests;
