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

use super::counter::{Context, Counter};
use super::harvest::Harvest;

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
    /// Buffers a worker keeps across spans (a record's field spans and unescaped bytes, for
    /// CSV); never part of what a step decides.
    type Scratch: Default + Send;
    /// Guess of the first record boundary at or after `cut` (0 < cut < data.len()).
    fn resync(&self, data: &[u8], cut: usize) -> usize;
    /// Handles what starts at `pos`: one record (fed to `counter`) or bytes between records.
    /// `base` is the offset of `data` in its input, for warnings. The hot loop's arguments
    /// stay flat (no bundling struct to build per record).
    #[allow(clippy::too_many_arguments)]
    fn step(&self, data: &[u8], pos: usize, eof: bool, base: u64, state: &mut Self::State, scratch: &mut Self::Scratch, counter: &mut Counter<'_>) -> Step;
}

/// A worker's reusable buffers.
pub struct Scratch<S> {
    format: S,
    nik_keys: Vec<u64>,
    kk_keys: Vec<u64>,
}

impl<S: Default> Default for Scratch<S> {
    fn default() -> Self {
        Scratch { format: S::default(), nik_keys: Vec::new(), kk_keys: Vec::new() }
    }
}

/// One chunk's outcome.
struct Part {
    harvest: Harvest,
    start: usize,
    end: usize,
}

/// Handles the records of `data` that start in `[start, stop)`. With `eof` false, a record
/// that reaches the end of `data` is incomplete: it is left uncounted and `end` is its start.
#[allow(clippy::too_many_arguments)]
fn parse_span<F: Splittable>(f: &F, ctx: &Context<'_>, data: &[u8], start: usize, stop: usize, eof: bool, base: u64, s: &mut Scratch<F::Scratch>) -> Part {
    let mut counter = Counter::new(ctx, &mut s.nik_keys, &mut s.kk_keys);
    let mut state = F::State::default();
    let mut pos = start;
    while pos < stop && pos < data.len() {
        match f.step(data, pos, eof, base, &mut state, &mut s.format, &mut counter) {
            Step::Next(next) => pos = next,
            Step::Incomplete => break,
        }
    }
    Part { harvest: counter.finish(), start, end: pos }
}

/// Chunks parsed at once, per worker thread. Parts are merged wave by wave, so the per-chunk
/// tallies held at any moment (each has a dense per-district array) stay bounded however big
/// the input or small the chunk size; 8 per thread keeps the idle tail of a wave short.
const CHUNKS_PER_THREAD_IN_WAVE: usize = 8;

/// Handles every complete record of `data` (offset `base` in its input) in parallel chunks.
/// Returns the merged harvest and how many bytes were consumed (all of them when `eof`).
pub fn scan_slice<F: Splittable>(f: &F, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk_size: usize) -> (Harvest, usize) {
    let chunk_size = chunk_size.max(1);
    let n = data.len().div_ceil(chunk_size).max(1);
    let stop = |i: usize| ((i + 1).saturating_mul(chunk_size)).min(data.len());
    let wave = rayon::current_num_threads() * CHUNKS_PER_THREAD_IN_WAVE;
    let mut total = Harvest::default();
    let mut expected = 0;
    let mut fix = Scratch::<F::Scratch>::default();
    for first in (0..n).step_by(wave) {
        let parts: Vec<Part> = (first..n.min(first + wave))
            .into_par_iter()
            .map_init(Scratch::<F::Scratch>::default, |s, i| {
                let start = if i == 0 { 0 } else { f.resync(data, i * chunk_size) };
                let part = parse_span(f, ctx, data, start.min(stop(i)), stop(i), eof, base, s);
                // Each chunk's nominal share, so that the bar ends exactly at the slice's
                // length even when a chunk is parsed again in the fix-up.
                if let Some(p) = ctx.progress {
                    p((stop(i) - (i * chunk_size).min(data.len())) as u64);
                }
                part
            })
            .collect();
        for (i, mut part) in (first..).zip(parts) {
            if part.start != expected {
                part = parse_span(f, ctx, data, expected, stop(i).max(expected), eof, base, &mut fix);
            }
            expected = part.end;
            total.merge(part.harvest);
        }
    }
    (total, expected)
}
