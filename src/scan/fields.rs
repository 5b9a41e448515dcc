//! The optional consistency columns: gender and birth date as dumps write them, and whether
//! they agree with what the NIK encodes.

use crate::nik::normalize::trim;
use crate::nik::{Date, DateRule, Nik};

/// Gender as written: L/P, LAKI-LAKI/PEREMPUAN, M/F, 1/2, PRIA/WANITA, MALE/FEMALE.
/// `Some(true)` for female.
pub fn parse_gender(raw: &[u8]) -> Option<bool> {
    let v = trim(raw);
    // Most dumps write one letter or digit.
    if let [c] = v {
        return match c.to_ascii_uppercase() {
            b'L' | b'M' | b'1' => Some(false),
            b'P' | b'F' | b'2' => Some(true),
            _ => None,
        };
    }
    let is = |s: &str| v.eq_ignore_ascii_case(s.as_bytes());
    if is("L") || is("M") || is("1") || is("LAKI-LAKI") || is("LAKI LAKI") || is("LAKI") || is("PRIA") || is("MALE") {
        Some(false)
    } else if is("P") || is("F") || is("2") || is("PEREMPUAN") || is("WANITA") || is("FEMALE") {
        Some(true)
    } else {
        None
    }
}

/// A birth date as written: `YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY` (also `YYYY/MM/DD`).
pub fn parse_date(raw: &[u8]) -> Option<Date> {
    let v = trim(raw);
    if v.len() != 10 {
        return None;
    }
    let num = |a: usize, b: usize| -> Option<u32> {
        v[a..b].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let sep = |i: usize| v[i] == b'-' || v[i] == b'/';
    let (y, m, d) = if sep(4) && sep(7) && v[4] == v[7] {
        (num(0, 4)?, num(5, 7)?, num(8, 10)?)
    } else if sep(2) && sep(5) && v[2] == v[5] {
        (num(6, 10)?, num(3, 5)?, num(0, 2)?)
    } else {
        return None;
    };
    Date::new(y as u16, m as u8, d as u8)
}

/// Whether a written birth date is one of the dates the NIK can stand for (19YY or 20YY, not
/// after the reference date).
pub fn birth_date_matches(nik: Nik, written: Date, rule: &DateRule) -> bool {
    u32::from(written.day) == nik.birth_day()
        && u32::from(written.month) == nik.month()
        && u32::from(written.year % 100) == nik.year2()
        && matches!(written.year / 100, 19 | 20)
        && written <= rule.reference()
}
