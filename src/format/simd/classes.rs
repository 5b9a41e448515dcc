//! The byte classifier of SQL `INSERT` tuples: each 64-byte block as bitmaps of quotes,
//! backslashes, commas, `)` and the bytes that stop the fast path outside strings
//! ([`Classes`]), plus the bit tricks the walk builds on them: [`prefix_xor`] (which bytes lie
//! inside strings) and [`escaped`] (the bytes after an odd run of backslashes, carried across
//! blocks).
//!
//! The classifier is SSE2 (compares, which every x86_64 CPU has), AVX2 (a nibble-table
//! lookup, used where [`Simd::detect`] finds it at run time) or, off x86_64, a byte at a time
//! ([`classify_bytes`], also the test twin of the vector forms). A walk is compiled once per
//! classifier through the [`Classify`] trait.
//!
//! The SQL-specific walk over these bitmaps (blocks of one tuple, values, runs of tuples) is
//! `format::sql::fast`, whose head says what the classes mean for the lexer's answer. The
//! classifier lives here, beside the CSV and JSON searches, so that every SIMD byte search and
//! classifier, and all their `unsafe`, is reviewed in one place.

/// Bitmaps of one 64-byte block: bit `i` is byte `base + i`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Classes {
    pub(crate) quote: u64,
    pub(crate) backslash: u64,
    pub(crate) comma: u64,
    pub(crate) close: u64,
    /// The bytes that stop the fast path outside strings.
    pub(crate) other: u64,
}

/// Bytes that stop the fast path when outside a string (see the head of `format::sql::fast`).
const OTHER: [u8; 8] = [b'(', b'"', b'`', b'#', b'-', b'/', b';', b'$'];

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Classes {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut c = Classes::default();
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics exist on every CPU the
    // binary runs on. Each load reads 16 bytes of `block` (64 bytes, `i < 4`), and
    // `_mm_loadu_si128` has no alignment requirement.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        let (quote, backslash, comma, close) = (splat(b'\''), splat(b'\\'), splat(b','), splat(b')'));
        let other = OTHER.map(splat);
        for i in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * i).cast::<__m128i>());
            let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * i);
            c.quote |= bits(_mm_cmpeq_epi8(v, quote));
            c.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
            c.comma |= bits(_mm_cmpeq_epi8(v, comma));
            c.close |= bits(_mm_cmpeq_epi8(v, close));
            let mut o = _mm_cmpeq_epi8(v, other[0]);
            for x in &other[1..] {
                o = _mm_or_si128(o, _mm_cmpeq_epi8(v, *x));
            }
            c.other |= bits(o);
        }
    }
    c
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Classes {
    classify_bytes(block)
}

/// [`classify`] with AVX2, 32 bytes at a time, each byte's classes looked up from its two
/// nibbles (`pshufb`): ~35 instructions for 64 bytes instead of ~220 for SSE2's compares.
///
/// A class bit is set in the table entries of both nibbles of its bytes, so the AND of the
/// two lookups has it for exactly those bytes. The stops are three bits (by high nibble), so
/// that no other byte shares both nibbles with one of them.
///
/// # Safety
///
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn classify_avx2(block: &[u8; 64]) -> Classes {
    use std::arch::x86_64::*;
    const Q: i8 = i8::MIN; // bit 7, read by `movemask` as it is
    const B: i8 = 1;
    const C: i8 = 2;
    const P: i8 = 4;
    const O2: i8 = 0x10; // ( " # $ - /
    const O3: i8 = 0x20; // ;
    const O6: i8 = 0x40; // `
    #[rustfmt::skip]
    let lo = _mm256_setr_epi8(
        O6, 0, O2, O2, O2, 0, 0, Q, O2, P, 0, O3, B | C, O2, 0, O2,
        O6, 0, O2, O2, O2, 0, 0, Q, O2, P, 0, O3, B | C, O2, 0, O2,
    );
    #[rustfmt::skip]
    let hi = _mm256_setr_epi8(
        0, 0, Q | C | P | O2, O3, 0, B, O6, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, Q | C | P | O2, O3, 0, B, O6, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    let nibble = _mm256_set1_epi8(0x0f);
    let stops = _mm256_set1_epi8(0x70);
    let mut c = Classes::default();
    for i in 0..2 {
        // SAFETY: reads 32 bytes of `block` (64 bytes, `i < 2`), without alignment needs.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * i).cast::<__m256i>()) };
        let class = _mm256_and_si256(
            _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nibble)),
            _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble)),
        );
        // Each class's bit moved to bit 7 of its byte (a 16-bit shift by at most 7 keeps
        // every byte's bit 7 from its own byte), then one bit per byte.
        let bits = |m: __m256i| u64::from(_mm256_movemask_epi8(m) as u32) << (32 * i);
        c.quote |= bits(class);
        c.backslash |= bits(_mm256_slli_epi16::<7>(class));
        c.comma |= bits(_mm256_slli_epi16::<6>(class));
        c.close |= bits(_mm256_slli_epi16::<5>(class));
        // Any stop bit (4..=6) carries into bit 7 when 0x70 is added.
        c.other |= bits(_mm256_add_epi8(_mm256_and_si256(class, stops), stops));
    }
    c
}

/// Which classifier a walk uses, fixed per compiled copy of the walk.
pub(crate) trait Classify {
    fn classify(block: &[u8; 64]) -> Classes;
}

/// SSE2 (or bytewise off x86_64): every CPU.
pub(crate) struct Baseline;

impl Classify for Baseline {
    #[inline(always)]
    fn classify(block: &[u8; 64]) -> Classes {
        classify(block)
    }
}

/// AVX2: only inside the SQL fast path's `walk_avx2`, which is only called where the CPU has it.
#[cfg(target_arch = "x86_64")]
pub(crate) struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Classify for Avx2 {
    #[inline(always)]
    fn classify(block: &[u8; 64]) -> Classes {
        // SAFETY: this copy of the walk runs only in `walk_avx2`, after the CPU was found to
        // have AVX2 (`Simd::detect`).
        unsafe { classify_avx2(block) }
    }
}

/// The vector instructions the fast path may use, found once per parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simd {
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Simd {
    pub(crate) fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            return Simd::Avx2;
        }
        Simd::Baseline
    }
}

/// The portable form of [`classify`], a byte at a time. Also its test twin.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(block: &[u8; 64]) -> Classes {
    let mut c = Classes::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'\'' => c.quote |= bit,
            b'\\' => c.backslash |= bit,
            b',' => c.comma |= bit,
            b')' => c.close |= bit,
            _ if OTHER.contains(&b) => c.other |= bit,
            _ => {}
        }
    }
    c
}

/// Bit `i` set when an odd number of bits `0..=i` of `x` are set: with `x` the quotes, the
/// bytes from an opening quote up to (not including) its closing quote.
#[inline(always)]
pub(crate) fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The bytes escaped by a backslash (MySQL strings): each byte after an odd-length run of
/// backslashes. `carry` is 1 when the block's first byte is escaped (a run that ended the
/// previous block), and is set for the next block. (simdjson's branchless form: a run that
/// starts on an odd bit and has odd length ends on an even bit, and the other way round.)
#[inline(always)]
pub(crate) fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    // A backslash that is itself escaped starts no escape.
    let backslash = backslash & !*carry;
    let follows = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows;
    let (ends_even, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    (EVEN ^ (ends_even << 1)) & follows
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every byte value at every position of a block, mixed with the bytes that matter.
    #[test]
    fn vector_classes_match_the_bytewise_ones() {
        let text: Vec<u8> = (0..=255u8).chain(b"'a''b\\',(x)\"`#-/;$ ".iter().copied()).cycle().take(64 * 9).collect();
        for at in 0..text.len() - 64 {
            let block: &[u8; 64] = text[at..at + 64].try_into().unwrap();
            let want = classify_bytes(block);
            assert_eq!(Baseline::classify(block), want, "at {at}");
            #[cfg(target_arch = "x86_64")]
            if Simd::detect() == Simd::Avx2 {
                assert_eq!(Avx2::classify(block), want, "at {at}");
            }
        }
    }

    #[test]
    fn prefix_xor_marks_string_bytes() {
        // 'ab','' -> the opening quote and the content are inside.
        let q = 0b1_1000_1001u64;
        assert_eq!(prefix_xor(q), 0b0_1000_0111);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
        assert_eq!(prefix_xor(1), u64::MAX);
    }

    /// The escaped bytes of `text`, a byte at a time: what follows an odd run of backslashes.
    fn escaped_bytes(text: &[u8]) -> Vec<bool> {
        let mut out = vec![false; text.len()];
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'\\' && i + 1 < text.len() {
                out[i + 1] = true;
                i += 2;
            } else {
                i += 1;
            }
        }
        out
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]
        /// Block by block with the carry, as the walk computes them.
        #[test]
        fn escapes_match_the_bytewise_ones(text in prop::collection::vec(prop::sample::select(b"\\\\\\'x".to_vec()), 0..300)) {
            let want = escaped_bytes(&text);
            let mut carry = 0;
            for (k, block) in text.chunks(64).enumerate() {
                let bs = block.iter().enumerate().filter(|(_, &c)| c == b'\\').fold(0u64, |m, (i, _)| m | 1 << i);
                let got = escaped(bs, &mut carry);
                for (i, _) in block.iter().enumerate() {
                    prop_assert_eq!(got >> i & 1 == 1, want[64 * k + i], "byte {}", 64 * k + i);
                }
            }
        }
    }
}
