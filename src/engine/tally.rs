//! `Tally`: everything one chunk of one input contributes to the answer, and the one
//! associative, commutative [`Tally::merge`] that combines them. `Tally::default()` is the
//! identity, so any reduce order and any chunking give the same result.

use crate::engine::keys::{add_into, ShardedKeys};
use crate::nik::{Check, Reason};
use crate::report::summary::{ColumnSummary, Consistency, ReasonCounts};

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
    /// The first [`MAX_WARNINGS`] problems by input offset (see [`Tally::warning_count`]).
    pub warnings: Vec<(u64, Warning)>,
    /// All problems seen, including those beyond the kept ones.
    pub warning_count: u64,
}

/// Warnings kept per input: a dump with millions of broken records needs a count and the first
/// few places to look, not a million lines.
pub const MAX_WARNINGS: usize = 100;

/// Something wrong in the input that did not stop the scan: the affected record is still
/// counted (by the rule each text states), so no count is lost, but the reader must see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    /// CSV: a quoted field opened here and the data ended inside it.
    UnterminatedQuote,
    /// SQL: an `INSERT` cut short by the end of the input (in a tuple or string opened here).
    InsertCutShort,
    /// SQL: a `COPY ... FROM stdin` block whose `\.` end line never came.
    CopyUnterminated,
    /// JSON: not JSON at this byte.
    JsonMalformed,
    /// JSON: a string or record opened here and never closed.
    JsonUnclosed,
    /// JSON: the array of records opened here and never closed.
    JsonArrayUnclosed,
    /// JSON: text after a record on its line, or after the end of the document.
    JsonTrailing,
}

impl Warning {
    /// What happened and how the record was counted; shown after `byte N: `.
    pub fn text(self) -> &'static str {
        match self {
            Warning::UnterminatedQuote => "quoted field never closed; the rest of the input was counted as one record",
            Warning::InsertCutShort => "INSERT statement cut short by the end of the input; its rows up to here were counted",
            Warning::CopyUnterminated => "COPY block never ended with a \\. line; its lines were counted",
            Warning::JsonMalformed => "malformed JSON; the record was counted with the values read before this byte",
            Warning::JsonUnclosed => "JSON string or record never closed; counted with the values read before the end",
            Warning::JsonArrayUnclosed => "JSON array of records never closed; the records in it were counted",
            Warning::JsonTrailing => "unexpected text after a JSON record; ignored",
        }
    }
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
        // Keeping the smallest offsets is associative and commutative, like the counts.
        self.warnings.extend(o.warnings);
        self.warnings.sort_unstable();
        self.warnings.truncate(MAX_WARNINGS);
        self.warning_count += o.warning_count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warned(offsets: &[u64]) -> Tally {
        Tally { warnings: offsets.iter().map(|&o| (o, Warning::JsonMalformed)).collect(), warning_count: offsets.len() as u64, ..Tally::default() }
    }

    #[test]
    fn warnings_keep_the_first_offsets_in_any_merge_order() {
        let parts: Vec<Vec<u64>> = (0..7u64).map(|p| (0..40).map(|i| i * 7 + p).rev().collect()).collect();
        let mut forward = Tally::default();
        for p in &parts {
            forward.merge(warned(p));
        }
        let mut backward = Tally::default();
        for p in parts.iter().rev() {
            let mut t = warned(p);
            t.merge(backward);
            backward = t;
        }
        let expected: Vec<u64> = (0..MAX_WARNINGS as u64).collect();
        for t in [forward, backward] {
            assert_eq!(t.warning_count, 280);
            assert_eq!(t.warnings.iter().map(|w| w.0).collect::<Vec<_>>(), expected);
        }
    }
}
