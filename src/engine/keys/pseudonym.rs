//! Pseudonyms of NIK and KK keys: a keyed pseudorandom permutation of the 48-bit key space.
//!
//! A pseudonym stands for one valid NIK (or KK) in files that leave takar, so two dumps can be
//! compared (who is in both) without either file holding a NIK. It is computed from the packed
//! key ([`Nik::key`](crate::nik::Nik::key), `district_id << 34 | last ten digits`) and a secret
//! [`Key`], and is itself a number below 2^48.
//!
//! Why keyed: plausible NIKs number about 5e12 (region codes times dates times serials), so an
//! unkeyed hash of one is reversed by hashing them all, in minutes. Without the key, a
//! pseudonym says nothing of its NIK; with it, it can be undone (see
//! [`Pseudonyms::nik_inverse`]), so the key is as secret as the NIKs.
//!
//! Why a permutation: two dumps must meet exactly, so two different keys may never share a
//! pseudonym. A hash truncated to 48 bits would collide (by the birthday bound, about one pair
//! in 2^48 / 200M², i.e. tens of thousands of false overlaps among 200M people); a permutation
//! cannot.
//!
//! The scheme: a balanced Feistel network over 48 bits, two 24-bit halves `(L, R)`,
//! [`ROUNDS`] = 10 rounds of `(L, R) -> (R, L ^ F(i, R))`, where the round function `F(i, R)` is
//! the low 24 bits of SipHash-2-4 (a keyed PRF) of the little-endian `u64` `i << 24 | R`. Ten
//! rounds is FF1's count (NIST SP 800-38G) for the same reason: small halves need more rounds
//! than Luby-Rackoff's four to keep the known attacks on small-domain Feistel ciphers
//! impractical. The SipHash key of the NIK space and that of the KK space are different
//! subkeys, derived from the [`Key`] with BLAKE3 `derive_key` under the labels
//! [`NIK_CONTEXT`] and [`KK_CONTEXT`]; so a NIK and a KK with the same digits get unrelated
//! pseudonyms, and neither permutation tells anything about the other (they also live in
//! separate sections of any file, so they never compare anyway).
//!
//! The domain bound: the permutation covers exactly `0..2^48`, so keys below 2^48 need no
//! cycle-walking, and every pseudonym is again below 2^48. NIK and KK keys are built alike:
//! the last ten digits take 34 bits (10^10 < 2^34) and the district id sits above them; the
//! region table holds fewer than 2^13 districts (7,881 in the 2025 edition), so keys are below
//! 2^47 and a district table could grow to 2^14 districts before reaching the bound (a test
//! checks the embedded table). A key at or over 2^48 is a bug, and panics rather than silently
//! losing its top bits (which would merge different people).
//!
//! Cost: ten SipHash-2-4 calls on one word and no allocation, about 160 ns per key (measured
//! in a release build on one core of the development machine): 200M unique keys take about half
//! a minute on one core, seconds across the key store's parallel shards.

use siphasher::sip::SipHasher24;

use crate::keyring::Key;

/// Bits in the permuted domain.
pub const DOMAIN_BITS: u32 = 48;

/// Size of the domain: every key and every pseudonym is below it.
pub const DOMAIN: u64 = 1 << DOMAIN_BITS;

/// Feistel rounds.
pub const ROUNDS: u32 = 10;

/// BLAKE3 `derive_key` label of the NIK space's round key.
pub const NIK_CONTEXT: &str = "takar 2026 nik pseudonym";

/// BLAKE3 `derive_key` label of the KK space's round key.
pub const KK_CONTEXT: &str = "takar 2026 kk pseudonym";

const HALF_BITS: u32 = DOMAIN_BITS / 2;
const HALF_MASK: u64 = (1 << HALF_BITS) - 1;

/// One keyed permutation of `0..2^48`. `Debug` is written by hand: the derived `Debug` of
/// `SipHasher24` would print its key.
#[derive(Clone)]
struct Feistel {
    prf: SipHasher24,
}

impl Feistel {
    /// The permutation keyed by the first 16 bytes of a 32-byte subkey (SipHash takes 128 bits).
    fn new(subkey: &[u8; 32]) -> Feistel {
        let mut sip_key = [0u8; 16];
        sip_key.copy_from_slice(&subkey[..16]);
        Feistel { prf: SipHasher24::new_with_key(&sip_key) }
    }

    /// Round `round`'s function of one half: 24 pseudorandom bits. The round number is in the
    /// hashed word (above the 24-bit half), so each round has its own function under one key.
    #[inline(always)]
    fn round(&self, round: u32, half: u64) -> u64 {
        let word = u64::from(round) << HALF_BITS | half;
        self.prf.hash(&word.to_le_bytes()) & HALF_MASK
    }

    #[inline]
    fn forward(&self, x: u64) -> u64 {
        assert!(x < DOMAIN, "a NIK/KK key is below 2^48");
        let (mut left, mut right) = (x >> HALF_BITS, x & HALF_MASK);
        for round in 0..ROUNDS {
            (left, right) = (right, left ^ self.round(round, right));
        }
        left << HALF_BITS | right
    }

    #[inline]
    fn inverse(&self, y: u64) -> u64 {
        assert!(y < DOMAIN, "a pseudonym is below 2^48");
        let (mut left, mut right) = (y >> HALF_BITS, y & HALF_MASK);
        for round in (0..ROUNDS).rev() {
            (left, right) = (right ^ self.round(round, left), left);
        }
        left << HALF_BITS | right
    }
}

/// The pseudonym functions of one [`Key`]: one permutation for NIK keys, another for KK keys.
#[derive(Clone)]
pub struct Pseudonyms {
    nik: Feistel,
    kk: Feistel,
    /// The key's fingerprint, the only thing `Debug` shows.
    fingerprint: String,
}

impl Pseudonyms {
    /// Derives both spaces' round keys from `key`.
    pub fn new(key: &Key) -> Pseudonyms {
        Pseudonyms {
            nik: Feistel::new(&key.derive(NIK_CONTEXT)),
            kk: Feistel::new(&key.derive(KK_CONTEXT)),
            fingerprint: key.fingerprint(),
        }
    }

    /// The fingerprint of the key these pseudonyms are made with.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The pseudonym of a NIK key ([`Nik::key`](crate::nik::Nik::key)), below 2^48.
    ///
    /// # Panics
    /// If `key` is not below 2^48 ([`DOMAIN`]); no NIK key is.
    #[inline]
    pub fn nik(&self, key: u64) -> u64 {
        self.nik.forward(key)
    }

    /// The pseudonym of a KK key ([`Kk::key`](crate::nik::Kk::key)), below 2^48.
    ///
    /// # Panics
    /// If `key` is not below 2^48 ([`DOMAIN`]); no KK key is.
    #[inline]
    pub fn kk(&self, key: u64) -> u64 {
        self.kk.forward(key)
    }

    /// The NIK key behind a NIK pseudonym. Needs the key the pseudonym was made with: this is
    /// why the key is kept as secret as the NIKs themselves.
    ///
    /// # Panics
    /// If `pseudonym` is not below 2^48.
    #[inline]
    pub fn nik_inverse(&self, pseudonym: u64) -> u64 {
        self.nik.inverse(pseudonym)
    }

    /// The KK key behind a KK pseudonym; needs the key, as [`Self::nik_inverse`] does.
    ///
    /// # Panics
    /// If `pseudonym` is not below 2^48.
    #[inline]
    pub fn kk_inverse(&self, pseudonym: u64) -> u64 {
        self.kk.inverse(pseudonym)
    }
}

impl std::fmt::Debug for Pseudonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pseudonyms(key fingerprint {})", self.fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key_of(bytes: [u8; 32]) -> Key {
        Key::from_hex(&bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()).unwrap()
    }

    /// The fixed key of the known-answer test: bytes 0, 1, ..., 31.
    fn fixed_key() -> Key {
        key_of(std::array::from_fn(|i| i as u8))
    }

    /// `count` distinct inputs spread over the whole domain: `i` times an odd constant, mod 2^48
    /// (a bijection), so low, high and mixed bits all vary.
    fn spread(count: u64) -> impl Iterator<Item = u64> {
        (0..count).map(|i| i.wrapping_mul(0x9E37_79B9_7F4B) & (DOMAIN - 1))
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]

        #[test]
        fn permutation_round_trips(bytes in proptest::array::uniform32(any::<u8>()), x in 0..DOMAIN) {
            let p = Pseudonyms::new(&key_of(bytes));
            let (nik, kk) = (p.nik(x), p.kk(x));
            prop_assert!(nik < DOMAIN && kk < DOMAIN);
            prop_assert_eq!(p.nik_inverse(nik), x);
            prop_assert_eq!(p.kk_inverse(kk), x);
            // And the other way round: every value is some key's pseudonym.
            prop_assert_eq!(p.nik(p.nik_inverse(x)), x);
        }
    }

    #[test]
    fn domain_edges_round_trip() {
        let p = Pseudonyms::new(&fixed_key());
        for x in [0, 1, HALF_MASK, HALF_MASK + 1, DOMAIN - 2, DOMAIN - 1] {
            let y = p.nik(x);
            assert!(y < DOMAIN);
            assert_eq!(p.nik_inverse(y), x);
        }
    }

    #[test]
    #[should_panic(expected = "below 2^48")]
    fn a_key_over_the_bound_panics() {
        Pseudonyms::new(&fixed_key()).nik(DOMAIN);
    }

    #[test]
    fn no_collisions_among_a_million_inputs() {
        let p = Pseudonyms::new(&fixed_key());
        for inputs in [Box::new(0..1_000_000u64) as Box<dyn Iterator<Item = u64>>, Box::new(spread(1_000_000))] {
            let mut out: Vec<u64> = inputs.map(|x| p.nik(x)).collect();
            assert!(out.iter().all(|&y| y < DOMAIN));
            out.sort_unstable();
            out.dedup();
            assert_eq!(out.len(), 1_000_000);
        }
    }

    #[test]
    fn nik_and_kk_spaces_differ() {
        let p = Pseudonyms::new(&fixed_key());
        let same = spread(10_000).filter(|&x| p.nik(x) == p.kk(x)).count();
        assert_eq!(same, 0);
    }

    #[test]
    fn different_keys_give_different_pseudonyms() {
        let a = Pseudonyms::new(&fixed_key());
        let b = Pseudonyms::new(&key_of(std::array::from_fn(|i| if i == 31 { 32 } else { i as u8 })));
        let same = spread(10_000).filter(|&x| a.nik(x) == b.nik(x)).count();
        assert!(same <= 1, "{same} of 10000 equal");
        let random = Pseudonyms::new(&Key::generate().unwrap());
        let same = spread(10_000).filter(|&x| a.kk(x) == random.kk(x)).count();
        assert!(same <= 1, "{same} of 10000 equal");
    }

    /// Catches an accidental change of the scheme (rounds, PRF, labels, bit layout): these
    /// pseudonyms were recorded when it was written, and pseudonym files made by then must
    /// still compare. They were checked against an independent Python implementation (SipHash-2-4
    /// written out from the paper and checked on its test vector, BLAKE3 `derive_key` from the
    /// `blake3` package, the Feistel rounds as the module head states them).
    #[test]
    fn known_answers() {
        let key = fixed_key();
        assert_eq!(key.to_hex(), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let p = Pseudonyms::new(&key);
        let inputs = [0u64, 1 << 34 | 1_234_567_890, (7_880 << 34) | 9_999_999_999];
        let nik: Vec<u64> = inputs.iter().map(|&x| p.nik(x)).collect();
        let kk: Vec<u64> = inputs.iter().map(|&x| p.kk(x)).collect();
        assert_eq!(nik, [169_499_896_089_137, 6_802_640_730_601, 27_647_956_864_432], "NIK pseudonyms changed");
        assert_eq!(kk, [106_850_979_563_078, 271_121_838_279_731, 213_438_053_558_668], "KK pseudonyms changed");
        assert_eq!(p.fingerprint(), "8bf4:f010:3aee:d472", "fingerprint changed");
    }

    /// Flipping one input bit flips about half of the 48 output bits, averaged over many
    /// inputs and every bit position.
    #[test]
    fn avalanche() {
        let p = Pseudonyms::new(&fixed_key());
        let mut flipped = 0u64;
        let mut trials = 0u64;
        for x in spread(2_000) {
            let y = p.nik(x);
            for bit in 0..DOMAIN_BITS {
                flipped += u64::from((y ^ p.nik(x ^ 1 << bit)).count_ones());
                trials += 1;
            }
        }
        let mean = flipped as f64 / trials as f64;
        assert!((20.0..=28.0).contains(&mean), "mean {mean} output bits flipped");
        // Tighter in practice: 96,000 trials put the mean within a few hundredths of 24.
        assert!((23.5..=24.5).contains(&mean), "mean {mean} output bits flipped");
    }

    #[test]
    fn debug_shows_the_fingerprint_only() {
        let key = fixed_key();
        let p = Pseudonyms::new(&key);
        let shown = format!("{p:?} {p:#?}");
        assert_eq!(shown.matches(&key.fingerprint()).count(), 2, "{shown}");
        assert!(!shown.contains("0001020304"), "{shown}");
        assert!(!shown.contains("k0") && !shown.contains("SipHasher"), "{shown}");
    }

    /// Keys stay below the bound: the embedded region table's district ids fit 14 bits, so the
    /// largest key, `max_id << 34 | (10^10 - 1)`, is below 2^48.
    #[test]
    fn keys_of_the_embedded_table_fit_the_domain() {
        let districts = include_str!("../../nik/data/districts.csv").lines().filter(|l| !l.trim().is_empty()).count() - 1;
        assert!(districts > 7_000, "{districts} districts");
        let largest_key = ((districts as u64 - 1) << 34) | 9_999_999_999;
        assert!(largest_key < DOMAIN && districts < 1 << 14, "{districts} districts");
    }
}
