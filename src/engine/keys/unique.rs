//! The unique counts every scan reports, as one [`KeyVisitor`]: unique keys, unique keys per
//! district (for NIKs), and the unique keys first seen in each input.

use super::{KeyStore, KeyVisitor};
use crate::engine::tally::add_into;
use crate::nik::Nik;

/// What deduplication found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Uniques {
    pub unique: u64,
    /// Unique keys per district id (empty when not asked for).
    pub per_district: Vec<u64>,
    /// Unique keys first seen in each input (inputs in order).
    pub new_per_input: Vec<u64>,
}

/// Counts into [`Uniques`]; per-district counts only when given the number of districts
/// (NIK keys carry their district, KK keys are counted without).
pub struct UniqueCounts(pub Uniques);

impl UniqueCounts {
    pub fn new(districts: usize, inputs: usize) -> UniqueCounts {
        UniqueCounts(Uniques { unique: 0, per_district: vec![0; districts], new_per_input: vec![0; inputs] })
    }
}

impl KeyVisitor for UniqueCounts {
    #[inline]
    fn visit(&mut self, key: u64, first_input: u32) {
        let u = &mut self.0;
        u.unique += 1;
        u.new_per_input[first_input as usize] += 1;
        if !u.per_district.is_empty() {
            u.per_district[Nik::key_district(key).0 as usize] += 1;
        }
    }

    fn merge(&mut self, other: UniqueCounts) {
        self.0.unique += other.0.unique;
        add_into(&mut self.0.per_district, &other.0.per_district);
        add_into(&mut self.0.new_per_input, &other.0.new_per_input);
    }
}

/// Unique counts of one column's keys over `inputs` inputs.
pub fn count_unique(mut keys: KeyStore, districts: usize, inputs: usize) -> crate::error::Result<Uniques> {
    Ok(keys.visit_unique(|| UniqueCounts::new(districts, inputs))?.0)
}
