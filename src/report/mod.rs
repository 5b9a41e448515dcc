//! Rendering a [`Summary`](crate::report::summary::Summary): every renderer is pure (summary in,
//! `String` or bytes out) and writing files is a separate step ([`output`]), the hyperfine
//! `Exporter` split.
//!
//! - [`json`]: `summary.json`, the scripting contract;
//! - [`regions`]: per-district counts rolled up to province / regency / district rows, with
//!   official names and the successor of historic codes;
//! - [`parquet`]: one Parquet file per region level, fixed schemas;
//! - [`terminal`]: the human report;
//! - [`html`]: `report.html` (one self-contained page with a map) and `map.svg`;
//! - [`readback`]: a summary read back from an output folder, for `takar report DIR`;
//! - [`labels`]: the labels of both reports for people, in English and Bahasa Indonesia;
//! - [`output`]: the default outputs (`summary.json`, the three Parquet files);
//! - [`staged`]: writes a list of outputs to temporary names, runs each one's leak guard
//!   ([`guard`]: no 16-digit run may leave takar) and only then renames them all into place.
//!
//! Nothing here ever holds a NIK: the summary carries counts and region codes only.

pub mod guard;
pub mod html;
pub mod json;
pub mod keys_file;
pub mod labels;
pub mod keys_parquet;
pub mod manifest;
pub mod output;
pub mod overlap;
pub mod parquet;
pub mod readback;
pub mod regions;
pub mod staged;
pub mod summary;
pub mod terminal;
pub mod verdict_text;

pub use crate::nik::mask::has_nik_like_run;
pub use guard::Guard;
pub use output::write_outputs;
pub use staged::{write_staged, write_staged_parallel, write_staged_then, Output};
pub use regions::{region_rows, Level, RegionRow};
pub use terminal::TerminalOptions;
