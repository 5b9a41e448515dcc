//! The record parser for delimited text (CSV, TSV, PSV, semicolon): RFC 4180 quoting with
//! doubled quotes and newlines inside quoted fields, `\r`, `\n` or `\r\n` line ends, empty
//! lines skipped, ragged rows allowed.
//!
//! It follows csv-core's reader exactly (a quote opens a quoted field only as the field's first
//! byte; after the closing quote, bytes up to the next delimiter are appended; a quote inside an
//! unquoted field is literal), because the parallel chunker and the tests compare it with the
//! `csv` crate. Speed comes from only materialising the few columns takar reads (NIK, KK, birth
//! date, gender) and skipping the rest of each row by searching only for quotes and line ends
//! ([`find3`]).
//!
//! [`detect`] turns the sniffer's guess ([`sniff`]) into a parser and the report's details.

pub mod sniff;

use crate::format::layout::{Details, Found};
use crate::format::simd::{self as find, find3};
use crate::engine::{Counter, Fields, Role, RoleMap, Splittable, Step, Warning};
use crate::input::text::strip_bom;
use crate::nik::Validator;
use sniff::SniffOptions;

/// The column each role is read from, by 0-based index.
pub type Columns = RoleMap<Option<usize>>;

/// A record's slots are its roles' indices, and a column's roles are a `u8` bit set whose
/// spare value [`NO_SLOT`] marks a column no role reads.
const _: () = assert!(Role::COUNT < 8);
/// The slot of a column no role reads.
const NO_SLOT: u8 = Role::COUNT as u8;

/// Detects a delimited input's dialect and columns (see [`sniff`]). `Ok(None)`: a header and
/// no records.
pub fn detect(sample: &[u8], whole: bool, opts: &SniffOptions, v: &Validator<'_>) -> Result<Option<Found<RecordParser>>, String> {
    let body = strip_bom(sample);
    let l = match sniff::sniff(sample, opts, v) {
        Ok(l) => l,
        Err(message) => {
            // A header-only file has no records to size; anything else needs its column.
            let only_header =
                whole && sniff::split_record(body, 0, b',').is_some_and(|(_, n)| sniff::split_record(body, n, b',').is_none());
            return if only_header { Ok(None) } else { Err(message) };
        }
    };
    let details = Details {
        format: match l.delimiter {
            b'\t' => "tsv",
            b'|' => "psv",
            _ => "csv",
        },
        delimiter: Some(if l.delimiter == b'\t' { "\\t".into() } else { (l.delimiter as char).to_string() }),
        header: l.header,
        columns: l.columns.map(|col| l.column_name(col)),
        headers: l.names.clone(),
    };
    Ok(Some(Found { parser: RecordParser::new(l.delimiter, l.columns), data_start: l.data_start, details }))
}

/// A parser for one dialect and column selection; cheap to copy into each worker.
#[derive(Debug, Clone, Copy)]
pub struct RecordParser {
    delimiter: u8,
    /// `slots_of[col]`: bit `s` set when column `col` fills slot `s` (a column may fill two,
    /// e.g. when the same column is named for two roles).
    slots_of: [u8; 256],
    /// `slot_of[col]`: the one slot column `col` fills, or [`NO_SLOT`]; used by the prefix fast
    /// path when no column fills two slots (`one_slot_each`).
    slot_of: [u8; 256],
    one_slot_each: bool,
    /// Columns past this one are skipped without splitting fields.
    last_wanted: usize,
    any_wanted: bool,
}


/// How a record ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEnd {
    /// At a line end; the next record starts at `next`.
    Terminated,
    /// At the end of the data without a line end.
    EndOfData,
    /// At the end of the data inside a quoted field opened at byte `quote_at`.
    UnterminatedQuote { quote_at: usize },
}

/// One parsed record: the wanted fields as byte ranges, plus an unescape buffer for the rare
/// quoted field that holds `""` or text after its closing quote.
#[derive(Debug, Default)]
pub struct Record {
    /// Indexed by role; the extra last entry takes the spans of unwanted columns, so that the
    /// prefix fast path stores every field without a branch.
    spans: [Option<(usize, usize)>; Role::COUNT + 1],
    /// For fields that needed unescaping: role -> range in `scratch`.
    owned: [Option<(usize, usize)>; Role::COUNT],
    scratch: Vec<u8>,
}

impl Record {
    /// The value of `role`'s column in `data`, without its quotes.
    #[inline]
    pub fn get<'a>(&'a self, data: &'a [u8], role: Role) -> Option<&'a [u8]> {
        if let Some((a, b)) = self.owned[role.index()] {
            return Some(&self.scratch[a..b]);
        }
        self.spans[role.index()].map(|(a, b)| &data[a..b])
    }

    #[inline(always)]
    fn set_span(&mut self, slots: u8, span: (usize, usize)) {
        if slots != 0 {
            for s in 0..Role::COUNT {
                if slots & (1 << s) != 0 {
                    self.spans[s] = Some(span);
                }
            }
        }
    }

    /// Stores the unescaped content of a quoted field for `slots`.
    #[cold]
    fn set_owned(&mut self, slots: u8, quoted_content: &[u8]) {
        if slots == 0 {
            return;
        }
        let a = self.scratch.len();
        unescape_into(quoted_content, &mut self.scratch);
        for s in 0..Role::COUNT {
            if slots & (1 << s) != 0 {
                self.owned[s] = Some((a, self.scratch.len()));
            }
        }
    }

    /// Appends the bytes that followed a closing quote to the field just stored.
    #[cold]
    fn extend_owned(&mut self, slots: u8, tail: &[u8]) {
        if slots == 0 {
            return;
        }
        self.scratch.extend_from_slice(tail);
        for s in 0..Role::COUNT {
            if let (true, Some((_, b))) = (slots & (1 << s) != 0, self.owned[s].as_mut()) {
                *b = self.scratch.len();
            }
        }
    }

    #[inline]
    fn clear(&mut self) {
        self.spans = [None; Role::COUNT + 1];
        self.owned = [None; Role::COUNT];
        self.scratch.clear();
    }
}

impl RecordParser {
    pub fn new(delimiter: u8, columns: Columns) -> RecordParser {
        let mut slots_of = [0u8; 256];
        for (role, col) in columns.iter() {
            if let Some(c) = col {
                if *c < 256 {
                    slots_of[*c] |= 1 << role.index();
                }
            }
        }
        let last = columns.values().iter().flatten().max().copied().filter(|c| *c < 256);
        let slot_of = slots_of.map(|bits| if bits.count_ones() == 1 { bits.trailing_zeros() as u8 } else { NO_SLOT });
        let one_slot_each = slots_of.iter().all(|bits| bits.count_ones() <= 1);
        RecordParser { delimiter, slots_of, slot_of, one_slot_each, last_wanted: last.unwrap_or(0), any_wanted: last.is_some() }
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Parses the record starting at `pos` (which is not a line-end byte). Returns where the
    /// next record may start and how this one ended.
    #[inline]
    pub fn parse(&self, data: &[u8], pos: usize, rec: &mut Record) -> (usize, RecordEnd) {
        rec.clear();
        if let Some(done) = self.parse_prefix(data, pos, rec) {
            return done;
        }
        rec.clear();
        self.parse_fields(data, pos, rec)
    }

    /// The common row: 64 bytes can be read past each field end, and no wanted field holds a
    /// doubled quote or text after its closing quote. The field ends come from bitmaps of
    /// delimiters and line ends, 64 bytes at a time, instead of a search per field; a quoted
    /// field (an address with commas, before the place-name columns) is jumped over to its
    /// closing quote and the bitmaps are read again from there. `None` (any other row) sends
    /// the caller to [`Self::parse_fields`].
    #[inline(always)]
    fn parse_prefix(&self, data: &[u8], pos: usize, rec: &mut Record) -> Option<(usize, RecordEnd)> {
        let d = self.delimiter;
        if !self.any_wanted || !self.one_slot_each {
            return None;
        }
        let mut block = pos;
        let mut ends = find::mask64(data, block, d, b'\n', b'\r')?;
        let mut start = pos;
        for col in 0..=self.last_wanted {
            let slot = usize::from(self.slot_of[col]);
            // `start` is the data's length after a delimiter in its last byte.
            let end = if data.get(start) == Some(&b'"') {
                let (close, escaped) = closing_quote(data, start + 1, |p| find3(data, p, b'"', b'"', b'"'))?;
                let end = close + 1;
                if (escaped && slot != usize::from(NO_SLOT)) || !is_end(*data.get(end)?, d) {
                    return None;
                }
                rec.spans[slot] = Some((start + 1, close));
                block = end + 1;
                ends = find::mask64(data, block, d, b'\n', b'\r')?;
                end
            } else {
                while ends == 0 {
                    block += 64;
                    ends = find::mask64(data, block, d, b'\n', b'\r')?;
                }
                let end = block + ends.trailing_zeros() as usize;
                ends &= ends - 1;
                rec.spans[slot] = Some((start, end));
                end
            };
            if data[end] != d {
                return Some((end + 1, RecordEnd::Terminated));
            }
            start = end + 1;
        }
        Some(skip_rest(data, start, d, true))
    }

    /// Any record, field by field (see the module head for the rules).
    #[inline]
    fn parse_fields(&self, data: &[u8], mut pos: usize, rec: &mut Record) -> (usize, RecordEnd) {
        let d = self.delimiter;
        let len = data.len();
        let mut col = 0usize;
        loop {
            if !self.any_wanted || col > self.last_wanted {
                return skip_rest(data, pos, d, true);
            }
            // A field starts at `pos`.
            let slots = self.slots_of[col];
            if pos < len && data[pos] == b'"' {
                let open = pos;
                let (close, escaped) = match closing_quote(data, pos + 1, |p| find3(data, p, b'"', b'"', b'"')) {
                    Some(x) => x,
                    None => {
                        rec.set_owned(slots, &data[open + 1..]);
                        return (len, RecordEnd::UnterminatedQuote { quote_at: open });
                    }
                };
                pos = close + 1;
                let tail_end = if pos < len && !is_end(data[pos], d) {
                    find_field_end(data, pos, d)
                } else {
                    pos
                };
                if slots != 0 {
                    if escaped || tail_end > pos {
                        rec.set_owned(slots, &data[open + 1..close]);
                        rec.extend_owned(slots, &data[pos..tail_end]);
                    } else {
                        rec.set_span(slots, (open + 1, close));
                    }
                }
                pos = tail_end;
            } else {
                let end = if slots != 0 && is_digits16_then_end(data, pos, d) {
                    // The usual NIK/KK field: 16 digits and a delimiter, found without a search.
                    pos + 16
                } else {
                    find_field_end(data, pos, d)
                };
                rec.set_span(slots, (pos, end));
                pos = end;
            }
            col += 1;
            if pos >= len {
                return (len, RecordEnd::EndOfData);
            }
            if data[pos] == d {
                pos += 1;
            } else {
                return (pos + 1, RecordEnd::Terminated);
            }
        }
    }
}

/// The first delimiter or line end at or after `pos` (or `data.len()`).
#[inline(always)]
fn find_field_end(data: &[u8], pos: usize, d: u8) -> usize {
    find3(data, pos, d, b'\n', b'\r')
}

/// Whether `data[pos..pos + 16]` are ASCII digits followed by a delimiter or line end.
#[inline(always)]
fn is_digits16_then_end(data: &[u8], pos: usize, d: u8) -> bool {
    match data.get(pos..pos + 17) {
        Some(w) => {
            let a = u64::from_le_bytes(w[..8].try_into().unwrap());
            let b = u64::from_le_bytes(w[8..16].try_into().unwrap());
            is_end(w[16], d) && crate::nik::normalize::all_digits8(a) && crate::nik::normalize::all_digits8(b)
        }
        None => false,
    }
}

#[inline(always)]
fn is_end(b: u8, d: u8) -> bool {
    b == d || b == b'\n' || b == b'\r'
}

/// From just after an opening quote: the closing quote's position and whether a doubled
/// quote was seen on the way. `next_quote(p)` is the first quote at or after `p` (or the
/// data's length): a plain search, or the bitmaps [`skip_rest`] already holds.
#[inline(always)]
fn closing_quote(data: &[u8], mut p: usize, mut next_quote: impl FnMut(usize) -> usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        let q = next_quote(p);
        if q == data.len() {
            return None;
        }
        if data.get(q + 1) == Some(&b'"') {
            escaped = true;
            p = q + 2;
        } else {
            return Some((q, escaped));
        }
    }
}

fn unescape_into(content: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < content.len() {
        out.push(content[i]);
        i += if content[i] == b'"' { 2 } else { 1 };
    }
}

/// Skips the rest of a record from `pos`, which is a field start when `at_field_start`.
/// Only quotes and line ends are looked at: a quote opens a quoted field only at a field start
/// (right after a delimiter), otherwise it is literal.
#[inline]
fn skip_rest(data: &[u8], mut pos: usize, d: u8, mut at_field_start: bool) -> (usize, RecordEnd) {
    let len = data.len();
    let mut bits = find::QuotesAndLineEnds::new(data);
    loop {
        if at_field_start && pos < len && data[pos] == b'"' {
            match closing_quote(data, pos + 1, |p| bits.next(p, true)) {
                Some((close, _)) => pos = close + 1,
                None => return (len, RecordEnd::UnterminatedQuote { quote_at: pos }),
            }
        }
        let p = bits.next(pos, false);
        if p == len {
            return (len, RecordEnd::EndOfData);
        }
        if data[p] != b'"' {
            return (p + 1, RecordEnd::Terminated);
        }
        at_field_start = p > 0 && data[p - 1] == d;
        pos = if at_field_start { p } else { p + 1 };
    }
}

impl Splittable for RecordParser {
    type State = ();
    type Scratch = Record;

    fn resync(&self, data: &[u8], cut: usize) -> usize {
        if matches!(data[cut - 1], b'\n' | b'\r') {
            return cut;
        }
        memchr::memchr2(b'\n', b'\r', &data[cut..]).map_or(data.len(), |i| cut + i + 1)
    }

    #[inline]
    fn step(&self, data: &[u8], pos: usize, eof: bool, base: u64, _: &mut (), rec: &mut Record, counter: &mut Counter<'_>) -> Step {
        if matches!(data[pos], b'\n' | b'\r') {
            return Step::Next(pos + 1);
        }
        let (next, how) = self.parse(data, pos, rec);
        match how {
            RecordEnd::Terminated => {}
            _ if !eof => return Step::Incomplete,
            RecordEnd::EndOfData => {}
            RecordEnd::UnterminatedQuote { quote_at } => counter.warn(base + quote_at as u64, Warning::UnterminatedQuote),
        }
        counter.record(Fields::from_fn(|role| rec.get(data, role)));
        Step::Next(next)
    }
}
