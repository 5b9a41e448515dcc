//! `manifest.json`: what a run was made from, so that two analysts with the same inputs, key
//! and options can show they got the same outputs: each input file's size and BLAKE3 hash,
//! takar's version, the region-table editions, the key's fingerprint and the options that
//! change an answer. No timings and no paths beyond those given, so the same run gives the
//! same bytes.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ManifestInput {
    /// The path as given (digits masked, as everywhere).
    pub path: String,
    pub bytes: u64,
    /// BLAKE3 in groups of four hex characters joined by `:`; `null` for stdin.
    pub blake3: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ManifestOptions {
    pub format: &'static str,
    pub delimiter: Option<String>,
    pub no_header: bool,
    /// The columns named on the command line, as `ROLE=NAME|N`.
    pub columns: Vec<String>,
    pub reference_date: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Manifest {
    pub takar_version: &'static str,
    pub region_editions: Vec<&'static str>,
    /// The pseudonym key's fingerprint; `null` when no keys file was made.
    pub key_fingerprint: Option<String>,
    pub options: ManifestOptions,
    pub inputs: Vec<ManifestInput>,
}

/// The manifest as pretty JSON, ending in a newline.
pub fn render(m: &Manifest) -> String {
    super::json::pretty(m)
}
