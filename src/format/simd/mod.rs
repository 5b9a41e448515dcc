//! The first of three bytes in a short haystack: the end of a CSV field, the next quote or line
//! end in the rest of a row; and [`mask64`], where each of the next 64 bytes is one of three,
//! so that the first fields of a CSV row are split from one bitmap.
//!
//! Fields are 1 to 40 bytes long, and for haystacks that short the setup of `memchr3` (AVX2,
//! picked at run time through a function pointer) costs more than the search. So the first 64
//! bytes are tested 16 at a time with SSE2, which every x86_64 CPU has (no run-time detection,
//! nothing to dispatch), and only a longer search is handed to `memchr3`. Elsewhere a word-at-a-
//! time (SWAR) test takes the SSE2 loop's place.
//!
//! This module is the one place for the crate's SIMD byte searches and classifiers, so that
//! their `unsafe` code (intrinsics, `#[target_feature]` and run-time detection) is reviewed in
//! one place: the CSV and JSON searches above live in this file, the block classifier of SQL
//! `INSERT` tuples (AVX2/SSE2 with run-time detection, prefix XOR, backslash escapes) in
//! [`classes`]. The format modules keep their own walks and only call in here.

mod classes;

#[cfg(target_arch = "x86_64")]
pub(crate) use classes::Avx2;
pub(crate) use classes::{escaped, prefix_xor, Baseline, Classify, Simd};

use memchr::memchr3;

/// Bytes tested before a search is handed to `memchr3`.
const SHORT: usize = 64;

/// The position of the first `a`, `b` or `c` at or after `from` in `data`, else `data.len()`.
#[inline(always)]
pub fn find3(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> usize {
    let (p, hit) = short(data, from, a, b, c);
    if hit {
        return p;
    }
    memchr3(a, b, c, &data[p..]).map_or(data.len(), |i| p + i)
}

/// Tests up to [`SHORT`] bytes from `from`: `(position, true)` at a hit, else `(where to go on,
/// false)`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn short(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> (usize, bool) {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut p = from;
    let limit = from.saturating_add(SHORT);
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics exist on every CPU the
    // binary can run on. Each load reads the 16 bytes of `block`, a bounds-checked subslice,
    // and `_mm_loadu_si128` has no alignment requirement.
    unsafe {
        let (va, vb, vc) = (_mm_set1_epi8(a as i8), _mm_set1_epi8(b as i8), _mm_set1_epi8(c as i8));
        while p + 16 <= data.len() && p < limit {
            let block = &data[p..p + 16];
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc));
            let mask = _mm_movemask_epi8(eq) as u32;
            if mask != 0 {
                return (p + mask.trailing_zeros() as usize, true);
            }
            p += 16;
        }
    }
    (p, false)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn short(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> (usize, bool) {
    swar(data, from, a, b, c)
}

/// The portable form of [`short`], eight bytes at a time. Also the test twin of the SSE2 loop.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn swar(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> (usize, bool) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The lowest flagged byte of this zero-byte test is always exact (higher ones may not be).
    let zero_byte = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let mut p = from;
    let limit = from.saturating_add(SHORT);
    while p + 8 <= data.len() && p < limit {
        let w = u64::from_le_bytes(data[p..p + 8].try_into().unwrap());
        let hit = zero_byte(w ^ (LO * u64::from(a))) | zero_byte(w ^ (LO * u64::from(b))) | zero_byte(w ^ (LO * u64::from(c)));
        if hit != 0 {
            return (p + (hit.trailing_zeros() / 8) as usize, true);
        }
        p += 8;
    }
    (p, false)
}

/// Quotes and line ends from some position on, as bitmaps of 64 bytes: the rest of a CSV row
/// (past the last wanted column) is skipped by walking these instead of one search per quote.
pub struct QuotesAndLineEnds<'a> {
    data: &'a [u8],
    base: usize,
    quotes: u64,
    line_ends: u64,
}

impl<'a> QuotesAndLineEnds<'a> {
    #[inline(always)]
    pub fn new(data: &'a [u8]) -> Self {
        // Far from any position, so that the first `next` loads its block.
        QuotesAndLineEnds { data, base: usize::MAX - 64, quotes: 0, line_ends: 0 }
    }

    /// The first quote, or (unless `quotes_only`) `\n` or `\r`, at or after `p`; else the
    /// data's length.
    #[inline(always)]
    pub fn next(&mut self, mut p: usize, quotes_only: bool) -> usize {
        loop {
            if p.wrapping_sub(self.base) >= 64 {
                let Some(block) = block64(self.data, p) else {
                    let (n, r) = if quotes_only { (b'"', b'"') } else { (b'\n', b'\r') };
                    return find3(self.data, p, b'"', n, r);
                };
                self.base = p;
                self.quotes = mask64_block(block, b'"', b'"', b'"');
                self.line_ends = mask64_block(block, b'\n', b'\r', b'\r');
            }
            let wanted = if quotes_only { self.quotes } else { self.quotes | self.line_ends };
            let m = wanted >> (p - self.base);
            if m != 0 {
                return p + m.trailing_zeros() as usize;
            }
            p = self.base + 64;
        }
    }
}

/// The 64 bytes from `from`, if that many remain.
#[inline(always)]
pub(crate) fn block64(data: &[u8], from: usize) -> Option<&[u8; 64]> {
    data.get(from..from.checked_add(64)?)?.try_into().ok()
}

/// Bit `i` set when `data[from + i]` is `a`, `b` or `c`, for `i` in `0..64`; `None` when
/// fewer than 64 bytes remain.
#[inline(always)]
pub fn mask64(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> Option<u64> {
    Some(mask64_block(block64(data, from)?, a, b, c))
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn mask64_block(block: &[u8; 64], a: u8, b: u8, c: u8) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut mask = 0u64;
    // SAFETY: SSE2 is part of the x86_64 baseline. The four loads read bytes 0..64 of
    // `block`, a 64-byte array, with no alignment requirement.
    unsafe {
        let (va, vb, vc) = (_mm_set1_epi8(a as i8), _mm_set1_epi8(b as i8), _mm_set1_epi8(c as i8));
        for i in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * i).cast::<__m128i>());
            let eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc));
            mask |= u64::from(_mm_movemask_epi8(eq) as u16) << (16 * i);
        }
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn mask64_block(block: &[u8; 64], a: u8, b: u8, c: u8) -> u64 {
    mask64_scalar(block, a, b, c)
}

/// The plain form of [`mask64_block`]; also its test twin.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn mask64_scalar(block: &[u8; 64], a: u8, b: u8, c: u8) -> u64 {
    block.iter().enumerate().fold(0, |m, (i, &x)| m | (u64::from(x == a || x == b || x == c) << i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> usize {
        data[from..].iter().position(|&x| x == a || x == b || x == c).map_or(data.len(), |i| from + i)
    }

    /// `swar` as a whole search, to test it where `short` is the SSE2 loop.
    fn find3_swar(data: &[u8], from: usize, a: u8, b: u8, c: u8) -> usize {
        let (p, hit) = swar(data, from, a, b, c);
        if hit {
            p
        } else {
            memchr3(a, b, c, &data[p..]).map_or(data.len(), |i| p + i)
        }
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]
        #[test]
        fn finds_the_first_needle(
            data in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), Just(b'"'), Just(0u8), Just(0x80u8), Just(0xFFu8), any::<u8>(), b'a'..=b'z'], 0..300),
            sparse in proptest::collection::vec(b'a'..=b'z', 0..300),
            from in 0usize..300,
            which in 0usize..3,
        ) {
            let (a, b, c) = [(b',', b'\n', b'\r'), (b'"', b'\n', b'\r'), (0x80, 0xFF, 0)][which];
            // Mostly needle-free data too, so that the long (memchr3) path is taken.
            for d in [&data, &sparse] {
                let from = from.min(d.len());
                prop_assert_eq!(find3(d, from, a, b, c), naive(d, from, a, b, c));
                prop_assert_eq!(find3_swar(d, from, a, b, c), naive(d, from, a, b, c));
            }
        }
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]
        #[test]
        fn mask_marks_every_needle(data in proptest::collection::vec(prop_oneof![Just(b';'), Just(b'\n'), Just(b'\r'), any::<u8>()], 0..100), from in 0usize..100) {
            let got = mask64(&data, from, b';', b'\n', b'\r');
            if from + 64 > data.len() {
                prop_assert_eq!(got, None);
            } else {
                let block: &[u8; 64] = data[from..from + 64].try_into().unwrap();
                let want = (0..64).fold(0u64, |m, i| m | (u64::from(matches!(block[i], b';' | b'\n' | b'\r')) << i));
                prop_assert_eq!(got, Some(want));
                prop_assert_eq!(mask64_scalar(block, b';', b'\n', b'\r'), want);
            }
        }
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]
        #[test]
        fn walks_quotes_and_line_ends(data in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\n'), Just(b'\r'), b'a'..=b'z'], 0..300), steps in proptest::collection::vec((0usize..80, any::<bool>()), 1..20)) {
            let mut bits = QuotesAndLineEnds::new(&data);
            let mut p = 0;
            for (skip, quotes_only) in steps {
                p = (p + skip).min(data.len());
                let want = if quotes_only { naive(&data, p, b'"', b'"', b'"') } else { naive(&data, p, b'"', b'\n', b'\r') };
                prop_assert_eq!(bits.next(p, quotes_only), want);
            }
        }
    }

    #[test]
    fn needle_at_every_offset_of_a_long_run() {
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 200] {
            for at in 0..=len {
                let mut d = vec![b'x'; len];
                if at < len {
                    d[at] = b'\r';
                }
                for from in [0, at.saturating_sub(17), at] {
                    assert_eq!(find3(&d, from, b',', b'\n', b'\r'), naive(&d, from, b',', b'\n', b'\r'), "len {len} at {at} from {from}");
                }
            }
        }
    }
}
