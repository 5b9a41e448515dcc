//! SQL dumps: MySQL/MariaDB `INSERT` statements and PostgreSQL `COPY ... FROM stdin` blocks,
//! sized by the same parallel chunker and counting rules as CSV.
//!
//! One record is one tuple of an `INSERT` (`INSERT`, `INSERT IGNORE`, `REPLACE`, with or without
//! a column list) or one data line of a `COPY` block, of the one table that holds NIKs
//! ([`detect`] picks it and names it in the report as `table.column`). Rows of other tables are
//! parsed past, not counted. Only the wanted values are materialised. Tuples are split from
//! bitmaps of 64 bytes ([`fast`]), and the byte lexer ([`lex`]) reads only what that path gives
//! up on. A value is unescaped (into a per-chunk buffer) only when it is wanted and has an
//! escape.
//!
//! # Splitting
//!
//! The chunker restarts parsing with a fresh state at every chunk start, at every re-parse and
//! at every streamed block, and each of those may be any earlier step boundary. So a step here
//! depends only on where it starts, never on what came before ([`SqlState`] is a cache):
//! - Outside `COPY` data a step is a whole statement (all tuples of an extended `INSERT`, ~1 MB
//!   in mysqldump output) with the blanks after it, a comment, or a run of blanks. A statement
//!   start needs no context.
//! - A `COPY` data line needs its block's table and columns, which may lie gigabytes back (or
//!   in a streamed block long gone). [`copy::CopyIndex`] knows, from one `memmem` pass.
//!
//! [`SqlParser::resync`] guesses the next line start that looks like a statement (or any line
//! in a `COPY` block). mysqldump writes one statement per line, so the guess is right but for
//! multi-line statements, where the chunker's check catches it and re-parses: a wrong guess
//! costs time, never a different answer.
//!
//! # Ends
//!
//! Without `eof`, a statement or line that reaches the end of the bytes is
//! [`Step::Incomplete`], and its tuples are held back (not counted) until a later block has
//! all of it. At the end of the input, an `INSERT` of the counted table cut inside a tuple
//! counts the tuple read so far and warns with the offset where the open string (or tuple)
//! started; an unfinished last `COPY` line of an unterminated block likewise. Another statement
//! (or a comment) that never ends, because of a stray quote (`SET lock_timeout" = 0;`), is
//! known to be one only at the end of the input; there it is read past from its next line,
//! with a warning, so one damaged line hides no row after it. Detection walks past it the same
//! way, and searches the sample of a stream as it searches a mapped file, so every way of
//! reading the same bytes finds the same tables and gives the same answer.
//!
//! # Limits
//!
//! A statement is parsed by one thread, so a dump that is one giant `INSERT` gets no
//! parallelism (and a stream holds it whole in memory). Comments and `DELIMITER` blocks are
//! understood; `INSERT ... SELECT`/`SET`, `COPY ... (FORMAT csv)` and rows written by other
//! means are not counted. PostgreSQL is recognised from the sample (pg_dump header, `COPY ...
//! FROM stdin;` lines); elsewhere strings are MySQL's (backslash escapes).

mod copy;
mod detect;
mod fast;
mod lex;
mod target;

use memchr::memchr;

use crate::engine::{Counter, Fields, Role, Splittable, Step};
use crate::engine::tally::Warning;

pub use detect::detect;
pub use lex::Dialect;

use lex::{Esc, Lex, Value};
use target::{SlotMap, Target};

/// The parser for one SQL input: its dialect and the table and columns to count.
pub struct SqlParser {
    dialect: Dialect,
    target: Target,
    /// PostgreSQL only: where the `COPY` blocks are.
    copy: Option<copy::CopyIndex>,
    /// What the tuple fast path may use.
    simd: fast::Simd,
}

/// Per-chunk caches and buffers (every step's result is independent of them).
#[derive(Default)]
pub struct SqlState {
    /// The `COPY` index region of the last step.
    region: Option<copy::Region>,
    /// The last column list seen on the counted table, and its slots.
    list: Vec<u8>,
    list_map: SlotMap,
    vals: Vals,
    /// The tuples of the statement being parsed, before the end of the input: counted only
    /// once it is complete, so that a statement cut by the end of a block is counted once,
    /// with the next block.
    rows: Vec<Vals>,
    scratch: Vec<u8>,
}

/// The wanted values of one tuple or line, by role index (the bits of a [`SlotMap`]).
#[derive(Debug, Default, Clone, Copy)]
struct Vals([Slot; Role::COUNT]);

#[derive(Debug, Default, Clone, Copy)]
enum Slot {
    #[default]
    Absent,
    /// A range of the view.
    Data(usize, usize),
    /// A range of the scratch buffer (unescaped).
    Owned(usize, usize),
}

impl Vals {
    #[inline(always)]
    fn set(&mut self, slots: u8, s: Slot) {
        for i in 0..Role::COUNT {
            if slots & (1 << i) != 0 {
                self.0[i] = s;
            }
        }
    }

    /// Stores a value for `slots`, unescaping it into `scratch` when needed.
    #[inline]
    fn put(&mut self, slots: u8, v: Value, d: &[u8], scratch: &mut Vec<u8>) {
        match v {
            Value::Null => {}
            Value::Raw(a, b) | Value::Text(a, b, Esc::None) => self.set(slots, Slot::Data(a, b)),
            Value::Text(a, b, esc) => {
                let at = scratch.len();
                lex::unescape(&d[a..b], esc, scratch);
                self.set(slots, Slot::Owned(at, scratch.len()));
            }
        }
    }

    #[inline(always)]
    fn get<'a>(&self, role: Role, d: &'a [u8], scratch: &'a [u8]) -> Option<&'a [u8]> {
        match self.0[role.index()] {
            Slot::Absent => None,
            Slot::Data(a, b) => Some(&d[a..b]),
            Slot::Owned(a, b) => Some(&scratch[a..b]),
        }
    }

    #[inline]
    fn record(&self, d: &[u8], scratch: &[u8], counter: &mut Counter<'_>) {
        counter.record(Fields::from_fn(|role| self.get(role, d, scratch)));
    }
}

/// A statement cut by the end of the view: wait for more bytes, or (at the end) stop there.
#[inline]
fn cut_end(eof: bool, len: usize) -> Step {
    if eof {
        Step::Next(len)
    } else {
        Step::Incomplete
    }
}

/// A statement (not an `INSERT`'s tuples) or comment at `pos` that does not end within the
/// view: wait for more bytes; at the end of the input, where it is known never to end (a
/// stray quote in `SET lock_timeout' = 0;`), read on from the next line, with a warning, so
/// that one damaged line does not hide every row after it. Where the input ends on that
/// line, the step ends there. Mapped or streamed, the step sees the same bytes from `pos` to
/// the end before it decides, so every way of reading gives the same answer.
#[inline]
fn unended(d: &[u8], eof: bool, pos: usize, base: u64, counter: &mut Counter<'_>) -> Step {
    if !eof {
        return Step::Incomplete;
    }
    match memchr(b'\n', &d[pos..]) {
        Some(i) if pos + i + 1 < d.len() => {
            counter.warn(base + pos as u64, Warning::SqlUnended);
            Step::Next(pos + i + 1)
        }
        _ => Step::Next(d.len()),
    }
}

impl SqlParser {
    fn new(dialect: Dialect, target: Target, data_start: u64) -> SqlParser {
        let copy = (dialect == Dialect::Postgres).then(|| copy::CopyIndex::new(data_start));
        SqlParser { dialect, target, copy, simd: fast::Simd::detect() }
    }

    /// One step outside `COPY` data. `d` ends where the SQL region ends (or the bytes do);
    /// `eof`: nothing of this region follows `d`.
    ///
    /// A statement's step also takes the blanks after it. The chunker accepts a chunk's
    /// guessed start only if the chunk before ended exactly there, and [`Self::resync`]
    /// guesses a line start: a step that stopped at the `\n` after `;` would make every
    /// chunk cut inside a statement (nearly all of them, with ~100 KB statements) be parsed
    /// twice. Blanks count nothing, so where they go changes no answer.
    #[inline]
    fn sql_step(&self, d: &[u8], eof: bool, pos: usize, base: u64, st: &mut SqlState, counter: &mut Counter<'_>) -> Step {
        match self.sql_step_at(d, eof, pos, base, st, counter) {
            Step::Next(end) if end < d.len() && lex::is_ws(d[end]) => {
                // Blanks that reach the view's end, without `eof`, stay for the next step
                // (which waits for more bytes): a complete statement is never held back.
                match d[end..].iter().position(|&c| !lex::is_ws(c)) {
                    Some(i) => Step::Next(end + i),
                    None if eof => Step::Next(d.len()),
                    None => Step::Next(end),
                }
            }
            step => step,
        }
    }

    fn sql_step_at(&self, d: &[u8], eof: bool, pos: usize, base: u64, st: &mut SqlState, counter: &mut Counter<'_>) -> Step {
        let dia = self.dialect;
        let len = d.len();
        let c = d[pos];
        if lex::is_ws(c) {
            let end = d[pos..].iter().position(|&c| !lex::is_ws(c)).map_or(len, |i| pos + i);
            return if end == len { cut_end(eof, len) } else { Step::Next(end) };
        }
        if c == b';' {
            return Step::Next(pos + 1);
        }
        if matches!(c, b'-' | b'/' | b'#') {
            match lex::comment_at(d, pos, dia) {
                Ok(Some(end)) => return Step::Next(end),
                Ok(None) => {}
                Err(_) => return unended(d, eof, pos, base, counter),
            }
        }
        let Ok(kw) = lex::word_end(d, pos) else { return cut_end(eof, len) };
        if lex::is_kw(d, pos, kw, b"INSERT") || lex::is_kw(d, pos, kw, b"REPLACE") {
            return self.insert(d, eof, pos, kw, base, st, counter);
        }
        if dia == Dialect::MySql && lex::is_kw(d, pos, kw, b"DELIMITER") {
            return delimiter_block(d, eof, pos);
        }
        self.rest_of_statement(d, eof, pos, base, counter)
    }

    /// The rest of the statement at `pos`, to just after its `;` ([`unended`] if none).
    fn rest_of_statement(&self, d: &[u8], eof: bool, pos: usize, base: u64, counter: &mut Counter<'_>) -> Step {
        match lex::statement_end(d, pos, self.dialect) {
            Ok(end) => Step::Next(end),
            Err(_) => unended(d, eof, pos, base, counter),
        }
    }

    /// An `INSERT`/`REPLACE` statement whose keyword ends at `kw`: every tuple of the counted
    /// table is a record.
    #[allow(clippy::too_many_arguments)]
    fn insert(&self, d: &[u8], eof: bool, start: usize, kw: usize, base: u64, st: &mut SqlState, counter: &mut Counter<'_>) -> Step {
        let dia = self.dialect;
        let len = d.len();
        let head = match insert_head(d, kw, dia) {
            Ok(Some(h)) => h,
            Ok(None) => return self.rest_of_statement(d, eof, start, base, counter),
            Err(_) => return unended(d, eof, start, base, counter),
        };
        let SqlState { list, list_map, vals, rows, scratch, .. } = st;
        rows.clear();
        scratch.clear();
        let count = |rows: &[Vals], scratch: &[u8], counter: &mut Counter<'_>| {
            for r in rows {
                r.record(d, scratch, counter);
            }
        };
        let wanted = self.target.is_table(&d[head.table.0..head.table.1]);
        let empty = SlotMap::default();
        let map = match (wanted, head.columns) {
            (false, _) => &empty,
            (true, None) => &self.target.default,
            (true, Some((a, b))) => {
                if list[..] != d[a..b] {
                    list.clear();
                    list.extend_from_slice(&d[a..b]);
                    *list_map = self.target.map_list(&d[a..b], dia);
                }
                &*list_map
            }
        };
        let mut q = head.values;
        loop {
            q = match lex::skip_blank(d, q, dia) {
                Ok(q) => q,
                Err(_) if eof => {
                    count(rows, scratch, counter);
                    return Step::Next(len);
                }
                Err(_) => return Step::Incomplete,
            };
            if d[q] != b'(' {
                let end = self.rest_of_statement(d, eof, q, base, counter);
                if end != Step::Incomplete {
                    count(rows, scratch, counter);
                }
                return end;
            }
            // Each tuple read is counted at once when nothing can cut this statement short any
            // more (so that a huge statement needs no buffer), else held until its end.
            let keep = |v: &Vals, scratch: &mut Vec<u8>, rows: &mut Vec<Vals>, counter: &mut Counter<'_>| {
                if wanted && eof {
                    v.record(d, scratch, counter);
                    scratch.clear();
                } else if wanted {
                    rows.push(*v);
                }
            };
            // The tuples the fast path reads, then (where it gives up) one by the lexer.
            let mut emit = |v: &Vals, scratch: &mut Vec<u8>| keep(v, scratch, rows, counter);
            q = match fast::run(self.simd, d, q, dia, map, false, vals, scratch, &mut emit) {
                fast::Run::AfterTuple(next) => next,
                fast::Run::AtTuple(t) => match tuple(d, t, dia, map, vals, scratch) {
                    Ok(next) => {
                        keep(vals, scratch, rows, counter);
                        next
                    }
                    Err(cut) if eof => {
                        if wanted {
                            rows.push(*vals);
                            count(rows, scratch, counter);
                            counter.warn(base + cut.quote.unwrap_or(t) as u64, Warning::InsertCutShort);
                        }
                        return Step::Next(len);
                    }
                    Err(_) => return Step::Incomplete,
                },
            };
            let end = match lex::skip_blank(d, q, dia) {
                Ok(c) if d[c] == b',' => {
                    q = c + 1;
                    continue;
                }
                Ok(q) if d[q] == b';' => Step::Next(q + 1),
                Ok(q) => self.rest_of_statement(d, eof, q, base, counter),
                Err(_) => cut_end(eof, len),
            };
            if end != Step::Incomplete {
                count(rows, scratch, counter);
            }
            return end;
        }
    }

    /// One data line of a `COPY` block (`d` ends where the block's data does).
    #[allow(clippy::too_many_arguments)]
    fn copy_line(&self, d: &[u8], eof: bool, pos: usize, block: &copy::Block, unterminated: bool, base: u64, st: &mut SqlState, counter: &mut Counter<'_>) -> Step {
        let len = d.len();
        if !block.wanted {
            // The rest of a block of another table (or the part known so far) in one step.
            return Step::Next(len);
        }
        let (line_end, next) = match memchr(b'\n', &d[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None if eof => (len, len),
            None => return Step::Incomplete,
        };
        let mut end = line_end;
        if end > pos && d[end - 1] == b'\r' {
            end -= 1;
        }
        if end == pos {
            return Step::Next(next);
        }
        copy_fields(d, pos, end, &block.map, &mut st.vals, &mut st.scratch);
        st.vals.record(d, &st.scratch, counter);
        if next == len && line_end == len && unterminated {
            counter.warn(base + pos as u64, Warning::CopyUnterminated);
        }
        Step::Next(next)
    }
}

/// The parts of an `INSERT` statement before its tuples.
struct Head {
    /// The table's name (last part, unquoted).
    table: (usize, usize),
    /// The whole name as written (`db`.`t`).
    name: (usize, usize),
    /// The column list, between its parentheses.
    columns: Option<(usize, usize)>,
    /// Just after `VALUES`.
    values: usize,
}

/// `[LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] name [PARTITION (..)] [(cols)] VALUES`
/// after the keyword; `Ok(None)` for other forms (`INSERT ... SELECT`, `INSERT ... SET`).
fn insert_head(d: &[u8], kw: usize, dia: Dialect) -> Lex<Option<Head>> {
    let mut p = lex::skip_blank(d, kw, dia)?;
    loop {
        let e = lex::word_end(d, p)?;
        if ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"].iter().any(|k| lex::is_kw(d, p, e, k.as_bytes())) {
            p = lex::skip_blank(d, e, dia)?;
        } else {
            break;
        }
    }
    let Some((table, name, after)) = lex::qualified(d, p)? else { return Ok(None) };
    p = lex::skip_blank(d, after, dia)?;
    let e = lex::word_end(d, p)?;
    if lex::is_kw(d, p, e, b"PARTITION") {
        p = lex::skip_blank(d, e, dia)?;
        if d[p] != b'(' {
            return Ok(None);
        }
        p = lex::skip_blank(d, lex::close_paren(d, p + 1, dia)? + 1, dia)?;
    }
    let mut columns = None;
    if d[p] == b'(' {
        let close = lex::close_paren(d, p + 1, dia)?;
        if d[close] != b')' {
            return Ok(None);
        }
        columns = Some((p + 1, close));
        p = lex::skip_blank(d, close + 1, dia)?;
    }
    let e = lex::word_end(d, p)?;
    if !(lex::is_kw(d, p, e, b"VALUES") || lex::is_kw(d, p, e, b"VALUE")) {
        return Ok(None);
    }
    Ok(Some(Head { table, name, columns, values: e }))
}

/// The tuple whose `(` is at `p`: fills `vals` with the wanted values; the position after
/// its `)` (or at a `;` that cut it short). On a cut, `vals` holds what was read, including
/// the start of an unclosed string.
#[inline]
fn tuple(d: &[u8], p: usize, dia: Dialect, map: &SlotMap, vals: &mut Vals, scratch: &mut Vec<u8>) -> Lex<usize> {
    *vals = Vals::default();
    let backslash = dia == Dialect::MySql;
    let mut p = p + 1;
    let mut col = 0usize;
    loop {
        let slots = map.get(col);
        let c = *d.get(p).ok_or(lex::CUT)?;
        let value = if c == b'\'' {
            // The common case, a string right at the value's start, without the general path.
            lex::string_end(d, p, b'\'', backslash).map(|(close, escaped)| {
                let esc = match (escaped, backslash) {
                    (false, _) => Esc::None,
                    (true, true) => Esc::Backslash(b'\''),
                    (true, false) => Esc::Doubled(b'\''),
                };
                (Value::Text(p + 1, close, esc), close + 1)
            })
        } else {
            p = lex::skip_blank(d, p, dia)?;
            if col == 0 && d[p] == b')' {
                return Ok(p + 1);
            }
            lex::value(d, p, dia)
        };
        match value {
            Ok((v, next)) => {
                if slots != 0 {
                    vals.put(slots, v, d, scratch);
                }
                p = next;
            }
            Err(cut) => {
                if let (true, Some(q)) = (slots != 0, cut.quote) {
                    vals.set(slots, Slot::Data(q + 1, d.len()));
                }
                return Err(cut);
            }
        }
        match d.get(p) {
            Some(b',') => {}
            Some(b')') => return Ok(p + 1),
            _ => loop {
                p = lex::skip_blank(d, p, dia)?;
                match d[p] {
                    b',' => break,
                    b')' => return Ok(p + 1),
                    b';' => return Ok(p),
                    // An expression goes on (`'x'::bigint`, `1 + 2`): skip to its end.
                    _ => p = lex::skip_value(d, p, dia)?,
                }
            },
        }
        col += 1;
        p += 1;
    }
}

/// The wanted fields of the `COPY` line `d[a..b]` (tab-separated, `\N` = NULL).
fn copy_fields(d: &[u8], a: usize, b: usize, map: &SlotMap, vals: &mut Vals, scratch: &mut Vec<u8>) {
    *vals = Vals::default();
    scratch.clear();
    let mut p = a;
    for col in 0..map.len() {
        let e = memchr(b'\t', &d[p..b]).map_or(b, |i| p + i);
        let slots = map.get(col);
        if slots != 0 {
            let f = &d[p..e];
            if f == b"\\N" {
            } else if memchr(b'\\', f).is_some() {
                let at = scratch.len();
                lex::unescape_copy(f, scratch);
                vals.set(slots, Slot::Owned(at, scratch.len()));
            } else {
                vals.set(slots, Slot::Data(p, e));
            }
        }
        if e == b {
            break;
        }
        p = e + 1;
    }
}

/// A MySQL client `DELIMITER x` line and everything up to the line `DELIMITER ;` (trigger
/// and procedure bodies, which hold `;`), in one step.
fn delimiter_block(d: &[u8], eof: bool, pos: usize) -> Step {
    let Some(first) = memchr(b'\n', &d[pos..]).map(|i| pos + i + 1) else { return cut_end(eof, d.len()) };
    let resets = |line: &[u8]| {
        let line = line.trim_ascii();
        line.len() > 9 && line[..9].eq_ignore_ascii_case(b"DELIMITER") && line[9..].trim_ascii() == b";"
    };
    if resets(&d[pos..first]) {
        return Step::Next(first);
    }
    let mut ls = first;
    loop {
        match memchr(b'\n', &d[ls..]) {
            Some(i) if resets(&d[ls..ls + i]) => return Step::Next(ls + i + 1),
            Some(i) => ls += i + 1,
            // Never reset: only the DELIMITER line itself is skipped.
            None if eof => return Step::Next(if resets(&d[ls..]) { d.len() } else { first }),
            None => return Step::Incomplete,
        }
    }
}

impl Splittable for SqlParser {
    type State = SqlState;
    type Scratch = ();

    /// The first line start at or after `cut` whose line looks like a statement start (a
    /// word or a comment for MySQL; anything but an indented or tuple-continuation line for
    /// PostgreSQL, where the line may be `COPY` data).
    fn resync(&self, data: &[u8], cut: usize) -> usize {
        let mut p = if data[cut - 1] == b'\n' {
            cut
        } else {
            match memchr(b'\n', &data[cut..]) {
                Some(i) => cut + i + 1,
                None => return data.len(),
            }
        };
        while p < data.len() {
            let c = data[p];
            let ok = match self.dialect {
                Dialect::MySql => c.is_ascii_alphabetic() || data[p..].starts_with(b"--") || data[p..].starts_with(b"/*"),
                Dialect::Postgres => !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b','),
            };
            if ok {
                return p;
            }
            match memchr(b'\n', &data[p..]) {
                Some(i) => p += i + 1,
                None => return data.len(),
            }
        }
        data.len()
    }

    fn step(&self, data: &[u8], pos: usize, eof: bool, base: u64, st: &mut SqlState, _: &mut (), counter: &mut Counter<'_>) -> Step {
        let Some(index) = &self.copy else {
            return self.sql_step(data, eof, pos, base, st, counter);
        };
        let at = base + pos as u64;
        let region = match st.region.take() {
            Some(r) if r.lo <= at && at < r.hi => r,
            _ => index.region(&self.target, data, base, eof, at),
        };
        if at >= region.hi {
            // In the open region, past what is known so far.
            st.region = Some(region);
            return Step::Incomplete;
        }
        let hi = ((region.hi - base) as usize).min(data.len());
        let view = &data[..hi];
        let step = match &region.kind {
            copy::Kind::Sql => self.sql_step(view, region.closed, pos, base, st, counter),
            copy::Kind::Header | copy::Kind::End => Step::Next(hi),
            copy::Kind::Data(block) => self.copy_line(view, region.closed, pos, block, region.unterminated, base, st, counter),
        };
        st.region = Some(region);
        step
    }
}
