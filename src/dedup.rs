//! Exact unique counts of NIK/KK keys, partitioned so that both the map and the merge run in
//! parallel with no shared state.
//!
//! Workers route each key to one of [`SHARDS`] shards by bits of its xxh3 hash that hashbrown
//! does not use (it takes the low bits for the bucket and the top 7 for the tag). Equal keys
//! always meet in the same shard, so shards are deduplicated independently, each in a set small
//! enough to stay in cache, and per-district unique counts are sums over shards. A chunk's keys
//! are stored per shard as exact-size vectors (8 bytes per valid record, no slack); merging two
//! tallies moves vectors, never keys.

use hashbrown::HashSet;
use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, Xxh3DefaultBuilder};

use crate::nik::Nik;

pub const SHARD_BITS: u32 = 8;
pub const SHARDS: usize = 1 << SHARD_BITS;

#[inline(always)]
fn hash(key: u64) -> u64 {
    xxh3_64(&key.to_le_bytes())
}

#[inline(always)]
fn shard_of(h: u64) -> usize {
    ((h >> 48) as usize) & (SHARDS - 1)
}

/// Keys of one input's chunk, bucketed by shard.
#[derive(Debug, Default)]
pub struct ShardedKeys {
    /// `shards[s]`: vectors of keys (one per chunk) tagged with the input index.
    shards: Vec<Vec<(u32, Vec<u64>)>>,
}

impl ShardedKeys {
    /// Buckets `keys` (one chunk's keys in any order) by shard, with exact capacities.
    pub fn from_keys(input: u32, keys: &[u64]) -> ShardedKeys {
        if keys.is_empty() {
            return ShardedKeys::default();
        }
        let mut counts = vec![0usize; SHARDS];
        let shard_ids: Vec<u8> = keys
            .iter()
            .map(|&k| {
                let s = shard_of(hash(k));
                counts[s] += 1;
                s as u8
            })
            .collect();
        let mut buckets: Vec<Vec<u64>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for (&k, &s) in keys.iter().zip(&shard_ids) {
            buckets[s as usize].push(k);
        }
        ShardedKeys {
            shards: buckets.into_iter().map(|b| if b.is_empty() { Vec::new() } else { vec![(input, b)] }).collect(),
        }
    }

    /// Associative, commutative merge: moves the other side's vectors in.
    pub fn merge(&mut self, mut other: ShardedKeys) {
        if self.shards.is_empty() {
            *self = other;
            return;
        }
        for (a, b) in self.shards.iter_mut().zip(other.shards.iter_mut()) {
            a.append(b);
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().flatten().map(|(_, v)| v.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What deduplication found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Uniques {
    pub unique: u64,
    /// Unique keys per district id (empty when not asked for).
    pub per_district: Vec<u64>,
    /// Unique keys first seen in each input (inputs in order).
    pub new_per_input: Vec<u64>,
}

/// Counts unique keys shard by shard in parallel. Inputs are visited in order inside each
/// shard, so "new in input i" means not seen in inputs before i.
pub fn count_unique(keys: ShardedKeys, districts: usize, inputs: usize) -> Uniques {
    let zero = || Uniques { unique: 0, per_district: vec![0; districts], new_per_input: vec![0; inputs] };
    keys.shards
        .into_par_iter()
        .fold(zero, |mut acc, mut parts| {
            parts.sort_by_key(|(input, _)| *input);
            let total: usize = parts.iter().map(|(_, v)| v.len()).sum();
            let mut set: HashSet<u64, Xxh3DefaultBuilder> =
                HashSet::with_capacity_and_hasher(total, Xxh3DefaultBuilder::new());
            for (input, v) in parts {
                let before = set.len();
                set.extend(v);
                acc.new_per_input[input as usize] += (set.len() - before) as u64;
            }
            acc.unique += set.len() as u64;
            if districts > 0 {
                for &k in &set {
                    acc.per_district[Nik::key_district(k).0 as usize] += 1;
                }
            }
            acc
        })
        .reduce(zero, |mut a, b| {
            a.unique += b.unique;
            add_into(&mut a.per_district, &b.per_district);
            add_into(&mut a.new_per_input, &b.new_per_input);
            a
        })
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
