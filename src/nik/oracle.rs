//! Slow, obviously correct twins of the NIK core, for tests and benchmark ratios only.
//!
//! Written from the rules, not from the fast code: `String`s and `char`s instead of bytes and
//! SWAR, the region CSV text searched line by line instead of dense indexes, chrono for the
//! calendar instead of precomputed tables. Property tests run both on millions of inputs.

use super::{Date, Reason};
use chrono::NaiveDate;

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
    if !code_exists(super::region::tests_support::PROVINCES, &digits[0..2]) {
        return Err(Reason::Province);
    }
    if !code_exists(super::region::tests_support::REGENCIES, &digits[0..4]) {
        return Err(Reason::Regency);
    }
    if !code_exists(super::region::tests_support::DISTRICTS, &digits[0..6]) {
        return Err(Reason::District);
    }
    let mut day = num(6, 8);
    if kind == Kind::Nik && day >= 41 && day <= 71 {
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

fn code_exists(csv: &str, code: &str) -> bool {
    csv.lines().skip(1).any(|line| line.split(',').next() == Some(code))
}

fn is_dummy(digits: &str) -> bool {
    let d: Vec<i32> = digits.bytes().map(|b| i32::from(b - b'0')).collect();
    let same_as_two_back = (2..16).all(|i| d[i] == d[i - 2]);
    let up = (1..16).all(|i| d[i] == (d[i - 1] + 1) % 10);
    let down = (1..16).all(|i| d[i] == (d[i - 1] + 9) % 10);
    same_as_two_back || up || down
}
