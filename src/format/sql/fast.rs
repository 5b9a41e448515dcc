//! The fast path for the tuples of an `INSERT`: they are split from bitmaps of 64 bytes
//! instead of being lexed byte by byte and value by value.
//!
//! A mysqldump row is ~14 short strings. Lexing each one took a search for its closing quote
//! (1 to 5 words), a mispredicted branch where that search ended, and then the separator. That
//! cost more than counting the row. Here every 64 bytes are classified at once: quotes,
//! backslashes, commas, `)`, and the bytes that mean something outside a string. On x86_64
//! that takes AVX2 (a nibble-table lookup, found at run time) or SSE2 (compares, which every
//! x86_64 CPU has); elsewhere it goes a byte at a time. The prefix XOR of the quotes marks
//! which bytes lie inside strings. A doubled `''` closes and reopens, so it needs no care. In
//! MySQL the byte after an odd run of backslashes is escaped and toggles nothing, as in the
//! lexer; names like `MA\'RUF` are common enough that they should not cost the slow path.
//!
//! The classifier, the prefix XOR and the escapes are SQL-agnostic bit work and live in
//! [`crate::format::simd`] (`simd/classes.rs`), with every other SIMD byte search, so that the
//! `unsafe` code is reviewed in one place; this file keeps the walk over their bitmaps (the
//! blocks of a tuple, its events and values, runs of tuples) and the dispatch to the AVX2 copy.
//!
//! The separators outside strings are then the tuples' structure:
//! - A value the counter does not want costs one bit.
//! - Past the last wanted column, the tuple's `)` is one bit search away.
//! - A wanted plain string is told from the masks alone.
//! - A whole run of tuples joined by `,(` (blanks allowed) is walked in one chain of blocks.
//!
//! # Exactness
//!
//! The fast path gives the answer of the lexer ([`super::tuple`]) and of the statement loop
//! between tuples, or it gives up. The tuple where it gave up is then read by the lexer. It
//! gives up on every byte that could make the two disagree:
//! - Outside strings, a backslash or any of `(` `"` `` ` `` `#` `-` `/` `;` `$`. These are
//!   nested parentheses, other strings and identifiers, comments, the statement's end and
//!   dollar quotes.
//! - In PostgreSQL, a backslash anywhere.
//!
//! What is left outside strings is blanks, commas, `)` and plain tokens (`NULL`, numbers), and
//! there the two agree by construction. It also gives up where 64 bytes cannot be read (the
//! view's end), so a cut statement keeps the lexer's handling. A wanted value that is not a
//! plain `'...'` string (an escape, a doubled quote, blanks, `NULL`, a prefixed string) is
//! read by [`lex::value`]. A dump with negative numbers or comments in most rows only loses
//! the speed-up.

use super::lex::{self, Dialect, Value};
use super::target::SlotMap;
use super::{Slot, Vals};
#[cfg(target_arch = "x86_64")]
use crate::format::simd::Avx2;
use crate::format::simd::{escaped, prefix_xor, Baseline, Classify};
/// The classifier a parser found at run time, for [`run`] (from [`crate::format::simd`]).
pub(super) use crate::format::simd::Simd;

/// The blocks of one tuple, classified as the walk reaches them.
///
/// `ESC`: backslashes escape the next byte in strings (MySQL); else they are literal
/// (PostgreSQL, where the fast path gives up on them: `E'..'` strings would need the
/// prefix). A constant, so that each dialect's walk is compiled without the other's state.
struct Blocks<'a, K, const ESC: bool> {
    kind: std::marker::PhantomData<K>,
    d: &'a [u8],
    /// Where the current block starts; the tuple's first byte for the first block.
    base: usize,
    /// Quotes and backslashes (escaped or not) of the current and the previous block (0
    /// before the tuple): a value without any is read as it stands.
    marks: u64,
    prev_marks: u64,
    /// Outside strings: commas; `)`; and stops (backslashes included).
    comma: u64,
    close: u64,
    stop: u64,
    /// All ones when the previous block ended inside a string.
    inside_carry: u64,
    /// 1 when the current block's successor starts with an escaped byte.
    escape_carry: u64,
}

impl<'a, K: Classify, const ESC: bool> Blocks<'a, K, ESC> {
    /// The blocks from `p`, which is outside any string; `None` within 64 bytes of the end.
    #[inline(always)]
    fn new(d: &'a [u8], p: usize) -> Option<Self> {
        let mut b = Blocks {
            kind: std::marker::PhantomData,
            d,
            base: p,
            marks: 0,
            prev_marks: 0,
            comma: 0,
            close: 0,
            stop: 0,
            inside_carry: 0,
            escape_carry: 0,
        };
        b.load(p)?;
        Some(b)
    }

    #[inline(always)]
    fn load(&mut self, at: usize) -> Option<()> {
        let block = crate::format::simd::block64(self.d, at)?;
        let c = K::classify(block);
        let mut quote = c.quote;
        if ESC && c.backslash | self.escape_carry != 0 {
            // Rare: an escaped quote is no toggle. Before any backslash outside a string the
            // masks are exact, and that backslash is a stop, so the walk never reads past a
            // place where this reading and the lexer's could part.
            quote &= !escaped(c.backslash, &mut self.escape_carry);
        }
        let inside = prefix_xor(quote) ^ self.inside_carry;
        self.inside_carry = ((inside as i64) >> 63) as u64;
        let outside = !inside;
        self.base = at;
        self.prev_marks = self.marks;
        self.marks = c.quote | c.backslash;
        self.comma = c.comma & outside;
        self.close = c.close & outside;
        // A backslash in a string is an escape (MySQL) or a literal the fast path leaves
        // to the lexer (PostgreSQL).
        self.stop = if ESC { (c.other | c.backslash) & outside } else { (c.other & outside) | c.backslash };
        Some(())
    }

    /// The next block; `None` at the view's end.
    #[inline(always)]
    fn advance(&mut self) -> Option<()> {
        self.load(self.base + 64)
    }

    /// The quotes and backslashes of `[a, e)`, bit 0 for `a`, where `e` is in the current
    /// block; `None` if `a` is before the previous block (a value longer than 64 bytes).
    #[inline(always)]
    fn marks_in(&self, a: usize, e: usize) -> Option<u64> {
        let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        if a >= self.base {
            return Some((self.marks >> (a - self.base)) & below(e - a));
        }
        let prev = self.base.checked_sub(64)?;
        if a < prev {
            return None;
        }
        let high = self.marks & below(e - self.base);
        Some(self.prev_marks >> (a - prev) | high.checked_shl((self.base - a) as u32).unwrap_or(0))
    }
}

/// Where a run of tuples stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Run {
    /// At the `(` of a tuple the fast path did not read: the lexer reads it.
    AtTuple(usize),
    /// Just after the `)` of the last tuple read, before something other than `,(`: the
    /// lexer goes on from there as after any tuple.
    AfterTuple(usize),
}

/// Reads the tuples from the `(` at `p` on, as [`super::tuple`] and the statement loop read
/// them, for as long as they are joined by a plain `,` (blanks around it allowed): `emit` is
/// called with each tuple's values as soon as it is read. With `one`, stops after a tuple.
/// A tuple the fast path gives up on is left unread, with `scratch` as it was before it.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    simd: Simd,
    d: &[u8],
    p: usize,
    dia: Dialect,
    map: &SlotMap,
    one: bool,
    vals: &mut Vals,
    scratch: &mut Vec<u8>,
    emit: &mut dyn FnMut(&Vals, &mut Vec<u8>),
) -> Run {
    match simd {
        Simd::Baseline if dia == Dialect::MySql => walk::<Baseline, true>(d, p, dia, map, one, vals, scratch, emit),
        Simd::Baseline => walk::<Baseline, false>(d, p, dia, map, one, vals, scratch, emit),
        // SAFETY: `Simd::Avx2` is only detected on a CPU with AVX2.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe { walk_avx2(d, p, dia, map, one, vals, scratch, emit) },
    }
}

/// The walk compiled with AVX2, so that `classify_avx2` ([`crate::format::simd`]) is inlined
/// into it.
///
/// # Safety
///
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn walk_avx2(
    d: &[u8],
    p: usize,
    dia: Dialect,
    map: &SlotMap,
    one: bool,
    vals: &mut Vals,
    scratch: &mut Vec<u8>,
    emit: &mut dyn FnMut(&Vals, &mut Vec<u8>),
) -> Run {
    if dia == Dialect::MySql {
        walk::<Avx2, true>(d, p, dia, map, one, vals, scratch, emit)
    } else {
        walk::<Avx2, false>(d, p, dia, map, one, vals, scratch, emit)
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn walk<K: Classify, const ESC: bool>(
    d: &[u8],
    p: usize,
    dia: Dialect,
    map: &SlotMap,
    one: bool,
    vals: &mut Vals,
    scratch: &mut Vec<u8>,
    emit: &mut dyn FnMut(&Vals, &mut Vec<u8>),
) -> Run {
    let Some(b) = Blocks::<K, ESC>::new(d, p + 1) else { return Run::AtTuple(p) };
    let mut w = Events { pending: b.comma | b.close | b.stop, b };
    let mut open = p;
    loop {
        let mark = scratch.len();
        let Some(end) = w.tuple(d, open + 1, dia, map, vals, scratch) else {
            scratch.truncate(mark);
            return Run::AtTuple(open);
        };
        emit(vals, scratch);
        if one {
            return Run::AfterTuple(end);
        }
        // `,` then `(`, with nothing but blanks around: the next tuple. (The `(` is a stop
        // inside a tuple, an event like any other here.)
        let blank = |a: usize, b: usize| d[a..b].iter().all(|&c| lex::is_ws(c));
        match w.pop() {
            Some((c, Ev::Comma)) if blank(end, c) => match w.pop() {
                Some((o, Ev::Stop)) if d[o] == b'(' && blank(c + 1, o) => open = o,
                _ => return Run::AfterTuple(end),
            },
            _ => return Run::AfterTuple(end),
        }
    }
}

/// What a byte outside strings is to the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Comma,
    Close,
    /// Where the fast path stops (see the module head), or a tuple's `(`.
    Stop,
}

/// The events of the blocks, taken in order.
struct Events<'a, K, const ESC: bool> {
    b: Blocks<'a, K, ESC>,
    /// The events of the current block not yet taken. Bits are taken off one by one, so the
    /// walk's only serial dependency is this mask, not the bytes at the events.
    pending: u64,
}

impl<K: Classify, const ESC: bool> Events<'_, K, ESC> {
    /// The next event; `None` at the view's end.
    #[inline(always)]
    fn pop(&mut self) -> Option<(usize, Ev)> {
        while self.pending == 0 {
            self.b.advance()?;
            self.pending = self.b.comma | self.b.close | self.b.stop;
        }
        let i = self.pending.trailing_zeros();
        self.pending &= self.pending - 1;
        let bit = 1u64 << i;
        let ev = if self.b.comma & bit != 0 {
            Ev::Comma
        } else if self.b.close & bit != 0 {
            Ev::Close
        } else {
            Ev::Stop
        };
        Some((self.b.base + i as usize, ev))
    }

    /// The next event that is not a comma; the commas before it are taken with it.
    #[inline(always)]
    fn pop_end(&mut self) -> Option<(usize, Ev)> {
        let mut m = self.pending & (self.b.close | self.b.stop);
        while m == 0 {
            self.b.advance()?;
            self.pending = self.b.comma | self.b.close | self.b.stop;
            m = self.pending & (self.b.close | self.b.stop);
        }
        let bit = m & m.wrapping_neg();
        // Taken: this event and every one below it.
        self.pending &= !(bit | (bit - 1));
        let ev = if self.b.close & bit != 0 { Ev::Close } else { Ev::Stop };
        Some((self.b.base + bit.trailing_zeros() as usize, ev))
    }

    /// The tuple whose values start at `start` (just after its `(`): `vals` filled, and the
    /// position after its `)`; `None` to give up.
    #[inline(always)]
    fn tuple(&mut self, d: &[u8], start: usize, dia: Dialect, map: &SlotMap, vals: &mut Vals, scratch: &mut Vec<u8>) -> Option<usize> {
        *vals = Vals::default();
        let wanted = map.len();
        let mut start = start;
        let mut col = 0;
        while col < wanted {
            let (e, ev) = self.pop()?;
            if ev == Ev::Stop {
                return None;
            }
            let close = ev == Ev::Close;
            let slots = map.get(col);
            if slots != 0 {
                match value(d, start, e, col, close, dia, &self.b)? {
                    Read::Data(x, y) => vals.set(slots, Slot::Data(x, y)),
                    Read::Value(v) => vals.put(slots, v, d, scratch),
                    Read::NoValues => return Some(e + 1),
                }
            }
            if close {
                return Some(e + 1);
            }
            col += 1;
            start = e + 1;
        }
        // Nothing more to read: the `)`, unless a stop comes first.
        match self.pop_end()? {
            (e, Ev::Close) => Some(e + 1),
            _ => None,
        }
    }
}

/// How a wanted value reads.
enum Read {
    /// Bytes of the view, as they are.
    Data(usize, usize),
    /// What [`lex::value`] made of it.
    Value(Value),
    /// The blank first value of `()`: a tuple without values.
    NoValues,
}

/// The value in `[a, e)` (`e` its separator, `)` when `close`), as the lexer reads it;
/// `None` to give up.
#[inline(always)]
fn value<K: Classify, const ESC: bool>(d: &[u8], a: usize, e: usize, col: usize, close: bool, dia: Dialect, b: &Blocks<'_, K, ESC>) -> Option<Read> {
    // The usual value, a plain string: the marks of `[a, e)` are a quote at `a` and one just
    // before the separator. (A mark at `a` is a quote: a backslash there, outside any
    // string, would have stopped the walk. The string opened at `a` closes before `e`, which
    // is outside strings, and there is no other mark: so at `e - 1`, unescaped.)
    if (2..=64).contains(&(e - a)) && b.marks_in(a, e) == Some(1 | 1 << (e - 1 - a)) {
        return Some(Read::Data(a + 1, e - 1));
    }
    let mut s = a;
    while s < e && lex::is_ws(d[s]) {
        s += 1;
    }
    if s == e {
        if col == 0 && close {
            return Some(Read::NoValues);
        }
        // The lexer reads an empty token at the separator.
        return Some(Read::Data(e, e));
    }
    let c = d[s];
    if c == b'\'' {
        // Blanks around it, an escape, a doubled quote, an expression after it, or longer
        // than 64 bytes.
        return lex::value(d, s, dia).ok().map(|(v, _)| Read::Value(v));
    }
    if c.is_ascii_alphabetic() || c == b'_' {
        // `NULL`, `DEFAULT`, a prefixed string (`_utf8mb4'..'`) or a word.
        return lex::value(d, s, dia).ok().map(|(v, _)| Read::Value(v));
    }
    // A number or other token, up to the separator without trailing blanks.
    let mut t = e;
    while t > s && lex::is_ws(d[t - 1]) {
        t -= 1;
    }
    Some(Read::Data(s, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Role;
    use proptest::prelude::*;

    /// `marks_in` across the boundary of two blocks, against the bytes.
    #[test]
    fn marks_of_a_range_span_two_blocks() {
        let d: Vec<u8> = b"x'ab\\c'',d".iter().copied().cycle().take(200).collect();
        let mut b = Blocks::<Baseline, true>::new(&d, 5).unwrap();
        b.advance().unwrap();
        let base = b.base;
        for e in base..base + 64 {
            for a in (base - 64..=e).filter(|&a| e - a <= 64) {
                let want = (a..e).filter(|&i| matches!(d[i], b'\'' | b'\\')).fold(0u64, |m, i| m | 1 << (i - a));
                assert_eq!(b.marks_in(a, e), Some(want), "[{a}, {e})");
            }
        }
        assert_eq!(b.marks_in(base - 65, base), None);
    }

    /// The fast path with each classifier this CPU has.
    fn kinds() -> Vec<Simd> {
        let mut k = vec![Simd::Baseline];
        if Simd::detect() != Simd::Baseline {
            k.push(Simd::detect());
        }
        k
    }

    type Got = Vec<[Option<Vec<u8>>; Role::COUNT]>;

    fn values(v: &Vals, d: &[u8], scratch: &[u8]) -> [Option<Vec<u8>>; Role::COUNT] {
        Role::ALL.map(|role| v.get(role, d, scratch).map(<[u8]>::to_vec))
    }

    /// From every `(` of `d` (and with each classifier): the tuples a run reads are the ones
    /// the lexer and the statement loop read from there, with the same values, and the run
    /// stops where the lexer is at a tuple start (it gave up) or just after a tuple (no `,(`
    /// follows). Returns the starts from which every run read at least one tuple.
    fn same_as_the_lexer(d: &[u8], dia: Dialect, map: &SlotMap) -> Result<Vec<usize>, TestCaseError> {
        let show = || String::from_utf8_lossy(d).into_owned();
        let mut missed = Vec::new();
        for (simd, p) in kinds().into_iter().flat_map(|k| (0..d.len()).filter(|&p| d[p] == b'(').map(move |p| (k, p))) {
            for one in [false, true] {
                let (mut vals, mut scratch) = (Vals::default(), Vec::new());
                let mut got: Got = Vec::new();
                let mut kept = 0;
                let stop = run(simd, d, p, dia, map, one, &mut vals, &mut scratch, &mut |v, s| {
                    got.push(values(v, d, s));
                    kept = s.len();
                });
                prop_assert!(!one || got.len() <= 1);
                // Where the run gave up, `scratch` is as the last tuple read left it.
                prop_assert_eq!(scratch.len(), kept);
                if got.is_empty() {
                    missed.push(p);
                }
                // The lexer and the statement loop's steps between tuples.
                let mut open = p;
                for (i, want) in got.iter().enumerate() {
                    let (mut v2, mut s2) = (Vals::default(), Vec::new());
                    let next = super::super::tuple(d, open, dia, map, &mut v2, &mut s2);
                    prop_assert!(next.is_ok(), "tuple {} at {} of {:?}", i, open, show());
                    let next = next.unwrap_or_default();
                    prop_assert_eq!(&values(&v2, d, &s2), want, "tuple {} at {} of {:?}", i, open, show());
                    let joined = lex::skip_blank(d, next, dia)
                        .ok()
                        .filter(|&c| d[c] == b',')
                        .and_then(|c| lex::skip_blank(d, c + 1, dia).ok())
                        .filter(|&o| d[o] == b'(');
                    match joined {
                        Some(o) if i + 1 < got.len() || stop == Run::AtTuple(o) => open = o,
                        _ => {
                            prop_assert_eq!(i + 1, got.len(), "run went on at {} of {:?}", next, show());
                            prop_assert_eq!(stop, Run::AfterTuple(next), "{:?}", show());
                        }
                    }
                }
                if let Run::AtTuple(t) = stop {
                    prop_assert_eq!(t, open, "{:?}", show());
                }
            }
        }
        Ok((0..d.len()).filter(|&p| d[p] == b'(' && !missed.contains(&p)).collect())
    }

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => "[a-zA-Z0-9 .]{0,12}".prop_map(|s| format!("'{s}'").into_bytes()),
            2 => Just(b",".to_vec()),
            1 => Just(b"'3507011508900001'".to_vec()),
            1 => Just(b"3507015508900002".to_vec()),
            1 => Just(b"NULL".to_vec()),
            1 => Just(b"null".to_vec()),
            1 => Just(b"DEFAULT".to_vec()),
            1 => Just(b"),(".to_vec()),
            1 => Just(b")".to_vec()),
            1 => Just(b"(".to_vec()),
            1 => Just(b"'".to_vec()),
            1 => Just(b"''".to_vec()),
            1 => Just(b"'it''s'".to_vec()),
            1 => Just(b"'a),(b;c'".to_vec()),
            1 => Just(b"'multi\nline'".to_vec()),
            1 => Just(b"\\'".to_vec()),
            1 => Just(b"\\".to_vec()),
            2 => Just(b"'MA\\'RUF'".to_vec()),
            1 => Just(b"'a\\\\'".to_vec()),
            1 => Just(b"'\\\\\\''".to_vec()),
            1 => Just(b"'x\\\\\\\\y\\n'".to_vec()),
            1 => "[a-z\\\\']{0,6}".prop_map(|s| format!("'{s}'").into_bytes()),
            1 => Just(b"\"".to_vec()),
            1 => Just(b"\"x,'y\"".to_vec()),
            1 => Just(b"`".to_vec()),
            1 => Just(b";".to_vec()),
            1 => Just(b" ".to_vec()),
            1 => Just(b"\n".to_vec()),
            1 => Just(b"\t".to_vec()),
            1 => Just(b"-1.5".to_vec()),
            1 => Just(b"-- c\n".to_vec()),
            1 => Just(b"/* ' */".to_vec()),
            1 => Just(b"#".to_vec()),
            1 => Just(b"$$".to_vec()),
            1 => Just(b"_utf8mb4'x'".to_vec()),
            1 => Just(b"X'41'".to_vec()),
            1 => Just(b"E'a\\'b'".to_vec()),
            1 => Just(b"'x'::text".to_vec()),
            1 => Just(b"1 + 2".to_vec()),
            1 => Just(b"'a' 'b'".to_vec()),
            1 => "[a-z0-9]{0,70}".prop_map(|s| format!("'{s}'").into_bytes()),
        ]
    }

    fn slot_map() -> impl Strategy<Value = SlotMap> {
        prop::collection::vec(0u8..16, 0..8).prop_map(SlotMap::from_bits)
    }

    proptest! {
        #![proptest_config(crate::test_config(3000))]

        /// Any bytes: wherever the fast path answers, it answers as the lexer does.
        #[test]
        fn fast_tuples_read_as_the_lexer_does(pieces in prop::collection::vec(piece(), 0..80), map in slot_map(), pg in any::<bool>()) {
            let d = [b"(".to_vec(), pieces.concat()].concat();
            let dia = if pg { Dialect::Postgres } else { Dialect::MySql };
            same_as_the_lexer(&d, dia, &map)?;
        }
    }

    /// Generator-shaped tuples (plain strings, NULL, BIGINT NIKs, doubled quotes, backslash
    /// escapes, blanks after commas): the fast path takes most of them, and reads them as the
    /// lexer does.
    #[test]
    fn fast_path_takes_plain_tuples() {
        let mut d = b"(".to_vec();
        for i in 0..300 {
            if i > 0 {
                d.extend_from_slice(if i % 3 == 0 { b"),\n(" } else { b"),(" });
            }
            let name = ["BUDI", "O''NEIL", "SITI ),( x; y", "A, B", "MA\\'RUF", "X\\\\"][i % 6];
            let sep = if i % 5 == 0 { ", " } else { "," };
            let nik = if i % 2 == 0 { format!("'35070115089{:05}'", i) } else { format!("35070115089{:05}", i) };
            let gender = if i % 7 == 0 { "NULL" } else { "'L'" };
            d.extend_from_slice(format!("{nik}{sep}'3507010101100001'{sep}'{name}'{sep}{gender}{sep}'1990-08-15'{sep}'JL. X NO. {i}, RT 1/RW 2'").as_bytes());
        }
        d.extend_from_slice(b");\n");
        for map in [SlotMap::from_bits(vec![1, 2, 0, 8, 4]), SlotMap::from_bits(vec![0, 0, 1]), SlotMap::from_bits(vec![0, 0, 0, 0, 0, 1]), SlotMap::default()] {
            let taken = same_as_the_lexer(&d, Dialect::MySql, &map).unwrap();
            // The tuple starts, as the lexer walks the list.
            let mut starts = vec![0];
            let (mut v, mut sc) = (Vals::default(), Vec::new());
            while let Ok(next) = super::super::tuple(&d, *starts.last().unwrap(), Dialect::MySql, &map, &mut v, &mut sc) {
                match lex::skip_blank(&d, next, Dialect::MySql) {
                    Ok(c) if d[c] == b',' => starts.push(lex::skip_blank(&d, c + 1, Dialect::MySql).unwrap()),
                    _ => break,
                }
            }
            assert_eq!(starts.len(), 300);
            let read = starts.iter().filter(|p| taken.contains(p)).count();
            assert!(read >= 295, "{read}");
        }
    }
}
