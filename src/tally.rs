//! `Tally`: everything one chunk of one input contributes to the answer, and the one
//! associative, commutative [`Tally::merge`] that combines them. `Tally::default()` is the
//! identity, so any reduce order and any chunking give the same result.

use crate::dedup::{add_into, ShardedKeys};
use crate::nik::{Check, Reason};
use crate::summary::{ColumnSummary, Consistency, ReasonCounts};

/// Counts for one column (NIK or KK).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ColumnTally {
    pub valid: u64,
    pub missing: u64,
    /// Invalid values by reason, placeholders included (under `Reason::Placeholder`).
    pub reasons: ReasonCounts,
}

impl ColumnTally {
    #[inline]
    pub fn count<T>(&mut self, c: &Check<T>) {
        match c {
            Check::Valid(_) => self.valid += 1,
            Check::Missing => self.missing += 1,
            Check::Invalid(r) => self.reasons.add(*r),
        }
    }

    pub fn merge(&mut self, o: &ColumnTally) {
        self.valid += o.valid;
        self.missing += o.missing;
        self.reasons.merge(&o.reasons);
    }

    pub fn placeholder(&self) -> u64 {
        self.reasons.get(Reason::Placeholder)
    }

    /// The reported form, once the unique count is known.
    pub fn summary(&self, unique: u64) -> ColumnSummary {
        ColumnSummary {
            valid: self.valid,
            invalid: self.reasons.invalid_total(),
            missing: self.missing,
            placeholder: self.placeholder(),
            unique,
            duplicate_records: self.valid - unique,
            invalid_reasons: self.reasons,
        }
    }
}

#[derive(Debug, Default)]
pub struct Tally {
    /// Data records (header excluded).
    pub records: u64,
    pub nik: ColumnTally,
    pub kk: ColumnTally,
    pub consistency: Consistency,
    /// Valid-NIK records per district id (empty means all zero).
    pub district_records: Vec<u64>,
    pub nik_keys: ShardedKeys,
    pub kk_keys: ShardedKeys,
    /// Byte offsets (within the input) of quoted fields left open at the end of the data.
    pub unterminated_quotes: Vec<u64>,
}

impl Tally {
    pub fn merge(&mut self, o: Tally) {
        self.records += o.records;
        self.nik.merge(&o.nik);
        self.kk.merge(&o.kk);
        self.consistency.merge(&o.consistency);
        add_into(&mut self.district_records, &o.district_records);
        self.nik_keys.merge(o.nik_keys);
        self.kk_keys.merge(o.kk_keys);
        self.unterminated_quotes.extend(o.unterminated_quotes);
        self.unterminated_quotes.sort_unstable();
    }
}
