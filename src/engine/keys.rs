//! Exact unique counts of NIK/KK keys, partitioned so that both the map and the merge run in
//! parallel with no shared state.
//!
//! Workers route each key to one of [`SHARDS`] shards by bits of its xxh3 hash that hashbrown
//! does not use (it takes the low bits for the bucket and the top 7 for the tag). Equal keys
//! always meet in the same shard, so shards are deduplicated independently, each in a set small
//! enough to stay in cache, and per-district unique counts are sums over shards. A chunk's keys
//! are grouped by shard into one exact-size vector (8 bytes per valid record, no slack, one
//! allocation); merging two tallies moves vectors, never keys.
//!
//! Kept as they come, keys grow with the records, not with the people: a recycled dump that
//! repeats everyone three times would hold three keys per person. So once the held keys reach
//! [`COMPACT_AT`] and have doubled since the last compaction, [`ShardedKeys::merge`] compacts
//! them: per input, shard by shard in parallel, sort and drop repeats. Memory then stays within
//! about twice 8 bytes per unique key of each input (plus the threshold), whatever the
//! duplication. Repeats across inputs are kept apart, because "new in input i" needs them.

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

/// Keys held before the first compaction: 128 MiB of keys. Below it a dump is small enough
/// that a compaction would only cost time (10M records hold at most 10M keys per column).
pub const COMPACT_AT: usize = 16 << 20;

/// Keys of any number of chunks, each grouped by shard.
#[derive(Debug, Default)]
pub struct ShardedKeys {
    parts: Vec<ChunkKeys>,
    /// Keys held, over all parts.
    len: usize,
    /// Keys held right after the last compaction.
    compacted: usize,
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
        ShardedKeys { parts: vec![ChunkKeys { input, keys: grouped, offsets }], len: keys.len(), compacted: 0 }
    }

    /// Associative, commutative merge: moves the other side's chunks in (and compacts when the
    /// held keys have doubled past [`COMPACT_AT`]; compaction never changes a count).
    pub fn merge(&mut self, mut other: ShardedKeys) {
        self.parts.append(&mut other.parts);
        self.len += other.len;
        self.compacted += other.compacted;
        if self.len >= COMPACT_AT && self.len >= 2 * self.compacted {
            self.compact();
        }
    }

    /// Drops repeated keys within each input: one part per input, each shard sorted and
    /// deduplicated in parallel.
    pub fn compact(&mut self) {
        let mut groups: Vec<Vec<ChunkKeys>> = Vec::new();
        let mut parts = std::mem::take(&mut self.parts);
        parts.sort_by_key(|p| p.input);
        for part in parts {
            match groups.last_mut() {
                Some(g) if g[0].input == part.input => g.push(part),
                _ => groups.push(vec![part]),
            }
        }
        for group in groups {
            let held: usize = group.iter().map(|p| p.keys.len()).sum();
            if held >= u32::MAX as usize {
                // Shard offsets are u32: an input with 4G keys or more stays as it is.
                self.parts.extend(group);
                continue;
            }
            let shards: Vec<Vec<u64>> = (0..SHARDS)
                .into_par_iter()
                .map(|s| {
                    let mut keys: Vec<u64> = group.iter().flat_map(|p| p.shard(s)).copied().collect();
                    keys.sort_unstable();
                    keys.dedup();
                    keys
                })
                .collect();
            let input = group[0].input;
            drop(group);
            let mut offsets = Box::new([0u32; SHARDS + 1]);
            let mut keys = Vec::with_capacity(shards.iter().map(Vec::len).sum());
            for (s, shard) in shards.into_iter().enumerate() {
                keys.extend_from_slice(&shard);
                offsets[s + 1] = keys.len() as u32;
            }
            self.parts.push(ChunkKeys { input, keys, offsets });
        }
        self.len = self.parts.iter().map(|p| p.keys.len()).sum();
        self.compacted = self.len;
    }

    pub fn len(&self) -> usize {
        self.len
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
