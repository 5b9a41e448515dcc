//! Parallel parsing of one byte slice of records, exact for any chunk size, for every format
//! whose records can be found from a guessed starting point ([`Splittable`]).
//!
//! The slice is cut every `chunk_size` bytes. Each chunk guesses where its first record starts
//! ([`Splittable::resync`], e.g. right after the first line end past its cut) and handles the
//! records that start before the next cut (the last one may run past it). A quoted field with a
//! newline across a cut makes that guess wrong; the guess is checked afterwards: chunk `i` is
//! right exactly when it started where chunk `i-1`'s records ended. A wrong chunk is parsed
//! again from the right place, in order, so the result always equals one sequential parse; in
//! ordinary dumps no chunk is parsed twice. This is the speculative form of polars' two-state
//! chunk scan, with the format's own semantics kept intact.

use rayon::prelude::*;

use crate::dedup::ShardedKeys;
use crate::nik::{Check, Validator};
use crate::scan::csv::{Record, RecordEnd, RecordParser, BIRTH_DATE, GENDER, KK, NIK};
use crate::scan::fields::{birth_date_matches, parse_date, parse_gender};
use crate::tally::{Tally, Warning, MAX_WARNINGS};

/// Everything a worker needs, shared by reference.
pub struct Context<'a> {
    pub validator: &'a Validator<'a>,
    pub input: u32,
    pub districts: usize,
    /// Advanced once per chunk (never in the record loop).
    pub progress: Option<&'a indicatif::ProgressBar>,
}

/// The four values a record offers (any may be absent).
#[derive(Debug, Default, Clone, Copy)]
pub struct Fields<'a> {
    pub nik: Option<&'a [u8]>,
    pub kk: Option<&'a [u8]>,
    pub birth_date: Option<&'a [u8]>,
    pub gender: Option<&'a [u8]>,
}

/// Counts records into a chunk's tally: validation, region counts, consistency, dedup keys.
/// Every format parser feeds its records through [`Counter::record`], so every format is
/// counted by the same rules.
pub struct Counter<'c> {
    ctx: &'c Context<'c>,
    tally: Tally,
    nik_keys: &'c mut Vec<u64>,
    kk_keys: &'c mut Vec<u64>,
}

impl<'c> Counter<'c> {
    pub fn new(ctx: &'c Context<'c>, nik_keys: &'c mut Vec<u64>, kk_keys: &'c mut Vec<u64>) -> Self {
        nik_keys.clear();
        kk_keys.clear();
        Counter { ctx, tally: Tally { district_records: vec![0; ctx.districts], ..Tally::default() }, nik_keys, kk_keys }
    }

    #[inline]
    pub fn record(&mut self, f: Fields<'_>) {
        let v = self.ctx.validator;
        let t = &mut self.tally;
        t.records += 1;
        let nik = f.nik.map_or(Check::Missing, |x| v.nik(x));
        t.nik.count(&nik);
        if let Check::Valid(n) = nik {
            t.district_records[n.district().0 as usize] += 1;
            self.nik_keys.push(n.key());
            if let Some(d) = f.birth_date.and_then(parse_date) {
                t.consistency.birth_date_checked += 1;
                t.consistency.birth_date_mismatch += u64::from(!birth_date_matches(n, d, v.dates()));
            }
            if let Some(female) = f.gender.and_then(parse_gender) {
                t.consistency.gender_checked += 1;
                t.consistency.gender_mismatch += u64::from(female != n.is_female());
            }
        }
        let kk = f.kk.map_or(Check::Missing, |x| v.kk(x));
        t.kk.count(&kk);
        if let Check::Valid(k) = kk {
            self.kk_keys.push(k.key());
        }
    }

    /// A problem at this input offset (the record it concerns is still counted).
    #[cold]
    pub fn warn(&mut self, offset: u64, what: Warning) {
        let t = &mut self.tally;
        t.warning_count += 1;
        if t.warnings.len() < MAX_WARNINGS {
            t.warnings.push((offset, what));
        }
    }

    pub fn finish(mut self) -> Tally {
        self.tally.nik_keys = ShardedKeys::from_keys(self.ctx.input, self.nik_keys);
        self.tally.kk_keys = ShardedKeys::from_keys(self.ctx.input, self.kk_keys);
        self.tally
    }
}

/// What one step of a format parser did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Consumed bytes (a record, or bytes between records); go on at this position.
    Next(usize),
    /// The record at this position reaches the end of the data and more data may follow.
    Incomplete,
}

/// A record format the parallel chunker can drive.
pub trait Splittable: Sync {
    /// Caches and buffers a parser keeps from step to step inside one span. Every span starts
    /// with `State::default()`: a chunk, the fix-up re-parse of a chunk, and each block of a
    /// stream. So what a step does must depend only on where it starts, never on the state
    /// (SQL, for example, carries a whole statement per step).
    type State: Default;
    /// Guess of the first record boundary at or after `cut` (0 < cut < data.len()).
    fn resync(&self, data: &[u8], cut: usize) -> usize;
    /// Handles what starts at `pos`: one record (fed to `counter`) or bytes between records.
    /// `base` is the offset of `data` in its input, for warnings.
    fn step(&self, data: &[u8], pos: usize, eof: bool, base: u64, state: &mut Self::State, rec: &mut Record, counter: &mut Counter<'_>) -> Step;
}

impl Splittable for RecordParser {
    type State = ();

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
        counter.record(Fields { nik: rec.get(data, NIK), kk: rec.get(data, KK), birth_date: rec.get(data, BIRTH_DATE), gender: rec.get(data, GENDER) });
        Step::Next(next)
    }
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

/// Handles the records of `data` that start in `[start, stop)`. With `eof` false, a record
/// that reaches the end of `data` is incomplete: it is left uncounted and `end` is its start.
fn parse_span<F: Splittable>(f: &F, ctx: &Context<'_>, data: &[u8], start: usize, stop: usize, eof: bool, base: u64, s: &mut Scratch) -> Part {
    let mut counter = Counter::new(ctx, &mut s.nik_keys, &mut s.kk_keys);
    let mut state = F::State::default();
    let mut pos = start;
    while pos < stop && pos < data.len() {
        match f.step(data, pos, eof, base, &mut state, &mut s.record, &mut counter) {
            Step::Next(next) => pos = next,
            Step::Incomplete => break,
        }
    }
    Part { tally: counter.finish(), start, end: pos }
}

/// Chunks parsed at once, per worker thread. Parts are merged wave by wave, so the per-chunk
/// tallies held at any moment (each has a dense per-district array) stay bounded however big
/// the input or small the chunk size; 8 per thread keeps the idle tail of a wave short.
const CHUNKS_PER_THREAD_IN_WAVE: usize = 8;

/// Handles every complete record of `data` (offset `base` in its input) in parallel chunks.
/// Returns the merged tally and how many bytes were consumed (all of them when `eof`).
pub fn scan_slice<F: Splittable>(f: &F, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk_size: usize) -> (Tally, usize) {
    let chunk_size = chunk_size.max(1);
    let n = data.len().div_ceil(chunk_size).max(1);
    let stop = |i: usize| ((i + 1).saturating_mul(chunk_size)).min(data.len());
    let wave = rayon::current_num_threads() * CHUNKS_PER_THREAD_IN_WAVE;
    let mut total = Tally::default();
    let mut expected = 0;
    let mut fix = Scratch::default();
    for first in (0..n).step_by(wave) {
        let parts: Vec<Part> = (first..n.min(first + wave))
            .into_par_iter()
            .map_init(Scratch::default, |s, i| {
                let start = if i == 0 { 0 } else { f.resync(data, i * chunk_size) };
                let part = parse_span(f, ctx, data, start.min(stop(i)), stop(i), eof, base, s);
                // Each chunk's nominal share, so that the bar ends exactly at the slice's
                // length even when a chunk is parsed again in the fix-up.
                if let Some(p) = ctx.progress {
                    p.inc((stop(i) - (i * chunk_size).min(data.len())) as u64);
                }
                part
            })
            .collect();
        for (i, mut part) in (first..).zip(parts) {
            if part.start != expected {
                part = parse_span(f, ctx, data, expected, stop(i).max(expected), eof, base, &mut fix);
            }
            expected = part.end;
            total.merge(part.tally);
        }
    }
    (total, expected)
}
