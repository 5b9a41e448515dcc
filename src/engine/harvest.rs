//! What parsing a span of records yields: its counts ([`Tally`]) and the keys of its valid
//! NIKs and KKs ([`KeyStore`]), or its per-record [`Rows`], merged the same associative way
//! from chunk to input to dump.

use super::keys::{Estimates, KeyStore};
use super::rows::Rows;
use super::tally::Tally;

#[derive(Debug, Default)]
pub struct Harvest {
    pub tally: Tally,
    pub nik_keys: KeyStore,
    pub kk_keys: KeyStore,
    /// Filled instead of the key stores when the context keeps [`Rows`](super::Keep::Rows).
    pub rows: Rows,
    /// Filled instead of the key stores under `--approximate` ([`Keep::Estimates`](super::Keep::Estimates)).
    pub estimates: Option<Estimates>,
}

impl Harvest {
    pub fn merge(&mut self, o: Harvest) {
        self.tally.merge(o.tally);
        self.nik_keys.merge(o.nik_keys);
        self.kk_keys.merge(o.kk_keys);
        self.rows.merge(o.rows);
        match (&mut self.estimates, o.estimates) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            _ => {}
        }
    }
}
