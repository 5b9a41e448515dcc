//! The optional consistency columns: gender and birth date as dumps write them, and whether
//! they agree with what the NIK encodes; the age a written birth date gives.

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

/// A birth date as written: `YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY` (also `YYYY/MM/DD`),
/// or with the month in words, Indonesian or English, in full or cut short: `17 Agustus 1945`,
/// `17-AGU-1945`, `17 Aug 1945` (see [`parse_date_words`]).
pub fn parse_date(raw: &[u8]) -> Option<Date> {
    let Ok(v) = <&[u8; 10]>::try_from(trim(raw)) else {
        return parse_date_words(raw);
    };
    // Every byte minus '0': digits become 0..=9, everything else (separators too) above 9.
    let x = v.map(|c| c.wrapping_sub(b'0'));
    let digits = |positions: &[usize]| positions.iter().all(|&i| x[i] < 10);
    let n2 = |i: usize| u32::from(x[i]) * 10 + u32::from(x[i + 1]);
    let sep = |i: usize| v[i] == b'-' || v[i] == b'/';
    let (y, m, d) = if sep(4) && v[4] == v[7] && digits(&[0, 1, 2, 3, 5, 6, 8, 9]) {
        (n2(0) * 100 + n2(2), n2(5), n2(8))
    } else if sep(2) && v[2] == v[5] && digits(&[0, 1, 3, 4, 6, 7, 8, 9]) {
        (n2(6) * 100 + n2(8), n2(3), n2(0))
    } else {
        return None;
    };
    Date::new(y as u16, m as u8, d as u8)
}

/// Month names and the short forms dumps use, Indonesian first (`PEB`, `NOP`, `AGT` are old
/// spellings still printed on documents).
const MONTHS: [&[&str]; 12] = [
    &["JAN", "JANUARI", "JANUARY"],
    &["FEB", "PEB", "FEBRUARI", "PEBRUARI", "FEBRUARY"],
    &["MAR", "MARET", "MARCH"],
    &["APR", "APRIL"],
    &["MEI", "MAY"],
    &["JUN", "JUNI", "JUNE"],
    &["JUL", "JULI", "JULY"],
    &["AGU", "AGS", "AGT", "AGUS", "AGUSTUS", "AUG", "AUGUST"],
    &["SEP", "SEPT", "SEPTEMBER"],
    &["OKT", "OKTOBER", "OCT", "OCTOBER"],
    &["NOV", "NOP", "NOVEMBER", "NOPEMBER"],
    &["DES", "DESEMBER", "DEC", "DECEMBER"],
];

/// `D[D] <month> YYYY` with the parts separated by spaces, `-`, `/` or `.` (one or more).
/// Only tried when the numeric layouts do not fit, so the common column pays nothing for it.
#[cold]
pub fn parse_date_words(raw: &[u8]) -> Option<Date> {
    let v = trim(raw);
    if v.len() > 24 {
        return None;
    }
    let mut parts = v.split(|c| matches!(c, b' ' | b'-' | b'/' | b'.')).filter(|p| !p.is_empty());
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&day.len()) || year.len() != 4 {
        return None;
    }
    let number = |p: &[u8]| p.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    let m = MONTHS.iter().position(|names| names.iter().any(|n| month.eq_ignore_ascii_case(n.as_bytes())))? + 1;
    Date::new(number(year)? as u16, m as u8, number(day)? as u8)
}

/// How old a written birth date makes someone at the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// Born after the reference date.
    Impossible,
    /// Older than [`MAX_PLAUSIBLE_AGE`] years.
    Implausible,
    Plausible,
}

/// The oldest age takar takes as plausible: the oldest verified Indonesians were about 110.
pub const MAX_PLAUSIBLE_AGE: u16 = 110;

/// The age class of a written birth date at the reference date.
#[inline]
pub fn age_class(born: Date, reference: Date) -> Age {
    if born > reference {
        return Age::Impossible;
    }
    let before_birthday = (reference.month, reference.day) < (born.month, born.day);
    let age = reference.year - born.year - u16::from(before_birthday);
    if age > MAX_PLAUSIBLE_AGE {
        Age::Implausible
    } else {
        Age::Plausible
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain reading of the three layouts, as the slow twin of [`parse_date`].
    fn parse_date_plain(raw: &[u8]) -> Option<Date> {
        let s = std::str::from_utf8(trim(raw)).ok()?;
        let parts: Vec<&str> = s.split(['-', '/']).collect();
        let seps: Vec<char> = s.chars().filter(|c| *c == '-' || *c == '/').collect();
        if parts.len() != 3 || seps[0] != seps[1] || !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())) {
            return None;
        }
        let (y, m, d) = match (parts[0].len(), parts[1].len(), parts[2].len()) {
            (4, 2, 2) => (parts[0], parts[1], parts[2]),
            (2, 2, 4) => (parts[2], parts[1], parts[0]),
            _ => return None,
        };
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    #[test]
    fn known_dates() {
        let d = |s: &str| parse_date(s.as_bytes()).map(|d| (d.year, d.month, d.day));
        assert_eq!(d("1985-07-11"), Some((1985, 7, 11)));
        assert_eq!(d(" 11-07-1985 "), Some((1985, 7, 11)));
        assert_eq!(d("11/07/1985"), Some((1985, 7, 11)));
        assert_eq!(d("1985/07/11"), Some((1985, 7, 11)));
        assert_eq!(d("11-07/1985"), None);
        assert_eq!(d("29-02-2001"), None);
        assert_eq!(d("1985-7-11"), None);
        assert_eq!(parse_gender(b" p "), Some(true));
        assert_eq!(parse_gender(b"Laki-Laki"), Some(false));
        assert_eq!(parse_gender(b"X"), None);
        assert_eq!(d("17 Agustus 1945"), Some((1945, 8, 17)));
        assert_eq!(d("17-AGU-1945"), Some((1945, 8, 17)));
        assert_eq!(d(" 1 Pebruari 2001 "), Some((2001, 2, 1)));
        assert_eq!(d("05 Dec 1999"), Some((1999, 12, 5)));
        assert_eq!(d("31 Juni 1990"), None, "no 31 June");
        assert_eq!(d("17 Agustusan 1945"), None);
        assert_eq!(d("17 Agustus 45"), None);
        assert_eq!(d("Agustus 17 1945"), None);
    }

    #[test]
    fn ages_at_the_reference_date() {
        let r = Date { year: 2025, month: 6, day: 1 };
        let at = |y, m, d| age_class(Date { year: y, month: m, day: d }, r);
        assert_eq!(at(2025, 6, 2), Age::Impossible);
        assert_eq!(at(2025, 6, 1), Age::Plausible);
        assert_eq!(at(1915, 6, 1), Age::Plausible, "110 today");
        assert_eq!(at(1914, 5, 31), Age::Implausible, "111 since yesterday");
        assert_eq!(at(1914, 6, 2), Age::Plausible, "110 until tomorrow");
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]
        #[test]
        fn date_reading_matches_the_plain_one(s in "[0-9/ x-]{8,12}", y in 1900u16..2030, m in 0u8..14, d in 0u8..33, dmy in any::<bool>(), slash in any::<bool>()) {
            prop_assert_eq!(parse_date(s.as_bytes()), parse_date_plain(s.as_bytes()));
            let sep = if slash { '/' } else { '-' };
            let written = if dmy { format!("{d:02}{sep}{m:02}{sep}{y}") } else { format!("{y}{sep}{m:02}{sep}{d:02}") };
            prop_assert_eq!(parse_date(written.as_bytes()), parse_date_plain(written.as_bytes()));
            prop_assert_eq!(parse_date(written.as_bytes()), Date::new(y, m, d));
        }
    }
}
