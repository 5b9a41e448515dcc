//! Zip members decoded ahead, in parallel. Deflate cannot be split, so one member decodes on
//! one thread; a leak shipped as many zipped parts would then decode one member at a time, one
//! core busy and the parallel parser waiting on it. Members are independent, though: while the
//! scan parses member *i*, background threads decode the next members whole into memory, and
//! each one then reaches the scan as a byte slice ([`Body::Decoded`](super::source::Body)),
//! parsed in one parallel pass like a mapped file and never copied again.
//!
//! - **Order.** Inputs are still scanned one after another, in order (the per-input "new
//!   unique" counts depend on it); only the decoding runs ahead. Workers claim members in input
//!   order, so when the scan reaches a member that no worker has claimed, none after it is
//!   claimed either, and the scan streams that member itself, exactly as before.
//! - **Memory.** At most `Limits::window` members (twice the thread count) ahead of the one
//!   being scanned, and at most `Limits::budget` (512 MiB) of decoded bytes held for members not
//!   yet handed to the scan (counted by the sizes the central directory declares; the member
//!   being scanned comes on top). A member declared larger than `Limits::max_member` (128 MiB)
//!   keeps the streaming path, as does one that turns out larger than the cap in spite of its
//!   declared size: its decoding is dropped and the scan streams it from the start.
//! - **Threads.** The workers, the window and the budget are those of the ordered pool in
//!   [`jobs`](super::jobs): a member's declared size is its cost, and one that falls back to
//!   the stream gives its share of the budget back at once.
//! - **Everything else as before.** A decoded member that is itself compressed (a `.csv.gz` in
//!   the zip) or needs transcoding (UTF-16, Windows-1252) goes through the same stream setup as
//!   a streamed member (`source::open_decoded`), so `inputs` entries keep their fields. A
//!   member that fails to decode ahead (corrupt, bad CRC, encrypted, unreadable) is not an error
//!   here: the scan streams it when its turn comes and reports the failure exactly as it always
//!   did (naming `archive.zip:member`, with the offset reached), after the members before it.
//!   The zip-bomb refusal happens earlier, in [`source::expand`], before anything decodes.
//! - **Caps come from the caller.** The scan sets `Limits::max_member` (the hidden
//!   `--zip-ahead-max-member` lowers it, so tests cover the streaming fallback with small
//!   members; `0` turns decoding ahead off); nothing here reads the environment.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use super::jobs::{Bounds, Cancel, Jobs, Pool, Taken};
use super::members::Password;
use super::source::{self, InputRef, MmapMode, Opened};
use crate::error::Result;

/// Members declared larger than this decoded keep the streaming path.
pub const MAX_MEMBER: u64 = 128 << 20;
/// Decoded bytes held at most for members waiting for their turn.
pub const BUDGET: u64 = 512 << 20;
/// Decoders read in steps of this size, checking between steps whether to stop.
const STEP: u64 = 1 << 20;

/// How far and how wide decoding runs ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decoder threads.
    pub threads: usize,
    /// Members decoded (or decoding) ahead of the one being scanned.
    pub window: usize,
    /// Declared decoded bytes of members not yet handed to the scan.
    pub budget: u64,
    /// Largest declared member size decoded ahead; 0 turns decoding ahead off.
    pub max_member: u64,
}

impl Limits {
    /// The defaults for a scan on `threads` threads (the rayon pool's size): as many decoders,
    /// twice as many members ahead.
    pub fn for_threads(threads: usize) -> Limits {
        let threads = threads.max(1);
        Limits { threads, window: 2 * threads, budget: BUDGET, max_member: MAX_MEMBER }
    }

    /// Lowers the per-member cap to `cap` when given (the hidden `--zip-ahead-max-member`, so
    /// tests reach the streaming fallback with small members); it never rises above the default.
    pub fn with_max_member(self, cap: Option<u64>) -> Limits {
        Limits { max_member: cap.map_or(self.max_member, |c| c.min(self.max_member)), ..self }
    }
}

/// One member to decode ahead: where it is and what the central directory says about it.
struct Member {
    archive: PathBuf,
    index: usize,
    /// Declared decoded size.
    size: u64,
    /// Compressed size, the input's `bytes`.
    compressed: u64,
}

/// The members of one scan, in input order, for the pool's workers.
struct Members {
    members: Vec<Member>,
    max_member: u64,
}

impl Jobs for Members {
    /// The last archive a worker opened, kept since consecutive members share one.
    type Worker = Option<(PathBuf, zip::ZipArchive<File>)>;
    /// The member's bytes, or `None` when the scan streams it.
    type Output = Option<Vec<u8>>;

    fn count(&self) -> usize {
        self.members.len()
    }

    fn cost(&self, job: usize) -> u64 {
        self.members[job].size
    }

    /// A member left to the stream holds nothing while it waits.
    fn held(&self, job: usize, output: &Option<Vec<u8>>) -> u64 {
        if output.is_some() {
            self.members[job].size
        } else {
            0
        }
    }

    /// Decodes one member whole. Any failure is `None`: the scan streams the member and
    /// reports the failure with the same message and offset as before.
    fn run(&self, job: usize, cached: &mut Self::Worker, cancel: &Cancel) -> Option<Vec<u8>> {
        let job = &self.members[job];
        if !matches!(cached, Some((p, _)) if *p == job.archive) {
            *cached = File::open(&job.archive).ok().and_then(|f| zip::ZipArchive::new(f).ok()).map(|z| (job.archive.clone(), z));
        }
        let (_, zip) = cached.as_mut()?;
        let mut member = zip.by_index(job.index).ok()?;
        let mut bytes = Vec::new();
        // The declared size is at most `max_member`, so this is one bounded allocation; a failed
        // one leaves the member to the stream rather than aborting.
        bytes.try_reserve_exact(job.size as usize).ok()?;
        loop {
            if cancel.is_cancelled() {
                return None;
            }
            match (&mut member).take(STEP).read_to_end(&mut bytes) {
                Ok(0) => return Some(bytes),
                // More than the cap (so more than declared: a lying directory): stream it instead.
                Ok(_) if bytes.len() as u64 > self.max_member => return None,
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }
}

/// The decoders of one scan. Dropping it stops them (each within one `STEP`) and joins them.
pub struct ZipAhead {
    pool: Option<Pool<Members>>,
    /// Input number -> job number, for the members decoded ahead.
    jobs_of: HashMap<usize, usize>,
}

impl ZipAhead {
    /// Looks up the zip members among `inputs` and starts decoding them ahead. Off (no threads)
    /// when there is a single input (streaming overlaps decoding and parsing better) or no
    /// member small enough. Problems reading an archive's directory here only leave its
    /// members to the streaming path, which reports them.
    pub fn start(inputs: &[InputRef], limits: Limits) -> ZipAhead {
        let mut ahead = ZipAhead { pool: None, jobs_of: HashMap::new() };
        if inputs.len() < 2 || limits.max_member == 0 {
            return ahead;
        }
        let mut members = Vec::new();
        let mut archives: HashMap<PathBuf, Option<zip::ZipArchive<File>>> = HashMap::new();
        for (i, input) in inputs.iter().enumerate() {
            let Some((index, _)) = &input.member else { continue };
            let zip = archives.entry(input.path.clone()).or_insert_with(|| File::open(&input.path).ok().and_then(|f| zip::ZipArchive::new(f).ok()));
            let Some((size, compressed)) = zip.as_mut().and_then(|z| z.by_index_raw(*index).ok().map(|f| (f.size(), f.compressed_size()))) else {
                continue;
            };
            if size <= limits.max_member {
                ahead.jobs_of.insert(i, members.len());
                members.push(Member { archive: input.path.clone(), index: *index, size, compressed });
            }
        }
        let members = Arc::new(Members { members, max_member: limits.max_member });
        // No member to decode, or no thread could start: every member streams, as before.
        ahead.pool = Pool::start("takar-zip-ahead", members, Bounds { threads: limits.threads, window: limits.window, budget: limits.budget });
        ahead
    }

    /// Opens input number `input`: from its bytes decoded ahead when they are ready or being
    /// decoded (waiting for them), else the usual way ([`source::open`]).
    pub fn open(&mut self, input: usize, input_ref: &InputRef, mode: MmapMode) -> Result<Opened> {
        self.open_with(input, input_ref, mode, &Password::default())
    }

    /// [`open`](Self::open), with the password for an encrypted member (which is never decoded
    /// ahead: it fails there and is streamed).
    pub fn open_with(&mut self, input: usize, input_ref: &InputRef, mode: MmapMode, password: &Password) -> Result<Opened> {
        if let Some((decoded, compressed)) = self.take(input) {
            return source::open_decoded(input_ref, compressed, decoded);
        }
        source::open_with(input_ref, mode, password)
    }

    /// The decoded bytes of input number `input` and its compressed size, or `None` when the
    /// scan must stream it: not claimed yet (the workers are behind, and then skip it), larger
    /// than declared, failed, or panicked.
    fn take(&mut self, input: usize) -> Option<(Vec<u8>, u64)> {
        let job = *self.jobs_of.get(&input)?;
        let pool = self.pool.as_ref()?;
        match pool.take_if_started(job) {
            Taken::Done(bytes) => Some((bytes?, pool.jobs().members[job].compressed)),
            Taken::Panicked | Taken::Skipped => None,
        }
    }
}
