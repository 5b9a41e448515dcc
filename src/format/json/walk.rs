//! A small JSON tokenizer over bytes: [`walk`] goes through one value and reports its keys and
//! scalars to a [`Visitor`], which keeps what it wants as byte ranges. Nothing is allocated per
//! value (the container stack is the caller's reused `Vec`), numbers are never converted (a
//! 16-digit NIK above 2^53 keeps its digits), and strings are only unescaped by the visitor, for
//! the few values it keeps.
//!
//! Strictness: the structure is checked (quotes, brackets, colons, commas, literals), string
//! contents are not (any escape `\x` is skipped as two bytes, control bytes are let through), and
//! a number is any run of `0-9 + - . e E` starting with a digit or `-`: the NIK validator decides
//! what such text is worth (`3.5e15` is spreadsheet damage, not a NIK).

use memchr::memchr2;

use crate::format::simd::find3;

/// Deeper nesting than this is treated as malformed (a fixed bound, so hostile input cannot
/// make the stack grow without limit).
pub(crate) const MAX_DEPTH: usize = 4096;

/// What kind of scalar a visitor is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string without escapes: the range is its content.
    Str,
    /// A string with at least one backslash escape: the range is its raw content.
    EscapedStr,
    /// Raw number text.
    Number,
    True,
    False,
    Null,
}

/// Receives the parts of one value, in document order. `level` counts the containers above that
/// were opened as a member's value (keys, not array brackets, make the path: `{"a": [{"b": 1}]}`
/// reports `b` at level 1, under `a`).
pub(crate) trait Visitor {
    /// A member key; `a..b` is its raw content without the quotes.
    fn key(&mut self, buf: &[u8], level: u32, a: usize, b: usize, escaped: bool);
    /// A scalar; `keyed` when it is the value of the key last reported (else an array element
    /// or the whole value).
    fn scalar(&mut self, buf: &[u8], level: u32, a: usize, b: usize, kind: Kind, keyed: bool);
    /// An object or array opens, as the value of the last key when `keyed`; `level` is the
    /// level of that key.
    fn open(&mut self, level: u32, keyed: bool);
    /// The innermost open container closes.
    fn close(&mut self, keyed: bool);
    /// Whether nothing later in this value can change what the visitor keeps.
    fn done(&self) -> bool;
}

/// How a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// The value is complete; the next byte is at this position.
    End(usize),
    /// The visitor was done here (after a scalar), with the stack's containers still open.
    Stopped(usize),
    /// Not JSON at this byte.
    Malformed(usize),
    /// The buffer ends inside the value: at this position opened the innermost unclosed
    /// string, or (otherwise) the value itself.
    Unclosed(usize),
}

/// Stack entry bits: an object (else an array), opened as a member's value.
pub(crate) const OBJECT: u8 = 1;
const KEYED: u8 = 2;

#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The first non-whitespace position at or after `p` (or `buf.len()`).
#[inline(always)]
pub(crate) fn skip_ws(buf: &[u8], mut p: usize) -> usize {
    // Dumps are mostly compact JSON: one compare says "not whitespace" for every byte above
    // the space.
    while let Some(&c) = buf.get(p) {
        if c > b' ' || !is_ws(c) {
            break;
        }
        p += 1;
    }
    p
}

/// From just after an opening quote: the closing quote and whether an escape came before it.
#[inline(always)]
pub(crate) fn string_end(buf: &[u8], p: usize) -> Option<(usize, bool)> {
    // Keys and values in dumps are short: `find3` tests 16 bytes at a time before it would
    // hand a long string to memchr.
    let q = find3(buf, p, b'"', b'\\', b'\\');
    match buf.get(q) {
        Some(b'"') => Some((q, false)),
        Some(_) => string_end_escaped(buf, q),
        None => None,
    }
}

/// `string_end` from a backslash on.
#[cold]
fn string_end_escaped(buf: &[u8], mut p: usize) -> Option<(usize, bool)> {
    loop {
        // `p` is at a backslash: skip it and the escaped byte.
        p += 2;
        if p >= buf.len() {
            return None;
        }
        let q = p + memchr2(b'"', b'\\', &buf[p..])?;
        if buf[q] == b'"' {
            return Some((q, true));
        }
        p = q;
    }
}

#[inline(always)]
fn is_number_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Reports a member key at `p` (after optional whitespace) and returns the position after
/// its colon. `start` is what [`Walk::Unclosed`] reports when the buffer ends outside a string.
#[inline(always)]
pub(crate) fn member_key<V: Visitor>(buf: &[u8], p: usize, level: u32, start: usize, v: &mut V) -> Result<usize, Walk> {
    let p = skip_ws(buf, p);
    match buf.get(p) {
        Some(b'"') => {}
        Some(_) => return Err(Walk::Malformed(p)),
        None => return Err(Walk::Unclosed(start)),
    }
    let (end, escaped) = string_end(buf, p + 1).ok_or(Walk::Unclosed(p))?;
    v.key(buf, level, p + 1, end, escaped);
    let q = skip_ws(buf, end + 1);
    match buf.get(q) {
        Some(b':') => Ok(q + 1),
        Some(_) => Err(Walk::Malformed(q)),
        None => Err(Walk::Unclosed(start)),
    }
}

#[inline(always)]
fn str_kind(escaped: bool) -> Kind {
    if escaped {
        Kind::EscapedStr
    } else {
        Kind::Str
    }
}

/// After a member's string value at `p`: the members that follow in compact form
/// (`,"key":"value"`, as exporters write JSON lines), each reported as the general walk would
/// report it, without its whitespace skips and dispatch. Stops before the first member that is
/// not of that form (or when the visitor is done) and returns where the general walk goes on, as
/// after a value.
#[inline(always)]
fn compact_members<V: Visitor>(buf: &[u8], mut p: usize, level: u32, v: &mut V) -> usize {
    while !v.done() && buf.get(p) == Some(&b',') && buf.get(p + 1) == Some(&b'"') {
        let Some((key_end, key_escaped)) = string_end(buf, p + 2) else { break };
        if buf.get(key_end + 1) != Some(&b':') || buf.get(key_end + 2) != Some(&b'"') {
            break;
        }
        let Some((end, escaped)) = string_end(buf, key_end + 3) else { break };
        v.key(buf, level, p + 2, key_end, key_escaped);
        v.scalar(buf, level, key_end + 3, end, str_kind(escaped), true);
        p = end + 1;
    }
    p
}

/// Walks the value that starts at `start` (after optional whitespace). `stack` is scratch; after
/// [`Walk::Stopped`] it holds the containers still open.
pub(crate) fn walk<V: Visitor>(buf: &[u8], start: usize, v: &mut V, stack: &mut Vec<u8>) -> Walk {
    walk_with::<V, true>(buf, start, v, stack)
}

/// [`walk`], with the compact-member fast path or (for its test) without.
#[inline(always)]
fn walk_with<V: Visitor, const COMPACT: bool>(buf: &[u8], start: usize, v: &mut V, stack: &mut Vec<u8>) -> Walk {
    stack.clear();
    let mut level: u32 = 0;
    let mut p = start;
    let mut keyed = false;
    loop {
        // A value starts at or after `p`.
        p = skip_ws(buf, p);
        let Some(&c) = buf.get(p) else { return Walk::Unclosed(start) };
        match c {
            b'"' => {
                let Some((end, escaped)) = string_end(buf, p + 1) else { return Walk::Unclosed(p) };
                v.scalar(buf, level, p + 1, end, str_kind(escaped), keyed);
                p = end + 1;
                if COMPACT && keyed {
                    p = compact_members(buf, p, level, v);
                }
            }
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return Walk::Malformed(p);
                }
                let object = c == b'{';
                v.open(level, keyed);
                stack.push(if object { OBJECT } else { 0 } | if keyed { KEYED } else { 0 });
                level += u32::from(keyed);
                p = skip_ws(buf, p + 1);
                let Some(&d) = buf.get(p) else { return Walk::Unclosed(start) };
                if d == if object { b'}' } else { b']' } {
                    stack.pop();
                    level -= u32::from(keyed);
                    v.close(keyed);
                    p += 1;
                } else if object {
                    match member_key(buf, p, level, start, v) {
                        Ok(q) => p = q,
                        Err(w) => return w,
                    }
                    keyed = true;
                    continue;
                } else {
                    keyed = false;
                    continue;
                }
            }
            b'-' | b'0'..=b'9' => {
                let mut end = p + 1;
                while end < buf.len() && is_number_byte(buf[end]) {
                    end += 1;
                }
                v.scalar(buf, level, p, end, Kind::Number, keyed);
                p = end;
            }
            b't' | b'f' | b'n' => {
                let (word, kind): (&[u8], Kind) = match c {
                    b't' => (b"true", Kind::True),
                    b'f' => (b"false", Kind::False),
                    _ => (b"null", Kind::Null),
                };
                let have = &buf[p..buf.len().min(p + word.len())];
                if have != word {
                    return if have.len() < word.len() && word.starts_with(have) { Walk::Unclosed(start) } else { Walk::Malformed(p) };
                }
                v.scalar(buf, level, p, p + word.len(), kind, keyed);
                p += word.len();
            }
            _ => return Walk::Malformed(p),
        }
        // After a value: close containers, or move on to the next member or element.
        loop {
            let Some(&top) = stack.last() else { return Walk::End(p) };
            if v.done() {
                return Walk::Stopped(p);
            }
            p = skip_ws(buf, p);
            let Some(&d) = buf.get(p) else { return Walk::Unclosed(start) };
            let object = top & OBJECT != 0;
            match d {
                b',' if object => {
                    match member_key(buf, p + 1, level, start, v) {
                        Ok(q) => p = q,
                        Err(w) => return w,
                    }
                    keyed = true;
                    break;
                }
                b',' => {
                    p += 1;
                    keyed = false;
                    break;
                }
                b'}' if object => {}
                b']' if !object => {}
                _ => return Walk::Malformed(p),
            }
            stack.pop();
            let k = top & KEYED != 0;
            level -= u32::from(k);
            v.close(k);
            p += 1;
        }
    }
}

/// After [`Walk::Stopped`] at `p` with `depth` containers open: the position just after the
/// bracket that closes the outermost one, without looking at anything but strings and
/// brackets. `None` when the buffer ends first.
pub(crate) fn skip_open(buf: &[u8], mut p: usize, depth: usize) -> Option<usize> {
    let mut d = depth;
    while p < buf.len() {
        match buf[p] {
            b'"' => p = string_end(buf, p + 1)?.0,
            b'{' | b'[' => d += 1,
            b'}' | b']' => {
                d = d.checked_sub(1)?;
                if d == 0 {
                    return Some(p + 1);
                }
            }
            _ => {}
        }
        p += 1;
    }
    None
}

/// A visitor that keeps nothing, for skipping values.
pub(crate) struct Skip;

impl Visitor for Skip {
    fn key(&mut self, _: &[u8], _: u32, _: usize, _: usize, _: bool) {}
    fn scalar(&mut self, _: &[u8], _: u32, _: usize, _: usize, _: Kind, _: bool) {}
    fn open(&mut self, _: u32, _: bool) {}
    fn close(&mut self, _: bool) {}
    fn done(&self) -> bool {
        false
    }
}

/// Appends the unescaped text of a string's raw content to `out` (UTF-8; a lone surrogate
/// becomes U+FFFD, an unknown escape `\x` becomes `x`).
pub(crate) fn unescape_into(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' || i + 1 >= raw.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        let simple = match e {
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other),
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let Some(hi) = hex4(raw, i) else {
            out.push(b'u');
            continue;
        };
        i += 4;
        let mut cp = u32::from(hi);
        if (0xD800..0xDC00).contains(&hi) {
            match (raw.get(i..i + 2), hex4(raw, i + 2)) {
                (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                    cp = 0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                    i += 6;
                }
                _ => cp = 0xFFFD,
            }
        }
        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
        let mut tmp = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
    }
}

fn hex4(raw: &[u8], i: usize) -> Option<u16> {
    let h = raw.get(i..i + 4)?;
    h.iter().try_fold(0u16, |acc, &c| Some(acc * 16 + (c as char).to_digit(16)? as u16))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records every call, and is done after `stop_after` scalars.
    #[derive(Debug, Default, PartialEq)]
    struct Log {
        events: Vec<(char, u32, usize, usize, bool)>,
        scalars: usize,
        stop_after: usize,
    }

    impl Visitor for Log {
        fn key(&mut self, _: &[u8], level: u32, a: usize, b: usize, escaped: bool) {
            self.events.push(('k', level, a, b, escaped));
        }
        fn scalar(&mut self, _: &[u8], level: u32, a: usize, b: usize, kind: Kind, keyed: bool) {
            self.scalars += 1;
            self.events.push(('s', level, a, b, keyed && kind == Kind::EscapedStr));
            self.events.push(('t', kind as u32, 0, 0, keyed));
        }
        fn open(&mut self, level: u32, keyed: bool) {
            self.events.push(('o', level, 0, 0, keyed));
        }
        fn close(&mut self, keyed: bool) {
            self.events.push(('c', 0, 0, 0, keyed));
        }
        fn done(&self) -> bool {
            self.scalars >= self.stop_after
        }
    }

    fn compactish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"{\"nik\":\"3507011508900001\"".to_vec()),
            Just(b",\"a\":\"x\"".to_vec()),
            Just(b",\"k\\\"q\":\"v\\\\\"".to_vec()),
            Just(b",\"n\":12".to_vec()),
            Just(b",\"z\":null".to_vec()),
            Just(b",\"o\":{\"p\":\"q\"}".to_vec()),
            Just(b",\"l\":[\"m\",1]".to_vec()),
            Just(b", \"w\" : \"s\"".to_vec()),
            Just(b"}".to_vec()),
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b":".to_vec()),
            Just(b" ".to_vec()),
            Just(b"[".to_vec()),
            Just(b"]".to_vec()),
        ];
        prop::collection::vec(piece, 0..20).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(crate::test_config(2000))]

        /// The compact-member fast path reports exactly what the general walk reports, ends the
        /// same way, and stops at the same place when the visitor is done.
        #[test]
        fn compact_members_change_nothing(data in compactish(), stop_after in 1usize..8) {
            let (mut fast, mut slow) = (Log { stop_after, ..Log::default() }, Log { stop_after, ..Log::default() });
            let (mut s1, mut s2) = (Vec::new(), Vec::new());
            let a = walk_with::<Log, true>(&data, 0, &mut fast, &mut s1);
            let b = walk_with::<Log, false>(&data, 0, &mut slow, &mut s2);
            prop_assert_eq!(a, b);
            prop_assert_eq!(fast, slow);
            prop_assert_eq!(s1, s2);
        }
    }

    #[test]
    fn compact_line_is_walked_member_by_member() {
        let line = br#"{"nik":"3507011508900001","nkk":"3507010101100003","nama":"A\"B"}"#;
        let mut log = Log { stop_after: usize::MAX, ..Log::default() };
        assert_eq!(walk(line, 0, &mut log, &mut Vec::new()), Walk::End(line.len()));
        let keys: Vec<_> = log.events.iter().filter(|e| e.0 == 'k').map(|e| &line[e.2..e.3]).collect();
        assert_eq!(keys, [&b"nik"[..], b"nkk", b"nama"]);
        assert_eq!(log.events.iter().filter(|e| e.0 == 's').last().map(|e| e.4), Some(true), "the escaped value");
    }
}
