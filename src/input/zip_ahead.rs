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
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

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
struct Job {
    archive: PathBuf,
    index: usize,
    /// Declared decoded size.
    size: u64,
    /// Compressed size, the input's `bytes`.
    compressed: u64,
}

enum Slot {
    /// Claimed by a worker, not finished.
    Decoding,
    Done(Vec<u8>),
    /// Larger than declared, or failed to decode: the scan streams it as before.
    Stream,
}

struct State {
    /// The next job a worker may claim; jobs are claimed in order.
    next: usize,
    /// Jobs handed to the scan (or left to it) so far.
    consumed: usize,
    /// Declared bytes of claimed jobs whose bytes have not been handed to the scan.
    in_flight: u64,
    slots: HashMap<usize, Slot>,
}

struct Shared {
    jobs: Vec<Job>,
    limits: Limits,
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked left consistent state behind (it catches its own panics);
        // poisoning carries no information here.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }
}

/// The decoders of one scan. Dropping it stops them (each within one `STEP`) and joins them.
pub struct ZipAhead {
    shared: Option<Arc<Shared>>,
    /// Input number -> job number, for the members decoded ahead.
    jobs_of: HashMap<usize, usize>,
    workers: Vec<JoinHandle<()>>,
}

impl ZipAhead {
    /// Looks up the zip members among `inputs` and starts decoding them ahead. Off (no threads)
    /// when there is a single input (streaming overlaps decoding and parsing better) or no
    /// member small enough. Problems reading an archive's directory here only leave its
    /// members to the streaming path, which reports them.
    pub fn start(inputs: &[InputRef], limits: Limits) -> ZipAhead {
        let mut ahead = ZipAhead { shared: None, jobs_of: HashMap::new(), workers: Vec::new() };
        if inputs.len() < 2 || limits.max_member == 0 {
            return ahead;
        }
        let mut jobs = Vec::new();
        let mut archives: HashMap<PathBuf, Option<zip::ZipArchive<File>>> = HashMap::new();
        for (i, input) in inputs.iter().enumerate() {
            let Some((index, _)) = &input.member else { continue };
            let zip = archives.entry(input.path.clone()).or_insert_with(|| File::open(&input.path).ok().and_then(|f| zip::ZipArchive::new(f).ok()));
            let Some((size, compressed)) = zip.as_mut().and_then(|z| z.by_index_raw(*index).ok().map(|f| (f.size(), f.compressed_size()))) else {
                continue;
            };
            if size <= limits.max_member {
                ahead.jobs_of.insert(i, jobs.len());
                jobs.push(Job { archive: input.path.clone(), index: *index, size, compressed });
            }
        }
        if jobs.is_empty() {
            return ahead;
        }
        let workers = limits.threads.min(jobs.len());
        let shared = Arc::new(Shared {
            jobs,
            limits,
            state: Mutex::new(State { next: 0, consumed: 0, in_flight: 0, slots: HashMap::new() }),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        for _ in 0..workers {
            let s = shared.clone();
            if let Ok(h) = std::thread::Builder::new().name("takar-zip-ahead".into()).spawn(move || work(&s)) {
                ahead.workers.push(h);
            }
        }
        // No thread could start: every member streams, as before.
        if !ahead.workers.is_empty() {
            ahead.shared = Some(shared);
        }
        ahead
    }

    /// Opens input number `input`: from its bytes decoded ahead when they are ready or being
    /// decoded (waiting for them), else the usual way ([`source::open`]).
    pub fn open(&mut self, input: usize, input_ref: &InputRef, mode: MmapMode) -> Result<Opened> {
        if let Some((decoded, compressed)) = self.take(input) {
            return source::open_decoded(input_ref, compressed, decoded);
        }
        source::open(input_ref, mode)
    }

    /// The decoded bytes of input number `input` and its compressed size, or `None` when the
    /// scan must stream it.
    fn take(&mut self, input: usize) -> Option<(Vec<u8>, u64)> {
        let job = *self.jobs_of.get(&input)?;
        let shared = self.shared.as_ref()?;
        let mut st = shared.lock();
        st.consumed = st.consumed.max(job + 1);
        if st.next <= job {
            // Not claimed yet (the workers are behind): the scan streams it, the workers skip it.
            st.next = job + 1;
            shared.changed.notify_all();
            return None;
        }
        // The window moved on by one member.
        shared.changed.notify_all();
        loop {
            match st.slots.remove(&job) {
                Some(Slot::Decoding) => {
                    st.slots.insert(job, Slot::Decoding);
                    st = shared.wait(st);
                }
                Some(Slot::Done(bytes)) => {
                    st.in_flight -= shared.jobs[job].size;
                    shared.changed.notify_all();
                    return Some((bytes, shared.jobs[job].compressed));
                }
                Some(Slot::Stream) | None => return None,
            }
        }
    }
}

impl Drop for ZipAhead {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            shared.stop.store(true, Ordering::Relaxed);
            let _guard = shared.lock();
            shared.changed.notify_all();
        }
        for h in self.workers.drain(..) {
            let _ = h.join();
        }
    }
}

/// A decoder thread: claims the next job when the window and the budget allow, decodes it,
/// stores the result. Keeps the last archive open, since consecutive jobs share one.
fn work(shared: &Shared) {
    let mut archive: Option<(PathBuf, zip::ZipArchive<File>)> = None;
    loop {
        let job = {
            let mut st = shared.lock();
            loop {
                if shared.stop.load(Ordering::Relaxed) || st.next >= shared.jobs.len() {
                    return;
                }
                let j = st.next;
                let size = shared.jobs[j].size;
                let in_window = j < st.consumed + shared.limits.window;
                // One member alone may always go, so a budget below a member's size cannot stall.
                let in_budget = st.in_flight == 0 || st.in_flight + size <= shared.limits.budget;
                if in_window && in_budget {
                    st.next += 1;
                    st.in_flight += size;
                    st.slots.insert(j, Slot::Decoding);
                    break j;
                }
                st = shared.wait(st);
            }
        };
        let slot = match catch_unwind(AssertUnwindSafe(|| decode(shared, &shared.jobs[job], &mut archive))) {
            Ok(slot) => slot,
            // A decoder that panicked on bad input: forget its archive, stream the member.
            Err(_) => {
                archive = None;
                Slot::Stream
            }
        };
        let mut st = shared.lock();
        if !matches!(slot, Slot::Done(_)) {
            st.in_flight -= shared.jobs[job].size;
        }
        st.slots.insert(job, slot);
        shared.changed.notify_all();
    }
}

/// Decodes one member whole. Any failure is `Slot::Stream`: the scan streams the member and
/// reports the failure with the same message and offset as before.
fn decode(shared: &Shared, job: &Job, cached: &mut Option<(PathBuf, zip::ZipArchive<File>)>) -> Slot {
    if !matches!(cached, Some((p, _)) if *p == job.archive) {
        *cached = File::open(&job.archive).ok().and_then(|f| zip::ZipArchive::new(f).ok()).map(|z| (job.archive.clone(), z));
    }
    let Some((_, zip)) = cached.as_mut() else { return Slot::Stream };
    let Ok(mut member) = zip.by_index(job.index) else { return Slot::Stream };
    let mut bytes = Vec::new();
    // The declared size is at most `max_member`, so this is one bounded allocation; a failed
    // one leaves the member to the stream rather than aborting.
    if bytes.try_reserve_exact(job.size as usize).is_err() {
        return Slot::Stream;
    }
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return Slot::Stream;
        }
        match (&mut member).take(STEP).read_to_end(&mut bytes) {
            Ok(0) => return Slot::Done(bytes),
            // More than the cap (so more than declared: a lying directory): stream it instead.
            Ok(_) if bytes.len() as u64 > shared.limits.max_member => return Slot::Stream,
            Ok(_) => {}
            Err(_) => return Slot::Stream,
        }
    }
}
