//! The finished answer of a scan: plain data that every renderer (JSON, Parquet, terminal)
//! reads. Field names here are the `summary.json` contract that scripts rely on; region counts
//! are dense arrays indexed by [`DistrictId`](crate::nik::DistrictId) and are rendered by the
//! Parquet and terminal reports, not serialised into the summary.

use serde::Serialize;

use std::time::Duration;

use crate::engine::keys::Uniques;
use crate::engine::tally::{ColumnTally, Tally};
use crate::engine::{Role, RoleMap};
use crate::nik::{Date, Reason};
pub use crate::input::source::Skipped;

/// Counts of invalid values by reason, rendered as an object with one key per reason.
pub use crate::engine::tally::ReasonCounts;
/// Whether the NIK agrees with the birth-date and gender columns, where those exist.
pub use crate::engine::tally::Consistency;

/// `ReasonCounts` as the summary writes it: one key per reason, placeholders apart.
fn serialize_reasons<S: serde::Serializer>(r: &ReasonCounts, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(Reason::COUNT - 1))?;
    for reason in Reason::ALL.iter().filter(|x| **x != Reason::Placeholder) {
        m.serialize_entry(reason.as_str(), &r.get(*reason))?;
    }
    m.end()
}

/// One column's outcome: every record lands in exactly one of valid, invalid (by reason),
/// missing or placeholder.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ColumnSummary {
    pub valid: u64,
    pub invalid: u64,
    pub missing: u64,
    pub placeholder: u64,
    pub unique: u64,
    /// `valid - unique`: records that repeat a number seen before.
    pub duplicate_records: u64,
    #[serde(serialize_with = "serialize_reasons")]
    pub invalid_reasons: ReasonCounts,
}

impl ColumnSummary {
    /// The reported form of a column's counts, once the unique count is known.
    pub fn from_tally(t: &ColumnTally, unique: u64) -> ColumnSummary {
        ColumnSummary {
            valid: t.valid,
            invalid: t.reasons.invalid_total(),
            missing: t.missing,
            placeholder: t.placeholder(),
            unique,
            duplicate_records: t.valid - unique,
            invalid_reasons: t.reasons,
        }
    }
}

/// What takar detected (or was told) about one input, so a wrong guess is visible.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct InputSummary {
    /// The path as given (`-` for stdin).
    pub path: String,
    pub bytes: u64,
    /// `csv`, `tsv`, `psv`, `sql`, `jsonl`, `json`, `xlsx` or `text`.
    pub format: String,
    /// `none`, `gzip`, `zstd`, `bzip2`, `xz`, or the container the input came out of when its
    /// own bytes are not compressed: `zip`, `tar`, `7z`, or `pdf` (its text layer).
    pub compression: String,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1252` (transcoded to UTF-8 before parsing).
    pub encoding: String,
    /// The delimiter as a string (`,` `;` `\t` `|`), for delimited formats.
    pub delimiter: Option<String>,
    pub header: bool,
    /// Header name (or `column N`, counted from 1) of the NIK column.
    pub nik_column: Option<String>,
    pub kk_column: Option<String>,
    pub birth_date_column: Option<String>,
    pub gender_column: Option<String>,
    /// Data records in this input.
    pub records: u64,
    pub nik_valid: u64,
    /// Unique NIKs first seen in this input (not in an earlier input of the same run).
    pub nik_new_unique: u64,
    /// Warnings about this input (for example an unterminated quote at the end).
    pub warnings: Vec<String>,
}

impl InputSummary {
    /// Records how the input was read: its format, delimiter, header, and the column read for
    /// each role. The summary keeps one named field per role (the `summary.json` contract);
    /// the match makes a new role decide its key here.
    pub fn set_layout(&mut self, format: &str, delimiter: Option<String>, header: bool, columns: &RoleMap<Option<String>>) {
        self.format = format.into();
        self.delimiter = delimiter;
        self.header = header;
        for (role, column) in columns.iter() {
            let field = match role {
                Role::Nik => &mut self.nik_column,
                Role::Kk => &mut self.kk_column,
                Role::BirthDate => &mut self.birth_date_column,
                Role::Gender => &mut self.gender_column,
            };
            field.clone_from(column);
        }
    }
}

/// Per-district counts, indexed by district id; regencies and provinces are sums over these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionCounts {
    /// Records with a valid NIK issued in the district.
    pub records: Vec<u64>,
    /// Unique valid NIKs issued in the district.
    pub unique_nik: Vec<u64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub takar_version: &'static str,
    pub reference_date: String,
    pub inputs: Vec<InputSummary>,
    /// Files and archive members of a collection (a walked folder, an archive) that were not
    /// read as dumps, and why: not counted in `records`, not entries of `inputs`.
    pub skipped: Vec<Skipped>,
    /// Data records (header excluded).
    pub records: u64,
    pub nik: ColumnSummary,
    pub kk: ColumnSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency: Option<Consistency>,
    pub elapsed_s: f64,
    pub bytes_per_s: f64,
    #[serde(skip)]
    pub regions: RegionCounts,
}

impl InputSummary {
    /// Takes one input's own counts and its warnings (the first ones by offset, and how many
    /// more there were) from that input's tally.
    pub fn add_counts(&mut self, tally: &Tally) {
        for (at, what) in &tally.warnings {
            self.warnings.push(format!("byte {at}: {}", what.text()));
        }
        let unlisted = tally.warning_count - tally.warnings.len() as u64;
        if unlisted > 0 {
            self.warnings.push(format!("{unlisted} more warnings like these (only the first {} are listed)", tally.warnings.len()));
        }
        self.records = tally.records;
        self.nik_valid = tally.nik.valid;
    }
}

/// What a scan found, as the summary is built from it.
pub struct Findings {
    /// Every input's own summary, in input order.
    pub inputs: Vec<InputSummary>,
    /// What the collections left out, in the order met.
    pub skipped: Vec<Skipped>,
    /// All inputs' tallies, merged.
    pub tally: Tally,
    /// The key store's visit of the NIK keys (per district, per input) and of the KK keys.
    pub nik: Uniques,
    pub kk: Uniques,
    pub elapsed: Duration,
}

impl Summary {
    pub fn new(reference: Date) -> Summary {
        Summary { takar_version: env!("CARGO_PKG_VERSION"), reference_date: reference.to_string(), ..Default::default() }
    }

    /// The one place the summary is put together. Consistency counts appear only when some
    /// input has a birth-date or gender column to check against.
    pub fn build(reference: Date, f: Findings) -> Summary {
        let Findings { mut inputs, skipped, tally, nik, kk, elapsed } = f;
        for (info, new) in inputs.iter_mut().zip(&nik.new_per_input) {
            info.nik_new_unique = *new;
        }
        let has_consistency = inputs.iter().any(|i| i.birth_date_column.is_some() || i.gender_column.is_some());
        let bytes: u64 = inputs.iter().map(|i| i.bytes).sum();
        let elapsed_s = elapsed.as_secs_f64();
        Summary {
            records: tally.records,
            nik: ColumnSummary::from_tally(&tally.nik, nik.unique),
            kk: ColumnSummary::from_tally(&tally.kk, kk.unique),
            consistency: has_consistency.then_some(tally.consistency),
            regions: RegionCounts { records: tally.district_records, unique_nik: nik.per_district },
            inputs,
            skipped,
            elapsed_s,
            bytes_per_s: if elapsed_s > 0.0 { bytes as f64 / elapsed_s } else { 0.0 },
            ..Summary::new(reference)
        }
    }
}
