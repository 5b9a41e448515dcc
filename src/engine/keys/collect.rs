//! Every unique key, mapped (to a pseudonym, say) and gathered into one vector, as a
//! [`KeyVisitor`]. The vector is unsorted: shards merge in any order; the caller sorts it once.
//! 8 bytes per unique key, the same as the store's own compacted keys.

use super::KeyVisitor;

pub struct Collect<F> {
    map: F,
    pub values: Vec<u64>,
}

impl<F: Fn(u64) -> u64 + Send> Collect<F> {
    pub fn new(map: F) -> Collect<F> {
        Collect { map, values: Vec::new() }
    }
}

impl<F: Fn(u64) -> u64 + Send> KeyVisitor for Collect<F> {
    #[inline]
    fn visit(&mut self, key: u64, _first_input: u32) {
        self.values.push((self.map)(key));
    }

    fn merge(&mut self, mut other: Collect<F>) {
        if self.values.len() < other.values.len() {
            std::mem::swap(&mut self.values, &mut other.values);
        }
        self.values.append(&mut other.values);
    }
}
