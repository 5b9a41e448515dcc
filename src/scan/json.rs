//! Json dumps (being written).

use crate::nik::Validator;
use crate::scan::chunk::{Counter, Splittable, Step};
use crate::scan::csv::Record;
use crate::scan::format::Detected;
use crate::scan::sniff::SniffOptions;

/// Parser for Json dumps.
pub struct JsonParser;

impl Splittable for JsonParser {
    type State = ();
    fn resync(&self, data: &[u8], _cut: usize) -> usize {
        data.len()
    }
    fn step(&self, data: &[u8], _pos: usize, _eof: bool, _base: u64, _state: &mut (), _rec: &mut Record, _counter: &mut Counter<'_>) -> Step {
        Step::Next(data.len())
    }
}

/// Detects a JSON / JSON-lines dump's keys.
pub fn detect(_sample: &[u8], _whole: bool, _format: crate::scan::Format, _opts: &SniffOptions, _v: &Validator<'_>) -> Result<Option<Detected>, String> {
    Err("--format json/jsonl is not supported yet".into())
}
