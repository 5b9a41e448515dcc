//! Rules 1-2 of NIK/KK validation: from a raw field to 16 ASCII digits, or the reason it is not.
//!
//! A field that is already 16 ASCII digits (nearly every field of a real dump) is decided by two
//! SWAR word checks. Everything else goes through the slow path: trim whitespace (ASCII and
//! Unicode) and quotes, drop ' ' and '-' separators, map full-width digits, and classify what is
//! left. Spreadsheet damage (E-notation, a trailing `.0`) is detected before anything else and
//! never repaired: the digits it lost are gone. No allocation: digits go to a stack buffer.

use super::Reason;

/// What a raw field holds, before any region or date rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalized {
    /// Empty, `NULL`, `null`, `\N`, `-`: no value, which is not an invalid value.
    Missing,
    /// Not 16 digits, for this reason (`Length`, `NonDigit` or `SpreadsheetMangled`).
    Invalid(Reason),
    /// Exactly 16 ASCII digits.
    Digits([u8; 16]),
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Whether the 8 bytes of `x` are all ASCII digits (the simdjson test).
#[inline(always)]
pub(crate) fn all_digits8(x: u64) -> bool {
    ((x & (0xF0 * ONES)) | ((x.wrapping_add(0x06 * ONES) & (0xF0 * ONES)) >> 4)) == 0x33 * ONES
}

#[inline]
pub fn normalize(raw: &[u8]) -> Normalized {
    if let Ok(d) = <[u8; 16]>::try_from(raw) {
        let lo = u64::from_le_bytes(d[..8].try_into().unwrap());
        let hi = u64::from_le_bytes(d[8..].try_into().unwrap());
        if all_digits8(lo) && all_digits8(hi) {
            return Normalized::Digits(d);
        }
    }
    normalize_slow(raw)
}

/// Length in bytes of a Unicode whitespace character (or BOM) starting at `b[0]`, if any.
fn unicode_space_len(b: &[u8]) -> usize {
    match b {
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..] => 3,
        [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] => 3,
        [0xE2, 0x81, 0x9F, ..] => 3,
        [0xE3, 0x80, 0x80, ..] => 3,
        [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    }
}

fn unicode_space_len_back(b: &[u8]) -> usize {
    for n in [2usize, 3] {
        if b.len() >= n && unicode_space_len(&b[b.len() - n..]) == n {
            return n;
        }
    }
    0
}

fn is_trim_byte(c: u8) -> bool {
    c.is_ascii_whitespace() || c == b'"' || c == b'\'' || c == b'\x0b'
}

/// Strips whitespace and quotes from both ends.
#[inline(always)]
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    // Almost every field starts and ends with a plain visible byte: nothing to strip.
    let plain = |c: u8| !is_trim_byte(c) && c < 0x80;
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if plain(f) && plain(l) => b,
        _ => trim_slow(b),
    }
}

fn trim_slow(mut b: &[u8]) -> &[u8] {
    loop {
        if let [c, rest @ ..] = b {
            if is_trim_byte(*c) {
                b = rest;
                continue;
            }
        }
        let n = unicode_space_len(b);
        if n > 0 {
            b = &b[n..];
            continue;
        }
        break;
    }
    loop {
        if let [rest @ .., c] = b {
            if is_trim_byte(*c) {
                b = rest;
                continue;
            }
        }
        let n = unicode_space_len_back(b);
        if n > 0 {
            b = &b[..b.len() - n];
            continue;
        }
        break;
    }
    b
}

/// `^\d+([.,]\d+)?[eE][+-]?\d+$` or `^\d+[.,]\d+$`: what a spreadsheet makes of a long number.
pub(crate) fn is_spreadsheet_mangled(b: &[u8]) -> bool {
    fn run(b: &[u8], i: usize) -> usize {
        b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let mut i = run(b, 0);
    if i == 0 {
        return false;
    }
    let mut fraction = false;
    if matches!(b.get(i), Some(b'.' | b',')) {
        let n = run(b, i + 1);
        if n == 0 {
            return false;
        }
        i += 1 + n;
        fraction = true;
    }
    if i == b.len() {
        return fraction;
    }
    if !matches!(b[i], b'e' | b'E') {
        return false;
    }
    i += 1;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let n = run(b, i);
    n > 0 && i + n == b.len()
}

#[cold]
fn normalize_slow(raw: &[u8]) -> Normalized {
    let b = trim(raw);
    // A quoted or padded 16-digit field: nothing else to drop, map or classify.
    if let Ok(d) = <[u8; 16]>::try_from(b) {
        if all_digits8(u64::from_le_bytes(d[..8].try_into().unwrap()))
            && all_digits8(u64::from_le_bytes(d[8..].try_into().unwrap()))
        {
            return Normalized::Digits(d);
        }
    }
    if b.is_empty() || b.eq_ignore_ascii_case(b"null") || b == b"\\N" || b == b"-" {
        return Normalized::Missing;
    }
    if is_spreadsheet_mangled(b) {
        return Normalized::Invalid(Reason::SpreadsheetMangled);
    }
    let mut out = [0u8; 16];
    let mut n = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let digit = match c {
            b'0'..=b'9' => Some(c),
            b' ' | b'-' => None,
            0xEF if matches!(b.get(i + 1..i + 3), Some([0xBC, 0x90..=0x99])) => {
                i += 2;
                Some(b'0' + (b[i] - 0x90))
            }
            _ => return Normalized::Invalid(Reason::NonDigit),
        };
        if let Some(d) = digit {
            if n < 16 {
                out[n] = d;
            }
            n += 1;
        }
        i += 1;
    }
    match n {
        0 => Normalized::Missing,
        16 => Normalized::Digits(out),
        _ => Normalized::Invalid(Reason::Length),
    }
}
