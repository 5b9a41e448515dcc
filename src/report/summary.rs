//! The finished answer of a scan: plain data that every renderer (JSON, Parquet, terminal)
//! reads. Field names here are the `summary.json` contract that scripts rely on; region counts
//! are dense arrays indexed by [`DistrictId`](crate::nik::DistrictId) and are rendered by the
//! Parquet and terminal reports, not serialised into the summary.

use serde::Serialize;

use crate::engine::{Role, RoleMap};
use crate::nik::{Date, Reason};

/// Counts of invalid values by reason, rendered as an object with one key per reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReasonCounts(pub [u64; Reason::COUNT]);

impl ReasonCounts {
    pub fn get(&self, r: Reason) -> u64 {
        self.0[r.index()]
    }
    pub fn add(&mut self, r: Reason) {
        self.0[r.index()] += 1;
    }
    pub fn merge(&mut self, other: &ReasonCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
    /// Every invalid value except placeholders (which are reported on their own).
    pub fn invalid_total(&self) -> u64 {
        Reason::ALL.iter().filter(|r| **r != Reason::Placeholder).map(|r| self.get(*r)).sum()
    }
}

impl Serialize for ReasonCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(Reason::COUNT - 1))?;
        for r in Reason::ALL.iter().filter(|r| **r != Reason::Placeholder) {
            m.serialize_entry(r.as_str(), &self.get(*r))?;
        }
        m.end()
    }
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
    pub invalid_reasons: ReasonCounts,
}

/// Whether the NIK agrees with the birth-date and gender columns, where those exist.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Consistency {
    pub birth_date_checked: u64,
    pub birth_date_mismatch: u64,
    pub gender_checked: u64,
    pub gender_mismatch: u64,
}

impl Consistency {
    pub fn merge(&mut self, o: &Consistency) {
        self.birth_date_checked += o.birth_date_checked;
        self.birth_date_mismatch += o.birth_date_mismatch;
        self.gender_checked += o.gender_checked;
        self.gender_mismatch += o.gender_mismatch;
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
    /// `none`, `gzip`, `zstd`, `bzip2`, `xz` or `zip`.
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

impl Summary {
    pub fn new(reference: Date) -> Summary {
        Summary { takar_version: env!("CARGO_PKG_VERSION"), reference_date: reference.to_string(), ..Default::default() }
    }
}
