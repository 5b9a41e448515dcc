//! JSON dumps, streamed: JSON lines, JSON arrays of records (also inside one wrapper object,
//! `{"data": [ {...}, ... ]}`), and concatenated pretty-printed objects (what `jq` prints).
//! Records are parsed by a small tokenizer over bytes ([`walk`]) that keeps only the values of
//! the keys takar reads ([`keys`]), found by name at any depth like CSV headers, or by a dotted
//! path (`--nik-column data.nik`). Numbers are kept as their text, so a 16-digit NIK written as
//! a number never passes through a float; `null` and an absent key both mean missing.
//!
//! Parallel cuts ([`Splittable::resync`]):
//! - JSON lines: JSON escapes line breaks inside strings, so every line start is a record
//!   start; resync is the next line start and is always right.
//! - Arrays and concatenated objects: resync guesses the next `{` that follows `}` and a comma
//!   (arrays) or only whitespace (concatenated objects). The guess can be wrong (the pattern
//!   inside a string, or an array of objects nested in a record); the chunker checks every
//!   guess against where the previous chunk's records really ended and parses a wrong chunk
//!   again, so the result is always the sequential one. A record step consumes the record and
//!   the separator after it, so the positions the chunker compares are exactly record starts.
//!   A step reads only bytes from its own start on, and says `Incomplete` whenever more data
//!   could change its outcome, so streamed blocks give the same answer as one mapped pass.
//!
//! Malformed input is reported, never silent, never a panic. A record whose JSON breaks is
//! counted as one record holding the values read before the break, with a warning at the
//! offending byte. The parser goes on at the next line (JSON lines); in arrays and
//! concatenated objects, after the broken record's closing bracket when bracket balance finds
//! one followed by a separator (a missing colon or comma leaves the brackets intact), else at
//! the next record start the resync pattern finds within 1 MiB. That last resort is a guess:
//! it can land inside the broken record and count parts of it as records; the warning says
//! where. Input that ends inside a record, a string or the array is counted the same way,
//! with a warning at the offset where the unclosed part opened. Data after the end of a JSON
//! document is reported and not counted. A line that holds valid JSON other than an object
//! (`42`, `"x"`) is a record whose values are all missing.
//!
//! Arrays and concatenated objects are walked completely (a record ends where its brackets
//! balance). A JSON-lines record is walked until every wanted role is found at its top level;
//! the rest of the line is skipped unread (walking it too made a 1M-row scan about 1.5x
//! slower) and only checked for ending with the bracket that opened the record, which catches
//! cut-off lines and lines broken by a raw line break. A break after all wanted keys on a line
//! that still ends with its bracket goes unnoticed; the values counted are the ones before it.

mod detect;
mod keys;
mod walk;

use memchr::memchr;

use crate::engine::{Counter, Fields, Splittable, Step};
use crate::engine::tally::Warning;
pub use detect::detect;
use keys::{Found, Keep, Roles};
use walk::{is_ws, member_key, skip_open, skip_ws, walk, Skip, Walk, OBJECT};

/// How records are laid out in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One record per line.
    Lines,
    /// Top-level values one after another, separated by whitespace (pretty-printed objects).
    Values,
    /// The elements of one array; `wrapped` when the array is a member of a top-level object.
    Array { wrapped: bool },
}

/// Parser for JSON dumps, made by [`detect`].
#[derive(Debug, Clone)]
pub struct JsonParser {
    mode: Mode,
    roles: Roles,
    /// Input offset of the records array's `[`, or of the wrapper object's `{`.
    array_at: u64,
    wrapper_at: u64,
}

/// A worker's buffers, reused from record to record.
#[derive(Debug, Default)]
pub struct State {
    found: Found,
    stack: Vec<u8>,
}

/// What went wrong, for a warning.
/// Whether a value can start with this byte.
fn starts_value(c: u8) -> bool {
    matches!(c, b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
}

/// The first `{` in `from..to` that follows `}` and, for arrays, a comma (whitespace allowed
/// around it): the likely start of the next record. Looks back no further than `lo`, so that
/// a step sees only its own bytes (a stream drops the bytes before it).
fn find_boundary(data: &[u8], lo: usize, from: usize, to: usize, comma: bool) -> Option<usize> {
    let mut p = from;
    while p < to {
        let q = p + memchr(b'{', &data[p..to])?;
        let mut i = q;
        while i > lo && is_ws(data[i - 1]) {
            i -= 1;
        }
        let mut ok = true;
        if comma {
            ok = i > lo && data[i - 1] == b',';
            i = i.saturating_sub(1).max(lo);
            while i > lo && is_ws(data[i - 1]) {
                i -= 1;
            }
        }
        if ok && i > lo && data[i - 1] == b'}' {
            return Some(q);
        }
        p = q + 1;
    }
    None
}

/// How far past a break the parser looks for the next record before it gives up and moves on
/// by this much (so that broken input cannot make a stream buffer without bound).
const RECOVER_LIMIT: usize = 1 << 20;

/// The next likely record start at or after `from` (see [`find_boundary`]), within
/// [`RECOVER_LIMIT`]; `None` when that cannot be known before more data comes.
fn next_start(data: &[u8], lo: usize, from: usize, array: bool, eof: bool) -> Option<usize> {
    let limit = from.saturating_add(RECOVER_LIMIT);
    let end = data.len().min(limit);
    match find_boundary(data, lo, from, end, array) {
        Some(b) => Some(b),
        None if eof || data.len() >= limit => Some(end),
        None => None,
    }
}

/// Where to go on after a record that broke at `at` (it started at `q`, and `depth`
/// containers were open): past the record's end found by bracket balance when a separator
/// follows it (a missing colon or comma leaves the brackets intact), else the next likely
/// record start. `None` when that cannot be known before more data comes.
fn recover(data: &[u8], at: usize, q: usize, depth: usize, array: bool, eof: bool) -> Option<usize> {
    let len = data.len();
    let limit = at.saturating_add(RECOVER_LIMIT);
    if depth > 0 {
        match skip_open(&data[..len.min(limit)], at, depth) {
            Some(e) => {
                let s = skip_ws(data, e);
                if s >= len {
                    return eof.then_some(len);
                }
                match data[s] {
                    b',' if array => {
                        let t = skip_ws(data, s + 1);
                        return if t < len { Some(t) } else { eof.then_some(len) };
                    }
                    b']' if array => return Some(s),
                    c if !array && starts_value(c) => return Some(s),
                    _ => {}
                }
            }
            None if !eof && len < limit => return None,
            None => {}
        }
    }
    next_start(data, q, at.max(q + 1), array, eof)
}

impl JsonParser {
    /// Counts the record whose values `st` holds.
    #[inline]
    fn count(&self, data: &[u8], st: &State, counter: &mut Counter<'_>) {
        let f = &st.found;
        counter.record(Fields::from_fn(|role| f.get(data, role)));
    }

    /// One line of a JSON-lines input.
    #[inline]
    fn step_line(&self, data: &[u8], pos: usize, eof: bool, base: u64, st: &mut State, counter: &mut Counter<'_>) -> Step {
        let (end, next) = match memchr(b'\n', &data[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None if eof => (data.len(), data.len()),
            None => return Step::Incomplete,
        };
        let line = &data[..end];
        let q = skip_ws(line, pos);
        if q == end {
            return Step::Next(next);
        }
        st.found.begin(&self.roles);
        let w = walk(line, q, &mut Keep { roles: &self.roles, found: &mut st.found }, &mut st.stack);
        match w {
            Walk::End(e) => {
                let r = skip_ws(line, e);
                if r < end {
                    counter.warn(base + r as u64, Warning::JsonTrailing);
                }
            }
            Walk::Stopped(_) => {
                // The rest of the line is skipped unread; a cut-off line still shows, as a
                // line that does not end with the bracket that opened the record.
                let closer = if st.stack.first().is_some_and(|&k| k & OBJECT != 0) { b'}' } else { b']' };
                let last = line[q..].iter().rposition(|&c| !is_ws(c)).map_or(q, |i| q + i);
                if line[last] != closer {
                    counter.warn(base + q as u64, Warning::JsonUnclosed);
                }
            }
            Walk::Malformed(at) => counter.warn(base + at as u64, Warning::JsonMalformed),
            Walk::Unclosed(at) => counter.warn(base + at as u64, Warning::JsonUnclosed),
        }
        self.count(data, st, counter);
        Step::Next(next)
    }

    /// One record of an array or of concatenated values, with the separator after it.
    fn step_value(&self, data: &[u8], pos: usize, eof: bool, base: u64, st: &mut State, counter: &mut Counter<'_>) -> Step {
        let array = matches!(self.mode, Mode::Array { .. });
        let len = data.len();
        let q = skip_ws(data, pos);
        if q >= len {
            if !eof {
                return Step::Incomplete;
            }
            if array {
                counter.warn(self.array_at, Warning::JsonArrayUnclosed);
            }
            return Step::Next(len);
        }
        if array && data[q] == b']' {
            return self.trailer(data, q, eof, base, st, counter);
        }
        if !starts_value(data[q]) {
            // Stray bytes between records: no record, a warning, on to the next record.
            let Some(next) = next_start(data, q, q + 1, array, eof) else { return Step::Incomplete };
            counter.warn(base + q as u64, Warning::JsonMalformed);
            return Step::Next(next);
        }
        st.found.begin(&self.roles);
        let w = walk(data, q, &mut Keep { roles: &self.roles, found: &mut st.found }, &mut st.stack);
        let w = match w {
            Walk::Stopped(at) => skip_open(data, at, st.stack.len()).map_or(Walk::Unclosed(q), Walk::End),
            other => other,
        };
        match w {
            Walk::End(e) => {
                let s = skip_ws(data, e);
                let (next, problem) = if s >= len {
                    (len, array.then_some((self.array_at, Warning::JsonArrayUnclosed)))
                } else if !array {
                    (s, None)
                } else {
                    match data[s] {
                        b',' => {
                            let t = skip_ws(data, s + 1);
                            (t, (t >= len).then_some((self.array_at, Warning::JsonArrayUnclosed)))
                        }
                        b']' => (s, None),
                        _ => (s, Some((base + s as u64, Warning::JsonMalformed))),
                    }
                };
                if next >= len && !eof {
                    return Step::Incomplete;
                }
                self.count(data, st, counter);
                if let Some((at, p)) = problem {
                    counter.warn(at, p);
                }
                Step::Next(next)
            }
            Walk::Unclosed(at) => {
                if !eof {
                    return Step::Incomplete;
                }
                self.count(data, st, counter);
                counter.warn(base + at as u64, Warning::JsonUnclosed);
                Step::Next(len)
            }
            Walk::Malformed(at) | Walk::Stopped(at) => {
                let Some(next) = recover(data, at, q, st.stack.len(), array, eof) else { return Step::Incomplete };
                self.count(data, st, counter);
                counter.warn(base + at as u64, Warning::JsonMalformed);
                Step::Next(next)
            }
        }
    }

    /// The records array's `]` at `q`, and what follows it: the rest of the wrapper object,
    /// then only whitespace.
    fn trailer(&self, data: &[u8], q: usize, eof: bool, base: u64, st: &mut State, counter: &mut Counter<'_>) -> Step {
        if !eof {
            // Wait for the end: whatever follows may still be cut.
            return Step::Incomplete;
        }
        let mut p = q + 1;
        if self.mode == (Mode::Array { wrapped: true }) {
            match skip_members(data, p, &mut st.stack) {
                Ok(e) => p = e,
                Err(Walk::Unclosed(_)) => {
                    counter.warn(self.wrapper_at, Warning::JsonUnclosed);
                    return Step::Next(data.len());
                }
                Err(Walk::Malformed(at) | Walk::End(at) | Walk::Stopped(at)) => {
                    counter.warn(base + at as u64, Warning::JsonMalformed);
                    return Step::Next(data.len());
                }
            }
        }
        let r = skip_ws(data, p);
        if r < data.len() {
            counter.warn(base + r as u64, Warning::JsonTrailing);
        }
        Step::Next(data.len())
    }
}

/// The members of an object after one of them (at `p`, before a `,` or the closing `}`):
/// returns the position after the `}`.
fn skip_members(data: &[u8], mut p: usize, stack: &mut Vec<u8>) -> Result<usize, Walk> {
    loop {
        p = skip_ws(data, p);
        match data.get(p) {
            None => return Err(Walk::Unclosed(p)),
            Some(b'}') => return Ok(p + 1),
            Some(b',') => {
                let v = member_key(data, p + 1, 0, p, &mut Skip)?;
                match walk(data, v, &mut Skip, stack) {
                    Walk::End(e) => p = e,
                    other => return Err(other),
                }
            }
            Some(_) => return Err(Walk::Malformed(p)),
        }
    }
}

impl Splittable for JsonParser {
    type State = State;
    type Scratch = ();

    fn resync(&self, data: &[u8], cut: usize) -> usize {
        match self.mode {
            Mode::Lines if data[cut - 1] == b'\n' => cut,
            Mode::Lines => memchr(b'\n', &data[cut..]).map_or(data.len(), |i| cut + i + 1),
            Mode::Values => find_boundary(data, 0, cut, data.len(), false).unwrap_or(data.len()),
            Mode::Array { .. } => find_boundary(data, 0, cut, data.len(), true).unwrap_or(data.len()),
        }
    }

    #[inline]
    fn step(&self, data: &[u8], pos: usize, eof: bool, base: u64, st: &mut State, _: &mut (), counter: &mut Counter<'_>) -> Step {
        match self.mode {
            Mode::Lines => self.step_line(data, pos, eof, base, st, counter),
            _ => self.step_value(data, pos, eof, base, st, counter),
        }
    }
}
