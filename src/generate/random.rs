//! Seeded randomness that does not depend on the order in which rows are produced.
//!
//! Every random choice in the generator comes from an RNG keyed by (seed, domain, key): the
//! identity pass has one stream for the whole run, and each row, person and family gets its own
//! small generator from its key. That is what lets rayon format rows in any order, on any
//! number of threads, and still produce the same bytes.

use rand_pcg::Pcg64Mcg;

/// Keys of the different per-item streams, so a row and a person with the same number do not
/// share randomness.
#[derive(Clone, Copy)]
pub(crate) enum Domain {
    Identity = 1,
    Row = 2,
    Person = 3,
    Family = 4,
    DistrictOffset = 5,
}

/// The SplitMix64 finaliser: a cheap bijective scrambler of 64 bits.
#[inline]
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A well-mixed 64-bit value for (seed, domain, key).
#[inline]
pub(crate) fn hash(seed: u64, domain: Domain, key: u64) -> u64 {
    splitmix64(splitmix64(seed ^ (domain as u64).wrapping_mul(0xA076_1D64_78BD_642F)) ^ key)
}

/// A fresh generator for (seed, domain, key). PCG-64 MCG: 128-bit state, one multiply per
/// draw, cheap enough to create once per row.
#[inline]
pub(crate) fn rng(seed: u64, domain: Domain, key: u64) -> Pcg64Mcg {
    let h = hash(seed, domain, key);
    Pcg64Mcg::new((u128::from(splitmix64(h)) << 64) | u128::from(splitmix64(h ^ 0xE703_7ED1_A0B4_28DB)))
}
