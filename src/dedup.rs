//! Exact unique counts of NIK/KK keys, partitioned so that both the map and the merge run in
//! parallel with no shared state.
//!
//! Workers route each key to one of [`SHARDS`] shards by bits of its xxh3 hash that hashbrown
//! does not use (it takes the low bits for the bucket and the top 7 for the tag). Equal keys
//! always meet in the same shard, so shards are deduplicated independently, each in a set small
//! enough to stay in cache, and per-district unique counts are sums over shards. A chunk's keys
//! are grouped by shard into one exact-size vector (8 bytes per valid record, no slack, one
//! allocation); merging two tallies moves vectors, never keys.

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

/// One chunk's keys, grouped by shard in one exact-size vector: `keys[offsets[s]..offsets[s+1]]`
/// are the keys of shard `s` (one allocation per chunk, not one per shard).
#[derive(Debug)]
struct ChunkKeys {
    input: u32,
    keys: Vec<u64>,
    offsets: Box<[u32; SHARDS + 1]>,
}

impl ChunkKeys {
    fn shard(&self, s: usize) -> &[u64] {
        &self.keys[self.offsets[s] as usize..self.offsets[s + 1] as usize]
    }
}

/// Keys of any number of chunks, each grouped by shard.
#[derive(Debug, Default)]
pub struct ShardedKeys {
    parts: Vec<ChunkKeys>,
}

impl ShardedKeys {
    /// Groups `keys` (one chunk's keys in any order) by shard: a counting sort into one vector.
    pub fn from_keys(input: u32, keys: &[u64]) -> ShardedKeys {
        if keys.is_empty() {
            return ShardedKeys::default();
        }
        assert!(keys.len() < u32::MAX as usize, "chunks are far smaller than 4G keys");
        let mut offsets = Box::new([0u32; SHARDS + 1]);
        let shard_ids: Vec<u8> = keys
            .iter()
            .map(|&k| {
                let s = shard_of(hash(k));
                offsets[s + 1] += 1;
                s as u8
            })
            .collect();
        for s in 0..SHARDS {
            offsets[s + 1] += offsets[s];
        }
        let mut next: Vec<u32> = offsets[..SHARDS].to_vec();
        let mut grouped = vec![0u64; keys.len()];
        for (&k, &s) in keys.iter().zip(&shard_ids) {
            grouped[next[s as usize] as usize] = k;
            next[s as usize] += 1;
        }
        ShardedKeys { parts: vec![ChunkKeys { input, keys: grouped, offsets }] }
    }

    /// Associative, commutative merge: moves the other side's chunks in.
    pub fn merge(&mut self, mut other: ShardedKeys) {
        self.parts.append(&mut other.parts);
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.keys.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
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
pub fn count_unique(mut keys: ShardedKeys, districts: usize, inputs: usize) -> Uniques {
    let zero = || Uniques { unique: 0, per_district: vec![0; districts], new_per_input: vec![0; inputs] };
    keys.parts.sort_by_key(|p| p.input);
    let parts = &keys.parts;
    (0..SHARDS)
        .into_par_iter()
        .fold(zero, |mut acc, s| {
            let total: usize = parts.iter().map(|p| p.shard(s).len()).sum();
            let mut set: HashSet<u64, Xxh3DefaultBuilder> =
                HashSet::with_capacity_and_hasher(total, Xxh3DefaultBuilder::new());
            for p in parts {
                let before = set.len();
                set.extend(p.shard(s).iter().copied());
                acc.new_per_input[p.input as usize] += (set.len() - before) as u64;
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
