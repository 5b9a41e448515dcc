//! Per-district counts rolled up to one region level, as rows ready for the Parquet files and
//! the terminal report.
//!
//! The scan counts per district (dense `Vec<u64>` indexed by `DistrictId`); a regency or
//! province figure is the sum over its districts. That sum is exact for `unique_nik` too: a NIK
//! carries exactly one district code, so no person is counted in two districts. Historic codes
//! (Papua before the 2022-2025 splits) stay rows of their own, because the NIK still carries
//! them; `current_code` names where that place is today.

use crate::forensics::population::{attribute, coverage, Population};
use crate::nik::region::Region;
use crate::nik::{DistrictId, RegencyId, RegionTable};
use crate::report::summary::Summary;

/// A region level: one row per province (`PP`), regency/city (`PPKK`) or district (`PPKKCC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Province,
    Regency,
    District,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Province, Level::Regency, Level::District];

    /// `province`, `regency` or `district`: the prefix of the Parquet code/name columns.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Regency => "regency",
            Level::District => "district",
        }
    }

    /// The output file of this level: `provinces.parquet`, `regencies.parquet`, `districts.parquet`.
    pub const fn file_name(self) -> &'static str {
        match self {
            Level::Province => "provinces.parquet",
            Level::Regency => "regencies.parquet",
            Level::District => "districts.parquet",
        }
    }

    /// Digits in a code of this level.
    pub const fn digits(self) -> usize {
        match self {
            Level::Province => 2,
            Level::Regency => 4,
            Level::District => 6,
        }
    }
}

/// One region of one level with its counts.
///
/// `province_*` is the province the row lies in (the row itself at province level), and
/// `regency_*` likewise (`None` at province level, the row itself at regency level).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRow {
    pub level: Level,
    /// The zero-padded code of the row: `"35"`, `"3507"`, `"350701"`.
    pub code: String,
    /// Official name (newest edition that has the code).
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    pub regency_code: Option<String>,
    pub regency_name: Option<String>,
    /// `kabupaten` or `kota` for regency rows, `None` otherwise.
    pub kind: Option<&'static str>,
    /// Successor code when the code is historic and has one, else `None`.
    pub current_code: Option<String>,
    /// Records with a valid NIK issued in the region.
    pub records: u64,
    /// Unique valid NIKs issued in the region.
    pub unique_nik: u64,
    /// Official population (Dukcapil 2024) of a current regency or province; `None` for
    /// districts and historic codes.
    pub population: Option<u64>,
    /// Unique NIKs attributed to the region (historic codes to their successor) over its
    /// population, rounded to 4 decimals; `None` without a population.
    pub coverage: Option<f64>,
}

/// Aggregates `summary.regions` (dense per-district arrays, index = `DistrictId.0`; an empty or
/// short `Vec` counts as zeros) up to `level`. Only rows with `records > 0`, sorted by
/// `unique_nik` descending, then code ascending, so the order never depends on the scan.
pub fn region_rows(summary: &Summary, regions: &RegionTable, level: Level) -> Vec<RegionRow> {
    let counts = &summary.regions;
    let n_districts = regions.districts.len();
    // Longer than the table would mean counts for districts we cannot name: a bug upstream,
    // and silently dropping victims from the report is worse than stopping.
    assert!(
        counts.records.len() <= n_districts && counts.unique_nik.len() <= n_districts,
        "region counts ({}/{}) longer than the district table ({n_districts})",
        counts.records.len(),
        counts.unique_nik.len()
    );
    let n_slots = match level {
        Level::Province => regions.provinces.len(),
        Level::Regency => regions.regencies.len(),
        Level::District => n_districts,
    };
    let mut records = vec![0u64; n_slots];
    let mut unique = vec![0u64; n_slots];
    let slot = |d: usize| -> usize {
        match level {
            Level::District => d,
            Level::Regency => regions.regency_of(DistrictId(d as u16)).0 as usize,
            Level::Province => regions.province_of(regions.regency_of(DistrictId(d as u16))).0 as usize,
        }
    };
    for (d, &n) in counts.records.iter().enumerate().filter(|(_, n)| **n > 0) {
        records[slot(d)] += n;
    }
    for (d, &n) in counts.unique_nik.iter().enumerate().filter(|(_, n)| **n > 0) {
        unique[slot(d)] += n;
    }

    let attributed = (level != Level::District).then(|| attribute(regions, &counts.unique_nik));
    let pop = Population::embedded();
    let mut rows: Vec<RegionRow> = (0..n_slots)
        .filter(|&i| records[i] > 0)
        .map(|i| {
            let mut r = row(regions, level, i, records[i], unique[i]);
            if let Some(a) = &attributed {
                let (code, people) = match level {
                    Level::Regency => (regions.regencies[i].code, a.regencies[i]),
                    _ => (regions.provinces[i].code, a.provinces[i]),
                };
                r.population = if level == Level::Regency { pop.regency(code) } else { pop.province(code) };
                r.coverage = r.population.map(|p| coverage(people, p));
            }
            r
        })
        .collect();
    rows.sort_by(|a, b| b.unique_nik.cmp(&a.unique_nik).then_with(|| a.code.cmp(&b.code)));
    rows
}

fn row(t: &RegionTable, level: Level, i: usize, records: u64, unique_nik: u64) -> RegionRow {
    let (region, regency, province): (&Region, Option<&Region>, &Region) = match level {
        Level::Province => {
            let p = &t.provinces[i];
            (p, None, p)
        }
        Level::Regency => {
            let id = RegencyId(i as u16);
            let r = t.regency_info(id);
            (r, Some(r), t.province_info(t.province_of(id)))
        }
        Level::District => {
            let d = t.district_info(DistrictId(i as u16));
            let rid = t.regency_of(DistrictId(i as u16));
            (d, Some(t.regency_info(rid)), t.province_info(t.province_of(rid)))
        }
    };
    let digits = level.digits();
    let current_code = match region.successor {
        Some(s) if !region.is_current() => Some(pad(s, digits)),
        _ => None,
    };
    RegionRow {
        level,
        code: pad(region.code, digits),
        name: region.name.clone(),
        province_code: pad(province.code, 2),
        province_name: province.name.clone(),
        regency_code: regency.map(|r| pad(r.code, 4)),
        regency_name: regency.map(|r| r.name.clone()),
        kind: if level == Level::Regency { region.kind.map(|k| k.as_str()) } else { None },
        current_code,
        records,
        unique_nik,
        population: None,
        coverage: None,
    }
}

fn pad(code: u32, digits: usize) -> String {
    format!("{code:0digits$}")
}
