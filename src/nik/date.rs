//! Calendar rules of the NIK's `DDMMYY` block, against a reference date the caller passes in.
//!
//! The core never reads a clock: "today" is decided at the edge (`--reference-date`), so tests
//! and reruns give the same answers. A two-digit year is 20YY when that date is not after the
//! reference date, and 19YY otherwise; both are possible for old years, and a date is valid when
//! either century makes it a real, non-future date (29 Feb 00 is 2000-02-29, a leap day; 1900
//! was not a leap year). [`DateRule`] precomputes, for every (YY, MM), the largest valid day in
//! each century, so the hot path is two table reads and a compare.

use core::fmt;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A real calendar date, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        Date::new(year as u16, month as u8, day as u8)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`), for turning a
    /// clock reading into a reference date at the edge.
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

pub fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Validity of `DD MM YY` against a reference date, precomputed per (YY, MM).
#[derive(Clone)]
pub struct DateRule {
    reference: Date,
    /// `max_day[yy * 13 + mm]`: the larger of the last valid day of 20YY-MM and of 19YY-MM (0
    /// when neither month is valid). A day is valid in either century exactly when it is at
    /// most this bound, so one compare decides.
    max_day: [u8; 100 * 13],
}

impl DateRule {
    pub fn new(reference: Date) -> DateRule {
        let mut max_day = [0u8; 100 * 13];
        for yy in 0..100u16 {
            for mm in 1..=12u8 {
                max_day[yy as usize * 13 + mm as usize] =
                    Self::bound(reference, 2000 + yy, mm).max(Self::bound(reference, 1900 + yy, mm));
            }
        }
        DateRule { reference, max_day }
    }

    /// Largest day of `year-month` that is real and not after the reference date.
    fn bound(reference: Date, year: u16, month: u8) -> u8 {
        let dim = days_in_month(year, month);
        match (year, month).cmp(&(reference.year, reference.month)) {
            core::cmp::Ordering::Less => dim,
            core::cmp::Ordering::Equal => dim.min(reference.day),
            core::cmp::Ordering::Greater => 0,
        }
    }

    pub fn reference(&self) -> Date {
        self.reference
    }

    /// Whether day `dd` (1-31, already without the +40) of month `mm`, year `yy` is a real date
    /// in 19YY or 20YY, not after the reference date.
    #[inline]
    pub fn is_valid(&self, dd: u32, mm: u32, yy: u32) -> bool {
        // mm is 0..=99 and yy 0..=99 from two digits; month 0 has max 0 and 13+ fall outside.
        // Day 0 wraps to u32::MAX, so one compare checks 1 <= dd <= max.
        if mm > 12 {
            return false;
        }
        dd.wrapping_sub(1) < u32::from(self.max_day[yy as usize * 13 + mm as usize])
    }

    /// The full dates `DD MM YY` can stand for, the most plausible first (20YY when possible).
    pub fn candidates(&self, dd: u32, mm: u32, yy: u32) -> impl Iterator<Item = Date> + '_ {
        [2000u16, 1900].into_iter().filter_map(move |century| {
            let d = Date::new(century + yy as u16, mm as u8, dd as u8)?;
            (d <= self.reference).then_some(d)
        })
    }
}
