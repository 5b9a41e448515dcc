//! What a NIK-shaped run looks like where a person or a file could see it: [`mask_digits`]
//! hides it in anything shown (messages, column names, paths, the report) and
//! [`has_nik_like_run`] / [`DigitRun`] are the output leak guard's test. Both use the one shape
//! defined here, whatever the run means: the guard must not depend on the region table or the
//! date.
//!
//! The shape is what the [normaliser](super::normalize) would turn into 16 digits, and more: a
//! run of at least 16 digits, ASCII (`0`-`9`) or full-width (`０`-`９`, U+FF10-U+FF19), in
//! which digits may be parted by up to [`MAX_SEPARATORS`] separators in a row: space, `-`, `.`,
//! and their look-alikes (no-break, thin and ideographic spaces, Unicode hyphens and dashes,
//! full-width `－` and `．`). So `3507011508900001`, `3507-0115-0890-0001`,
//! `3507 0115 0890 0001`, `35.07.01.150890.0001` and their full-width forms are all caught.
//! Commas, colons, slashes, letters, tabs and line ends end a run: takar's own numbers are
//! written with thousands commas, and its hashes in groups joined by `:`, so no figure or
//! hash of its own is ever taken for one.

/// Separators allowed in a row between two digits of one run (`3507 - 0115` has three).
pub const MAX_SEPARATORS: usize = 3;

/// Digits that make a run NIK-like.
pub const MIN_DIGITS: usize = 16;

/// What a character is to the shape: a digit, a separator inside a number, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Digit,
    Separator,
    Other,
}

fn class(c: char) -> Class {
    match c {
        '0'..='9' | '\u{FF10}'..='\u{FF19}' => Class::Digit,
        ' ' | '-' | '.' => Class::Separator,
        '\u{A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' | '\u{3000}' => Class::Separator,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '\u{FF0E}' => Class::Separator,
        _ => Class::Other,
    }
}

/// The run being followed: digits in it and separators since its last digit.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    digits: usize,
    separators: usize,
}

impl Run {
    /// Takes the next character's class; true when the run goes on through it (a digit that
    /// starts a new run returns false and leaves a run of one digit).
    fn step(&mut self, c: Class) -> bool {
        match c {
            Class::Digit => {
                let goes_on = self.digits > 0 && self.separators <= MAX_SEPARATORS;
                self.digits = if goes_on { self.digits + 1 } else { 1 };
                self.separators = 0;
                goes_on
            }
            Class::Separator if self.digits > 0 => {
                self.separators += 1;
                self.separators <= MAX_SEPARATORS
            }
            _ => {
                *self = Run::default();
                false
            }
        }
    }
}

/// Byte ranges of `s` that are NIK-like runs (from the first digit to the last).
pub fn nik_like_runs(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut run = Run::default();
    let (mut start, mut end) = (0, 0);
    for (i, c) in s.char_indices() {
        let k = class(c);
        if !run.step(k) && k == Class::Digit {
            if end > start && count_digits(&s[start..end]) >= MIN_DIGITS {
                out.push(start..end);
            }
            start = i;
        }
        if k == Class::Digit {
            end = i + c.len_utf8();
        }
    }
    if end > start && count_digits(&s[start..end]) >= MIN_DIGITS {
        out.push(start..end);
    }
    out
}

fn count_digits(s: &str) -> usize {
    s.chars().filter(|&c| class(c) == Class::Digit).count()
}

/// Masks every NIK-like run: its first 6 digits (the region code) stay, every later digit
/// becomes `*`, separators stay where they were (`3507-01**-****-****`).
pub fn mask_digits(s: &str) -> String {
    let runs = nik_like_runs(s);
    if runs.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in runs {
        out.push_str(&s[at..r.start]);
        let mut kept = 0;
        for c in s[r.clone()].chars() {
            if class(c) == Class::Digit {
                if kept < 6 {
                    out.push(c);
                    kept += 1;
                } else {
                    out.push('*');
                }
            } else {
                out.push(c);
            }
        }
        at = r.end;
    }
    out.push_str(&s[at..]);
    out
}

/// The leak guard on a whole buffer: does `bytes` hold a NIK-like run (invalid UTF-8 is
/// read as other bytes, so binary files are judged too)?
pub fn has_nik_like_run(bytes: &[u8]) -> bool {
    DigitRun::default().feed(bytes)
}

/// [`has_nik_like_run`] over bytes that arrive in pieces: the run that ends the bytes fed so
/// far (and a character cut by a piece boundary) is kept, so a run cut by a boundary still
/// counts whole.
#[derive(Debug, Default)]
pub struct DigitRun {
    run: Run,
    /// The first bytes of a multi-byte character, when a piece ended inside it.
    partial: [u8; 4],
    have: usize,
    need: usize,
}

impl DigitRun {
    /// Feeds the next bytes; true as soon as a run reaches [`MIN_DIGITS`] digits.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if self.need > 0 {
                if b & 0xC0 == 0x80 {
                    self.partial[self.have] = b;
                    self.have += 1;
                    if self.have == self.need {
                        self.need = 0;
                        let c = std::str::from_utf8(&self.partial[..self.have]).ok().and_then(|s| s.chars().next());
                        if self.take(c.map_or(Class::Other, class)) {
                            return true;
                        }
                    }
                    continue;
                }
                // A broken sequence: what came so far is some other byte.
                self.need = 0;
                self.take(Class::Other);
            }
            let need = match b {
                0x00..=0x7F => {
                    if self.take(class(b as char)) {
                        return true;
                    }
                    continue;
                }
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => {
                    self.take(Class::Other);
                    continue;
                }
            };
            self.partial[0] = b;
            self.have = 1;
            self.need = need;
        }
        false
    }

    fn take(&mut self, c: Class) -> bool {
        self.run.step(c);
        self.run.digits >= MIN_DIGITS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPES: [&str; 9] = [
        "3507011508900001",
        "3507-0115-0890-0001",
        "3507 0115 0890 0001",
        "35.07.01.150890.0001",
        "350701 - 150890 - 0001",
        "３５０７０１１５０８９００００１",
        "３５０７－０１１５－０８９０－０００１",
        "3507 ０115 0890 ０００1",
        "3507\u{a0}0115\u{2013}0890\u{3000}0001",
    ];

    #[test]
    fn every_shape_the_normaliser_reads_is_masked_and_guarded() {
        for s in SHAPES {
            let text = format!("headers seen: nama, {s}, alamat");
            let masked = mask_digits(&text);
            assert!(masked.starts_with("headers seen: nama, ") && masked.ends_with(", alamat"), "{masked}");
            assert_eq!(masked.chars().filter(|&c| c == '*').count(), 10, "{s} -> {masked}");
            assert!(!has_nik_like_run(masked.as_bytes()), "{masked}");
            assert!(has_nik_like_run(text.as_bytes()), "{s}");
            // Fed one byte at a time, a run and a character cut between pieces still count.
            let mut run = DigitRun::default();
            assert!(text.as_bytes().chunks(1).any(|b| run.feed(b)), "{s}");
        }
        assert_eq!(mask_digits("3507-0115-0890-0001"), "3507-01**-****-****");
        assert_eq!(mask_digits("x 35070115089000012345 y"), "x 350701************** y");
    }

    #[test]
    fn takar_own_figures_and_hashes_are_not_runs() {
        for s in [
            "1,234,567,890,123,456",
            "0123:4567:8901:2345:6789:0123",
            "records 1234  valid 5678",
            "2026-11-24 12:00:00",
            "12.3% 45.6% 78.9%",
            "350701 1508900001",
            "3507011508900",
            "3507\t0115\t0890\t0001",
            "3507 -  0115 0890 0001",
            "3507,0115,0890,0001",
        ] {
            let short = s != "350701 1508900001";
            if short {
                assert!(!has_nik_like_run(s.as_bytes()), "{s}");
                assert_eq!(mask_digits(s), s);
            } else {
                assert_eq!(mask_digits(s), "350701 **********");
            }
        }
    }

    #[test]
    fn binary_bytes_are_read_without_panic() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend_from_slice(b"\xEF\xBC");
        assert!(!has_nik_like_run(&bytes));
        let mut run = DigitRun::default();
        assert!(!run.feed(b"\xEF\xBC"));
        assert!(!run.feed(b"\x9112345678901234"));
        assert!(run.feed(b"6"), "a full-width digit cut by a boundary counts");
    }
}
