//! The dump-level signals: each a measured value, what a real register shows (the expected
//! range), and the weight it adds to the verdict when the value is outside that range. Pure:
//! plain counts in ([`Evidence`]), [`Check`]s out, so every threshold is tested on both sides
//! without a scan. The thresholds and the reasoning behind them are in the README ("Is it
//! real?"); each constant here names its own.

use serde::Serialize;

/// Fewest values a rate needs before it is judged (a handful of records says nothing).
pub const MIN_SAMPLE: u64 = 100;
/// Fewest people born 1940-1999 for the birth-year comparison (six decades of shares).
pub const MIN_BIRTHS: u64 = 1000;

/// Share of people per birth decade 1940s..1990s in Indonesia, from the BPS 2020 census
/// generations (Berita Resmi Statistik, 21 Jan 2021: pre-boomers 1.87%, boomers 1946-1964
/// 11.56%, Gen X 1965-1980 21.88%, millennials 1981-1996 25.87%, Gen Z 1997-2012 27.94%),
/// births spread evenly within each generation, restricted to the six decades and scaled to 1.
pub const BIRTH_DECADES_1940_1999: [f64; 6] = [0.0566, 0.0923, 0.1500, 0.2077, 0.2418, 0.2516];

/// A two-sided expected range; either side may be open.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Expected {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Expected {
    const fn at_most(max: f64) -> Expected {
        Expected { min: None, max: Some(max) }
    }
    const fn at_least(min: f64) -> Expected {
        Expected { min: Some(min), max: None }
    }
    const fn between(min: f64, max: f64) -> Expected {
        Expected { min: Some(min), max: Some(max) }
    }
    /// Whether `value` lies outside the range (the bounds themselves are inside).
    pub fn violated_by(&self, value: f64) -> bool {
        self.min.is_some_and(|m| value < m) || self.max.is_some_and(|m| value > m)
    }
}

/// A regency named by the coverage signal.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlaggedRegion {
    pub code: String,
    pub name: String,
    pub unique_nik: u64,
    pub population: u64,
    pub coverage: f64,
}

/// One signal as measured: `tripped` when the value is outside `expected`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    pub name: &'static str,
    pub value: f64,
    pub expected: Expected,
    pub weight: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<FlaggedRegion>>,
    #[serde(skip)]
    pub tripped: bool,
}

/// A checked and a mismatching count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pair {
    pub checked: u64,
    pub mismatch: u64,
}

/// Everything the signals read, as plain counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub records: u64,
    pub nik_valid: u64,
    pub nik_invalid: u64,
    pub nik_placeholder: u64,
    pub nik_unique: u64,
    /// Unique valid KKs, when the dump has a KK column.
    pub kk_unique: Option<u64>,
    pub birth_date: Pair,
    pub gender: Pair,
    pub regency: Pair,
    pub district: Pair,
    pub kk_region: Pair,
    /// Written birth dates over 110 years ago or after the reference date.
    pub age_odd: u64,
    /// Unique people, women among them, born on 1 January.
    pub people: u64,
    pub female: u64,
    pub january_first: u64,
    /// Unique people with a serial of 0100 or more.
    pub serial_100_up: u64,
    /// Unique people born in each decade 1940s..1990s.
    pub birth_decades: [u64; 6],
    /// Regencies covered above [`MAX_COVERAGE`] (most covered first), and the highest
    /// coverage of any regency with a population (0 when none).
    pub over_covered: Vec<FlaggedRegion>,
    pub max_coverage: f64,
    /// `unique / claimed`, when a claim was given.
    pub unique_over_claimed: Option<f64>,
}

pub const MAX_PLACEHOLDER: f64 = 0.05;
pub const MAX_INVALID: f64 = 0.10;
pub const MAX_SERIAL_100_UP: f64 = 0.25;
pub const MAX_BIRTH_DISTANCE: f64 = 0.12;
pub const MAX_JANUARY_FIRST: f64 = 0.10;
pub const FEMALE_RANGE: (f64, f64) = (0.40, 0.60);
pub const MIN_PEOPLE_PER_KK: f64 = 1.2;
pub const MAX_KK_REGION_MISMATCH: f64 = 0.30;
pub const MAX_BIRTH_DATE_MISMATCH: f64 = 0.05;
pub const MAX_GENDER_MISMATCH: f64 = 0.05;
pub const MAX_REGENCY_MISMATCH: f64 = 0.20;
pub const MAX_DISTRICT_MISMATCH: f64 = 0.30;
pub const MAX_AGE_ODD: f64 = 0.01;
pub const MAX_DUPLICATES: f64 = 0.50;
pub const MAX_COVERAGE: f64 = 1.10;
pub const MIN_UNIQUE_OVER_CLAIMED: f64 = 0.80;

/// A ratio rounded to 4 decimals (the form every output shows).
pub fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 1e4).round() / 1e4
    }
}

/// Total variation distance between the dump's decade shares and the census shares: half the
/// sum of the absolute differences, 0 (same shape) to 1 (no overlap).
pub fn birth_distance(decades: &[u64; 6]) -> f64 {
    let total: u64 = decades.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let d: f64 = decades.iter().zip(BIRTH_DECADES_1940_1999).map(|(&n, want)| (n as f64 / total as f64 - want).abs()).sum::<f64>() / 2.0;
    (d * 1e4).round() / 1e4
}

/// Every signal the evidence allows (enough values to judge), tripped or not, in a fixed order.
pub fn checks(e: &Evidence) -> Vec<Check> {
    let mut out = Vec::new();
    let mut add = |name: &'static str, value: f64, expected: Expected, weight: u32| {
        out.push(Check { name, value, expected, weight, regions: None, tripped: expected.violated_by(value) });
    };
    if e.records >= MIN_SAMPLE {
        add("placeholders", ratio(e.nik_placeholder, e.records), Expected::at_most(MAX_PLACEHOLDER), 2);
        add("invalid_nik", ratio(e.nik_invalid, e.records), Expected::at_most(MAX_INVALID), 1);
    }
    if e.people >= MIN_SAMPLE {
        add("serials", ratio(e.serial_100_up, e.people), Expected::at_most(MAX_SERIAL_100_UP), 3);
        add("january_first", ratio(e.january_first, e.people), Expected::at_most(MAX_JANUARY_FIRST), 2);
        add("gender_ratio", ratio(e.female, e.people), Expected::between(FEMALE_RANGE.0, FEMALE_RANGE.1), 1);
    }
    if e.birth_decades.iter().sum::<u64>() >= MIN_BIRTHS {
        add("birth_years", birth_distance(&e.birth_decades), Expected::at_most(MAX_BIRTH_DISTANCE), 2);
    }
    if let Some(kk) = e.kk_unique.filter(|&k| k >= MIN_SAMPLE) {
        add("people_per_kk", (e.nik_unique as f64 / kk as f64 * 1e4).round() / 1e4, Expected::at_least(MIN_PEOPLE_PER_KK), 1);
    }
    let pairs = [
        ("kk_region_mismatch", e.kk_region, MAX_KK_REGION_MISMATCH, 3),
        ("birth_date_mismatch", e.birth_date, MAX_BIRTH_DATE_MISMATCH, 3),
        ("gender_mismatch", e.gender, MAX_GENDER_MISMATCH, 3),
        ("regency_mismatch", e.regency, MAX_REGENCY_MISMATCH, 2),
        ("district_mismatch", e.district, MAX_DISTRICT_MISMATCH, 1),
    ];
    for (name, p, max, weight) in pairs {
        if p.checked >= MIN_SAMPLE {
            add(name, ratio(p.mismatch, p.checked), Expected::at_most(max), weight);
        }
    }
    if e.birth_date.checked >= MIN_SAMPLE {
        add("implausible_age", ratio(e.age_odd, e.birth_date.checked), Expected::at_most(MAX_AGE_ODD), 1);
    }
    if e.nik_valid >= MIN_SAMPLE {
        add("duplicates", ratio(e.nik_valid - e.nik_unique, e.nik_valid), Expected::at_most(MAX_DUPLICATES), 1);
    }
    if e.max_coverage > 0.0 {
        add("coverage", e.max_coverage, Expected::at_most(MAX_COVERAGE), 3);
    }
    if let Some(r) = e.unique_over_claimed {
        add("claim", r, Expected::at_least(MIN_UNIQUE_OVER_CLAIMED), 1);
    }
    if let Some(c) = out.iter_mut().find(|c| c.name == "coverage" && c.tripped) {
        c.regions = Some(e.over_covered.clone());
    }
    out
}
