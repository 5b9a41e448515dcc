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
    pretty(&s)
}

/// `value` as pretty JSON ending with a newline, [`shown`].
pub(crate) fn pretty(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("takar's reports are plain data (string keys, no maps of structs)");
    text.push('\n');
    shown(text)
}

/// Rendered text as it may leave takar: any NIK-like run left in it
/// (in a path, a header name, a warning, whatever field a summary grows) is masked here, once,
/// for every text renderer. takar's own figures never form one (thousands commas, rounded
/// floats, hashes joined by `:`), so only echoed input is touched.
pub fn shown(mut text: String) -> String {
    if crate::nik::mask::has_nik_like_run(text.as_bytes()) {
        text = crate::nik::mask::mask_digits(&text);
    }
    text
}

/// `x` rounded to a multiple of `1 / scale`; non-finite values pass through (JSON `null`).
pub(crate) fn round_to(x: f64, scale: f64) -> f64 {
    if x.is_finite() {
        (x * scale).round() / scale
    } else {
        x
    }
}
