//! `--approximate`: HyperLogLog++ sketches (the `cardinality-estimator` crate) instead of the
//! exact key store. Memory is a few kilobytes per sketch whatever the dump's size, and no key
//! is written to disk; the unique counts become estimates with a standard error of about 1.6%
//! (precision 12), which every output then says.
//!
//! One sketch for the NIKs and one for the KKs, one per input (so that "new in input i" is the
//! growth of the union of inputs 0..=i) and one per district that has NIKs. Sketches merge by
//! register-wise maximum, so a chunk's sketches merge into the dump's like the tallies do.
//! The people profile behind the verdict (birth years, sex, serials) is counted over the valid
//! records instead of the unique people: its shares barely move with the duplicates a dump
//! carries, and there are no unique keys to walk.

use cardinality_estimator::CardinalityEstimator;

use super::{hash, KeyVisitor, PeopleProfile, Uniques};
use crate::nik::{Date, Nik};

/// HyperLogLog++ at precision 12 (4096 registers of 6 bits, 3 KiB once dense).
pub type Sketch = CardinalityEstimator<u64>;

/// The standard error of [`Sketch`]'s estimates, 1.04 / sqrt(4096), as reported.
pub const STANDARD_ERROR: f64 = 0.0163;

/// One chunk's, one input's or the whole dump's sketches.
#[derive(Debug)]
pub struct Estimates {
    nik: Sketch,
    kk: Sketch,
    /// Indexed by input.
    nik_per_input: Vec<Sketch>,
    /// Indexed by district id; `None` where no NIK of the district was seen.
    per_district: Vec<Option<Box<Sketch>>>,
    people: PeopleProfile,
}

fn insert(sketch: &mut Sketch, key: u64) {
    sketch.insert_hash(hash(key));
}

impl Estimates {
    pub fn new(districts: usize, reference: Date) -> Estimates {
        Estimates { nik: Sketch::new(), kk: Sketch::new(), nik_per_input: Vec::new(), per_district: (0..districts).map(|_| None).collect(), people: PeopleProfile::new(reference) }
    }

    /// A chunk's sketches from its valid NIK and KK keys (one of each per record).
    pub fn from_keys(input: u32, districts: usize, reference: Date, nik_keys: &[u64], kk_keys: &[u64]) -> Estimates {
        let mut e = Estimates::new(districts, reference);
        let mut own = Sketch::new();
        for &key in nik_keys {
            // One hash, three sketches.
            let h = hash(key);
            e.nik.insert_hash(h);
            own.insert_hash(h);
            let d = Nik::key_district(key).0 as usize;
            e.per_district[d].get_or_insert_with(|| Box::new(Sketch::new())).insert_hash(h);
            e.people.visit(key, input);
        }
        for &key in kk_keys {
            insert(&mut e.kk, key);
        }
        e.nik_per_input.resize_with(input as usize + 1, Sketch::new);
        e.nik_per_input[input as usize] = own;
        e
    }

    /// Register-wise union (associative, commutative).
    pub fn merge(&mut self, other: Estimates) {
        self.nik.merge(&other.nik);
        self.kk.merge(&other.kk);
        if self.nik_per_input.len() < other.nik_per_input.len() {
            self.nik_per_input.resize_with(other.nik_per_input.len(), Sketch::new);
        }
        for (mine, theirs) in self.nik_per_input.iter_mut().zip(&other.nik_per_input) {
            mine.merge(theirs);
        }
        if self.per_district.len() < other.per_district.len() {
            self.per_district.resize_with(other.per_district.len(), || None);
        }
        for (mine, theirs) in self.per_district.iter_mut().zip(other.per_district) {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => m.merge(&t),
                (None, Some(t)) => *mine = Some(t),
                _ => {}
            }
        }
        self.people.merge(other.people);
    }

    /// The estimated unique counts of NIKs (per district and new per input) and of KKs, and
    /// the people profile over the valid records.
    pub fn finish(self, inputs: usize) -> (Uniques, Uniques, PeopleProfile) {
        let mut union = Sketch::new();
        let mut before = 0u64;
        let new_per_input = (0..inputs)
            .map(|i| {
                if let Some(s) = self.nik_per_input.get(i) {
                    union.merge(s);
                }
                let now = union.estimate() as u64;
                let new = now.saturating_sub(before);
                before = before.max(now);
                new
            })
            .collect();
        let nik = Uniques {
            unique: self.nik.estimate() as u64,
            per_district: self.per_district.iter().map(|s| s.as_ref().map_or(0, |s| s.estimate() as u64)).collect(),
            new_per_input,
        };
        let kk = Uniques { unique: self.kk.estimate() as u64, per_district: Vec::new(), new_per_input: vec![0; inputs] };
        (nik, kk, self.people)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Estimates land within four standard errors of the exact counts, merged in any order.
    #[test]
    fn estimates_are_close_to_exact_counts() {
        let reference = Date { year: 2025, month: 6, day: 1 };
        // 200k distinct keys of district 0 and 1, each seen twice, over two inputs.
        let keys: Vec<u64> = (0..200_000u64).map(|i| ((i % 2) << 34) | (i + 1)).collect();
        let (a, b) = keys.split_at(120_000);
        let mut e = Estimates::from_keys(1, 4, reference, b, &keys[..1000]);
        e.merge(Estimates::from_keys(0, 4, reference, a, &keys[..500]));
        e.merge(Estimates::from_keys(1, 4, reference, a, &[]));
        let (nik, kk, people) = e.finish(2);
        let close = |got: u64, want: u64| (got as f64 - want as f64).abs() <= 4.0 * STANDARD_ERROR * want as f64;
        assert!(close(nik.unique, 200_000), "{}", nik.unique);
        assert!(close(nik.per_district[0], 100_000) && close(nik.per_district[1], 100_000), "{:?}", nik.per_district);
        assert_eq!(nik.per_district[2], 0);
        assert!(close(nik.new_per_input[0], 120_000) && close(nik.new_per_input[1], 80_000), "{:?}", nik.new_per_input);
        assert!(close(kk.unique, 1000), "{}", kk.unique);
        assert_eq!(people.people.people, 320_000, "the profile counts records");
    }
}
