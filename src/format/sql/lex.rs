//! Byte-level SQL lexing shared by the record parser and by detection: blanks and comments,
//! strings in both dialects, identifiers, one value of a tuple, and the end of a statement.
//!
//! Every function reads a *view* that may stop early (the end of a streamed block, or the start
//! of a `COPY` block). Running into the view's end is a [`Cut`], never a panic and never a
//! guess: the caller decides whether that means "wait for more bytes" or "the dump ends here".
//! A function that returns a position has looked at no byte past it, so a statement that ends
//! inside a view is lexed the same whatever follows the view.

use memchr::{memchr, memchr2, memmem};

/// Which SQL the dump speaks. It decides what a string is and whether `COPY` blocks exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// MySQL / MariaDB: `'...'` and `"..."` strings with backslash escapes, `` `ident` ``,
    /// `#` comments, `DELIMITER` blocks.
    MySql,
    /// PostgreSQL: standard `'...'` strings (`''` only; `E'...'` has backslash escapes),
    /// `"ident"`, `$tag$...$tag$`, and `COPY ... FROM stdin` blocks.
    Postgres,
}

/// The view ended before the construct did. `quote`: where the unclosed string opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub quote: Option<usize>,
}

pub type Lex<T> = Result<T, Cut>;

/// A byte range `[start, end)` of the view.
pub type Span = (usize, usize);

pub const CUT: Cut = Cut { quote: None };

/// How a string's content is unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Esc {
    /// Nothing to unescape: the content is the value.
    None,
    /// Backslash escapes (MySQL, PostgreSQL `E'...'`) and a doubled quote.
    Backslash(u8),
    /// Only a doubled quote (standard SQL strings).
    Doubled(u8),
}

/// One value of a tuple, as positions in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// `NULL` (or `DEFAULT`): no value.
    Null,
    /// An unquoted token, e.g. a number: `3201011508900001`, `-1.5`.
    Raw(usize, usize),
    /// A string's content between its quotes.
    Text(usize, usize, Esc),
}

#[inline(always)]
pub fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[inline(always)]
pub fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Position after the line end at or after `p`.
#[inline]
fn line_end(d: &[u8], p: usize) -> Lex<usize> {
    memchr(b'\n', &d[p..]).map(|i| p + i + 1).ok_or(CUT)
}

/// If a comment starts at `p`: the position after it (`Ok(Some)`); `Ok(None)` if none starts.
#[inline]
pub fn comment_at(d: &[u8], p: usize, dia: Dialect) -> Lex<Option<usize>> {
    match d[p] {
        b'-' => match d.get(p + 1) {
            None => Err(CUT),
            Some(b'-') => {
                // MySQL wants a blank or control byte after `--` (`1--1` is arithmetic).
                if dia == Dialect::MySql {
                    match d.get(p + 2) {
                        None => return Err(CUT),
                        Some(&c) if c > b' ' => return Ok(None),
                        _ => {}
                    }
                }
                line_end(d, p).map(Some)
            }
            Some(_) => Ok(None),
        },
        b'#' if dia == Dialect::MySql => line_end(d, p).map(Some),
        b'/' => match d.get(p + 1) {
            None => Err(CUT),
            Some(b'*') => memmem::find(&d[p + 2..], b"*/").map(|i| Some(p + 2 + i + 2)).ok_or(CUT),
            Some(_) => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Skips blanks and comments: the position of the next significant byte.
#[inline]
pub fn skip_blank(d: &[u8], mut p: usize, dia: Dialect) -> Lex<usize> {
    loop {
        let c = *d.get(p).ok_or(CUT)?;
        if is_ws(c) {
            p += 1;
        } else if matches!(c, b'-' | b'/' | b'#') {
            match comment_at(d, p, dia)? {
                Some(after) => p = after,
                None => return Ok(p),
            }
        } else {
            return Ok(p);
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The first byte at or after `p` that is `q` (or a backslash, with `backslash`). Strings in
/// dumps are short (names, codes), so the first 32 bytes are searched eight at a time in a
/// register (no call, no setup), and only longer strings go to `memchr`.
#[inline(always)]
fn find_quote(d: &[u8], p: usize, q: u8, backslash: bool) -> Option<usize> {
    let mut i = p;
    while i + 8 <= d.len() && i < p + 32 {
        let Ok(w) = <[u8; 8]>::try_from(&d[i..i + 8]) else { break };
        let x = u64::from_le_bytes(w);
        // Zero bytes of `x ^ pattern` are matches. The lowest flagged byte is always a
        // real match (a false flag needs a borrow from a real match below it).
        let y = x ^ (LO * u64::from(q));
        let mut m = y.wrapping_sub(LO) & !y & HI;
        if backslash {
            let z = x ^ (LO * u64::from(b'\\'));
            m |= z.wrapping_sub(LO) & !z & HI;
        }
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = d.get(i..)?;
    if backslash { memchr2(q, b'\\', rest) } else { memchr(q, rest) }.map(|k| i + k)
}

/// End of the string whose opening quote `q` is at `open`: the closing quote's position and
/// whether anything needs unescaping.
#[inline(always)]
pub fn string_end(d: &[u8], open: usize, q: u8, backslash: bool) -> Lex<(usize, bool)> {
    let cut = Cut { quote: Some(open) };
    let mut p = open + 1;
    let mut escaped = false;
    loop {
        let x = find_quote(d, p, q, backslash).ok_or(cut)?;
        if d[x] == b'\\' {
            escaped = true;
            p = x + 2;
            continue;
        }
        match d.get(x + 1) {
            // A quote at the view's end may be the first of a doubled pair.
            None => return Err(cut),
            Some(&c) if c == q => {
                escaped = true;
                p = x + 2;
            }
            Some(_) => return Ok((x, escaped)),
        }
    }
}

/// Whether the quote at `p` is the start of a PostgreSQL `E'...'` string.
#[inline]
fn e_prefix(d: &[u8], p: usize) -> bool {
    p >= 1 && matches!(d[p - 1], b'E' | b'e') && (p < 2 || !is_ident(d[p - 2]))
}

/// A PostgreSQL dollar quote opening at `p` (`$$` or `$tag$`): the position after its close.
/// `Ok(None)` if `p` does not open one (e.g. `$1`).
pub fn dollar_end(d: &[u8], p: usize) -> Lex<Option<usize>> {
    if p > 0 && is_ident(d[p - 1]) {
        return Ok(None);
    }
    let mut t = p + 1;
    while t < d.len() && (d[t].is_ascii_alphanumeric() || d[t] == b'_' || d[t] >= 0x80) {
        t += 1;
    }
    match d.get(t) {
        None => Err(CUT),
        Some(b'$') if t == p + 1 || !d[p + 1].is_ascii_digit() => {
            let tag = &d[p..=t];
            memmem::find(&d[t + 1..], tag).map(|i| Some(t + 1 + i + tag.len())).ok_or(CUT)
        }
        Some(_) => Ok(None),
    }
}

/// End of the word (identifier bytes) starting at `p`; a word that reaches the view's end may
/// go on, so that is a cut.
#[inline]
pub fn word_end(d: &[u8], p: usize) -> Lex<usize> {
    let n = d[p..].iter().position(|&c| !is_ident(c)).ok_or(CUT)?;
    Ok(p + n)
}

/// Whether `d[a..b]` is the keyword `kw` (ASCII, any case).
#[inline]
pub fn is_kw(d: &[u8], a: usize, b: usize, kw: &[u8]) -> bool {
    d[a..b].eq_ignore_ascii_case(kw)
}

/// One identifier at `p` (bare, `` `quoted` ``, `"quoted"` or `[quoted]`): its content span and
/// the position after it. `Ok(None)` if no identifier starts at `p`.
pub fn ident(d: &[u8], p: usize) -> Lex<Option<(usize, usize, usize)>> {
    let c = *d.get(p).ok_or(CUT)?;
    let close = match c {
        b'`' | b'"' => c,
        b'[' => b']',
        c if is_ident(c) => {
            let e = word_end(d, p)?;
            return Ok(Some((p, e, e)));
        }
        _ => return Ok(None),
    };
    let mut s = p + 1;
    loop {
        let x = s + memchr(close, &d[s.min(d.len())..]).ok_or(CUT)?;
        if close != b']' && d.get(x + 1) == Some(&close) {
            s = x + 2;
            continue;
        }
        if x + 1 >= d.len() {
            return Err(CUT);
        }
        return Ok(Some((p + 1, x, x + 1)));
    }
}

/// A possibly qualified name (`db.t`, `"public"."t"`): the span of its last part, the span of
/// the whole name, and the position after it.
pub fn qualified(d: &[u8], p: usize) -> Lex<Option<(Span, Span, usize)>> {
    let Some((mut a, mut b, mut next)) = ident(d, p)? else { return Ok(None) };
    loop {
        if *d.get(next).ok_or(CUT)? != b'.' {
            return Ok(Some(((a, b), (p, next), next)));
        }
        match ident(d, next + 1)? {
            Some((a2, b2, n2)) => (a, b, next) = (a2, b2, n2),
            None => return Ok(Some(((a, b), (p, next), next))),
        }
    }
}

/// From `p`: the position of the `,`, `)` or `;` that ends the current value (at parenthesis
/// depth 0), skipping strings, comments and nested parentheses. Not consumed.
pub fn skip_value(d: &[u8], mut p: usize, dia: Dialect) -> Lex<usize> {
    let mut depth = 0usize;
    loop {
        let c = *d.get(p).ok_or(CUT)?;
        match c {
            b'\'' => p = string_end(d, p, b'\'', dia == Dialect::MySql || e_prefix(d, p))?.0 + 1,
            b'"' => p = string_end(d, p, b'"', dia == Dialect::MySql)?.0 + 1,
            b'`' => p = ident(d, p)?.map_or(p + 1, |(_, _, n)| n),
            b'(' => {
                depth += 1;
                p += 1;
            }
            b')' if depth > 0 => {
                depth -= 1;
                p += 1;
            }
            b')' | b',' | b';' if depth == 0 => return Ok(p),
            b'-' | b'/' | b'#' => p = comment_at(d, p, dia)?.unwrap_or(p + 1),
            b'$' if dia == Dialect::Postgres => p = dollar_end(d, p)?.unwrap_or(p + 1),
            _ => p += 1,
        }
    }
}

/// From just inside a `(`: the position of its `)` (or of a `;` that cuts the list short).
pub fn close_paren(d: &[u8], mut p: usize, dia: Dialect) -> Lex<usize> {
    loop {
        let e = skip_value(d, p, dia)?;
        if d[e] == b',' {
            p = e + 1;
        } else {
            return Ok(e);
        }
    }
}

/// Bytes that matter when looking for the end of a statement.
const fn special(pg: bool) -> [bool; 256] {
    let mut t = [false; 256];
    t[b';' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'"' as usize] = true;
    t[b'-' as usize] = true;
    t[b'/' as usize] = true;
    if pg {
        t[b'$' as usize] = true;
    } else {
        t[b'`' as usize] = true;
        t[b'#' as usize] = true;
    }
    t
}
static SPECIAL_MYSQL: [bool; 256] = special(false);
static SPECIAL_PG: [bool; 256] = special(true);

/// From `p` inside a statement: the position just after its terminating `;`.
pub fn statement_end(d: &[u8], mut p: usize, dia: Dialect) -> Lex<usize> {
    let table = if dia == Dialect::MySql { &SPECIAL_MYSQL } else { &SPECIAL_PG };
    loop {
        p += d.get(p..).unwrap_or_default().iter().position(|&c| table[c as usize]).ok_or(CUT)?;
        match d[p] {
            b';' => return Ok(p + 1),
            b'\'' => p = string_end(d, p, b'\'', dia == Dialect::MySql || e_prefix(d, p))?.0 + 1,
            b'"' => p = string_end(d, p, b'"', dia == Dialect::MySql)?.0 + 1,
            b'`' => p = ident(d, p)?.map_or(p + 1, |(_, _, n)| n),
            b'$' => p = dollar_end(d, p)?.unwrap_or(p + 1),
            _ => p = comment_at(d, p, dia)?.unwrap_or(p + 1),
        }
    }
}

/// The value starting at the significant byte `p`, and the position after it.
#[inline]
pub fn value(d: &[u8], p: usize, dia: Dialect) -> Lex<(Value, usize)> {
    let c = d[p];
    let text = |open: usize, q: u8, backslash: bool| -> Lex<(Value, usize)> {
        let (close, escaped) = string_end(d, open, q, backslash)?;
        let esc = match (escaped, backslash) {
            (false, _) => Esc::None,
            (true, true) => Esc::Backslash(q),
            (true, false) => Esc::Doubled(q),
        };
        Ok((Value::Text(open + 1, close, esc), close + 1))
    };
    match c {
        b'\'' => text(p, b'\'', dia == Dialect::MySql),
        b'"' => text(p, b'"', dia == Dialect::MySql),
        b'$' if dia == Dialect::Postgres => match dollar_end(d, p)? {
            Some(end) => {
                let open = p + 1 + memchr(b'$', &d[p + 1..]).unwrap_or(0);
                let tag = open + 1 - p;
                Ok((Value::Text(open + 1, end - tag, Esc::None), end))
            }
            None => raw(d, p, dia),
        },
        c if c.is_ascii_alphabetic() || c == b'_' => {
            let e = word_end(d, p)?;
            if d[e] == b'\'' {
                // A prefixed string: E'..' (escapes), N'..', X'..', B'..', _utf8mb4'..'.
                let backslash = dia == Dialect::MySql || (e == p + 1 && matches!(c, b'E' | b'e'));
                return text(e, b'\'', backslash);
            }
            if is_kw(d, p, e, b"NULL") || is_kw(d, p, e, b"DEFAULT") {
                return Ok((Value::Null, e));
            }
            raw(d, p, dia)
        }
        _ => raw(d, p, dia),
    }
}

/// An unquoted token or expression up to the next `,` / `)` / `;`, without trailing blanks.
fn raw(d: &[u8], p: usize, dia: Dialect) -> Lex<(Value, usize)> {
    let end = skip_value(d, p, dia)?;
    let mut b = end;
    while b > p && is_ws(d[b - 1]) {
        b -= 1;
    }
    Ok((Value::Raw(p, b), end))
}

/// Appends the unescaped `content` of a string to `out`.
pub fn unescape(content: &[u8], esc: Esc, out: &mut Vec<u8>) {
    let (q, backslash) = match esc {
        Esc::None => {
            out.extend_from_slice(content);
            return;
        }
        Esc::Backslash(q) => (q, true),
        Esc::Doubled(q) => (q, false),
    };
    let mut i = 0;
    while i < content.len() {
        let c = content[i];
        if backslash && c == b'\\' && i + 1 < content.len() {
            let n = content[i + 1];
            match n {
                b'0' => out.push(0),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'b' => out.push(8),
                b'Z' => out.push(26),
                // MySQL keeps the backslash of \% and \_ (they are LIKE escapes).
                b'%' | b'_' => out.extend_from_slice(&[b'\\', n]),
                _ => out.push(n),
            }
            i += 2;
        } else if c == q && content.get(i + 1) == Some(&q) {
            out.push(q);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
}

/// Appends a PostgreSQL `COPY` text-format field, unescaped, to `out`.
pub fn unescape_copy(field: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < field.len() {
        let c = field[i];
        if c != b'\\' || i + 1 >= field.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let n = field[i + 1];
        i += 2;
        match n {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(n - b'0');
                let mut k = 0;
                while k < 2 && i < field.len() && (b'0'..=b'7').contains(&field[i]) {
                    v = v * 8 + u32::from(field[i] - b'0');
                    i += 1;
                    k += 1;
                }
                out.push(v as u8);
            }
            b'x' if i < field.len() && field[i].is_ascii_hexdigit() => {
                let mut v = 0u32;
                let mut k = 0;
                while k < 2 && i < field.len() && field[i].is_ascii_hexdigit() {
                    v = v * 16 + (field[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                out.push(v as u8);
            }
            _ => out.push(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in_both_dialects() {
        let d = br"'a\'b''c' x";
        assert_eq!(string_end(d, 0, b'\'', true), Ok((8, true)));
        let d = br"'a\' x";
        assert_eq!(string_end(d, 0, b'\'', false), Ok((3, false)));
        assert_eq!(string_end(b"'abc", 0, b'\'', true), Err(Cut { quote: Some(0) }));
        // A quote at the view's end could be doubled: not decided yet.
        assert_eq!(string_end(b"'abc'", 0, b'\'', true), Err(Cut { quote: Some(0) }));
        let mut out = Vec::new();
        unescape(br"a\'b''c\n\\\%", Esc::Backslash(b'\''), &mut out);
        assert_eq!(out, b"a'b'c\n\\\\%");
    }

    #[test]
    fn quote_search_matches_the_naive_one() {
        let text = b"abc\\'de''fgh0123456789012345678901234567890123456789'x\\";
        for p in 0..text.len() {
            for bs in [false, true] {
                let naive = text[p..].iter().position(|&c| c == b'\'' || (bs && c == b'\\')).map(|i| p + i);
                assert_eq!(find_quote(text, p, b'\'', bs), naive, "{p} {bs}");
            }
        }
    }

    #[test]
    fn values() {
        let d = b"( 'x' , NULL,3201011508900001 ,f(1,2), E'a\\'b', $$q$$)";
        let dia = Dialect::Postgres;
        let p = skip_blank(d, 1, dia).unwrap();
        assert_eq!(value(d, p, dia).unwrap(), (Value::Text(3, 4, Esc::None), 5));
        let p = skip_blank(d, 7, dia).unwrap();
        assert_eq!(value(d, p, dia).unwrap(), (Value::Null, 12));
        assert_eq!(value(d, 13, dia).unwrap(), (Value::Raw(13, 29), 30));
        assert_eq!(value(d, 31, dia).unwrap(), (Value::Raw(31, 37), 37));
        assert_eq!(value(d, 39, dia).unwrap(), (Value::Text(41, 45, Esc::Backslash(b'\'')), 46));
        assert_eq!(value(d, 48, dia).unwrap(), (Value::Text(50, 51, Esc::None), 53));
    }

    #[test]
    fn statement_ends() {
        let d = b"CREATE x 'a;b' -- c;\n /* ; */ \"q;\" `i;` # h;\n ;rest";
        assert_eq!(statement_end(d, 0, Dialect::MySql), Ok(47));
        let d = b"CREATE FUNCTION f() AS $body$ a; b $body$; x";
        assert_eq!(statement_end(d, 0, Dialect::Postgres), Ok(42));
        assert_eq!(statement_end(b"SET x = 'a;", 0, Dialect::MySql), Err(Cut { quote: Some(8) }));
    }
}
