//! Plain-text dumps (`--format text`): pastebins and chat logs with no columns, such as
//! `NIK: 3507011508900001 Nama: BUDI No. KK: 3507010101100001`, one person per line.
//!
//! **Tokens.** A digit group is a maximal run of ASCII digits. A group of exactly 16 digits is
//! a token. Shorter groups separated by exactly one space or hyphen form a chain
//! (`3507 0115 0890 0001`, `350701-150890-0001`); a chain is read left to right and cut after
//! every 16th digit, and gives one token per 16 digits only when every cut falls between two
//! groups and no digit is left over. Any other chain gives no token: `12-12-1990 3507 0115`
//! (16 digits, but a date and a fragment) is read as one token, which is the price of joining,
//! while `15-08-1990 3507 0115 0890 0001` (24 digits) gives none rather than a wrong one.
//! Groups of 16 or more digits never join a chain, so two NIKs separated by one space stay two
//! tokens. Dots and other separators never join (`35.07.01.150890.0001` is not read), and a
//! spreadsheet-mangled `3.50701E+15` is no token either: text mode counts what is present.
//!
//! **Labels.** The word right before a token (same line, at most [`MAX_GAP`] bytes of spaces
//! and punctuation between, ASCII case ignored) decides its kind: `KK`, `No. KK`, `NKK`,
//! `No_KK`, `Nomor KK`, `NIKK`, `Kartu Keluarga`, `Nomor Kartu Keluarga`, `Family Card` make
//! it a No. KK. Everything else (`NIK`, `No. KTP`, `KTP`, another word, or nothing) makes it a
//! NIK: unlabelled tokens are NIKs, so NIK labels need no list of their own. Only the last
//! word counts: `KK / NIK: x` is a NIK, `NIK KK: x` a KK.
//!
//! **Records.** Lines end at `\n`, `\r` or `\r\n`. A line without a token is not a record. A
//! line with tokens gives as many records as it has NIK tokens or KK tokens, whichever is more;
//! the i-th NIK token and the i-th KK token of the line share a record. So the usual line (one
//! NIK, at most one KK) is one record, a line with only a KK is one record without a NIK, and
//! no token is ever dropped: every NIK and KK on a line is validated, counted and deduplicated,
//! which is what sizing a leak needs when a paste packs several people (or a family) per line.
//! Text has no birth-date or gender column, so no consistency checks run.
//!
//! **Speed.** Lines are found with `memchr`; digits inside a line with an 8-byte SWAR test, so
//! the bytes of names and addresses cost about one instruction each. Every line start is a
//! record start, so [`Splittable::resync`] is exact and no chunk is ever parsed twice.

use memchr::memchr2;

use crate::engine::{Counter, Fields, Role, Splittable, Step};
use crate::format::layout::{Details, Found};
use crate::input::text::strip_bom;

/// Bytes of spaces and punctuation allowed between a label and its token.
pub const MAX_GAP: usize = 16;

/// The text-dump parser; it has no configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextParser;

/// What a token stands for, by its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nik,
    Kk,
}

/// One token of a line: `line[start..end]` holds 16 digits, possibly with single spaces or
/// hyphens between digit groups (the validator drops those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// A worker's token buffer, reused from line to line.
#[derive(Debug, Default)]
pub struct State {
    tokens: Vec<Token>,
}

impl Splittable for TextParser {
    type State = State;
    type Scratch = ();

    fn resync(&self, data: &[u8], cut: usize) -> usize {
        if matches!(data[cut - 1], b'\n' | b'\r') {
            return cut;
        }
        memchr2(b'\n', b'\r', &data[cut..]).map_or(data.len(), |i| cut + i + 1)
    }

    #[inline]
    fn step(&self, data: &[u8], pos: usize, eof: bool, _base: u64, state: &mut State, _: &mut (), counter: &mut Counter<'_>) -> Step {
        let (end, next) = match memchr2(b'\n', b'\r', &data[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None if eof => (data.len(), data.len()),
            None => return Step::Incomplete,
        };
        if end > pos {
            let line = &data[pos..end];
            tokens(line, &mut state.tokens);
            count_line(line, &state.tokens, counter);
        }
        Step::Next(next)
    }
}

/// Feeds one line's records to the counter: the i-th NIK token with the i-th KK token.
#[inline]
fn count_line(line: &[u8], tokens: &[Token], counter: &mut Counter<'_>) {
    let mut niks = tokens.iter().filter(|t| t.kind == Kind::Nik);
    let mut kks = tokens.iter().filter(|t| t.kind == Kind::Kk);
    loop {
        let (nik, kk) = (niks.next(), kks.next());
        if nik.is_none() && kk.is_none() {
            return;
        }
        let field = |t: Option<&Token>| t.map(|t| &line[t.start..t.end]);
        let mut fields = Fields::default();
        fields[Role::Nik] = field(nik);
        fields[Role::Kk] = field(kk);
        counter.record(fields);
    }
}

/// One record of a line: the raw bytes of its NIK token and of its KK token.
pub type LineRecord<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// The records of one line, by the rule of [`Splittable::step`]; for tests and tools.
pub fn line_records<'a>(line: &'a [u8], buf: &mut Vec<Token>) -> Vec<LineRecord<'a>> {
    tokens(line, buf);
    let pick = |k: Kind| buf.iter().filter(move |t| t.kind == k).map(|t| &line[t.start..t.end]);
    let (niks, kks): (Vec<_>, Vec<_>) = (pick(Kind::Nik).collect(), pick(Kind::Kk).collect());
    (0..niks.len().max(kks.len())).map(|i| (niks.get(i).copied(), kks.get(i).copied())).collect()
}

/// Whether any line of `sample` holds a token (for format detection).
pub fn has_token(sample: &[u8]) -> bool {
    let mut buf = Vec::new();
    sample.split(|&b| b == b'\n' || b == b'\r').any(|line| {
        tokens(line, &mut buf);
        !buf.is_empty()
    })
}

/// Whether the first non-blank line of `sample` looks like a header row: no digit, and two
/// or more non-empty fields split by `,` `;` tab or `|`. Such a file is tabular even when no
/// column holds NIKs, so format detection does not read it as text.
pub fn header_like(sample: &[u8]) -> bool {
    let body = strip_bom(sample);
    let Some(first) = body.split(|&b| b == b'\n' || b == b'\r').find(|l| !l.iter().all(u8::is_ascii_whitespace)) else {
        return false;
    };
    !first.iter().any(u8::is_ascii_digit)
        && [b',', b';', b'\t', b'|'].iter().any(|&d| {
            let mut fields = first.split(|&b| b == d);
            fields.clone().count() >= 2 && fields.all(|f| !f.iter().all(u8::is_ascii_whitespace))
        })
}

/// The parser and the details the report shows; text has no header and no columns.
pub fn detect(sample: &[u8]) -> Found<TextParser> {
    let data_start = sample.len() - strip_bom(sample).len();
    let mut details = Details { format: "text", ..Details::default() };
    details.columns[Role::Nik] = Some("16-digit tokens, unlabelled or labelled NIK".into());
    details.columns[Role::Kk] = Some("16-digit tokens labelled KK".into());
    Found { parser: TextParser, data_start, details }
}

/// The tokens of one line (no line-end bytes inside), in order, into `out`.
pub fn tokens(line: &[u8], out: &mut Vec<Token>) {
    out.clear();
    let mut chain = Chain::default();
    let mut i = 0;
    while let Some(a) = next_digit(line, i) {
        let b = digits_end(line, a);
        let len = b - a;
        let linked = chain.active && len < 16 && a == chain.last_end + 1 && matches!(line[chain.last_end], b' ' | b'-');
        if !linked {
            chain.close(out);
        }
        if len == 16 {
            out.push(Token { start: a, end: b, kind: classify(line, a) });
        } else if len < 16 {
            chain.push(line, a, b, out);
        }
        i = b;
    }
    chain.close(out);
}

/// The chain of short digit groups being read. Its complete 16-digit pieces are pushed to the
/// output as they fill up and taken back if the chain does not end cleanly.
#[derive(Debug, Default)]
struct Chain {
    active: bool,
    /// A cut fell inside a group: the chain gives no token.
    broken: bool,
    piece_start: usize,
    piece_digits: usize,
    /// Output length when the chain began.
    mark: usize,
    last_end: usize,
}

impl Chain {
    fn push(&mut self, line: &[u8], a: usize, b: usize, out: &mut Vec<Token>) {
        if !self.active {
            *self = Chain { active: true, mark: out.len(), ..Chain::default() };
        }
        self.last_end = b;
        if self.broken {
            return;
        }
        if self.piece_digits == 0 {
            self.piece_start = a;
        }
        self.piece_digits += b - a;
        if self.piece_digits == 16 {
            out.push(Token { start: self.piece_start, end: b, kind: classify(line, self.piece_start) });
            self.piece_digits = 0;
        } else if self.piece_digits > 16 {
            self.broken = true;
        }
    }

    fn close(&mut self, out: &mut Vec<Token>) {
        if self.active && (self.broken || self.piece_digits != 0) {
            out.truncate(self.mark);
        }
        self.active = false;
    }
}

/// A token's kind from the word before it (see the module documentation).
fn classify(line: &[u8], start: usize) -> Kind {
    let gap_end = start;
    let mut i = start;
    while i > 0 && gap_end - i < MAX_GAP && !line[i - 1].is_ascii_alphanumeric() {
        i -= 1;
    }
    // Every KK label ends in `kk`, `ga` (keluarga) or `rd` (card): most words are out here.
    let tail = |k: usize| line.get(i.wrapping_sub(k)).map_or(0, |c| c | 0x20);
    if !matches!((tail(2), tail(1)), (b'k', b'k') | (b'g', b'a') | (b'r', b'd')) {
        return Kind::Nik;
    }
    let Some((word, before)) = word_before(line, i) else { return Kind::Nik };
    let mut buf = [0u8; 24];
    let Some(w) = lower(word, &mut buf) else { return Kind::Nik };
    let kk = match w {
        b"kk" | b"nkk" | b"nokk" | b"nomorkk" | b"nonkk" | b"nomornkk" | b"nikk" | b"kartukeluarga" | b"nokartukeluarga"
        | b"nomorkartukeluarga" | b"familycard" => true,
        b"keluarga" | b"card" => {
            // Two-word labels: `Kartu Keluarga`, `Family Card`, with one short separator.
            let mut j = before;
            while j > 0 && before - j < 3 && !line[j - 1].is_ascii_alphanumeric() {
                j -= 1;
            }
            let mut buf2 = [0u8; 24];
            let prev = if j < before { word_before(line, j).and_then(|(p, _)| lower(p, &mut buf2)) } else { None };
            matches!((w, prev), (b"keluarga", Some(b"kartu")) | (b"card", Some(b"family")))
        }
        _ => false,
    };
    if kk {
        Kind::Kk
    } else {
        Kind::Nik
    }
}

/// The ASCII-letter word ending at `end` (exclusive), and where it starts.
fn word_before(line: &[u8], end: usize) -> Option<(&[u8], usize)> {
    let mut s = end;
    while s > 0 && line[s - 1].is_ascii_alphabetic() {
        s -= 1;
    }
    (s < end).then(|| (&line[s..end], s))
}

/// Lower-cases a short word into `buf`; `None` when it is too long to be a label.
fn lower<'b>(word: &[u8], buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (o, c) in out.iter_mut().zip(word) {
        *o = c.to_ascii_lowercase();
    }
    Some(out)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `0x80` in every byte of `x` that is not an ASCII digit, `0` in every digit byte. Exact
/// per byte: no carry crosses a byte boundary.
#[inline(always)]
fn non_digits(x: u64) -> u64 {
    // High nibble 3, and low nibble below 10 (adding 6 keeps bit 4 clear).
    let high = (x & (0xF0 * ONES)) ^ (0x30 * ONES);
    let low = ((x & (0x0F * ONES)) + (0x06 * ONES)) & (0x10 * ONES);
    let v = high | low;
    (((v & (0x7F * ONES)) + (0x7F * ONES)) | v) & HIGH
}

#[inline(always)]
fn load(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"))
}

/// The first digit at or after `i`.
#[inline]
fn next_digit(line: &[u8], mut i: usize) -> Option<usize> {
    while i + 8 <= line.len() {
        let m = !non_digits(load(line, i)) & HIGH;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    line[i..].iter().position(u8::is_ascii_digit).map(|p| i + p)
}

/// The first non-digit at or after `i` (or the line's end).
#[inline]
fn digits_end(line: &[u8], mut i: usize) -> usize {
    while i + 8 <= line.len() {
        let m = non_digits(load(line, i));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + line[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_digit_mask_is_exact_for_every_byte() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut w = [b'x'; 8];
                w[pos] = b;
                let m = non_digits(u64::from_le_bytes(w));
                for (k, &c) in w.iter().enumerate() {
                    assert_eq!(m >> (8 * k + 7) & 1 == 0, c.is_ascii_digit(), "byte {c:#x} at {k}");
                }
            }
        }
    }
}
