//! The report for everyone else: `report.html`, one self-contained page (inline CSS, SVG and a
//! little JavaScript, no network), and `map.svg`, its map alone.
//!
//! - [`topo`]: the embedded regency/province boundaries (TopoJSON) and their decoding;
//! - [`map`]: projection, simplification and the SVG choropleth;
//! - [`scale`]: the colour classes;
//! - [`data`]: what the page shows, read from the *written* outputs (`summary.json`,
//!   `regencies.parquet`, `manifest.json`), so `takar scan --out DIR` and `takar report DIR`
//!   give the same bytes;
//! - [`page`]: the HTML page.

pub mod data;
pub mod map;
pub mod page;
pub mod scale;
pub mod topo;

pub use data::ReportData;
pub use page::{render_map_svg, render_page};
