//! Where PostgreSQL `COPY ... FROM stdin;` blocks are: an index of byte regions (SQL text,
//! `COPY` header line, data lines, `\.` end line) built by one forward pass of `memmem`.
//!
//! A data line holds no statement keyword to recognise it by, so a chunk that starts inside a
//! large `COPY` block cannot know from its own bytes which table (and which columns) its lines
//! belong to. The index answers that for any offset. It is a function of the bytes only, decided
//! line by line (a header is a line `COPY name [(cols)] FROM stdin...;` outside a block; a block
//! ends at a line `\.`), so it is the same whether it was built in one go over a mapped file or
//! block by block over a stream, and every chunk sees the same regions. Building it is a
//! sequential pass at `memmem` speed under a mutex; the record parsing stays parallel.
//!
//! Streams: the pass stops at the last line start of the bytes it was given (the *frontier*)
//! and goes on from there with the next block. The parser never ends a step past the frontier
//! before the end of the input, so the next block always starts at or before it.

use std::sync::{Arc, Mutex};

use memchr::{memchr, memmem, memrchr};

use super::lex::{self, Dialect};
use super::target::{SlotMap, Target};

/// One `COPY` block: whether its rows are counted, and how its columns map to slots.
#[derive(Debug)]
pub struct Block {
    pub wanted: bool,
    pub map: SlotMap,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// SQL statements.
    Sql,
    /// The `COPY ... FROM stdin;` line.
    Header,
    /// Data lines of a block.
    Data(Arc<Block>),
    /// The `\.` line.
    End,
}

/// A region `[lo, hi)` of absolute input offsets.
#[derive(Debug, Clone)]
pub struct Region {
    pub lo: u64,
    pub hi: u64,
    /// `hi` is final. An open region (the last one of a stream so far) ends at the frontier
    /// for now and goes on past it.
    pub closed: bool,
    /// A data region that the input ended inside (no `\.` line).
    pub unterminated: bool,
    pub kind: Kind,
}

/// The index, extended on demand.
pub struct CopyIndex {
    scan: Mutex<Scan>,
}

struct Scan {
    /// Start of the first line not yet classified (absolute).
    frontier: u64,
    /// End of the bytes the last extension saw.
    seen: u64,
    finished: bool,
    closed: Vec<Region>,
    open_lo: u64,
    open: Kind,
}

impl CopyIndex {
    /// An index of the input from `start` (after any BOM).
    pub fn new(start: u64) -> CopyIndex {
        CopyIndex {
            scan: Mutex::new(Scan { frontier: start, seen: start, finished: false, closed: Vec::new(), open_lo: start, open: Kind::Sql }),
        }
    }

    /// The region holding absolute offset `pos`, after extending the index over `data`
    /// (which starts at absolute offset `base`; `eof`: nothing follows it).
    pub fn region(&self, target: &Target, data: &[u8], base: u64, eof: bool, pos: u64) -> Region {
        let mut s = self.scan.lock().unwrap_or_else(|e| e.into_inner());
        s.extend(target, data, base, eof);
        s.lookup(pos)
    }
}

enum Found {
    /// A header line `[ls, next)` (`next` is past its line end).
    Header { ls: usize, next: usize },
    /// An end line `[ls, next)`.
    End { ls: usize, next: usize },
    /// The line at `ls` is not complete yet and decides.
    Wait(usize),
    /// Nothing up to the last line start.
    Nothing,
}

impl Scan {
    fn extend(&mut self, target: &Target, data: &[u8], base: u64, eof: bool) {
        let end = base + data.len() as u64;
        if self.finished || (end <= self.seen && !eof) {
            return;
        }
        assert!(self.frontier >= base && self.frontier <= end, "COPY index: bytes before the frontier were dropped");
        self.seen = end;
        let abs = |x: usize| base + x as u64;
        let upper = memmem::Finder::new(b"\nCOPY ");
        let lower = memmem::Finder::new(b"\ncopy ");
        let mut hits = [(usize::MAX, None::<usize>); 2];
        let mut p = (self.frontier - base) as usize;
        loop {
            let found = match self.open {
                Kind::Data(_) => find_end(data, p, eof),
                _ => find_header(data, p, eof, [&upper, &lower], &mut hits),
            };
            match found {
                Found::Header { ls, next } => {
                    let block = Arc::new(block_for(target, line_content(&data[ls..next])));
                    self.close_open(abs(ls), false);
                    self.push(Region { lo: abs(ls), hi: abs(next), closed: true, unterminated: false, kind: Kind::Header });
                    (self.open_lo, self.open) = (abs(next), Kind::Data(block));
                    p = next;
                }
                Found::End { ls, next } => {
                    self.close_open(abs(ls), false);
                    self.push(Region { lo: abs(ls), hi: abs(next), closed: true, unterminated: false, kind: Kind::End });
                    (self.open_lo, self.open) = (abs(next), Kind::Sql);
                    p = next;
                }
                Found::Wait(ls) => {
                    self.frontier = abs(ls);
                    return;
                }
                Found::Nothing if eof => {
                    let unterminated = matches!(self.open, Kind::Data(_));
                    self.close_open(end, unterminated);
                    self.frontier = end;
                    self.finished = true;
                    return;
                }
                Found::Nothing => {
                    self.frontier = abs(memrchr(b'\n', &data[p..]).map_or(p, |i| p + i + 1));
                    return;
                }
            }
        }
    }

    fn close_open(&mut self, hi: u64, unterminated: bool) {
        let kind = std::mem::replace(&mut self.open, Kind::Sql);
        self.push(Region { lo: self.open_lo, hi, closed: true, unterminated, kind });
    }

    fn push(&mut self, r: Region) {
        if r.hi > r.lo {
            self.closed.push(r);
        }
    }

    fn lookup(&self, pos: u64) -> Region {
        if !self.finished && pos >= self.open_lo {
            return Region { lo: self.open_lo, hi: self.frontier.max(self.open_lo), closed: false, unterminated: false, kind: self.open.clone() };
        }
        let i = self.closed.partition_point(|r| r.lo <= pos);
        assert!(i > 0 && self.closed[i - 1].hi > pos, "COPY index: offset {pos} outside the indexed input");
        self.closed[i - 1].clone()
    }
}

/// A line without its `\n` and a `\r` before it.
fn line_content(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// The next header line at or after the line start `ls`.
fn find_header(data: &[u8], mut ls: usize, eof: bool, finders: [&memmem::Finder<'_>; 2], hits: &mut [(usize, Option<usize>); 2]) -> Found {
    loop {
        if data[ls..].starts_with(b"COPY ") || data[ls..].starts_with(b"copy ") {
            match memchr(b'\n', &data[ls..]) {
                Some(i) if is_header(line_content(&data[ls..ls + i])) => return Found::Header { ls, next: ls + i + 1 },
                Some(_) => {}
                None if !eof => return Found::Wait(ls),
                None if is_header(line_content(&data[ls..])) => return Found::Header { ls, next: data.len() },
                None => return Found::Nothing,
            }
        }
        // The next line starting with `COPY `, by two cached searches (one per spelling): a
        // cached hit stays good while it lies ahead.
        let mut next = None::<usize>;
        for (f, hit) in finders.iter().zip(hits.iter_mut()) {
            if hit.0 > ls || matches!(hit.1, Some(h) if h < ls) {
                *hit = (ls, f.find(&data[ls..]).map(|i| ls + i));
            }
            if let Some(h) = hit.1 {
                next = Some(next.map_or(h, |n: usize| n.min(h)));
            }
        }
        match next {
            Some(h) => ls = h + 1,
            None => return Found::Nothing,
        }
    }
}

/// Whether a line is `COPY name [(cols)] FROM stdin ... ;`.
fn is_header(line: &[u8]) -> bool {
    parse_header(line).is_some()
}

/// The parts of a `COPY` header line.
pub struct Header<'a> {
    /// The table's name (last part, unquoted).
    pub table: &'a [u8],
    /// The column list, between its parentheses.
    pub columns: Option<&'a [u8]>,
    /// Text format (not `csv` or `binary`).
    pub text_format: bool,
}

fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    let dia = Dialect::Postgres;
    if !(line.starts_with(b"COPY ") || line.starts_with(b"copy ")) {
        return None;
    }
    let line = line.trim_ascii_end();
    let body = line.strip_suffix(b";")?;
    let p = 5;
    let ((a, b), _, mut p) = lex::qualified(line, lex::skip_blank(line, p, dia).ok()?).ok()??;
    let table = &line[a..b];
    p = lex::skip_blank(line, p, dia).ok()?;
    let mut columns = None;
    if line[p] == b'(' {
        let close = lex::close_paren(line, p + 1, dia).ok()?;
        if line[close] != b')' {
            return None;
        }
        columns = Some(&line[p + 1..close]);
        p = lex::skip_blank(line, close + 1, dia).ok()?;
    }
    let from = lex::word_end(line, p).ok()?;
    if !lex::is_kw(line, p, from, b"FROM") {
        return None;
    }
    let p = lex::skip_blank(line, from, dia).ok()?;
    let stdin = p + line[p..].iter().position(|c| !c.is_ascii_alphabetic())?;
    if !lex::is_kw(line, p, stdin, b"STDIN") {
        return None;
    }
    let options = body.get(stdin..).unwrap_or_default().to_ascii_lowercase();
    let text_format = memmem::find(&options, b"csv").is_none() && memmem::find(&options, b"binary").is_none();
    Some(Header { table, columns, text_format })
}

fn block_for(target: &Target, line: &[u8]) -> Block {
    match parse_header(line) {
        Some(h) if h.text_format && target.is_table(h.table) => {
            Block { wanted: true, map: h.columns.map_or_else(|| target.default.clone(), |c| target.map_list(c, Dialect::Postgres)) }
        }
        _ => Block { wanted: false, map: SlotMap::default() },
    }
}

/// Whether the line at `ls` is the end line `\.`.
fn end_at(data: &[u8], ls: usize, eof: bool) -> Option<Found> {
    let rest = &data[ls..];
    if !rest.starts_with(b"\\.") {
        return if !eof && b"\\.".starts_with(rest) && !rest.is_empty() { Some(Found::Wait(ls)) } else { None };
    }
    match &rest[2..] {
        [b'\n', ..] => Some(Found::End { ls, next: ls + 3 }),
        [b'\r', b'\n', ..] => Some(Found::End { ls, next: ls + 4 }),
        [] | [b'\r'] if !eof => Some(Found::Wait(ls)),
        [] | [b'\r'] => Some(Found::End { ls, next: data.len() }),
        _ => None,
    }
}

/// The next end line at or after the line start `p`.
fn find_end(data: &[u8], p: usize, eof: bool) -> Found {
    if let Some(f) = end_at(data, p, eof) {
        return f;
    }
    let finder = memmem::Finder::new(b"\n\\.");
    let mut from = p;
    while let Some(i) = finder.find(&data[from..]) {
        let ls = from + i + 1;
        if let Some(f) = end_at(data, ls, eof) {
            return f;
        }
        from = ls;
    }
    Found::Nothing
}

/// Header lines `(start, end of line)` in `data`, for detection's sampling.
pub fn headers_in(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut starts: Vec<usize> = memmem::find_iter(data, b"\nCOPY ").chain(memmem::find_iter(data, b"\ncopy ")).map(|h| h + 1).collect();
    starts.push(0);
    starts.sort_unstable();
    for ls in starts {
        let le = memchr(b'\n', &data[ls..]).map_or(data.len(), |i| ls + i);
        if is_header(line_content(&data[ls..le])) {
            out.push((ls, le));
        }
    }
    out
}

/// Table name and column list of a header line, for detection.
pub fn header_parts(line: &[u8]) -> Option<Header<'_>> {
    parse_header(line_content(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        let h = parse_header(b"COPY public.dpt (nik, \"No KK\") FROM stdin;").unwrap();
        assert_eq!(h.table, b"dpt");
        assert_eq!(h.columns, Some(&b"nik, \"No KK\""[..]));
        assert!(h.text_format);
        assert!(parse_header(b"copy t from STDIN;").is_some());
        assert!(!parse_header(b"COPY t FROM stdin WITH (FORMAT csv);").unwrap().text_format);
        assert!(parse_header(b"COPY t TO stdout;").is_none());
        assert!(parse_header(b"COPY t FROM stdin").is_none());
    }
}
