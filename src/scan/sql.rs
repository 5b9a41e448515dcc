//! Sql dumps (being written).

use crate::nik::Validator;
use crate::scan::chunk::{Counter, Splittable, Step};
use crate::scan::csv::Record;
use crate::scan::format::Detected;
use crate::scan::sniff::SniffOptions;

/// Parser for Sql dumps.
pub struct SqlParser;

impl Splittable for SqlParser {
    type State = ();
    fn resync(&self, data: &[u8], _cut: usize) -> usize {
        data.len()
    }
    fn step(&self, data: &[u8], _pos: usize, _eof: bool, _base: u64, _state: &mut (), _rec: &mut Record, _counter: &mut Counter<'_>) -> Step {
        Step::Next(data.len())
    }
}

/// Detects an SQL dump's table and columns.
pub fn detect(_sample: &[u8], _whole: bool, _all: Option<&[u8]>, _opts: &SniffOptions, _v: &Validator<'_>) -> Result<Option<Detected>, String> {
    Err("--format sql is not supported yet".into())
}
