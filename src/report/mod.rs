//! Rendering a [`Summary`](crate::report::summary::Summary): every renderer is pure (summary in,
//! `String` or bytes out) and writing files is a separate step ([`output`]), the hyperfine
//! `Exporter` split.
//!
//! - [`json`]: `summary.json`, the scripting contract;
//! - [`regions`]: per-district counts rolled up to province / regency / district rows, with
//!   official names and the successor of historic codes;
//! - [`parquet`]: one Parquet file per region level, fixed schemas;
//! - [`terminal`]: the human report;
//! - [`output`]: writes all files to temporary names, runs the leak guard (no 16-digit run may
//!   leave takar) over every one, and only then renames them into place.
//!
//! Nothing here ever holds a NIK: the summary carries counts and region codes only.

pub mod json;
pub mod output;
pub mod parquet;
pub mod regions;
pub mod summary;
pub mod terminal;

pub use output::{has_nik_like_run, write_outputs};
pub use regions::{region_rows, Level, RegionRow};
pub use terminal::TerminalOptions;
