//! What detecting any format yields: the ready parser, where the records start, and the
//! [`Details`] the report shows. Each format's `detect` returns its own parser in a
//! [`Found`], and `format/mod.rs` wraps it into its `Parser` enum; keeping these types in a
//! leaf module (importing nothing else from `format`) means no format module imports its
//! parent, so the formats and the dispatcher do not depend on each other in a loop.

use crate::engine::RoleMap;

/// How an input was read, for the report, so a wrong guess is visible: format, delimiter,
/// header, and the name of the column (key, token kind) read for each role.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub format: &'static str,
    pub delimiter: Option<String>,
    pub header: bool,
    pub columns: RoleMap<Option<String>>,
    /// Every column name the input has (header names, JSON keys, SQL columns; 16-digit runs
    /// masked), for the source fingerprint; empty without names.
    pub headers: Vec<String>,
}

/// What detection found for one input, with the format's own parser type `P`.
pub struct Found<P> {
    pub parser: P,
    /// Bytes before the first record (BOM, header).
    pub data_start: usize,
    pub details: Details,
}

impl<P> Found<P> {
    /// The same finding with the parser wrapped (into the dispatcher's enum).
    pub fn map_parser<Q>(self, wrap: impl FnOnce(P) -> Q) -> Found<Q> {
        Found { parser: wrap(self.parser), data_start: self.data_start, details: self.details }
    }
}
