//! Official population per regency and province (Dukcapil, Semester II 2024: registered
//! residents by NIK and KK address, the closest official count to what a NIK dump enumerates),
//! embedded from `data/population_*.csv`, and the coverage of a dump: its unique NIKs per
//! regency over that population.
//!
//! A NIK keeps the code of the office that issued it, so unique NIKs of a historic code (Papua
//! before the 2022 splits) count toward the current regency it became, and provinces are the
//! sums of their current regencies. Codes are the 2025 Kemendagri codes the table is keyed by.

use std::sync::OnceLock;

use crate::nik::{DistrictId, RegencyId, RegionTable};

const REGENCIES_CSV: &str = include_str!("data/population_regencies.csv");
const PROVINCES_CSV: &str = include_str!("data/population_provinces.csv");

/// Where the figures come from, for outputs that cite them.
pub const SOURCE: &str = "Dukcapil Kemendagri, Data Kependudukan Semester II 2024";

/// Population per code (`regencies[PPKK]`, `provinces[PP]`), 0 where the table has none.
pub struct Population {
    regencies: Vec<u64>,
    provinces: Vec<u64>,
}

fn parse(text: &str, size: usize) -> Vec<u64> {
    let mut out = vec![0; size];
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let (code, n) = line.split_once(',').expect("code,population");
        out[code.parse::<usize>().expect("a numeric code")] = n.trim().parse().expect("a count");
    }
    out
}

impl Population {
    /// The embedded table, parsed on first use.
    pub fn embedded() -> &'static Population {
        static TABLE: OnceLock<Population> = OnceLock::new();
        TABLE.get_or_init(|| Population { regencies: parse(REGENCIES_CSV, 10_000), provinces: parse(PROVINCES_CSV, 100) })
    }

    /// The population of a regency code (`PPKK`), when the table has it.
    pub fn regency(&self, code: u32) -> Option<u64> {
        self.regencies.get(code as usize).copied().filter(|&n| n > 0)
    }

    /// The population of a province code (`PP`), when the table has it.
    pub fn province(&self, code: u32) -> Option<u64> {
        self.provinces.get(code as usize).copied().filter(|&n| n > 0)
    }
}

/// Unique NIKs attributed to each current regency and province: every district's count goes
/// to the current regency its regency became (indexed by regency id, and by province id).
pub struct Attributed {
    pub regencies: Vec<u64>,
    pub provinces: Vec<u64>,
}

/// Attributes `unique_per_district` (indexed by district id; short means zeros).
pub fn attribute(table: &RegionTable, unique_per_district: &[u64]) -> Attributed {
    let mut regencies = vec![0u64; table.regencies.len()];
    let mut provinces = vec![0u64; table.provinces.len()];
    for (d, &n) in unique_per_district.iter().enumerate().filter(|(_, n)| **n > 0) {
        let current = table.current_regency_of(DistrictId(d as u16));
        regencies[current.0 as usize] += n;
        provinces[table.province_of(current).0 as usize] += n;
    }
    Attributed { regencies, provinces }
}

/// `unique / population`, rounded to 4 decimals (a JSON- and Parquet-friendly ratio).
pub fn coverage(unique: u64, population: u64) -> f64 {
    (unique as f64 / population as f64 * 1e4).round() / 1e4
}

/// One regency's coverage, for the coverage signal.
#[derive(Debug, Clone, PartialEq)]
pub struct RegencyCoverage {
    pub code: u32,
    pub name: String,
    pub unique_nik: u64,
    pub population: u64,
    pub coverage: f64,
}

/// Every current regency with a population and at least one unique NIK, most covered first.
pub fn regency_coverage(table: &RegionTable, unique_per_district: &[u64]) -> Vec<RegencyCoverage> {
    let pop = Population::embedded();
    let attributed = attribute(table, unique_per_district);
    let mut out: Vec<RegencyCoverage> = attributed
        .regencies
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .filter_map(|(i, &n)| {
            let r = table.regency_info(RegencyId(i as u16));
            let population = pop.regency(r.code)?;
            Some(RegencyCoverage { code: r.code, name: r.name.clone(), unique_nik: n, population, coverage: coverage(n, population) })
        })
        .collect();
    out.sort_by(|a, b| b.coverage.total_cmp(&a.coverage).then(a.code.cmp(&b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sums_and_known_figures() {
        let p = Population::embedded();
        assert_eq!(p.regency(3507), Some(2_734_623), "Kab. Malang, Dukcapil 2024");
        assert_eq!(p.regency(9119), Some(27_965), "Kab. Supiori, the smallest");
        assert_eq!(p.regency(9101), None, "historic Merauke: its people are 9301's");
        let t = RegionTable::embedded();
        let regencies: u64 = t.regencies.iter().filter_map(|r| p.regency(r.code)).sum();
        let provinces: u64 = t.provinces.iter().filter_map(|r| p.province(r.code)).sum();
        assert_eq!((regencies, provinces), (284_973_643, 284_973_643));
        assert!(t.regencies.iter().filter(|r| r.is_current()).all(|r| p.regency(r.code).is_some()), "every current regency has a population");
    }

    #[test]
    fn historic_codes_count_toward_their_successor() {
        let t = RegionTable::embedded();
        let mut unique = vec![0u64; t.districts.len()];
        let merauke_old = t.districts.iter().position(|d| d.code / 100 == 9101).unwrap();
        let merauke_new = t.districts.iter().position(|d| d.code / 100 == 9301).unwrap();
        let malang = t.district(350701).unwrap().0 as usize;
        unique[merauke_old] = 10;
        unique[merauke_new] = 5;
        unique[malang] = 3_008_086;
        let cov = regency_coverage(t, &unique);
        assert_eq!(cov.len(), 2);
        assert_eq!((cov[0].code, cov[0].unique_nik, cov[0].coverage), (3507, 3_008_086, 1.1));
        assert_eq!((cov[1].code, cov[1].unique_nik), (9301, 15));
        let a = attribute(t, &unique);
        let papua_selatan = t.province(93).unwrap().0 as usize;
        assert_eq!(a.provinces[papua_selatan], 15);
    }
}
