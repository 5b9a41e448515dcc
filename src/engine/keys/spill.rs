//! The memory budget of the key stores, and the sorted runs they spill to disk past it.
//!
//! Every key store of a scan shares one [`Budget`]: it counts the key bytes held in memory by
//! all of them (NIKs and KKs, every input). When a store's merge finds the total over the
//! limit, that store writes its keys out as one sorted, deduplicated [`Run`] per input (shard
//! by shard, a few shards at a time, so spilling itself needs little memory) and drops them.
//! The runs are merged back, shard by shard, when the unique keys are visited: the same exact
//! answer, with RAM bounded by the budget and the disk holding the rest.
//!
//! Runs live in one private temporary directory (`--temp-dir`, default the system's), made
//! on the first spill and removed when the budget is dropped: on success and on error alike.
//! Ctrl-C is the one exit that runs no destructor, so the directory is also listed for
//! [`remove_temp_dirs`], which the binary's signal handler calls before it exits.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Shards sorted at once while writing a run: the extra memory of a spill is this share of
/// the keys spilled (16/256), not a second copy of them.
const SHARDS_PER_BATCH: usize = 16;

/// Spill directories alive now, for the Ctrl-C handler. The lock is also held while a spill
/// directory or run file is created, so the handler never removes a directory while a file
/// appears in it (which would leave it behind, not empty).
static LIVE_TEMP_DIRS: Mutex<Live> = Mutex::new(Live { dirs: Vec::new(), closed: false });

struct Live {
    dirs: Vec<PathBuf>,
    /// Set by [`remove_temp_dirs`]: no spill file may be created any more.
    closed: bool,
}

fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE_TEMP_DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every spill directory still alive and closes the door on new ones. For a signal
/// handler: the process exits next, without running destructors.
pub fn remove_temp_dirs() {
    let mut live = live();
    live.closed = true;
    for dir in std::mem::take(&mut live.dirs) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Runs `create` (making a spill directory or file) unless the process is being interrupted.
fn create_while_open<T>(create: impl FnOnce(&mut Vec<PathBuf>) -> Result<T>) -> Result<T> {
    let mut live = live();
    if live.closed {
        return Err(Error::Usage("interrupted".into()));
    }
    create(&mut live.dirs)
}

/// How much memory the key stores may hold, and where they spill past it.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    parent: Option<PathBuf>,
    held: AtomicU64,
    peak: AtomicU64,
    spilled: AtomicU64,
    runs: AtomicU64,
    dir: Mutex<Option<tempfile::TempDir>>,
    /// The first spill that failed; the scan stops with it at its next check.
    failure: Mutex<Option<Error>>,
}

/// What a budget saw, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillStats {
    /// Most key bytes held in memory at once.
    pub peak_held_bytes: u64,
    /// Key bytes written to temporary runs.
    pub spilled_bytes: u64,
    pub runs: u64,
}

impl Budget {
    /// A budget of `limit` key bytes, spilling into a new directory under `parent` (default:
    /// the system's temporary directory).
    pub fn new(limit: u64, parent: Option<PathBuf>) -> Budget {
        Budget {
            limit,
            parent,
            held: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            spilled: AtomicU64::new(0),
            runs: AtomicU64::new(0),
            dir: Mutex::new(None),
            failure: Mutex::new(None),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub(super) fn add(&self, bytes: u64) {
        let now = self.held.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    pub(super) fn sub(&self, bytes: u64) {
        self.held.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub(super) fn held(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> SpillStats {
        SpillStats {
            peak_held_bytes: self.peak.load(Ordering::Relaxed),
            spilled_bytes: self.spilled.load(Ordering::Relaxed),
            runs: self.runs.load(Ordering::Relaxed),
        }
    }

    /// The first spill failure, if any: the caller stops the scan with it.
    pub fn check(&self) -> Result<()> {
        match self.failure.lock().ok().and_then(|mut f| f.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub(super) fn fail(&self, e: Error) {
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert(e);
        }
    }

    /// The spill directory, made on first use.
    fn dir(&self) -> Result<PathBuf> {
        let mut dir = self.dir.lock().map_err(|_| Error::Usage("a spill failed on another thread".into()))?;
        if let Some(d) = dir.as_ref() {
            return Ok(d.path().to_path_buf());
        }
        let parent = self.parent.clone().unwrap_or_else(std::env::temp_dir);
        let made = create_while_open(|dirs| {
            let made = tempfile::Builder::new().prefix("takar-spill-").tempdir_in(&parent).map_err(|e| Error::io(&parent, e))?;
            dirs.push(made.path().to_path_buf());
            Ok(made)
        })?;
        let path = made.path().to_path_buf();
        *dir = Some(made);
        Ok(path)
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.get_mut().ok().and_then(Option::take) {
            live().dirs.retain(|p| p != dir.path());
            // TempDir's own drop removes it.
        }
    }
}

/// One input's keys on disk: each shard sorted and deduplicated, shard after shard, as
/// little-endian u64s.
#[derive(Debug)]
pub(super) struct Run {
    pub input: u32,
    path: PathBuf,
    file: File,
    /// `keys[offsets[s]..offsets[s + 1]]` is shard `s` (in keys, not bytes).
    offsets: Box<[u64]>,
}

impl Run {
    /// Writes one input's keys as a run: `shard(s)` gives shard `s`'s keys sorted and without
    /// repeats, for `s` in `0..shards`; `None` when there are none at all.
    pub fn write(budget: &Budget, input: u32, shards: usize, shard: impl Fn(usize) -> Vec<u64> + Sync) -> Result<Option<Run>> {
        let dir = budget.dir()?;
        let n = budget.runs.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("run-{n:06}.keys"));
        let file = create_while_open(|_| File::options().read(true).write(true).create_new(true).open(&path).map_err(|e| Error::io(&path, e)))?;
        let mut out = BufWriter::with_capacity(1 << 20, &file);
        let mut offsets = vec![0u64; shards + 1].into_boxed_slice();
        for first in (0..shards).step_by(SHARDS_PER_BATCH) {
            let batch: Vec<Vec<u64>> = (first..(first + SHARDS_PER_BATCH).min(shards)).into_par_iter().map(&shard).collect();
            for (s, keys) in (first..).zip(batch) {
                for k in &keys {
                    out.write_all(&k.to_le_bytes()).map_err(|e| Error::io(&path, e))?;
                }
                offsets[s + 1] = offsets[s] + keys.len() as u64;
            }
        }
        out.flush().map_err(|e| Error::io(&path, e))?;
        drop(out);
        let keys = offsets[shards];
        if keys == 0 {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Ok(None);
        }
        budget.spilled.fetch_add(keys * 8, Ordering::Relaxed);
        Ok(Some(Run { input, path, file, offsets }))
    }

    /// Shard `s`'s keys, sorted and unique, read back from disk.
    pub fn shard(&self, s: usize) -> Result<Vec<u64>> {
        let (from, to) = (self.offsets[s], self.offsets[s + 1]);
        let mut bytes = vec![0u8; ((to - from) * 8) as usize];
        read_at(&self.file, &mut bytes, from * 8).map_err(|e| Error::io(&self.path, e))?;
        Ok(bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
