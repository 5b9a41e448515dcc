//! The shape of the people in a dump, from its unique NIK keys, as one [`KeyVisitor`]: birth
//! years, 1 January births, sex and serials. A key holds the NIK's `DDMMYYSSSS`, so the walk
//! that counts unique NIKs also yields these histograms, per person rather than per record (a
//! dump padded with copies of a few people does not move them), and at no cost to the record
//! loop. Counts only; they merge by addition like the tallies.

use super::KeyVisitor;
use crate::engine::tally::add_into;
use crate::nik::Date;

/// Birth years counted, from 1900 (`birth_years[year - 1900]`).
pub const YEARS: usize = 200;
/// Serial buckets of 100 (`serial_hundreds[serial / 100]`: 0 holds 0001-0099).
pub const SERIAL_BUCKETS: usize = 100;

/// Histograms of the unique valid NIKs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    pub people: u64,
    pub female: u64,
    /// Born on 1 January (the date registrars give people who do not know theirs).
    pub january_first: u64,
    /// By birth year, the century read as the NIK rules read it: 20YY unless that is after the
    /// reference date.
    pub birth_years: Vec<u64>,
    /// By serial, in buckets of 100.
    pub serial_hundreds: Vec<u64>,
}

/// Counts [`People`] over the unique NIK keys.
#[derive(Debug)]
pub struct PeopleProfile {
    reference: Date,
    pub people: People,
}

impl PeopleProfile {
    pub fn new(reference: Date) -> PeopleProfile {
        PeopleProfile {
            reference,
            people: People { birth_years: vec![0; YEARS], serial_hundreds: vec![0; SERIAL_BUCKETS], ..People::default() },
        }
    }
}

/// The birth year of `DD MM YY` at a reference date: 20YY when that date is not after it.
#[inline]
pub fn birth_year(day: u32, month: u32, yy: u32, reference: Date) -> u16 {
    let y20 = 2000 + yy as u16;
    if (y20, month as u8, day as u8) <= (reference.year, reference.month, reference.day) {
        y20
    } else {
        1900 + yy as u16
    }
}

impl KeyVisitor for PeopleProfile {
    #[inline]
    fn visit(&mut self, key: u64, _first_input: u32) {
        // The key's low 34 bits are the NIK's last ten digits, DDMMYYSSSS.
        let tail = key & ((1 << 34) - 1);
        let serial = (tail % 10_000) as usize;
        let date = tail / 10_000;
        let (day_field, month, yy) = ((date / 10_000) as u32, (date / 100 % 100) as u32, (date % 100) as u32);
        let female = day_field > 40;
        let day = if female { day_field - 40 } else { day_field };
        let p = &mut self.people;
        p.people += 1;
        p.female += u64::from(female);
        p.january_first += u64::from(day == 1 && month == 1);
        let year = usize::from(birth_year(day, month, yy, self.reference) - 1900);
        p.birth_years[year.min(YEARS - 1)] += 1;
        p.serial_hundreds[serial / 100] += 1;
    }

    fn merge(&mut self, other: PeopleProfile) {
        let (p, o) = (&mut self.people, other.people);
        p.people += o.people;
        p.female += o.female;
        p.january_first += o.january_first;
        add_into(&mut p.birth_years, &o.birth_years);
        add_into(&mut p.serial_hundreds, &o.serial_hundreds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nik::{Check, RegionTable, Validator};

    #[test]
    fn histograms_of_known_niks() {
        let reference = Date { year: 2025, month: 6, day: 1 };
        let v = Validator::new(RegionTable::embedded(), reference);
        let key = |s: &str| match v.nik(s.as_bytes()) {
            Check::Valid(n) => n.key(),
            other => panic!("{other:?}"),
        };
        let mut p = PeopleProfile::new(reference);
        // 1 Jan 1990 (man, serial 1), 41 = 1 Jan 2001 (woman, serial 150), 1 Jun 25 is 2025,
        // 2 Jun 25 is 1925 (after the reference date in 2025).
        for nik in ["3507010101900001", "3507014101010150", "3507010106250002", "3507010206259999"] {
            p.visit(key(nik), 0);
        }
        let mut q = PeopleProfile::new(reference);
        q.merge(p);
        let people = q.people;
        assert_eq!((people.people, people.female, people.january_first), (4, 1, 2));
        let years: Vec<(usize, u64)> = people.birth_years.iter().enumerate().filter(|(_, n)| **n > 0).map(|(y, n)| (y + 1900, *n)).collect();
        assert_eq!(years, [(1925, 1), (1990, 1), (2001, 1), (2025, 1)]);
        assert_eq!((people.serial_hundreds[0], people.serial_hundreds[1], people.serial_hundreds[99]), (2, 1, 1));
    }
}
