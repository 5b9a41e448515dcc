//! Slow, obviously correct twins of the NIK core, for tests and benchmark ratios only.
//!
//! Written from the rules, not from the fast code: `String`s and `char`s instead of bytes and
//! SWAR, the codes of the region CSV text (first column of every line, read once into a
//! `BTreeSet` per level) instead of dense indexes, chrono for the calendar instead of precomputed
//! tables. Property tests run both on millions of inputs.

use super::region::tests_support::{DISTRICTS, PROVINCES, REGENCIES};
use super::{Date, Reason};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Which rule set: a NIK (day + 40 for women) or a No. KK (plain issue date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nik,
    Kk,
}

/// `Ok(Some(value))` valid, `Ok(None)` missing, `Err(reason)` invalid.
pub fn check(raw: &[u8], kind: Kind, reference: Date) -> Result<Option<u64>, Reason> {
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\u{feff}');
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("null") || trimmed == "\\N" || trimmed == "-" {
        return Ok(None);
    }
    if looks_like_spreadsheet_number(trimmed) {
        return Err(Reason::SpreadsheetMangled);
    }
    let mut digits = String::new();
    for c in trimmed.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '\u{ff10}'..='\u{ff19}' => digits.push(char::from(b'0' + (c as u32 - 0xff10) as u8)),
            ' ' | '-' => {}
            _ => return Err(Reason::NonDigit),
        }
    }
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() != 16 {
        return Err(Reason::Length);
    }
    let num = |a: usize, b: usize| digits[a..b].parse::<u32>().unwrap();
    let [provinces, regencies, districts] = known_codes();
    if !provinces.contains(&digits[0..2]) {
        return Err(Reason::Province);
    }
    if !regencies.contains(&digits[0..4]) {
        return Err(Reason::Regency);
    }
    if !districts.contains(&digits[0..6]) {
        return Err(Reason::District);
    }
    let mut day = num(6, 8);
    if kind == Kind::Nik && (41..=71).contains(&day) {
        day -= 40;
    }
    let (month, yy) = (num(8, 10), num(10, 12) as i32);
    let reference = NaiveDate::from_ymd_opt(reference.year.into(), reference.month.into(), reference.day.into()).unwrap();
    let real = [1900 + yy, 2000 + yy]
        .iter()
        .filter_map(|&y| NaiveDate::from_ymd_opt(y, month, day))
        .any(|d| d <= reference);
    if !real {
        return Err(Reason::BirthDate);
    }
    if num(12, 16) == 0 {
        return Err(Reason::Serial);
    }
    if is_dummy(&digits) {
        return Err(Reason::Placeholder);
    }
    Ok(Some(digits.parse().unwrap()))
}

fn looks_like_spreadsheet_number(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once(['.', ',']) {
        Some((a, b)) => all_digits(a) && all_digits(b),
        None => all_digits(mantissa),
    };
    match exponent {
        Some(e) => mantissa_ok && all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)),
        None => mantissa_ok && mantissa.contains(['.', ',']),
    }
}

/// Every code of each level: the first column of every line after the header, whatever the
/// edition (a code is valid when any edition has it). Built once; the CSV text is the same one
/// the fast table parses, but nothing of the fast parser or its indexes is used.
fn known_codes() -> &'static [BTreeSet<String>; 3] {
    static CODES: OnceLock<[BTreeSet<String>; 3]> = OnceLock::new();
    CODES.get_or_init(|| [PROVINCES, REGENCIES, DISTRICTS].map(codes_of))
}

fn codes_of(csv: &str) -> BTreeSet<String> {
    csv.lines().skip(1).filter_map(|line| line.split(',').next()).map(str::to_string).collect()
}

fn is_dummy(digits: &str) -> bool {
    let d: Vec<i32> = digits.bytes().map(|b| i32::from(b - b'0')).collect();
    let same_as_two_back = (2..16).all(|i| d[i] == d[i - 2]);
    let up = (1..16).all(|i| d[i] == (d[i - 1] + 1) % 10);
    let down = (1..16).all(|i| d[i] == (d[i - 1] + 9) % 10);
    same_as_two_back || up || down
}
