//! The answer file: the exact counts a correct scan of the generated dump must report.
//!
//! It reuses the scanner's own shapes ([`ColumnSummary`], [`Consistency`]) so a test can compare
//! field by field. [`Tally`] counts each record as the identity pass decides it; per-region
//! counts are kept per dense district id and only summed up to regencies and provinces at the
//! end. Region maps are `BTreeMap`s keyed by the zero-padded code, so the file is deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::generate::row::{KkKind, NikKind, RowId};
use crate::generate::config::DumpFormat;
use crate::nik::{Date, Reason, RegionTable};
use crate::report::summary::{ColumnSummary, Consistency};

/// Every valid number in a generated dump is valid for any reference date from this one on:
/// births end in 2008, family cards are issued up to 2020-12-31.
pub const VALID_FOR_REFERENCE_DATES_FROM: Date = Date { year: 2021, month: 1, day: 1 };

/// Records with a valid NIK issued in a region, and how many different NIKs they hold.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RegionAnswer {
    pub records: u64,
    pub unique_nik: u64,
}

/// The exact expected counts for one generated dump.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub seed: u64,
    pub format: DumpFormat,
    /// Data records (the header excluded).
    pub records: u64,
    /// `YYYY-MM-DD`: with any reference date from this one on, the counts hold as written.
    pub valid_for_reference_dates_from: String,
    pub nik: ColumnSummary,
    pub kk: ColumnSummary,
    pub consistency: Consistency,
    /// Keyed by `PP`, `PPKK` and `PPKKCC`; only regions with at least one record.
    pub provinces: BTreeMap<String, RegionAnswer>,
    pub regencies: BTreeMap<String, RegionAnswer>,
    pub districts: BTreeMap<String, RegionAnswer>,
}

/// Running counts, fed one record identity at a time.
pub(crate) struct Tally {
    records: u64,
    nik: ColumnSummary,
    kk: ColumnSummary,
    consistency: Consistency,
    district_records: Vec<u64>,
    district_unique: Vec<u64>,
}

impl Tally {
    pub(crate) fn new(table: &RegionTable) -> Tally {
        Tally {
            records: 0,
            nik: ColumnSummary::default(),
            kk: ColumnSummary::default(),
            consistency: Consistency::default(),
            district_records: vec![0; table.districts.len()],
            district_unique: vec![0; table.districts.len()],
        }
    }

    /// Counts one record. `kk_first`: this record is the first to write its family's KK validly.
    pub(crate) fn add(&mut self, row: &RowId, kk_first: bool) {
        self.records += 1;
        match row.nik_kind {
            NikKind::Fresh | NikKind::Duplicate => {
                let fresh = row.nik_kind == NikKind::Fresh;
                self.nik.valid += 1;
                self.nik.unique += u64::from(fresh);
                let d = row.district.0 as usize;
                self.district_records[d] += 1;
                self.district_unique[d] += u64::from(fresh);
                let c = &mut self.consistency;
                c.gender_checked += u64::from(row.gender_present);
                c.gender_mismatch += u64::from(row.gender_present && row.wrong_gender);
                c.birth_date_checked += u64::from(row.date_present);
                c.birth_date_mismatch += u64::from(row.date_present && row.wrong_date);
                // Every record names its regency and district; the family card is issued in
                // the family's district, as the NIK is.
                c.regency_checked += 1;
                c.district_checked += 1;
                c.kk_region_checked += u64::from(row.kk_kind == KkKind::Valid);
                c.regency_mismatch += u64::from(row.place != row.district);
                c.district_mismatch += u64::from(row.place != row.district);
                c.kk_region_mismatch += u64::from(row.kk_kind == KkKind::Valid && row.kk_foreign);
            }
            NikKind::Invalid(r) => {
                self.nik.invalid += 1;
                self.nik.invalid_reasons.add(r);
            }
            NikKind::Missing => self.nik.missing += 1,
            NikKind::Placeholder => {
                self.nik.placeholder += 1;
                self.nik.invalid_reasons.add(Reason::Placeholder);
            }
        }
        match row.kk_kind {
            KkKind::Valid => {
                self.kk.valid += 1;
                self.kk.unique += u64::from(kk_first);
            }
            KkKind::Missing => self.kk.missing += 1,
            KkKind::Invalid(r) => {
                self.kk.invalid += 1;
                self.kk.invalid_reasons.add(r);
            }
        }
    }

    pub(crate) fn finish(mut self, table: &RegionTable, seed: u64, format: DumpFormat) -> Answer {
        for col in [&mut self.nik, &mut self.kk] {
            col.duplicate_records = col.valid - col.unique;
        }
        let (mut provinces, mut regencies, mut districts) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for (i, (&records, &unique_nik)) in self.district_records.iter().zip(&self.district_unique).enumerate() {
            if records == 0 {
                continue;
            }
            let d = crate::nik::DistrictId(i as u16);
            let reg = table.regency_of(d);
            let prov = table.province_of(reg);
            let keys = [
                (&mut districts, format!("{:06}", table.district_info(d).code)),
                (&mut regencies, format!("{:04}", table.regency_info(reg).code)),
                (&mut provinces, format!("{:02}", table.province_info(prov).code)),
            ];
            for (map, key) in keys {
                let e: &mut RegionAnswer = map.entry(key).or_default();
                e.records += records;
                e.unique_nik += unique_nik;
            }
        }
        Answer {
            seed,
            format,
            records: self.records,
            valid_for_reference_dates_from: VALID_FOR_REFERENCE_DATES_FROM.to_string(),
            nik: self.nik,
            kk: self.kk,
            consistency: self.consistency,
            provinces,
            regencies,
            districts,
        }
    }
}
