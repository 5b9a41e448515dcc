//! Parallel parsing of one byte slice of delimited records, exact for any chunk size.
//!
//! The slice is cut every `chunk_size` bytes. Each chunk guesses that its first record starts
//! right after the first line end at or past its cut, and parses records starting before the
//! next cut (the last record may run past it). A quoted field with a newline across a cut makes
//! that guess wrong; the guess is checked afterwards: chunk `i` is right exactly when it started
//! where chunk `i-1`'s records ended. A wrong chunk is parsed again from the right place, in
//! order, so the result always equals one sequential parse; in ordinary dumps no chunk is
//! re-parsed. This is the speculative form of polars' two-state chunk scan, with the csv-core
//! semantics of [`RecordParser`] kept intact.

use rayon::prelude::*;

use crate::dedup::ShardedKeys;
use crate::nik::{Check, Validator};
use crate::scan::csv::{Record, RecordEnd, RecordParser, BIRTH_DATE, GENDER, KK, NIK};
use crate::scan::fields::{birth_date_matches, parse_date, parse_gender};
use crate::tally::Tally;

/// Everything a worker needs, shared by reference.
pub struct Context<'a> {
    pub validator: &'a Validator<'a>,
    pub parser: RecordParser,
    pub input: u32,
    pub districts: usize,
    /// Advanced once per chunk (never in the record loop).
    pub progress: Option<&'a indicatif::ProgressBar>,
}

/// A worker's reusable buffers.
#[derive(Default)]
pub struct Scratch {
    record: Record,
    nik_keys: Vec<u64>,
    kk_keys: Vec<u64>,
}

/// One chunk's outcome.
struct Part {
    tally: Tally,
    start: usize,
    end: usize,
}

/// The first position at or after `cut` that follows a line end (or 0).
fn next_record_start(data: &[u8], cut: usize) -> usize {
    if cut == 0 || cut >= data.len() {
        return cut.min(data.len());
    }
    if matches!(data[cut - 1], b'\n' | b'\r') {
        return cut;
    }
    memchr::memchr2(b'\n', b'\r', &data[cut..]).map_or(data.len(), |i| cut + i + 1)
}

/// Parses the records of `data` that start in `[start, stop)`. With `eof` false, a record
/// that reaches the end of `data` is incomplete: it is left uncounted and `end` is its start.
fn parse_span(ctx: &Context<'_>, data: &[u8], start: usize, stop: usize, eof: bool, base: u64, s: &mut Scratch) -> Part {
    let mut t = Tally { district_records: vec![0; ctx.districts], ..Tally::default() };
    s.nik_keys.clear();
    s.kk_keys.clear();
    let v = ctx.validator;
    let rule = v.dates();
    let mut pos = start;
    while pos < stop && pos < data.len() {
        let b = data[pos];
        if b == b'\n' || b == b'\r' {
            pos += 1;
            continue;
        }
        let (next, how) = ctx.parser.parse(data, pos, &mut s.record);
        match how {
            RecordEnd::Terminated => {}
            _ if !eof => break,
            RecordEnd::EndOfData => {}
            RecordEnd::UnterminatedQuote { quote_at } => t.unterminated_quotes.push(base + quote_at as u64),
        }
        t.records += 1;
        let rec = &s.record;
        let nik = rec.get(data, NIK).map_or(Check::Missing, |f| v.nik(f));
        t.nik.count(&nik);
        if let Check::Valid(n) = nik {
            t.district_records[n.district().0 as usize] += 1;
            s.nik_keys.push(n.key());
            if let Some(d) = rec.get(data, BIRTH_DATE).and_then(parse_date) {
                t.consistency.birth_date_checked += 1;
                t.consistency.birth_date_mismatch += u64::from(!birth_date_matches(n, d, rule));
            }
            if let Some(female) = rec.get(data, GENDER).and_then(parse_gender) {
                t.consistency.gender_checked += 1;
                t.consistency.gender_mismatch += u64::from(female != n.is_female());
            }
        }
        if let Some(f) = rec.get(data, KK) {
            let kk = v.kk(f);
            t.kk.count(&kk);
            if let Check::Valid(k) = kk {
                s.kk_keys.push(k.key());
            }
        } else {
            t.kk.missing += 1;
        }
        pos = next;
    }
    t.nik_keys = ShardedKeys::from_keys(ctx.input, &s.nik_keys);
    t.kk_keys = ShardedKeys::from_keys(ctx.input, &s.kk_keys);
    Part { tally: t, start, end: pos }
}

/// Parses every complete record of `data` (offset `base` in its input) in parallel chunks.
/// Returns the merged tally and how many bytes were consumed (all of them when `eof`).
pub fn scan_slice(ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk_size: usize) -> (Tally, usize) {
    let chunk_size = chunk_size.max(1);
    let n = data.len().div_ceil(chunk_size).max(1);
    let stop = |i: usize| ((i + 1) * chunk_size).min(data.len());
    let mut parts: Vec<Part> = (0..n)
        .into_par_iter()
        .map_init(Scratch::default, |s, i| {
            let start = if i == 0 { 0 } else { next_record_start(data, i * chunk_size) };
            let part = parse_span(ctx, data, start.min(stop(i)), stop(i), eof, base, s);
            if let Some(p) = ctx.progress {
                p.inc((part.end - part.start) as u64);
            }
            part
        })
        .collect();
    let mut expected = parts[0].end;
    let mut fix = Scratch::default();
    for (i, part) in parts.iter_mut().enumerate().skip(1) {
        if part.start != expected {
            *part = parse_span(ctx, data, expected, stop(i).max(expected), eof, base, &mut fix);
        }
        expected = part.end;
    }
    let mut total = Tally::default();
    for p in parts {
        total.merge(p.tally);
    }
    (total, expected)
}
