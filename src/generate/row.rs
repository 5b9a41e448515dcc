//! One record's identity as the sequential pass decides it (kind of NIK and KK, which columns
//! are present or wrong), shared by the planner, the formatter and the answer's tally.

use crate::nik::{DistrictId, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NikKind {
    /// A person's first record.
    Fresh,
    /// A later record of an earlier person.
    Duplicate,
    Invalid(Reason),
    Missing,
    Placeholder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KkKind {
    Valid,
    Missing,
    Invalid(Reason),
}

/// One record's identity: everything the formatter needs besides the seed and the row index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowId {
    /// The NIK for `Fresh` and `Duplicate`; 0 otherwise.
    pub nik: u64,
    /// The family's real No. KK (how it is written depends on `kk_kind`).
    pub kk: u64,
    /// The family's district: address columns and the would-be NIK of invalid records.
    pub district: DistrictId,
    pub nik_kind: NikKind,
    pub kk_kind: KkKind,
    pub date_present: bool,
    pub gender_present: bool,
    pub wrong_gender: bool,
    pub wrong_date: bool,
    /// The district whose names the place columns hold: `district`, or another regency's
    /// district in a fabricated dump (never a name of the NIK's own regency or district).
    pub place: DistrictId,
    /// The KK was issued in another current regency than the NIK (a fabricated dump).
    pub kk_foreign: bool,
}

impl RowId {
    pub(crate) fn nik_valid(&self) -> bool {
        matches!(self.nik_kind, NikKind::Fresh | NikKind::Duplicate)
    }
}
