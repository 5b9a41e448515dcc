//! The key store: the packed keys of valid NIKs (or KKs), kept exactly, and visited once per
//! unique key with the input that first had it.
//!
//! Workers route each key to one of [`SHARDS`] shards by bits of its xxh3 hash that hashbrown
//! does not use (it takes the low bits for the bucket and the top 7 for the tag). Equal keys
//! always meet in the same shard, so shards are deduplicated independently, each in a set small
//! enough to stay in cache. A chunk's keys are grouped by shard into one exact-size vector
//! (8 bytes per valid record, no slack, one allocation); merging two stores moves vectors,
//! never keys.
//!
//! Kept as they come, keys grow with the records, not with the people: a recycled dump that
//! repeats everyone three times would hold three keys per person. So once the held keys reach
//! [`COMPACT_AT`] and have doubled since the last compaction, [`KeyStore::merge`] compacts
//! them: per input, shard by shard in parallel, sort and drop repeats. Memory then stays within
//! about twice 8 bytes per unique key of each input (plus the threshold), whatever the
//! duplication. Repeats across inputs are kept apart, because "new in input i" needs them.
//! A compaction that a sample shows would free little (a NIK column, whose repeats are few)
//! is skipped, and under a budget the threshold is an eighth of it: compaction spends time
//! to save memory, which is only worth it when memory is short.
//!
//! Everything that needs the unique keys walks them through [`KeyStore::visit_unique`]: the
//! unique counts ([`UniqueCounts`]) today, pseudonym files, overlaps and hand-offs later. A
//! compacted part is a sorted, deduplicated run of one input and shard: under a memory
//! [`Budget`] the same runs are written to a temporary file instead ([`spill`]) and merged back
//! shard by shard when visited. The visitor contract (each unique key once, with its first
//! input, shards in parallel) is the same either way.

mod collect;
pub mod estimate;
pub mod profile;
pub mod pseudonym;
pub mod spill;
mod unique;

pub use collect::Collect;
pub use estimate::Estimates;
pub use profile::{People, PeopleProfile};
pub use spill::{Budget, SpillStats};
pub use unique::{count_unique, UniqueCounts, Uniques};

use std::cmp::Reverse;
use std::collections::binary_heap::{BinaryHeap, PeekMut};
use std::sync::Arc;

use hashbrown::HashSet;
use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, Xxh3DefaultBuilder};

use crate::error::Result;
use spill::Run;


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

/// Shard `s` of one input's parts, sorted and without repeats: the unit that compaction keeps,
/// a spill writes and the merge of spilled runs reads.
fn sorted_unique(group: &[ChunkKeys], s: usize) -> Vec<u64> {
    let mut keys: Vec<u64> = group.iter().flat_map(|p| p.shard(s)).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// `parts`, sorted by input, cut into one slice per input.
fn by_input(parts: &[ChunkKeys]) -> impl Iterator<Item = &[ChunkKeys]> {
    debug_assert!(parts.is_sorted_by_key(|p| p.input));
    parts.chunk_by(|a, b| a.input == b.input)
}

/// Keys held before the first compaction: 128 MiB of keys. Below it a dump is small enough
/// that a compaction would only cost time (10M records hold at most 10M keys per column).
pub const COMPACT_AT: usize = 16 << 20;

/// One column's keys from any number of chunks and inputs, each part grouped by shard, and
/// the runs spilled to disk under a [`Budget`].
#[derive(Debug, Default)]
pub struct KeyStore {
    parts: Vec<ChunkKeys>,
    runs: Vec<Run>,
    /// Keys held in memory, over all parts.
    len: usize,
    /// Keys held right after the last compaction.
    compacted: usize,
    /// Counts `len` (as bytes) while the store holds it, and says when to spill.
    budget: Option<Arc<Budget>>,
}

impl Drop for KeyStore {
    fn drop(&mut self) {
        if let Some(b) = &self.budget {
            b.sub(bytes(self.len));
        }
    }
}

fn bytes(keys: usize) -> u64 {
    keys as u64 * 8
}

impl KeyStore {
    /// Groups `keys` (one chunk's keys in any order) by shard: a counting sort into one vector.
    pub fn from_keys(input: u32, keys: &[u64]) -> KeyStore {
        if keys.is_empty() {
            return KeyStore::default();
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
        KeyStore { parts: vec![ChunkKeys { input, keys: grouped, offsets }], runs: Vec::new(), len: keys.len(), compacted: 0, budget: None }
    }

    /// [`from_keys`](KeyStore::from_keys), counted in `budget` when there is one.
    pub fn from_keys_in(budget: Option<&Arc<Budget>>, input: u32, keys: &[u64]) -> KeyStore {
        let mut store = KeyStore::from_keys(input, keys);
        if let Some(b) = budget {
            b.add(bytes(store.len));
            store.budget = Some(Arc::clone(b));
        }
        store
    }

    /// An empty store whose keys will count against `budget`.
    pub fn with_budget(budget: Arc<Budget>) -> KeyStore {
        KeyStore { parts: Vec::new(), runs: Vec::new(), len: 0, compacted: 0, budget: Some(budget) }
    }

    /// Associative, commutative merge: moves the other side's chunks and runs in. Then, under a
    /// budget that is exceeded, spills this store (when it holds a fair share of the memory);
    /// otherwise compacts when the held keys have doubled past [`COMPACT_AT`] and a compaction
    /// fits in the budget. Neither ever changes a count.
    pub fn merge(&mut self, mut other: KeyStore) {
        let other_len = std::mem::take(&mut other.len);
        match (&self.budget, other.budget.take()) {
            (None, Some(b)) => {
                b.add(bytes(self.len));
                self.budget = Some(b);
            }
            (Some(b), None) => b.add(bytes(other_len)),
            _ => {}
        }
        self.parts.append(&mut other.parts);
        self.runs.append(&mut other.runs);
        self.len += other_len;
        self.compacted += other.compacted;
        if let Some(b) = &self.budget {
            if b.held() > b.limit() {
                // A small store leaves the spilling to the big ones (it spills once it holds
                // an eighth of the budget): runs stay few and large.
                if bytes(self.len) >= b.limit() / 8 {
                    self.spill();
                }
                return;
            }
            if b.held() + bytes(self.len) > b.limit() {
                return; // a compaction's second copy would not fit: spill later instead
            }
        }
        if self.len >= self.compact_at() && self.len >= 2 * self.compacted {
            if self.compaction_pays() {
                self.compact();
            } else {
                // Few repeats (a NIK column, most often): sorting would free little. Look
                // again when the keys have doubled.
                self.compacted = self.len;
            }
        }
    }

    /// Keys held before compacting: [`COMPACT_AT`], or an eighth of the budget when that is
    /// more. Compaction buys memory with time; with memory to spare it is not worth it (it
    /// was the 50M-record scan's cliff: a fifth slower per byte than 10M).
    fn compact_at(&self) -> usize {
        let budgeted = self.budget.as_ref().map_or(0, |b| (b.limit() / 8 / 8) as usize);
        COMPACT_AT.max(budgeted)
    }

    /// Whether a compaction would drop at least a quarter of the keys, judged on a sample:
    /// shard 0 of every part (keys reach shards by hash, so a shard is a fair 1/256 sample;
    /// repeats across inputs are kept anyway, so each input is judged on its own).
    fn compaction_pays(&mut self) -> bool {
        self.parts.sort_by_key(|p| p.input);
        let held: usize = self.parts.iter().map(|p| p.shard(0).len()).sum();
        let unique: usize = by_input(&self.parts).map(|group| sorted_unique(group, 0).len()).sum();
        held - unique >= held / 4
    }

    /// Writes every input's held keys to a sorted run on disk and drops them from memory (under
    /// a budget; without one there is nowhere to spill). A spill that fails leaves the keys in
    /// memory and is reported by [`Budget::check`].
    pub fn spill(&mut self) {
        let Some(budget) = self.budget.clone() else { return };
        let mut parts = std::mem::take(&mut self.parts);
        parts.sort_by_key(|p| p.input);
        let mut kept = Vec::new();
        for group in by_input(&parts) {
            if group.iter().all(|p| p.keys.is_empty()) {
                continue;
            }
            match Run::write(&budget, group[0].input, SHARDS, |s| sorted_unique(group, s)) {
                Ok(run) => self.runs.extend(run),
                Err(e) => {
                    budget.fail(e);
                    kept.push(group[0].input);
                }
            }
        }
        self.parts = parts.into_iter().filter(|p| kept.contains(&p.input)).collect();
        let len = self.parts.iter().map(|p| p.keys.len()).sum();
        budget.sub(bytes(self.len - len));
        self.len = len;
        self.compacted = len;
    }

    /// Runs spilled to disk so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
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
                    let mut keys = sorted_unique(&group, s);
                    // Only the unique keys stay held while the other shards are sorted.
                    keys.shrink_to_fit();
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
        let len = self.parts.iter().map(|p| p.keys.len()).sum();
        if let Some(b) = &self.budget {
            b.sub(bytes(self.len - len));
        }
        self.len = len;
        self.compacted = len;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && self.runs.is_empty()
    }

    /// Whether `key` is held. A scan of one shard of every part and run: meant for rare
    /// questions (a leak guard's candidates), not for every key. A run that cannot be read
    /// back answers yes: the guard then refuses rather than let a number through.
    pub fn contains(&self, key: u64) -> bool {
        let s = shard_of(hash(key));
        self.parts.iter().any(|p| p.shard(s).contains(&key)) || self.runs.iter().any(|r| r.shard(s).map_or(true, |keys| keys.binary_search(&key).is_ok()))
    }

    /// Calls the visitor once per unique key, with the first input (in input order) that had
    /// it. Shards run in parallel, each into its own visitor from `make`; the visitors then
    /// [`merge`](KeyVisitor::merge), so a visitor's result must not depend on the order keys
    /// arrive in (counts and sets don't). Fails only when a spill failed or a spilled run
    /// cannot be read back.
    pub fn visit_unique<V: KeyVisitor>(&mut self, make: impl Fn() -> V + Sync + Send) -> Result<V> {
        if let Some(b) = &self.budget {
            b.check()?;
        }
        self.parts.sort_by_key(|p| p.input);
        if !self.runs.is_empty() {
            return self.merge_runs(make);
        }
        let parts = &self.parts;
        Ok((0..SHARDS)
            .into_par_iter()
            .fold(&make, |mut visitor, s| {
                let total: usize = parts.iter().map(|p| p.shard(s).len()).sum();
                let mut seen: HashSet<u64, Xxh3DefaultBuilder> = HashSet::with_capacity_and_hasher(total, Xxh3DefaultBuilder::new());
                for p in parts {
                    for &key in p.shard(s) {
                        if seen.insert(key) {
                            visitor.visit(key, p.input);
                        }
                    }
                }
                visitor
            })
            .reduce(&make, |mut a, b| {
                a.merge(b);
                a
            }))
    }

    /// [`visit_unique`](KeyStore::visit_unique) over spilled runs: per shard, every run's
    /// sorted keys and each input's held keys (sorted here) are merged through a heap ordered
    /// by (key, input), so the first of equal keys is the one of the first input. Memory: one
    /// shard of everything (1/256 of it) per worker.
    fn merge_runs<V: KeyVisitor>(&self, make: impl Fn() -> V + Sync + Send) -> Result<V> {
        let (parts, runs) = (&self.parts, &self.runs);
        (0..SHARDS)
            .into_par_iter()
            .try_fold(&make, |mut visitor, s| {
                let mut sources: Vec<(u32, Vec<u64>)> = Vec::with_capacity(runs.len() + 1);
                for run in runs {
                    sources.push((run.input, run.shard(s)?));
                }
                for group in by_input(parts) {
                    sources.push((group[0].input, sorted_unique(group, s)));
                }
                let mut at = vec![0usize; sources.len()];
                let mut heap: BinaryHeap<Reverse<(u64, u32, usize)>> =
                    sources.iter().enumerate().filter_map(|(i, (input, keys))| keys.first().map(|&k| Reverse((k, *input, i)))).collect();
                let mut last = None;
                while let Some(mut top) = heap.peek_mut() {
                    let Reverse((key, input, i)) = *top;
                    if last != Some(key) {
                        visitor.visit(key, input);
                        last = Some(key);
                    }
                    at[i] += 1;
                    match sources[i].1.get(at[i]) {
                        Some(&next) => *top = Reverse((next, input, i)),
                        None => {
                            PeekMut::pop(top);
                        }
                    }
                }
                Ok(visitor)
            })
            .try_reduce(&make, |mut a, b| {
                a.merge(b);
                Ok(a)
            })
    }
}

/// What walks the unique keys: map (one visitor per shard) and merge, like the tallies.
pub trait KeyVisitor: Send {
    /// One unique key and the first input that had it.
    fn visit(&mut self, key: u64, first_input: u32);
    /// Folds another shard's visitor into this one (associative, commutative).
    fn merge(&mut self, other: Self);
}

/// Two visitors in one walk: the store is deduplicated once for both.
impl<A: KeyVisitor, B: KeyVisitor> KeyVisitor for (A, B) {
    #[inline]
    fn visit(&mut self, key: u64, first_input: u32) {
        self.0.visit(key, first_input);
        self.1.visit(key, first_input);
    }
    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
    }
}

/// Visits nothing: the second half of a pair when there is nothing else to do.
impl KeyVisitor for () {
    #[inline]
    fn visit(&mut self, _: u64, _: u32) {}
    fn merge(&mut self, _: Self) {}
}
