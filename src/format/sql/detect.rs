//! Which table of an SQL dump holds the NIKs, and which of its columns to read.
//!
//! The tables come from `CREATE TABLE` statements (for a mapped file, found by `memmem` over
//! the whole file, so a table defined after the first MiB is seen too), `INSERT` column lists
//! and `COPY` headers; rows are sampled from the first `INSERT`s / `COPY` lines of each. Each
//! table is then judged by the very rules a CSV gets ([`sniff::sniff`] on its column names and
//! sampled rows): a table with a column named like NIK wins (the one with the most valid
//! sampled NIKs if several do), else the table whose column has the most valid NIKs. The KK,
//! birth-date and gender columns are then found in that table the same way.

use memchr::memmem;
use rayon::prelude::*;

use crate::engine::Role;
use crate::nik::{Check, Validator};
use crate::format::layout::{Details, Found};
use crate::format::csv::sniff::{self, ColumnChoice, SniffOptions};
use crate::input::text::strip_bom;
use crate::nik::mask::mask_digits;

use super::lex::{self, Dialect, Value};
use super::target::{split_names, Target};
use super::{copy, insert_head, SqlParser};

/// Rows sampled per table.
const ROWS_PER_TABLE: usize = 500;
/// Bytes walked after a `CREATE TABLE` or `COPY` found beyond the sample.
const WALK_AFTER: usize = 256 << 10;
/// Tables looked at, at most.
const MAX_TABLES: usize = 2000;

type Row = Vec<Option<Vec<u8>>>;

#[derive(Debug, Default)]
struct Table {
    /// As written, unquoted (`public.dpt`).
    name: Vec<u8>,
    /// Last part of the name, compared without regard to ASCII case.
    key: Vec<u8>,
    /// From `CREATE TABLE`.
    created: Option<Vec<Vec<u8>>>,
    /// Column lists of sampled statements.
    lists: Vec<Vec<Vec<u8>>>,
    /// Sampled rows with the column list (index into `lists`) they were written with.
    rows: Vec<(Option<usize>, Row)>,
}

impl Table {
    /// The table's column order: its `CREATE TABLE`, else its first column list.
    fn columns(&self) -> Vec<Vec<u8>> {
        self.created.clone().or_else(|| self.lists.first().cloned()).unwrap_or_default()
    }

    /// Sampled rows in the table's column order.
    fn aligned_rows(&self) -> Vec<Row> {
        let cols = self.columns();
        self.rows
            .iter()
            .map(|(list, row)| match list.map(|i| &self.lists[i]) {
                Some(list) if !cols.is_empty() && *list != cols => cols
                    .iter()
                    .map(|c| list.iter().position(|n| n.eq_ignore_ascii_case(c)).and_then(|i| row.get(i).cloned().flatten()))
                    .collect(),
                _ => row.clone(),
            })
            .collect()
    }

    fn display(&self) -> String {
        mask_digits(&String::from_utf8_lossy(&self.name))
    }
}

#[derive(Debug, Default)]
struct Catalogue {
    tables: Vec<Table>,
}

impl Catalogue {
    fn table(&mut self, d: &[u8], last: (usize, usize), full: (usize, usize)) -> Option<&mut Table> {
        let key = &d[last.0..last.1];
        if let Some(i) = self.tables.iter().position(|t| t.key.eq_ignore_ascii_case(key)) {
            return Some(&mut self.tables[i]);
        }
        if self.tables.len() >= MAX_TABLES {
            return None;
        }
        let name = d[full.0..full.1].iter().copied().filter(|c| !matches!(c, b'`' | b'"' | b'[' | b']')).collect();
        self.tables.push(Table { name, key: key.to_vec(), ..Table::default() });
        self.tables.last_mut()
    }

    fn list_index(t: &mut Table, list: Vec<Vec<u8>>) -> usize {
        t.lists.iter().position(|l| *l == list).unwrap_or_else(|| {
            t.lists.push(list);
            t.lists.len() - 1
        })
    }
}

/// MySQL unless the sample shows PostgreSQL (`pg_dump` header, `COPY ... FROM stdin;`).
fn sniff_dialect(s: &[u8]) -> Dialect {
    let head = &s[..s.len().min(4096)];
    if memmem::find(head, b"MySQL dump").is_some() || memmem::find(head, b"MariaDB dump").is_some() {
        return Dialect::MySql;
    }
    let pg = [&b"PostgreSQL database dump"[..], b"SET standard_conforming_strings", b"pg_catalog."];
    if pg.iter().any(|m| memmem::find(s, m).is_some()) || !copy::headers_in(s).is_empty() {
        Dialect::Postgres
    } else {
        Dialect::MySql
    }
}

fn materialise(d: &[u8], v: Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::Raw(a, b) => Some(d[a..b].to_vec()),
        Value::Text(a, b, esc) => {
            let mut out = Vec::new();
            lex::unescape(&d[a..b], esc, &mut out);
            Some(out)
        }
    }
}

/// Every value of the tuple whose `(` is at `p`, and the position after it.
fn tuple_all(d: &[u8], p: usize, dia: Dialect) -> lex::Lex<(Row, usize)> {
    let mut row = Vec::new();
    let mut p = lex::skip_blank(d, p + 1, dia)?;
    if d[p] == b')' {
        return Ok((row, p + 1));
    }
    loop {
        let (v, next) = lex::value(d, p, dia)?;
        row.push(materialise(d, v));
        p = next;
        loop {
            p = lex::skip_blank(d, p, dia)?;
            match d[p] {
                b',' => break,
                b')' => return Ok((row, p + 1)),
                b';' => return Ok((row, p)),
                _ => p = lex::skip_value(d, p, dia)?,
            }
        }
        p = lex::skip_blank(d, p + 1, dia)?;
    }
}

/// Walks the statements that start in `[from, stop)`, recording tables and sampling rows.
/// Returns where it stopped. `whole`: `d` is the whole input, so a statement that does not end
/// in it never ends (a stray quote in a `SET` line); the walk goes on from the next line, as
/// the parser does ([`super::unended`]).
fn walk(d: &[u8], from: usize, stop: usize, whole: bool, dia: Dialect, cat: &mut Catalogue) -> usize {
    let mut p = from;
    while p < stop.min(d.len()) {
        let Ok(q) = lex::skip_blank(d, p, dia) else { break };
        let Ok(kw) = lex::word_end(d, q) else { break };
        let next = if lex::is_kw(d, q, kw, b"CREATE") {
            create_table(d, q, kw, dia, cat)
        } else if lex::is_kw(d, q, kw, b"INSERT") || lex::is_kw(d, q, kw, b"REPLACE") {
            sample_insert(d, q, kw, dia, cat, stop)
        } else if dia == Dialect::Postgres && (q == 0 || d[q - 1] == b'\n') && copy::header_parts(line_at(d, q)).is_some() {
            sample_copy(d, q, cat)
        } else if dia == Dialect::MySql && lex::is_kw(d, q, kw, b"DELIMITER") {
            match super::delimiter_block(d, true, q) {
                crate::engine::Step::Next(n) => Some(n),
                crate::engine::Step::Incomplete => None,
            }
        } else {
            match lex::statement_end(d, q, dia) {
                Ok(end) => Some(end),
                Err(_) if whole => memchr::memchr(b'\n', &d[q..]).map(|i| q + i + 1),
                Err(_) => None,
            }
        };
        match next {
            Some(n) if n > p => p = n,
            _ => break,
        }
    }
    p
}

fn line_at(d: &[u8], p: usize) -> &[u8] {
    &d[p..memchr::memchr(b'\n', &d[p..]).map_or(d.len(), |i| p + i)]
}

/// `CREATE [TEMPORARY|UNLOGGED|...] TABLE [IF NOT EXISTS] name (defs) ...;`
fn create_table(d: &[u8], q: usize, kw: usize, dia: Dialect, cat: &mut Catalogue) -> Option<usize> {
    let end = || lex::statement_end(d, q, dia).ok();
    let mut p = lex::skip_blank(d, kw, dia).ok()?;
    loop {
        let e = lex::word_end(d, p).ok()?;
        if lex::is_kw(d, p, e, b"TABLE") {
            p = lex::skip_blank(d, e, dia).ok()?;
            break;
        }
        if !["TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL", "OR", "REPLACE"].iter().any(|k| lex::is_kw(d, p, e, k.as_bytes())) {
            return end();
        }
        p = lex::skip_blank(d, e, dia).ok()?;
    }
    let e = lex::word_end(d, p).ok()?;
    if lex::is_kw(d, p, e, b"IF") {
        for _ in 0..3 {
            p = lex::skip_blank(d, lex::word_end(d, lex::skip_blank(d, p, dia).ok()?).ok()?, dia).ok()?;
        }
        p = lex::skip_blank(d, p, dia).ok()?;
    }
    let Some((last, full, after)) = lex::qualified(d, p).ok()? else { return end() };
    p = lex::skip_blank(d, after, dia).ok()?;
    if d[p] != b'(' {
        return end();
    }
    let mut columns = Vec::new();
    p += 1;
    loop {
        p = lex::skip_blank(d, p, dia).ok()?;
        if d[p] == b')' {
            break;
        }
        let quoted = matches!(d[p], b'`' | b'"' | b'[');
        let (a, b, n) = lex::ident(d, p).ok()?.unwrap_or((p, p, p));
        let constraint = ["PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK", "EXCLUDE", "LIKE", "PERIOD"]
            .iter()
            .any(|k| lex::is_kw(d, a, b, k.as_bytes()));
        if a < b && (quoted || !constraint) {
            columns.push(d[a..b].to_vec());
        }
        let e = lex::skip_value(d, n, dia).ok()?;
        if d[e] != b',' {
            break;
        }
        p = e + 1;
    }
    if let Some(t) = cat.table(d, last, full) {
        t.created = Some(columns);
    }
    end()
}

/// An `INSERT`: records its table and column list and samples its first tuples. `None` when
/// the walk should stop (the statement runs past `stop` or the bytes).
fn sample_insert(d: &[u8], q: usize, kw: usize, dia: Dialect, cat: &mut Catalogue, stop: usize) -> Option<usize> {
    let head = match insert_head(d, kw, dia).ok()? {
        Some(h) => h,
        None => return lex::statement_end(d, q, dia).ok(),
    };
    let list = head.columns.map(|(a, b)| split_names(&d[a..b], dia));
    let t = cat.table(d, head.table, head.name)?;
    let list = list.map(|l| Catalogue::list_index(t, l));
    let mut p = head.values;
    let mut scratch = (super::Vals::default(), Vec::new());
    let simd = super::fast::Simd::detect();
    loop {
        p = lex::skip_blank(d, p, dia).ok()?;
        if d[p] != b'(' {
            return lex::statement_end(d, p, dia).ok();
        }
        if t.rows.len() < ROWS_PER_TABLE {
            let (row, next) = tuple_all(d, p, dia).ok()?;
            t.rows.push((list, row));
            p = next;
        } else if p > stop {
            return None;
        } else {
            let (vals, buf) = (&mut scratch.0, &mut scratch.1);
            p = match super::fast::run(simd, d, p, dia, &Default::default(), true, vals, buf, &mut |_, _| {}) {
                super::fast::Run::AfterTuple(next) => next,
                super::fast::Run::AtTuple(_) => super::tuple(d, p, dia, &Default::default(), vals, buf).ok()?,
            };
        }
        p = lex::skip_blank(d, p, dia).ok()?;
        match d[p] {
            b',' => p += 1,
            b';' => return Some(p + 1),
            _ => return lex::statement_end(d, p, dia).ok(),
        }
    }
}

/// A `COPY ... FROM stdin;` block at the line start `q`: samples its first lines.
fn sample_copy(d: &[u8], q: usize, cat: &mut Catalogue) -> Option<usize> {
    let line = line_at(d, q);
    let copy::Header { table, columns, text_format: text } = copy::header_parts(line)?;
    let off = |s: &[u8]| s.as_ptr() as usize - d.as_ptr() as usize;
    let last = (off(table), off(table) + table.len());
    let name_start = lex::skip_blank(d, q + 5, Dialect::Postgres).ok()?;
    let t = cat.table(d, last, (name_start.min(last.0), last.1))?;
    let list = columns.map(|c| Catalogue::list_index(t, split_names(c, Dialect::Postgres)));
    let mut p = q + line.len() + 1;
    while p < d.len() {
        let l = line_at(d, p);
        let content = l.strip_suffix(b"\r").unwrap_or(l);
        if content == b"\\." {
            return Some(p + l.len() + 1);
        }
        if t.rows.len() >= ROWS_PER_TABLE || !text {
            let i = memmem::find(&d[p..], b"\n\\.")?;
            p += i + 1;
            continue;
        }
        if !content.is_empty() {
            let row = content
                .split(|&c| c == b'\t')
                .map(|f| {
                    (f != b"\\N").then(|| {
                        let mut out = Vec::new();
                        lex::unescape_copy(f, &mut out);
                        out
                    })
                })
                .collect();
            t.rows.push((list, row));
        }
        p += l.len() + 1;
    }
    None
}

/// A table's columns and sampled rows as a CSV, so that [`sniff::sniff`] judges it by the
/// rules every CSV gets.
fn as_csv(names: &[Vec<u8>], rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::new();
    let field = |out: &mut Vec<u8>, i: usize, f: Option<&[u8]>| {
        if i > 0 {
            out.push(b',');
        }
        if let Some(f) = f {
            out.push(b'"');
            for &c in f {
                if c == b'"' {
                    out.push(b'"');
                }
                out.push(c);
            }
            out.push(b'"');
        }
    };
    if !names.is_empty() {
        for (i, n) in names.iter().enumerate() {
            field(&mut out, i, Some(n));
        }
        out.push(b'\n');
    }
    for r in rows {
        for (i, f) in r.iter().enumerate() {
            field(&mut out, i, f.as_deref());
        }
        if r.is_empty() {
            out.extend_from_slice(b"\"\"");
        }
        out.push(b'\n');
    }
    out
}

fn layout(names: &[Vec<u8>], rows: &[Row], opts: &SniffOptions, v: &Validator<'_>) -> Result<sniff::Layout, String> {
    let opts = SniffOptions { delimiter: Some(b','), header: Some(!names.is_empty()), ..opts.clone() };
    sniff::sniff(&as_csv(names, rows), &opts, v)
}

fn tables_seen(cat: &Catalogue) -> String {
    if cat.tables.is_empty() {
        return "none".into();
    }
    let mut s: Vec<String> = cat
        .tables
        .iter()
        .take(20)
        .map(|t| {
            let cols = t.columns();
            let mut names: Vec<String> = cols.iter().take(30).map(|c| mask_digits(&String::from_utf8_lossy(c))).collect();
            if cols.len() > 30 {
                names.push("...".into());
            }
            if cols.is_empty() {
                names.push(format!("{} unnamed columns", t.rows.iter().map(|r| r.1.len()).max().unwrap_or(0)));
            }
            format!("{} ({})", t.display(), names.join(", "))
        })
        .collect();
    if cat.tables.len() > 20 {
        s.push(format!("and {} more", cat.tables.len() - 20));
    }
    s.join("; ")
}

/// Every start of `needle` in `all[from..]`, searched in parallel pieces (a dump may be many
/// gigabytes, and this runs before the parallel scan).
fn find_all(all: &[u8], from: usize, needle: &[u8]) -> Vec<usize> {
    const PIECE: usize = 8 << 20;
    let finder = memmem::Finder::new(needle);
    let pieces = (all.len() - from).div_ceil(PIECE);
    (0..pieces)
        .into_par_iter()
        .flat_map_iter(|i| {
            let a = from + i * PIECE;
            let end = (a + PIECE).min(all.len());
            // Overlap by the needle, and keep only the hits that start in this piece.
            let b = (end + needle.len() - 1).min(all.len());
            finder.find_iter(&all[a..b]).map(move |k| a + k).filter(move |&k| k < end).collect::<Vec<_>>()
        })
        .collect()
}

/// Detects an SQL dump's dialect, the table that holds NIKs, and its columns.
pub fn detect(sample: &[u8], whole: bool, all: Option<&[u8]>, opts: &SniffOptions, v: &Validator<'_>) -> Result<Option<Found<SqlParser>>, String> {
    let bom = sample.len() - strip_bom(sample).len();
    let dialect = sniff_dialect(&sample[bom..]);
    let text = all.unwrap_or(sample);
    let whole = whole || all.is_some();
    let mut cat = Catalogue::default();
    let mut walked = walk(text, bom, sample.len(), whole, dialect, &mut cat);
    // Past where the walk stopped, tables are searched for: in the whole input when it is
    // mapped, else in the sample, the same way, so that a stream and a map of the same bytes
    // find the same tables (all of them, when the input fits in the sample).
    if text.len() > walked {
        let all = text;
        // Tables defined (and filled) beyond the sample, found by a parallel search.
        let mut starts = find_all(all, walked, b"CREATE TABLE");
        if memmem::find(sample, b"create table").is_some() || memmem::find(sample, b"insert into").is_some() {
            starts.extend(find_all(all, walked, b"create table"));
        }
        if dialect == Dialect::Postgres {
            for needle in [&b"\nCOPY "[..], b"\ncopy "] {
                starts.extend(find_all(all, walked, needle).into_iter().map(|h| h + 1).filter(|&h| copy::header_parts(line_at(all, h)).is_some()));
            }
        }
        starts.sort_unstable();
        for s in starts.into_iter().take(MAX_TABLES) {
            if s >= walked {
                walked = walk(all, s, s + WALK_AFTER, whole, dialect, &mut cat).max(s + 1);
            }
        }
        if cat.tables.is_empty() {
            // No CREATE TABLE or COPY past a statement that never ends: the first INSERT or
            // REPLACE at a line start.
            let first = [&b"\nINSERT "[..], b"\ninsert ", b"\nREPLACE ", b"\nreplace "]
                .iter()
                .filter_map(|n| memmem::find(&all[walked..], n).map(|i| walked + i + 1))
                .min();
            if let Some(s) = first {
                walk(all, s, s + WALK_AFTER, whole, dialect, &mut cat);
            }
        }
    }
    let scope = if whole { "the dump" } else { "the first MiB of the stream" };
    if cat.tables.is_empty() {
        return Err(format!("no CREATE TABLE, INSERT or COPY statement in {scope}; is it an SQL dump? (tables seen: none)"));
    }

    // Candidates: by name (or by the user's --nik-column), else by content.
    let mut nik_only = SniffOptions::default();
    nik_only.columns[Role::Nik] = opts.columns[Role::Nik].clone();
    let mut named = Vec::new();
    let mut by_content = Vec::new();
    for (i, t) in cat.tables.iter().enumerate() {
        let names = t.columns();
        let rows = t.aligned_rows();
        let width = names.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        let valid = |col: usize| rows.iter().filter(|r| matches!(r.get(col).and_then(|f| f.as_deref()).map(|f| v.nik(f)), Some(Check::Valid(_)))).count();
        if let Ok(l) = layout(&names, &[], &nik_only, v) {
            if let Some(c) = l.columns[Role::Nik].filter(|&c| c < width) {
                named.push((valid(c), rows.len(), std::cmp::Reverse(i)));
                continue;
            }
        }
        if opts.columns[Role::Nik].is_none() {
            if let Ok(l) = layout(&names, &rows, &nik_only, v) {
                if let Some(c) = l.columns[Role::Nik] {
                    by_content.push((valid(c), rows.len(), std::cmp::Reverse(i)));
                }
            }
        }
    }
    let Some(best) = named.into_iter().max().or_else(|| by_content.into_iter().max()) else {
        let seen = tables_seen(&cat);
        return Err(match &opts.columns[Role::Nik] {
            Some(ColumnChoice::Name(n)) => format!("no table in {scope} has a NIK column named {:?}; tables seen: {seen}", mask_digits(n)),
            Some(ColumnChoice::Position(n)) => format!("no table in {scope} has a column {n}; tables seen: {seen}"),
            None => format!(
                "cannot find the NIK column: no column named like NIK/NO_KTP and no column of mostly valid NIKs in the sampled rows of {scope}; tables seen: {seen}; name it with --nik-column NAME|N"
            ),
        });
    };
    let t = &cat.tables[best.2 .0];
    let names = t.columns();
    let l = layout(&names, &t.aligned_rows(), opts, v).map_err(|m| format!("table {}: {m}", t.display()))?;
    let target = Target::new(&t.key, &names, l.columns);
    let show = |col: Option<usize>| {
        col.map(|c| {
            let n = names.get(c).map_or_else(|| format!("column {}", c + 1), |n| String::from_utf8_lossy(n).into_owned());
            format!("{}.{}", t.display(), mask_digits(&n))
        })
    };
    let headers = names.iter().map(|n| mask_digits(&String::from_utf8_lossy(n))).collect();
    let details = Details { format: "sql", delimiter: None, header: false, columns: l.columns.map(show), headers };
    let parser = SqlParser::new(dialect, target, bom as u64);
    Ok(Some(Found { parser, data_start: bom, details }))
}
