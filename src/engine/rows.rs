//! Per-record rows, for `takar keys`: the packed key of each record's valid NIK together with
//! the packed key of the same record's KK (or [`NO_KK`]), kept in record order.
//!
//! The key store keeps each column's keys apart and forgets which record they came from; a
//! per-record hand-off (one row per valid record, its NIK and KK side by side) needs them
//! together. Each chunk fills two parallel vectors in the counter's hot loop (no lock, no
//! allocation beyond the worker's reused buffers) and ends as one exact-size vector of pairs;
//! merging two [`Rows`] moves chunk vectors, never rows, the same associative way as the key
//! store. 16 bytes per valid record.

/// The KK half of a row whose record has no valid KK. No KK key reaches it: keys are below
/// 2^48.
pub const NO_KK: u64 = u64::MAX;

/// Rows of any number of chunks: `[nik_key, kk_key or NO_KK]`, chunk by chunk in input order.
#[derive(Debug, Default)]
pub struct Rows {
    pub chunks: Vec<Vec<[u64; 2]>>,
    len: usize,
}

impl Rows {
    /// One chunk's rows from the counter's parallel vectors (`nik[i]` and `kk[i]` are one
    /// record's).
    pub fn from_columns(nik: &[u64], kk: &[u64]) -> Rows {
        assert_eq!(nik.len(), kk.len(), "one KK slot per valid NIK");
        if nik.is_empty() {
            return Rows::default();
        }
        let pairs: Vec<[u64; 2]> = nik.iter().zip(kk).map(|(&n, &k)| [n, k]).collect();
        Rows { len: pairs.len(), chunks: vec![pairs] }
    }

    /// Associative merge: the other side's chunks follow this side's.
    pub fn merge(&mut self, mut other: Rows) {
        self.len += other.len;
        self.chunks.append(&mut other.chunks);
    }

    /// Rows held, over all chunks.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_order_and_counts() {
        let mut a = Rows::from_columns(&[1, 2], &[10, NO_KK]);
        a.merge(Rows::default());
        a.merge(Rows::from_columns(&[3], &[30]));
        assert_eq!(a.len(), 3);
        let all: Vec<[u64; 2]> = a.chunks.concat();
        assert_eq!(all, vec![[1, 10], [2, NO_KK], [3, 30]]);
        assert!(Rows::from_columns(&[], &[]).is_empty());
    }
}
