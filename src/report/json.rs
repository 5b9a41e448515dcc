//! `summary.json`: the [`Summary`] as pretty JSON, the contract scripts read.
//!
//! Floats are rounded before rendering: `elapsed_s` to the millisecond and `bytes_per_s` to a
//! whole number. Beyond readability, a shortest-round-trip float such as
//! `0.12345678901234568` is a run of 17 digits, which the leak guard would (rightly, by its
//! rule) refuse to write.

use crate::report::summary::Summary;

/// Pretty JSON of `summary`, ending with a newline. Region counts are not part of it (they go
/// to the Parquet files).
pub fn render(summary: &Summary) -> String {
    let mut s = summary.clone();
    s.elapsed_s = round_to(s.elapsed_s, 1e3);
    s.bytes_per_s = round_to(s.bytes_per_s, 1.0);
    let mut out =
        serde_json::to_string_pretty(&s).expect("a Summary always serialises (string keys, no maps of structs)");
    out.push('\n');
    out
}

/// `x` rounded to a multiple of `1 / scale`; non-finite values pass through (JSON `null`).
pub(crate) fn round_to(x: f64, scale: f64) -> f64 {
    if x.is_finite() {
        (x * scale).round() / scale
    } else {
        x
    }
}
