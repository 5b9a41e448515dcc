//! NIK and No. KK numbers that are valid and unique by construction, so the answer's unique
//! counts need no hash set.
//!
//! Like the real registry, each district hands out its own numbers. For NIKs, a "slot" is a
//! (birth date, sex, copy) triple; the j-th person of a district takes slot
//! `(j * mult + offset) mod slots` and serial `copy + COPIES * (j / slots) + 1`. Multiplying by a
//! number coprime to the slot count permutes the slots, so within one lap every person gets a
//! different slot, and each lap raises the serial: two people of one district never share a
//! number. Copies weight the birth years (more voters were born in 1970-2008 than in the 1940s)
//! without breaking uniqueness. KKs work the same way over issue dates 2005-2020, one copy.
//! Serials stay small (0001, 0002, ...), as they mostly are in real dumps.

use crate::generate::random::{hash, Domain};
use crate::nik::date::days_in_month;
use crate::nik::{is_placeholder, Date, DistrictId, RegionTable};
use crate::{Error, Result};

/// Birth years of generated people: every such NIK is valid from 2009 on, whatever the century
/// reading of `YY` (00-08 also reads as 1900-1908, which is just as valid).
pub(crate) const BIRTH_YEARS: (u16, u16) = (1940, 2008);
/// Issue years of generated family cards.
pub(crate) const ISSUE_YEARS: (u16, u16) = (2005, 2020);
/// Largest number of copies of one birth date (the weight of the most common birth years).
const COPIES: u32 = 4;

/// How many copies of each birth date of `year` go into the slot table.
fn birth_weight(year: u16) -> u32 {
    match year {
        ..=1949 => 1,
        1950..=1959 => 2,
        1960..=1969 => 3,
        _ => COPIES,
    }
}

#[derive(Clone, Copy)]
struct Slot {
    date: Date,
    female: bool,
    copy: u8,
}

/// A slot table walked in a seeded, per-district order.
struct Slots {
    slots: Vec<Slot>,
    mult: u64,
}

impl Slots {
    fn new(slots: Vec<Slot>) -> Slots {
        let n = slots.len() as u64;
        // Any multiplier coprime to n permutes 0..n; start near n / golden ratio so that
        // consecutive people land far apart in the calendar.
        let mut mult = (n as f64 * 0.618) as u64 | 1;
        while gcd(mult, n) != 1 {
            mult += 2;
        }
        Slots { slots, mult }
    }

    /// Slot of the `j`-th number of a district, and its lap (`j / len`).
    fn get(&self, j: u64, offset: u64) -> (Slot, u64) {
        let n = self.slots.len() as u64;
        let i = (j % n * self.mult + offset) % n;
        (self.slots[i as usize], j / n)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn dates(years: (u16, u16)) -> impl Iterator<Item = Date> {
    (years.0..=years.1).flat_map(|year| {
        (1..=12u8).flat_map(move |month| (1..=days_in_month(year, month)).map(move |day| Date { year, month, day }))
    })
}

/// Hands out NIKs and KKs per district.
pub(crate) struct Numbering {
    birth: Slots,
    issue: Slots,
    /// `PPKKCC` of each district id.
    codes: Vec<u64>,
    /// Per-district starting point in the slot tables.
    offsets: Vec<u64>,
    nik_next: Vec<u64>,
    kk_next: Vec<u64>,
    /// A fabricated dump's birth dates (every day of [`FABRICATED_YEARS`]), the multiplier
    /// that walks (date, sex, serial) triples, and each district's next index.
    fab_dates: Vec<Date>,
    fab_mult: u64,
    fab_next: Vec<u64>,
}

/// Birth years of a fabricated dump, drawn uniformly (as a generator picking random dates
/// would); 1930-2008 reads the same under every reference date from 2021 on.
pub(crate) const FABRICATED_YEARS: (u16, u16) = (1930, 2008);

impl Numbering {
    pub(crate) fn new(table: &RegionTable, seed: u64) -> Numbering {
        let mut birth = Vec::new();
        for date in dates(BIRTH_YEARS) {
            for female in [false, true] {
                for copy in 0..birth_weight(date.year) {
                    birth.push(Slot { date, female, copy: copy as u8 });
                }
            }
        }
        let issue = dates(ISSUE_YEARS).map(|date| Slot { date, female: false, copy: 0 }).collect();
        let n = table.districts.len();
        let fab_dates: Vec<Date> = dates(FABRICATED_YEARS).collect();
        let space = fab_dates.len() as u64 * 2 * 9999;
        let mut fab_mult = (space as f64 * 0.618) as u64 | 1;
        while gcd(fab_mult, space) != 1 {
            fab_mult += 2;
        }
        Numbering {
            birth: Slots::new(birth),
            issue: Slots::new(issue),
            codes: table.districts.iter().map(|d| u64::from(d.code)).collect(),
            offsets: (0..n as u64).map(|d| hash(seed, Domain::DistrictOffset, d)).collect(),
            nik_next: vec![0; n],
            kk_next: vec![0; n],
            fab_dates,
            fab_mult,
            fab_next: vec![0; n],
        }
    }

    /// The next NIK of district `d` in a fabricated dump: a permutation of every (birth date
    /// in [`FABRICATED_YEARS`], sex, serial 0001-9999) triple, so dates and serials are spread
    /// uniformly and no number repeats.
    pub(crate) fn next_fabricated_nik(&mut self, d: DistrictId) -> Result<u64> {
        let i = d.0 as usize;
        let space = self.fab_dates.len() as u64 * 2 * 9999;
        loop {
            let j = self.fab_next[i];
            if j >= space {
                return Err(too_many());
            }
            self.fab_next[i] += 1;
            let k = (j % space * self.fab_mult + self.offsets[i] % space) % space;
            let serial = k % 9999 + 1;
            let female = (k / 9999) % 2 == 1;
            let date = self.fab_dates[(k / 9999 / 2) as usize];
            let day = u64::from(date.day) + if female { 40 } else { 0 };
            let nik = compose(self.codes[i], day, date, serial);
            if !is_placeholder(&digits16(nik)) {
                return Ok(nik);
            }
        }
    }

    /// The next NIK of district `d`: valid for the embedded table and unique in the run.
    pub(crate) fn next_nik(&mut self, d: DistrictId) -> Result<u64> {
        let i = d.0 as usize;
        let j = self.nik_next[i];
        self.nik_next[i] += 1;
        let (slot, lap) = self.birth.get(j, self.offsets[i] % self.birth.slots.len() as u64);
        let serial = u64::from(slot.copy) + u64::from(COPIES) * lap + 1;
        if serial > 9999 {
            return Err(too_many());
        }
        let day = u64::from(slot.date.day) + if slot.female { 40 } else { 0 };
        // Never a placeholder: the only placeholder that passes rules 1-5 is 1111111111111111,
        // whose 11-11-11 is outside the birth years.
        Ok(compose(self.codes[i], day, slot.date, serial))
    }

    /// The next No. KK of district `d`: valid, unique, never a dummy-looking number.
    pub(crate) fn next_kk(&mut self, d: DistrictId) -> Result<u64> {
        let i = d.0 as usize;
        loop {
            let j = self.kk_next[i];
            self.kk_next[i] += 1;
            let (slot, lap) = self.issue.get(j, self.offsets[i] % self.issue.slots.len() as u64);
            let serial = lap + 1;
            if serial > 9999 {
                return Err(too_many());
            }
            let kk = compose(self.codes[i], u64::from(slot.date.day), slot.date, serial);
            // 1111111111111111 (issued 11-11-2011 in 111111) would be counted as a placeholder.
            if !is_placeholder(&digits16(kk)) {
                return Ok(kk);
            }
        }
    }
}

fn too_many() -> Error {
    Error::Usage("too many records: a district ran out of 4-digit serials".into())
}

/// `PPKKCC DD MM YY SSSS` as a number.
pub(crate) fn compose(code6: u64, day_field: u64, date: Date, serial: u64) -> u64 {
    code6 * 10_000_000_000
        + day_field * 100_000_000
        + u64::from(date.month) * 1_000_000
        + u64::from(date.year % 100) * 10_000
        + serial
}

/// The 16 ASCII digits of a number below 10^16.
pub(crate) fn digits16(mut v: u64) -> [u8; 16] {
    let mut d = [b'0'; 16];
    for slot in d.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    d
}

/// Birth date and sex of a NIK made by [`Numbering::next_nik`] (`YY` 00-08 is 20YY, the rest
/// 19YY, as the birth years say).
pub(crate) fn birth_of(nik: u64) -> (Date, bool) {
    let day_field = (nik / 100_000_000 % 100) as u8;
    let month = (nik / 1_000_000 % 100) as u8;
    let yy = (nik / 10_000 % 100) as u16;
    let year = if yy <= BIRTH_YEARS.1 % 100 { 2000 + yy } else { 1900 + yy };
    let female = day_field > 40;
    let day = if female { day_field - 40 } else { day_field };
    (Date { year, month, day }, female)
}

/// The issue date of a KK made by [`Numbering::next_kk`].
#[cfg(test)]
pub(crate) fn issue_of(kk: u64) -> Date {
    Date {
        year: 2000 + (kk / 10_000 % 100) as u16,
        month: (kk / 1_000_000 % 100) as u8,
        day: (kk / 100_000_000 % 100) as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nik::{Check, Validator};

    #[test]
    fn numbers_are_valid_unique_and_decode() {
        let table = RegionTable::embedded();
        let v = Validator::new(table, Date { year: 2021, month: 1, day: 1 });
        let mut n = Numbering::new(table, 7);
        let d = table.district(350701).expect("350701 exists");
        let mut seen = std::collections::HashSet::new();
        // More than one lap of the slot table, so serials above the first lap are exercised.
        for _ in 0..400_000 {
            let nik = n.next_nik(d).expect("serials left");
            assert!(seen.insert(nik), "duplicate NIK");
            let Check::Valid(parsed) = v.nik(&digits16(nik)) else { panic!("invalid NIK generated") };
            let (date, female) = birth_of(nik);
            assert_eq!(parsed.is_female(), female);
            assert_eq!(parsed.birth_day(), u32::from(date.day));
            assert!((BIRTH_YEARS.0..=BIRTH_YEARS.1).contains(&date.year));
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let kk = n.next_kk(d).expect("serials left");
            assert!(seen.insert(kk), "duplicate KK");
            assert!(matches!(v.kk(&digits16(kk)), Check::Valid(_)), "invalid KK generated");
            assert!((ISSUE_YEARS.0..=ISSUE_YEARS.1).contains(&issue_of(kk).year));
        }
    }
}
