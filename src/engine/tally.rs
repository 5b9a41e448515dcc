//! `Tally`: the counts one chunk of one input contributes to the answer, and the one
//! associative, commutative [`Tally::merge`] that combines them. `Tally::default()` is the
//! identity, so any reduce order and any chunking give the same result. Counts only: the keys
//! of valid numbers go to the key store ([`crate::engine::keys`]), and the report turns these
//! counts into its own model.

use crate::nik::{Check, Reason};

/// Counts of invalid values by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReasonCounts(pub [u64; Reason::COUNT]);

impl ReasonCounts {
    pub fn get(&self, r: Reason) -> u64 {
        self.0[r.index()]
    }
    pub fn add(&mut self, r: Reason) {
        self.0[r.index()] += 1;
    }
    pub fn merge(&mut self, other: &ReasonCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
    /// Every invalid value except placeholders (which are reported on their own).
    pub fn invalid_total(&self) -> u64 {
        Reason::ALL.iter().filter(|r| **r != Reason::Placeholder).map(|r| self.get(*r)).sum()
    }
}

/// Whether the NIK agrees with the record's other columns, where those exist: birth date,
/// gender, regency and district names, the KK's region; and the ages written birth dates give.
/// Only records with a valid NIK are checked, and a check counts when both values are present
/// and read.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, PartialEq, Eq)]
pub struct Consistency {
    pub birth_date_checked: u64,
    pub birth_date_mismatch: u64,
    pub gender_checked: u64,
    pub gender_mismatch: u64,
    /// The regency (kabupaten/kota) name column against the NIK's regency.
    pub regency_checked: u64,
    pub regency_mismatch: u64,
    /// The district (kecamatan) name column against the NIK's district.
    pub district_checked: u64,
    pub district_mismatch: u64,
    /// A valid KK's regency against the NIK's (both taken to their current code).
    pub kk_region_checked: u64,
    pub kk_region_mismatch: u64,
    /// Written birth dates that make someone older than 110 at the reference date.
    pub age_implausible: u64,
    /// Written birth dates after the reference date.
    pub age_impossible: u64,
}

impl Consistency {
    pub fn merge(&mut self, o: &Consistency) {
        self.birth_date_checked += o.birth_date_checked;
        self.birth_date_mismatch += o.birth_date_mismatch;
        self.gender_checked += o.gender_checked;
        self.gender_mismatch += o.gender_mismatch;
        self.regency_checked += o.regency_checked;
        self.regency_mismatch += o.regency_mismatch;
        self.district_checked += o.district_checked;
        self.district_mismatch += o.district_mismatch;
        self.kk_region_checked += o.kk_region_checked;
        self.kk_region_mismatch += o.kk_region_mismatch;
        self.age_implausible += o.age_implausible;
        self.age_impossible += o.age_impossible;
    }
}

/// Element-wise `a += b`; an empty `a` takes `b`'s shape.
pub fn add_into(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

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
    /// SQL: a statement other than an `INSERT` (or a comment) that starts here never ends: a
    /// stray quote, or an unclosed comment, runs to the end of the input.
    SqlUnended,
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
            Warning::SqlUnended => "SQL statement never ended (a quote or comment in it is never closed); read on from the next line",
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
