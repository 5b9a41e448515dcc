//! Spelling an invalid NIK or KK so that it fails for exactly the reason the identity pass
//! counted, and no other.
//!
//! The validator applies its rules in order and the first failure wins, so each bad number is
//! built from a good one with exactly one rule broken: a region code that no edition has (for
//! the province, regency or district rule, every earlier level stays real), an impossible date,
//! serial 0000, a digit lost or added, a letter O for a zero, or what a spreadsheet makes of a
//! 16-digit number. Unknown codes are looked up once in the embedded table, not assumed.

use rand::RngExt;

use crate::generate::numbering::{compose, digits16, BIRTH_YEARS};
use crate::nik::{Date, DistrictId, Reason, RegionTable};

/// The one dummy number that passes rules 1-5 with the embedded table (district 111111 exists;
/// 11-11-11 is a real date and 1111 a serial), so it is counted as a placeholder and nothing else.
/// Checked against the validator in this module's tests.
pub(crate) const PLACEHOLDER: &str = "1111111111111111";

/// Codes known to be absent from the embedded table, found once.
pub(crate) struct UnknownCodes {
    provinces: Vec<u64>,
    /// Per province id: regency codes `PPKK` of that province that no edition has.
    regencies: Vec<Vec<u64>>,
    /// Per regency id: district numbers `CC` of that regency that no edition has.
    districts: Vec<Vec<u64>>,
}

impl UnknownCodes {
    pub(crate) fn new(table: &RegionTable) -> UnknownCodes {
        let provinces = (0..100).filter(|&pp| table.province(pp).is_none()).map(u64::from).collect();
        let regencies = table
            .provinces
            .iter()
            .map(|p| (0..100).map(|kk| p.code * 100 + kk).filter(|&c| table.regency(c).is_none()).map(u64::from).collect())
            .collect();
        let districts = (0..table.regencies.len() as u16)
            .map(|r| {
                let reg = crate::nik::RegencyId(r);
                (0..100).filter(|&cc| table.district_in(reg, cc).is_none()).map(u64::from).collect()
            })
            .collect();
        UnknownCodes { provinces, regencies, districts }
    }

    /// An invalid NIK failing with `reason`, written into `out`: a would-be NIK of someone in
    /// `district`, broken in one place.
    pub(crate) fn nik<R: RngExt>(&self, table: &RegionTable, reason: Reason, district: DistrictId, rng: &mut R, out: &mut Vec<u8>) {
        let date = Date { year: rng.random_range(BIRTH_YEARS.0..=BIRTH_YEARS.1), month: rng.random_range(1..=12), day: rng.random_range(1..=28) };
        let female = rng.random_bool(0.5);
        let day_field = u64::from(date.day) + if female { 40 } else { 0 };
        // Serials below 100 keep two zeros in the number (for the letter-O damage).
        let serial = rng.random_range(1..=20);
        let code = u64::from(table.district_info(district).code);
        let reg = table.regency_of(district);
        let prov = table.province_of(reg);
        let mut value = compose(code, day_field, date, serial);
        let swap_code = |value: u64, code6: u64| value % 10_000_000_000 + code6 * 10_000_000_000;
        match reason {
            Reason::Province => {
                let pp = pick(rng, &self.provinces, 0);
                value = swap_code(value, pp * 10_000 + code % 10_000);
            }
            Reason::Regency => {
                let ppkk = pick(rng, &self.regencies[prov.0 as usize], 0);
                value = swap_code(value, ppkk * 100 + code % 100);
            }
            Reason::District => {
                let cc = pick(rng, &self.districts[reg.0 as usize], 0);
                value = swap_code(value, code / 100 * 100 + cc);
            }
            Reason::BirthDate => {
                let bad = match rng.random_range(0..4) {
                    0 => (32 + if female { 40 } else { 0 }, u64::from(date.month)),
                    1 => (0, u64::from(date.month)),
                    2 => (day_field, 13),
                    _ => (31 + if female { 40 } else { 0 }, 4),
                };
                value = code * 10_000_000_000 + bad.0 * 100_000_000 + bad.1 * 1_000_000 + value % 1_000_000;
            }
            Reason::Serial => value -= serial,
            _ => {}
        }
        damage(reason, value, rng, out);
    }

    /// An invalid No. KK failing with `reason`: the family's real KK, damaged.
    pub(crate) fn kk<R: RngExt>(&self, reason: Reason, kk: u64, rng: &mut R, out: &mut Vec<u8>) {
        let value = match reason {
            Reason::BirthDate => {
                // An issue date has no +40, so day 32 and 00 and month 13 are all impossible.
                let (day, month) = match rng.random_range(0..3) {
                    0 => (32, kk / 1_000_000 % 100),
                    1 => (0, kk / 1_000_000 % 100),
                    _ => (kk / 100_000_000 % 100, 13),
                };
                kk / 10_000_000_000 * 10_000_000_000 + day * 100_000_000 + month * 1_000_000 + kk % 10_000
            }
            Reason::Serial => kk - kk % 10_000,
            _ => kk,
        };
        damage(reason, value, rng, out);
    }
}

fn pick<R: RngExt>(rng: &mut R, list: &[u64], fallback: u64) -> u64 {
    if list.is_empty() {
        fallback
    } else {
        list[rng.random_range(0..list.len())]
    }
}

/// Writes `value` as 16 digits, or as the text damage of `reason` (the number rules keep the
/// digits as they are).
fn damage<R: RngExt>(reason: Reason, value: u64, rng: &mut R, out: &mut Vec<u8>) {
    let d = digits16(value);
    match reason {
        Reason::Length => {
            let at = rng.random_range(0..16);
            if rng.random_bool(0.5) {
                out.extend_from_slice(&d[..at]);
                out.extend_from_slice(&d[at + 1..]);
            } else {
                out.extend_from_slice(&d[..at]);
                out.push(b'0' + rng.random_range(0..10u8));
                out.extend_from_slice(&d[at..]);
            }
        }
        Reason::NonDigit => {
            let start = out.len();
            out.extend_from_slice(&d);
            let zeros: Vec<usize> = (0..16).filter(|&i| d[i] == b'0').collect();
            let at = if zeros.is_empty() { rng.random_range(0..16) } else { zeros[rng.random_range(0..zeros.len())] };
            out[start + at] = b'O';
        }
        Reason::SpreadsheetMangled => {
            if rng.random_bool(0.5) {
                // Excel's General format: six significant digits, trailing zeros dropped.
                out.push(d[0]);
                let frac = &d[1..6];
                let keep = frac.iter().rposition(|&c| c != b'0').map_or(0, |i| i + 1);
                if keep > 0 {
                    out.push(b'.');
                    out.extend_from_slice(&frac[..keep]);
                }
                out.extend_from_slice(b"E+15");
            } else {
                out.extend_from_slice(&d);
                out.extend_from_slice(b".0");
            }
        }
        _ => out.extend_from_slice(&d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::identity::{KK_REASONS, NIK_REASONS};
    use crate::generate::numbering::Numbering;
    use crate::generate::random::{rng, Domain};
    use crate::nik::{Check, Validator};

    /// Every dummy-looking number (rule 6), checked against rules 1-5: only one survives.
    #[test]
    fn the_only_placeholder_that_passes_rules_1_to_5() {
        let table = RegionTable::embedded();
        let v = Validator::new(table, Date { year: 2021, month: 1, day: 1 });
        let mut passing = Vec::new();
        let mut candidates: Vec<[u8; 16]> = Vec::new();
        for a in 0..10u8 {
            for b in 0..10u8 {
                candidates.push(core::array::from_fn(|i| b'0' + if i % 2 == 0 { a } else { b }));
            }
            for step in [1u8, 9] {
                candidates.push(core::array::from_fn(|i| b'0' + (a + step * i as u8) % 10));
            }
        }
        for c in candidates {
            assert!(crate::nik::is_placeholder(&c));
            if v.nik(&c) == Check::Invalid(Reason::Placeholder) {
                passing.push(c);
            }
        }
        assert_eq!(passing, vec![*b"1111111111111111"]);
        assert_eq!(PLACEHOLDER.as_bytes(), b"1111111111111111");
    }

    #[test]
    fn damaged_numbers_fail_for_their_reason_only() {
        let table = RegionTable::embedded();
        let codes = UnknownCodes::new(table);
        let mut numbers = Numbering::new(table, 3);
        let mut r = rng(3, Domain::Row, 0);
        // Later reference dates only make more dates real; the reasons must not change.
        for reference in [Date { year: 2021, month: 1, day: 1 }, Date { year: 2099, month: 12, day: 31 }] {
            let v = Validator::new(table, reference);
            for i in 0..20_000u16 {
                let d = DistrictId(i % table.districts.len() as u16);
                let mut out = Vec::new();
                let reason = NIK_REASONS[i as usize % NIK_REASONS.len()];
                codes.nik(table, reason, d, &mut r, &mut out);
                assert_eq!(v.nik(&out), Check::Invalid(reason));
                if i % 16 == 0 {
                    let oracle = crate::nik::oracle::check(&out, crate::nik::oracle::Kind::Nik, reference);
                    assert_eq!(oracle, Err(reason));
                }
                let kk = numbers.next_kk(d).expect("serials left");
                let reason = KK_REASONS[i as usize % KK_REASONS.len()];
                out.clear();
                codes.kk(reason, kk, &mut r, &mut out);
                assert_eq!(v.kk(&out), Check::Invalid(reason));
            }
        }
    }
}
