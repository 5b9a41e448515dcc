//! What a NIK-shaped run looks like where a person or a file could see it: [`mask_digits`]
//! hides it in anything shown (messages, column names, paths) and [`has_nik_like_run`] is the
//! output leak guard's test. Both take any run of 16 or more ASCII digits as a possible NIK or
//! No. KK, valid or not: the guard must not depend on the region table or the date.

/// Replaces every run of 16+ digits by its first 6 digits and stars, for messages.
pub fn mask_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run >= 16 {
            out.push_str(&s[i..i + 6]);
            out.extend(std::iter::repeat_n('*', run - 6));
            i += run;
        } else if run > 0 {
            out.push_str(&s[i..i + run]);
            i += run;
        } else {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// The leak guard on a whole buffer: does `bytes` contain a run of at least 16 ASCII digits?
pub fn has_nik_like_run(bytes: &[u8]) -> bool {
    DigitRun::default().feed(bytes)
}

/// [`has_nik_like_run`] over bytes that arrive in pieces: the length of the digit run that
/// ends the bytes fed so far is kept, so a run cut by a piece boundary still counts whole.
#[derive(Debug, Default)]
pub struct DigitRun {
    run: usize,
}

impl DigitRun {
    /// Feeds the next bytes; true as soon as a run reaches 16 digits.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if b.is_ascii_digit() {
                self.run += 1;
                if self.run >= 16 {
                    return true;
                }
            } else {
                self.run = 0;
            }
        }
        false
    }
}
