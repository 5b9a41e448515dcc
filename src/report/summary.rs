//! The finished answer of a scan: plain data that every renderer (JSON, Parquet, terminal)
//! reads. Field names here are the `summary.json` contract that scripts rely on; region counts
//! are dense arrays indexed by [`DistrictId`](crate::nik::DistrictId) and are rendered by the
//! Parquet and terminal reports, not serialised into the summary.

use serde::Serialize;

use std::time::Duration;

use crate::engine::keys::Uniques;
use crate::engine::tally::{ColumnTally, Tally};
use crate::engine::{Role, RoleMap};
use crate::engine::keys::People;
use crate::forensics::population::regency_coverage;
use crate::forensics::schemas::{self, SourceGuess};
use crate::forensics::signals::{ratio, Evidence, FlaggedRegion, Pair, MAX_COVERAGE};
use crate::forensics::verdict::{self, Verdict};
use crate::nik::{Date, Reason, RegionTable};
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
    /// Header name of the regency/city (kabupaten/kota) name column.
    pub regency_name_column: Option<String>,
    /// Header name of the district (kecamatan) name column.
    pub district_name_column: Option<String>,
    /// Data records in this input.
    pub records: u64,
    pub nik_valid: u64,
    /// Unique NIKs first seen in this input (not in an earlier input of the same run).
    pub nik_new_unique: u64,
    /// Warnings about this input (for example an unterminated quote at the end).
    pub warnings: Vec<String>,
    /// Every column name of the input, for the source fingerprint (not written out).
    #[serde(skip)]
    pub headers: Vec<String>,
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
                Role::RegencyName => &mut self.regency_name_column,
                Role::DistrictName => &mut self.district_name_column,
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
    /// The seller's figure against the dump (`--claimed N`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
    /// What the dump's column names look like.
    pub source: SourceGuess,
    /// Is it real? The label and the signals behind it.
    pub verdict: Verdict,
    pub elapsed_s: f64,
    pub bytes_per_s: f64,
    /// The memory budget and what the key stores did with it (when the scan had a budget).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryUse>,
    /// Present under `--approximate`: which figures are estimates, and how good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate: Option<Approximate>,
    #[serde(skip)]
    pub regions: RegionCounts,
    /// The shape of the unique people (birth years, sex, serials), behind the verdict.
    #[serde(skip)]
    pub people: People,
}

/// `approximate` in `summary.json`: the unique counts are HyperLogLog estimates.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Approximate {
    pub method: String,
    /// Relative standard error of each estimate.
    pub standard_error: f64,
    /// The figures that are estimates (paths in this file, and the Parquet column).
    pub estimates: Vec<String>,
}

impl Approximate {
    pub fn hyperloglog() -> Approximate {
        Approximate {
            method: "HyperLogLog++ (cardinality-estimator, precision 12)".into(),
            standard_error: crate::engine::keys::estimate::STANDARD_ERROR,
            estimates: [
                "nik.unique",
                "nik.duplicate_records",
                "kk.unique",
                "kk.duplicate_records",
                "inputs[].nik_new_unique",
                "claim.unique",
                "*.parquet unique_nik and coverage",
                "verdict (its people profile counts valid records, not unique people)",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// `memory` in `summary.json`: the budget (`--max-memory`) and how the key stores kept to it.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct MemoryUse {
    pub max_memory_bytes: u64,
    /// The key stores' share of it; past it they spill sorted runs to disk.
    pub key_limit_bytes: u64,
    /// Most key bytes held in memory at once.
    pub peak_key_bytes: u64,
    pub spilled_bytes: u64,
    pub spill_runs: u64,
}

/// `claim` in `summary.json`: the seller's figure against what the dump holds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Claim {
    pub claimed: u64,
    pub records: u64,
    pub valid: u64,
    pub unique: u64,
    /// `unique / claimed`, 4 decimals; far below 1 means the claim is inflated.
    pub unique_over_claimed: f64,
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
pub struct Findings<'a> {
    /// The region table the scan validated against (names and successors for coverage).
    pub regions: &'a RegionTable,
    /// The key visit's profile of the unique people.
    pub people: People,
    /// The seller's figure, when given.
    pub claimed: Option<u64>,
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
    /// input has a column to check the NIK against (birth date, gender, KK, place names).
    pub fn build(reference: Date, f: Findings<'_>) -> Summary {
        let Findings { regions, people, claimed, mut inputs, skipped, tally, nik, kk, elapsed } = f;
        for (info, new) in inputs.iter_mut().zip(&nik.new_per_input) {
            info.nik_new_unique = *new;
        }
        let has_consistency = inputs.iter().any(|i| {
            i.birth_date_column.is_some()
                || i.gender_column.is_some()
                || i.regency_name_column.is_some()
                || i.district_name_column.is_some()
                || i.kk_column.is_some()
        });
        let bytes: u64 = inputs.iter().map(|i| i.bytes).sum();
        let elapsed_s = elapsed.as_secs_f64();
        let has_kk = inputs.iter().any(|i| i.kk_column.is_some());
        let nik_summary = ColumnSummary::from_tally(&tally.nik, nik.unique);
        let claim = claimed.map(|claimed| Claim {
            claimed,
            records: tally.records,
            valid: tally.nik.valid,
            unique: nik.unique,
            unique_over_claimed: ratio(nik.unique, claimed),
        });
        let evidence = evidence(&nik_summary, tally.records, has_kk.then_some(kk.unique), &tally.consistency, &people, regions, &nik.per_district, claim.as_ref());
        let source = schemas::fingerprint(inputs.iter().flat_map(|i| i.headers.iter().map(String::as_str)));
        Summary {
            records: tally.records,
            nik: nik_summary,
            kk: ColumnSummary::from_tally(&tally.kk, kk.unique),
            consistency: has_consistency.then_some(tally.consistency),
            claim,
            source,
            verdict: verdict::verdict(&evidence),
            regions: RegionCounts { records: tally.district_records, unique_nik: nik.per_district },
            people,
            inputs,
            skipped,
            elapsed_s,
            bytes_per_s: if elapsed_s > 0.0 { bytes as f64 / elapsed_s } else { 0.0 },
            ..Summary::new(reference)
        }
    }
}

/// The verdict's evidence, from the summary's counts, the people's profile and the coverage of
/// each regency.
#[allow(clippy::too_many_arguments)]
fn evidence(
    nik: &ColumnSummary,
    records: u64,
    kk_unique: Option<u64>,
    c: &Consistency,
    people: &People,
    regions: &RegionTable,
    unique_per_district: &[u64],
    claim: Option<&Claim>,
) -> Evidence {
    let pair = |checked, mismatch| Pair { checked, mismatch };
    let years = |from: usize| people.birth_years.get(from..from + 10).map_or(0, |y| y.iter().sum());
    let coverage = regency_coverage(regions, unique_per_district);
    Evidence {
        records,
        nik_valid: nik.valid,
        nik_invalid: nik.invalid,
        nik_placeholder: nik.placeholder,
        nik_unique: nik.unique,
        kk_unique,
        birth_date: pair(c.birth_date_checked, c.birth_date_mismatch),
        gender: pair(c.gender_checked, c.gender_mismatch),
        regency: pair(c.regency_checked, c.regency_mismatch),
        district: pair(c.district_checked, c.district_mismatch),
        kk_region: pair(c.kk_region_checked, c.kk_region_mismatch),
        age_odd: c.age_implausible + c.age_impossible,
        people: people.people,
        female: people.female,
        january_first: people.january_first,
        serial_100_up: people.people - people.serial_hundreds.first().copied().unwrap_or(0),
        birth_decades: [40, 50, 60, 70, 80, 90].map(years),
        max_coverage: coverage.first().map_or(0.0, |c| c.coverage),
        over_covered: coverage
            .iter()
            .filter(|c| c.coverage > MAX_COVERAGE)
            .map(|c| FlaggedRegion { code: format!("{:04}", c.code), name: c.name.clone(), unique_nik: c.unique_nik, population: c.population, coverage: c.coverage })
            .collect(),
        unique_over_claimed: claim.map(|c| c.unique_over_claimed),
    }
}
