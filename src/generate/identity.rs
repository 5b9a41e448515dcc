//! The sequential pass: who each record is, decided and counted before any byte is formatted.
//!
//! Records come in families (1-6 people sharing a No. KK and an address, as a voter list sorted
//! by address has them), interleaved with duplicates of earlier people, as when several lists
//! are merged. Every decision that changes a count is made here, from one seeded stream, and fed
//! to the [`Tally`] at once: NIK kind (fresh, duplicate, invalid for a reason, missing,
//! placeholder), KK kind, and whether the gender and birth-date columns are present and wrong.
//! What is left to the parallel formatter cannot change any count.

use rand::RngExt;
use rand_pcg::Pcg64Mcg;

use crate::generate::answer::Tally;
use crate::generate::districts::DistrictPicker;
use crate::generate::numbering::Numbering;
use crate::generate::random::{rng, Domain};
use crate::generate::config::GenerateConfig;
use crate::generate::row::{KkKind, NikKind, RowId};
use crate::nik::places::{reduce, Level};
use crate::nik::{DistrictId, Reason, RegionTable};
use crate::Result;

/// Share of records with no NIK at all; `dup_rate + invalid_rate + placeholder_rate` must leave
/// room for it.
pub(crate) const NIK_MISSING_RATE: f64 = 0.01;
const KK_MISSING_RATE: f64 = 0.01;
const KK_INVALID_RATE: f64 = 0.01;
/// Shares of valid-NIK records whose (present) gender / birth-date column contradicts the NIK.
const WRONG_GENDER_RATE: f64 = 0.005;
const WRONG_DATE_RATE: f64 = 0.005;
const DATE_EMPTY_RATE: f64 = 0.02;
const GENDER_EMPTY_RATE: f64 = 0.002;
/// Family sizes 1..=6, cumulative percentages.
const FAMILY_SIZE_CUMULATIVE: [u32; 6] = [18, 44, 68, 86, 95, 100];

/// Reasons an invalid NIK is given, equally often.
pub(crate) const NIK_REASONS: [Reason; 8] = [
    Reason::Length,
    Reason::NonDigit,
    Reason::SpreadsheetMangled,
    Reason::Province,
    Reason::Regency,
    Reason::District,
    Reason::BirthDate,
    Reason::Serial,
];
/// Reasons an invalid KK is given: damage to a real family-card number.
pub(crate) const KK_REASONS: [Reason; 5] =
    [Reason::Length, Reason::NonDigit, Reason::SpreadsheetMangled, Reason::BirthDate, Reason::Serial];

/// A person remembered for later duplicates, in 16 bytes because there are millions of them.
/// Both numbers are below 10^16 < 2^54, so the top ten bits of each are free: `nik` carries
/// the low ten bits of the district id, `kk` the high bits (3) and the KK kind (7).
#[derive(Clone, Copy)]
struct Person {
    nik: u64,
    kk: u64,
}

const LOW54: u64 = (1 << 54) - 1;

impl Person {
    fn new(nik: u64, kk: u64, district: DistrictId, kind: KkKind) -> Person {
        let d = u64::from(district.0);
        let kind = match kind {
            KkKind::Valid => 0,
            KkKind::Missing => 1,
            KkKind::Invalid(r) => 2 + r.index() as u64,
        };
        Person { nik: nik | (d & 0x3FF) << 54, kk: kk | (d >> 10) << 54 | kind << 57 }
    }
    fn nik(self) -> u64 {
        self.nik & LOW54
    }
    fn kk(self) -> u64 {
        self.kk & LOW54
    }
    fn district(self) -> DistrictId {
        DistrictId((self.nik >> 54 | (self.kk >> 54 & 0x7) << 10) as u16)
    }
    fn kk_kind(self) -> KkKind {
        match self.kk >> 57 {
            0 => KkKind::Valid,
            1 => KkKind::Missing,
            k => KkKind::Invalid(Reason::ALL[(k - 2) as usize % Reason::COUNT]),
        }
    }
}

struct Family {
    district: DistrictId,
    kk: u64,
    left: u32,
    /// Whether a record of this family already wrote its KK validly (the unique KK count).
    kk_counted: bool,
}

pub(crate) struct Planner {
    dup_rate: f64,
    invalid_rate: f64,
    placeholder_rate: f64,
    /// A fabricated dump's current districts to take KKs and place names from (empty for a
    /// realistic dump, which draws nothing extra).
    foreign: Vec<DistrictId>,
    table: &'static RegionTable,
    rng: Pcg64Mcg,
    picker: DistrictPicker,
    numbers: Numbering,
    family: Family,
    persons: Vec<Person>,
    pub(crate) tally: Tally,
}

impl Planner {
    pub(crate) fn new(table: &'static RegionTable, cfg: &GenerateConfig) -> Planner {
        assert!(table.districts.len() <= 1 << 13, "district ids must fit the 13 bits of Person");
        let foreign = if cfg.fabricate {
            (0..table.districts.len() as u16).map(DistrictId).filter(|&d| table.district_info(d).is_current()).collect()
        } else {
            Vec::new()
        };
        Planner {
            dup_rate: cfg.dup_rate,
            invalid_rate: cfg.invalid_rate,
            placeholder_rate: cfg.placeholder_rate,
            foreign,
            table,
            rng: rng(cfg.seed, Domain::Identity, 0),
            picker: DistrictPicker::new(table),
            numbers: Numbering::new(table, cfg.seed),
            family: Family { district: DistrictId(0), kk: 0, left: 0, kk_counted: false },
            persons: Vec::with_capacity(cfg.records.min(1 << 26) as usize),
            tally: Tally::new(table),
        }
    }

    /// Appends the identities of the next `n` records to `out` and counts them.
    pub(crate) fn next_rows(&mut self, n: usize, out: &mut Vec<RowId>) -> Result<()> {
        out.reserve(n);
        for _ in 0..n {
            let row = self.next_row()?;
            out.push(row);
        }
        Ok(())
    }

    fn next_row(&mut self) -> Result<RowId> {
        let u: f64 = self.rng.random();
        let mut kk_first = false;
        let mut row = if u < self.dup_rate && !self.persons.is_empty() {
            let p = self.persons[self.rng.random_range(0..self.persons.len())];
            RowId {
                nik: p.nik(),
                kk: p.kk(),
                district: p.district(),
                nik_kind: NikKind::Duplicate,
                kk_kind: p.kk_kind(),
                date_present: true,
                gender_present: true,
                wrong_gender: false,
                wrong_date: false,
                place: p.district(),
                kk_foreign: false,
            }
        } else {
            if self.family.left == 0 {
                self.new_family()?;
            }
            self.family.left -= 1;
            let kk_kind = self.draw_kk_kind();
            let nik_kind = self.draw_nik_kind(u);
            let district = self.family.district;
            let nik = match nik_kind {
                NikKind::Fresh if self.fabricated() => self.numbers.next_fabricated_nik(district)?,
                NikKind::Fresh => self.numbers.next_nik(district)?,
                _ => 0,
            };
            if nik_kind == NikKind::Fresh {
                self.persons.push(Person::new(nik, self.family.kk, district, kk_kind));
            }
            if kk_kind == KkKind::Valid && !self.family.kk_counted {
                self.family.kk_counted = true;
                kk_first = true;
            }
            RowId {
                nik,
                kk: self.family.kk,
                district,
                nik_kind,
                kk_kind,
                date_present: true,
                gender_present: true,
                wrong_gender: false,
                wrong_date: false,
                place: district,
                kk_foreign: false,
            }
        };
        row.date_present = self.rng.random::<f64>() >= DATE_EMPTY_RATE;
        row.gender_present = self.rng.random::<f64>() >= GENDER_EMPTY_RATE;
        if row.nik_valid() {
            row.wrong_gender = row.gender_present && self.rng.random::<f64>() < WRONG_GENDER_RATE;
            row.wrong_date = row.date_present && self.rng.random::<f64>() < WRONG_DATE_RATE;
        }
        if self.fabricated() {
            // Made up column by column: dates and genders drawn apart from the NIK, the KK
            // from elsewhere, the place names of another regency.
            row.kk_foreign = true;
            if row.nik_valid() {
                row.wrong_date = row.date_present;
                row.wrong_gender = row.gender_present && self.rng.random_bool(0.5);
            }
            row.place = self.foreign_district(row.district);
        }
        self.tally.add(&row, kk_first);
        Ok(row)
    }

    /// `u` was drawn once for the record: below `dup_rate` it asked for a duplicate (turned into
    /// a fresh person while there is nobody to repeat); the next bands are the invalid, missing
    /// and placeholder shares.
    fn draw_nik_kind(&mut self, u: f64) -> NikKind {
        let mut band = self.dup_rate;
        if u < band {
            return NikKind::Fresh;
        }
        band += self.invalid_rate;
        if u < band {
            return NikKind::Invalid(NIK_REASONS[self.rng.random_range(0..NIK_REASONS.len())]);
        }
        band += NIK_MISSING_RATE;
        if u < band {
            return NikKind::Missing;
        }
        band += self.placeholder_rate;
        if u < band {
            return NikKind::Placeholder;
        }
        NikKind::Fresh
    }

    fn draw_kk_kind(&mut self) -> KkKind {
        let v: f64 = self.rng.random();
        if v < KK_MISSING_RATE {
            KkKind::Missing
        } else if v < KK_MISSING_RATE + KK_INVALID_RATE {
            KkKind::Invalid(KK_REASONS[self.rng.random_range(0..KK_REASONS.len())])
        } else {
            KkKind::Valid
        }
    }

    fn fabricated(&self) -> bool {
        !self.foreign.is_empty()
    }

    /// A current district of another current regency whose regency and district names are
    /// none of `d`'s (so every place column and KK drawn from it contradicts a NIK of `d`).
    fn foreign_district(&mut self, d: DistrictId) -> DistrictId {
        let t = self.table;
        let names = t.place_names();
        let upper = |s: &str| s.to_ascii_uppercase();
        loop {
            let f = self.foreign[self.rng.random_range(0..self.foreign.len())];
            let (fr, dr) = (t.regency_of(f), t.regency_of(d));
            let reg_name = upper(&t.regency_info(fr).name);
            let dist_name = upper(&t.district_info(f).name);
            let clash = t.current_regency_of(f) == t.current_regency_of(d)
                || reduce(reg_name.as_bytes(), Level::Regency).is_none_or(|w| names.regency_matches(dr, &w) || names.regency_matches(t.current_regency_of(d), &w))
                || reduce(dist_name.as_bytes(), Level::District).is_none_or(|w| names.district_matches(d, &w));
            if !clash {
                return f;
            }
        }
    }

    fn new_family(&mut self) -> Result<()> {
        let district = self.picker.pick(&mut self.rng);
        let p = self.rng.random_range(0..100u32);
        let size = FAMILY_SIZE_CUMULATIVE.iter().position(|&c| p < c).unwrap_or(0) as u32 + 1;
        if self.fabricated() {
            // A family card per person, issued in another regency.
            let elsewhere = self.foreign_district(district);
            let kk = self.numbers.next_kk(elsewhere)?;
            self.family = Family { district, kk, left: 1, kk_counted: false };
            return Ok(());
        }
        let kk = self.numbers.next_kk(district)?;
        self.family = Family { district, kk, left: size, kk_counted: false };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_packing_round_trips() {
        for (d, kind) in [
            (0u16, KkKind::Valid),
            (8191, KkKind::Missing),
            (1234, KkKind::Invalid(Reason::SpreadsheetMangled)),
            (7000, KkKind::Invalid(Reason::Serial)),
        ] {
            let p = Person::new(9_999_999_999_999_999, 3_507_011_508_050_001, DistrictId(d), kind);
            assert_eq!(p.nik(), 9_999_999_999_999_999);
            assert_eq!(p.kk(), 3_507_011_508_050_001);
            assert_eq!(p.district(), DistrictId(d));
            assert_eq!(p.kk_kind(), kind);
        }
    }
}
