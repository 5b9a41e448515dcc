//! Parallel decoding of compressed files that split into independent pieces: zstd files of
//! several frames (`pzstd`, concatenated `.zst` files, the seekable format) and gzip files of
//! several members (`cat a.gz b.gz`, bgzip/BGZF). One decoder thread cannot keep up with the
//! parallel parser, so a memory-mapped file is cut into *jobs* that decode on their own threads,
//! a bounded number ahead of the reader, and come back in order through one [`Read`]: the
//! streaming scan reads it exactly like a single decoder.
//!
//! - **zstd** (`zstd_frames.rs`). Frame boundaries are exact, read from the frame and block
//!   headers without decoding anything, and the headers bound each frame's decoded size, so
//!   every job gets one exact allocation. Frames are grouped into jobs of about
//!   `Tuning::target` decoded bytes.
//! - **gzip** (`gzip_members.rs`). A member's end is only known by decoding it, so jobs start
//!   at *candidates* (plausible member headers) at least `Tuning::spacing` compressed bytes
//!   apart, and each decodes the chain of members from its start until the chain lands
//!   exactly on a later job start. The reader follows the true chain from byte 0 and only ever
//!   uses the job that starts where the chain is, so a false candidate (header-like bytes
//!   inside compressed data) costs wasted work, never wrong output: the result always equals
//!   sequential decoding.
//! - **Threads.** Jobs run on the ordered pool of [`jobs`](super::jobs), which hands them
//!   back in order; the reader passes over the jobs the chain skips.
//! - **Memory.** At most `Tuning::window` jobs are decoded ahead, each holding at most
//!   `Tuning::max_job` bytes. A job that would hold more (a huge frame or member) stops there
//!   and hands its decoder to the reader, which finishes it in `Tuning::piece`-byte steps.
//! - **Fallback.** A single frame or member, or fewer than two jobs: [`open`] returns `None`
//!   and the caller streams the file exactly as before. From the first zstd frame the walk
//!   cannot read (cut short, garbled, legacy, trailing garbage), the rest of the file is one
//!   streamed job, so libzstd judges it just as when the whole file is streamed.
//! - **Errors.** A corrupt or truncated frame or member is a [`Corrupt`] naming the compressed
//!   offset where that frame or member starts; the reader stores that offset in the input's
//!   raw-byte counter before it returns the error, which is how the scan reports offsets of
//!   streamed inputs. Messages hold offsets and decoder messages only, never dump bytes.

use std::io::{self, BufRead, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::compression::Compression;
use super::jobs::{Bounds, Cancel, Jobs, Pool, Taken};

// Not `zstd` and `gzip`: a module named `zstd` would shadow the zstd crate in this file.
mod gzip_members;
mod header;
mod zstd_frames;

pub use header::Corrupt;
use header::le;

use gzip_members::{gzip_starts, GzChain};
use zstd_frames::{zstd_plan, zstd_stream_error, ZstdPlan};

/// The compressed bytes (a memory map, or a vector in tests), shared with the decoder threads.
pub type Data = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Sizes that trade parallelism against memory. Tests shrink them to reach every path.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    /// Decoded bytes a zstd job aims for (frames are grouped up to it).
    target: usize,
    /// Decoded bytes a job may hold; beyond it the job hands its decoder to the reader.
    max_job: usize,
    /// Compressed bytes between speculative gzip job starts.
    spacing: usize,
    /// Decoded bytes per step when the reader finishes a job itself.
    piece: usize,
    /// Decoder threads.
    threads: usize,
    /// Jobs decoded ahead of the reader.
    window: usize,
}

impl Tuning {
    /// The defaults: jobs of a few MiB (big enough that handing them over costs nothing, small
    /// enough that several fit in flight), at most 32 MiB each, twice as many in flight as
    /// threads. With 8 threads that is at most 16 x 32 MiB held, typically 16 x 4 MiB.
    fn for_threads(threads: usize) -> Tuning {
        let threads = threads.max(1);
        Tuning { target: 4 << 20, max_job: 32 << 20, spacing: 512 << 10, piece: 4 << 20, threads, window: 2 * threads }
    }
}

/// Opens a parallel decoder over a whole compressed file, or `None` when the file should be
/// streamed as before (see the module notes); errors come later, from reading. `raw_read` is
/// the input's raw-byte counter: the reader keeps it at the compressed offset it has decoded up
/// to, and sets it to the offset of a bad frame or member before returning that error. Uses as
/// many decoder threads as the current rayon pool has.
pub fn open(data: Data, compression: Compression, raw_read: Arc<AtomicU64>) -> Option<ParallelReader> {
    open_with(data, compression, raw_read, Tuning::for_threads(rayon::current_num_threads()))
}

fn open_with(data: Data, compression: Compression, raw_read: Arc<AtomicU64>, tuning: Tuning) -> Option<ParallelReader> {
    let bytes = (*data).as_ref();
    let plan = match compression {
        Compression::Zstd => {
            let (starts, zstd) = zstd_plan(bytes, tuning.target, tuning.max_job)?;
            Plan { starts, zstd: Some(zstd) }
        }
        Compression::Gzip => Plan { starts: gzip_starts(bytes, tuning.spacing)?, zstd: None },
        _ => return None,
    };
    let jobs = Arc::new(DecodeJobs { data, plan, tuning, spare: Mutex::new(Vec::new()) });
    // Jobs hold at most `max_job` bytes each and at most `window` wait, so the window is the
    // bound; the budget only restates it.
    let bounds = Bounds { threads: tuning.threads, window: tuning.window, budget: (tuning.window as u64).saturating_mul(tuning.max_job as u64) };
    // No thread at all means streaming as before.
    let pool = Pool::start("takar-decode", jobs, bounds)?;
    Some(ParallelReader { pool, raw_read, out: Vec::new(), at: 0, job: 0, inline: None, finished: false, failed: None })
}

/// The jobs of a file: where each starts (sorted), and for zstd which frames each decodes.
struct Plan {
    starts: Vec<usize>,
    zstd: Option<ZstdPlan>,
}

// ---------------------------------------------------------------------------------------------
// Jobs (run in order by the pool in `jobs.rs`) and the in-order reader

/// A job's result.
enum Outcome {
    /// Everything from the job's start to `end`: a later job start, or the end of the file.
    Done { out: Vec<u8>, end: usize },
    /// The first `max_job` bytes; the reader decodes the rest with `rest`.
    Partial { out: Vec<u8>, rest: Inline },
    Failed(Corrupt),
}

/// A decoder the reader finishes itself, a piece at a time.
enum Inline {
    Gzip(GzChain),
    Zstd { dec: Box<zstd::stream::read::Decoder<'static, Slice>>, start: usize, end: usize, truncated: bool },
}

impl Inline {
    /// Like [`GzChain::step`]: up to about `cap` more bytes, and where the decoder landed.
    fn step(&mut self, d: &[u8], starts: &[usize], cap: usize, out: &mut Vec<u8>) -> Result<Option<usize>, Corrupt> {
        match self {
            Inline::Gzip(chain) => chain.step(d, starts, cap, out),
            Inline::Zstd { dec, start, end, truncated } => match fill(dec, cap, out) {
                Ok(true) => Ok(Some(*end)),
                Ok(false) => Ok(None),
                Err(e) => Err(Corrupt::new(*start, zstd_stream_error(&e, *truncated))),
            },
        }
    }
}

/// Reads up to `cap` bytes into `out`; true at the end of the stream.
fn fill(r: &mut impl Read, cap: usize, out: &mut Vec<u8>) -> io::Result<bool> {
    let n = r.take(cap as u64).read_to_end(out)?;
    Ok(n < cap)
}

/// A range of the shared bytes as a `BufRead`, for the streaming zstd decoder.
struct Slice {
    data: Data,
    pos: usize,
    end: usize,
}

impl Read for Slice {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.read(buf)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Slice {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(&(*self.data).as_ref()[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

/// The jobs of one file, shared by the pool's workers and the reader.
struct DecodeJobs {
    data: Data,
    plan: Plan,
    tuning: Tuning,
    /// Buffers the reader has emptied, for the next jobs: reusing them saves the page faults
    /// of fresh allocations (a tenth of the CPU time of a scan otherwise).
    spare: Mutex<Vec<Vec<u8>>>,
}

impl DecodeJobs {
    fn spare(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        // A list of empty buffers is consistent whatever panicked while it was locked.
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An empty buffer of at least `want` bytes, a spare one if there is one big enough. New
    /// ones are rounded up to whole MiB, so that the next job, a little bigger, can reuse them.
    fn buffer(&self, want: usize) -> Vec<u8> {
        match self.spare().pop() {
            Some(mut b) if b.capacity() >= want => {
                b.clear();
                b
            }
            _ => Vec::with_capacity(want.next_multiple_of(1 << 20)),
        }
    }

    /// Keeps an emptied buffer for a later job (as many as can be in flight at once).
    fn recycle(&self, b: Vec<u8>) {
        let mut spare = self.spare();
        if b.capacity() > 0 && spare.len() <= self.tuning.window {
            spare.push(b);
        }
    }
}

impl Jobs for DecodeJobs {
    /// A zstd decoder context, reused from job to job.
    type Worker = Option<zstd::bulk::Decompressor<'static>>;
    type Output = Outcome;

    fn count(&self) -> usize {
        self.plan.starts.len()
    }

    /// What a job holds at most: its frames' decoded bound, never more than `max_job`.
    fn cost(&self, idx: usize) -> u64 {
        let bound = self.plan.zstd.as_ref().map_or(self.tuning.max_job, |z| z.jobs[idx].bound);
        bound.min(self.tuning.max_job) as u64
    }

    fn run(&self, idx: usize, dctx: &mut Self::Worker, _cancel: &Cancel) -> Outcome {
        let d = (*self.data).as_ref();
        let start = self.plan.starts[idx];
        let Some(z) = &self.plan.zstd else {
            // When the job is one member, the 4 bytes before the next job start are its size
            // (ISIZE); room for that and a little more saves growing the buffer (a copy) and
            // lets the inflater see the end of the stream before the buffer is full.
            let hint = self.plan.starts.get(idx + 1).and_then(|&next| le(d, next.checked_sub(4)?, 4)).unwrap_or(0) as usize;
            let mut out = self.buffer(if hint <= self.tuning.max_job { hint + (64 << 10) } else { 0 });
            let mut chain = GzChain::new(start);
            return match chain.step(d, &self.plan.starts, self.tuning.max_job, &mut out) {
                Ok(Some(end)) => Outcome::Done { out, end },
                Ok(None) => Outcome::Partial { out, rest: Inline::Gzip(chain) },
                Err(c) => Outcome::Failed(c),
            };
        };
        let job = &z.jobs[idx];
        if job.stream {
            let slice = Slice { data: self.data.clone(), pos: start, end: job.end };
            let mut dec = match zstd::stream::read::Decoder::with_buffer(slice) {
                Ok(dec) => Box::new(dec),
                Err(e) => return Outcome::Failed(Corrupt::new(start, e.to_string())),
            };
            let mut out = Vec::new();
            return match fill(&mut dec, self.tuning.max_job, &mut out) {
                Ok(true) => Outcome::Done { out, end: job.end },
                Ok(false) => Outcome::Partial { out, rest: Inline::Zstd { dec, start, end: job.end, truncated: job.truncated } },
                Err(e) => Outcome::Failed(Corrupt::new(start, zstd_stream_error(&e, job.truncated))),
            };
        }
        let dctx = match dctx {
            Some(x) => x,
            None => match zstd::bulk::Decompressor::new() {
                Ok(x) => dctx.insert(x),
                Err(e) => return Outcome::Failed(Corrupt::new(start, e.to_string())),
            },
        };
        // Frame by frame into one buffer of the job's exact bound, so an error names its frame.
        let mut out = Cursor::new(self.buffer(job.bound));
        for f in z.frames[job.frames.clone()].iter().filter(|f| f.data) {
            out.set_position(out.get_ref().len() as u64);
            if let Err(e) = dctx.decompress_to_buffer(&d[f.start..f.end], &mut out) {
                return Outcome::Failed(Corrupt::new(f.start, e.to_string()));
            }
        }
        Outcome::Done { out: out.into_inner(), end: job.end }
    }
}

/// The decoded file, in order. Dropping it stops and joins the decoder threads.
pub struct ParallelReader {
    pool: Pool<DecodeJobs>,
    raw_read: Arc<AtomicU64>,
    out: Vec<u8>,
    at: usize,
    /// The job that starts where the chain is.
    job: usize,
    /// Set while the reader finishes a job itself.
    inline: Option<Inline>,
    finished: bool,
    failed: Option<Corrupt>,
}

impl ParallelReader {
    /// How many jobs the file was cut into (at least 2).
    pub fn jobs(&self) -> usize {
        self.pool.jobs().plan.starts.len()
    }

    /// Fills `out` with the next decoded bytes (possibly none, when a job decodes to nothing).
    fn refill(&mut self) -> Result<(), Corrupt> {
        let jobs = self.pool.jobs();
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        self.at = 0;
        let landed = if let Some(inline) = &mut self.inline {
            let landed = inline.step((*jobs.data).as_ref(), &jobs.plan.starts, jobs.tuning.piece, &mut out)?;
            if landed.is_some() {
                self.inline = None;
            }
            landed
        } else {
            // Jobs the chain passed over (false gzip member starts) are dropped by the pool.
            let outcome = match self.pool.take(self.job) {
                Taken::Done(outcome) => outcome,
                // No input should panic a decoder, but if one does the reader gets an error
                // instead of waiting forever.
                Taken::Panicked => Outcome::Failed(Corrupt::new(jobs.plan.starts[self.job], "internal error while decoding")),
                Taken::Skipped => Outcome::Failed(Corrupt::new(jobs.plan.starts[self.job], "internal error: decoding stopped")),
            };
            match outcome {
                Outcome::Done { out: o, end } => {
                    jobs.recycle(std::mem::replace(&mut out, o));
                    Some(end)
                }
                Outcome::Partial { out: o, rest } => {
                    jobs.recycle(std::mem::replace(&mut out, o));
                    self.inline = Some(rest);
                    None
                }
                Outcome::Failed(c) => return Err(c),
            }
        };
        self.out = out;
        if let Some(end) = landed {
            self.raw_read.store(end as u64, Ordering::Relaxed);
            if end >= (*jobs.data).as_ref().len() {
                self.finished = true;
            } else {
                // Every landing place but the end of the file is a job start, by construction.
                self.job = jobs.plan.starts.binary_search(&end).map_err(|_| Corrupt::new(end, "internal error: lost the member chain"))?;
            }
        }
        Ok(())
    }
}

impl Read for ParallelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.at);
                buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if let Some(c) = &self.failed {
                return Err(c.to_io());
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if let Err(c) = self.refill() {
                self.raw_read.store(c.offset, Ordering::Relaxed);
                let e = c.to_io();
                self.failed = Some(c);
                // Nothing after an error is read: stop decoding ahead.
                self.pool.cancel();
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::zstd_frames::{zstd_frames, Walk, SKIPPABLE_MAGIC};
    use super::*;
    use rand::{RngExt, SeedableRng};
    use std::io::Write;
    use zstd::zstd_safe::CParameter;

    /// Text that compresses like a dump (some repetition, some noise).
    fn text(n: usize, seed: u64) -> Vec<u8> {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let mut v = Vec::with_capacity(n + 64);
        while v.len() < n {
            v.extend_from_slice(format!("35{:014},nama {},L,{:02}-08-19{:02}\n", rng.random_range(0..1_000_000u64), rng.random_range(0..999u32), rng.random_range(1..29u32), rng.random_range(40..99u32)).as_bytes());
        }
        v.truncate(n);
        v
    }

    fn zstd_frame(data: &[u8], level: i32, checksum: bool, content_size: bool, window_log: Option<u32>) -> Vec<u8> {
        let mut c = zstd::bulk::Compressor::new(level).unwrap();
        c.set_parameter(CParameter::ChecksumFlag(checksum)).unwrap();
        c.set_parameter(CParameter::ContentSizeFlag(content_size)).unwrap();
        if let Some(w) = window_log {
            c.set_parameter(CParameter::WindowLog(w)).unwrap();
        }
        c.compress(data).unwrap()
    }

    fn skippable(payload: &[u8], nibble: u32) -> Vec<u8> {
        let mut v = (SKIPPABLE_MAGIC | nibble).to_le_bytes().to_vec();
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn gz(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn tiny(threads: usize) -> Tuning {
        Tuning { target: 1000, max_job: 3000, spacing: 1, piece: 700, threads, window: 2 * threads }
    }

    /// Everything the parallel reader decodes: `Ok(None)` when it declines the file, `Err` with
    /// the raw-byte counter's offset and the message on an error.
    fn decode(data: &[u8], c: Compression, t: Tuning) -> Result<Option<Vec<u8>>, (u64, String)> {
        let raw = Arc::new(AtomicU64::new(0));
        let Some(mut r) = open_with(Arc::new(data.to_vec()), c, raw.clone(), t) else { return Ok(None) };
        assert!(r.jobs() >= 2);
        let mut out = Vec::new();
        // Small reads, so buffer hand-over is exercised too.
        let mut buf = vec![0u8; 777];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return Err((raw.load(Ordering::Relaxed), e.to_string())),
            }
        }
        assert_eq!(raw.load(Ordering::Relaxed), data.len() as u64, "the counter ends at the end of the file");
        Ok(Some(out))
    }

    fn sequential_gzip(data: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn zstd_walk_matches_libzstd_on_every_kind_of_frame() {
        let random: Vec<u8> = {
            let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
            (0..300_000).map(|_| rng.random::<u8>()).collect()
        };
        let inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"x".to_vec(),
            text(200, 1),      // 1-byte FCS, single segment
            text(300, 2),      // 2-byte FCS (stored minus 256)
            text(70_000, 3),   // 4-byte FCS
            text(1 << 20, 4),  // several blocks
            random.clone(),    // raw blocks
            vec![7u8; 400_000], // RLE blocks
            [text(100_000, 5), vec![0; 200_000], random[..100_000].to_vec()].concat(),
        ];
        for (i, data) in inputs.iter().enumerate() {
            let mut variants = vec![zstd::stream::encode_all(&data[..], 3).unwrap()]; // no content size
            for (checksum, content_size, window) in [(false, true, None), (true, true, None), (true, false, None), (false, false, Some(10)), (true, true, Some(12))] {
                variants.push(zstd_frame(data, 3, checksum, content_size, window));
            }
            variants.push(zstd_frame(data, 19, true, false, None));
            for (j, frame) in variants.iter().enumerate() {
                let (frames, stop) = zstd_frames(frame);
                assert_eq!((frames.len(), stop), (1, None), "input {i} variant {j}");
                let f = frames[0];
                assert_eq!(f.end, zstd::zstd_safe::find_frame_compressed_size(frame).unwrap(), "input {i} variant {j}");
                assert!(f.bound >= data.len(), "input {i} variant {j}: bound {} < {}", f.bound, data.len());
                if let Ok(Some(fcs)) = zstd::zstd_safe::get_frame_content_size(frame) {
                    assert_eq!(f.bound as u64, fcs, "input {i} variant {j}");
                } else {
                    // Without a content size the bound comes from the blocks: never more than a
                    // block's worth per block.
                    assert!(f.bound < data.len() + (data.len() / 1024 + 2) * (128 << 10), "input {i} variant {j}");
                }
                // Cut anywhere inside, the walk says truncated at the frame's start.
                for cut in [1, 4, 5, f.end / 2, f.end - 1] {
                    if cut < f.end {
                        assert_eq!(zstd_frames(&frame[..cut]), (vec![], Some((0, Walk::Truncated))), "input {i} variant {j} cut {cut}");
                    }
                }
            }
        }
    }

    #[test]
    fn zstd_walk_skips_skippable_frames_and_stops_at_what_it_does_not_know() {
        let a = zstd_frame(&text(5000, 1), 3, true, true, None);
        let b = zstd_frame(&text(6000, 2), 1, false, false, None);
        let file = [skippable(b"seek table", 0), a.clone(), skippable(&[], 0xF), b.clone()].concat();
        let (frames, stop) = zstd_frames(&file);
        assert_eq!(stop, None);
        let kinds: Vec<(usize, bool)> = frames.iter().map(|f| (f.end - f.start, f.data)).collect();
        assert_eq!(kinds, [(18, false), (a.len(), true), (8, false), (b.len(), true)]);
        assert_eq!(zstd_frames(&[a.clone(), b"junk".to_vec()].concat()).1, Some((a.len(), Walk::Unknown)));
        let mut reserved = a.clone();
        reserved[4] |= 0x08;
        assert_eq!(zstd_frames(&reserved), (vec![], Some((0, Walk::Unknown))));
        // A skippable frame claiming more bytes than there are.
        let mut cut = skippable(b"abc", 0);
        cut.pop();
        assert_eq!(zstd_frames(&[a.clone(), cut].concat()).1, Some((a.len(), Walk::Truncated)));
        // A block over Block_Maximum_Size (here an RLE block of 1,469,666 bytes, which the
        // one-shot decoder would expand and the streaming one refuses) is for the stream to
        // judge (found by the mutation test: corrupt bytes that decoded as garbage mapped).
        let huge_rle = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58, 0x13, 0x67, 0xB3, b'x'];
        assert_eq!(zstd_frames(&[&huge_rle[..], &a].concat()), (vec![], Some((0, Walk::Unknown))));
        let mut raw = vec![0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x10];
        // Window 16 bytes (single segment, content size 16), one raw block of 17.
        raw.extend_from_slice(&[17 << 3 | 1, 0x00, 0x00]);
        raw.extend_from_slice(&[b'y'; 17]);
        assert_eq!(zstd_frames(&raw).1, Some((0, Walk::Unknown)), "a raw block larger than the frame's window");
    }

    /// A multi-frame zstd file: the pieces, and the file (a skippable frame between two).
    fn zstd_file(pieces: usize, size: usize) -> (Vec<u8>, Vec<u8>) {
        let mut plain = Vec::new();
        let mut file = skippable(b"pzstd-like", 0);
        for i in 0..pieces {
            let piece = text(size + i * 37, i as u64);
            plain.extend_from_slice(&piece);
            file.extend(zstd_frame(&piece, (i % 5) as i32 + 1, i % 2 == 0, i % 3 != 0, None));
            if i == pieces / 2 {
                file.extend(skippable(&[0xAB; 100], 3));
            }
        }
        (plain, file)
    }

    #[test]
    fn zstd_frames_decode_in_order_with_any_tuning() {
        let (plain, file) = zstd_file(12, 2500);
        for threads in [1, 3] {
            for t in [tiny(threads), Tuning { max_job: 100_000, target: 10_000, ..tiny(threads) }, Tuning::for_threads(threads)] {
                match decode(&file, Compression::Zstd, t) {
                    Ok(Some(out)) => assert!(out == plain, "{t:?}"),
                    // The default tuning groups the whole small file into one job.
                    Ok(None) => assert_eq!(t.target, Tuning::for_threads(threads).target),
                    Err(e) => panic!("{t:?}: {e:?}"),
                }
            }
        }
        // A frame bigger than a job is streamed, partly by the worker and partly by the reader.
        let big = text(50_000, 9);
        let file = [zstd_frame(&big, 3, true, false, None), zstd_frame(&plain, 3, true, true, None)].concat();
        let t = Tuning { max_job: 20_000, piece: 3000, ..tiny(2) };
        assert_eq!(decode(&file, Compression::Zstd, t).unwrap().unwrap(), [big, plain].concat());
    }

    #[test]
    fn zstd_single_frames_and_tiny_files_are_left_to_the_stream() {
        let one = zstd_frame(&text(100_000, 1), 3, true, true, None);
        assert_eq!(decode(&one, Compression::Zstd, tiny(2)), Ok(None));
        assert_eq!(decode(&[skippable(b"x", 0), one.clone()].concat(), Compression::Zstd, tiny(2)), Ok(None));
        // Truncated first (only) frame: the stream reports it, as before.
        assert_eq!(decode(&one[..one.len() - 3], Compression::Zstd, tiny(2)), Ok(None));
        assert_eq!(decode(&[skippable(b"x", 0), one[..10].to_vec()].concat(), Compression::Zstd, tiny(2)), Ok(None));
        // Trailing garbage is streamed, for libzstd to judge as before; the error names it.
        let two = [one.clone(), one.clone()].concat();
        for junk in [&b"junk"[..], b"zz", &[0; 100]] {
            let (at, msg) = decode(&[two.clone(), junk.to_vec()].concat(), Compression::Zstd, tiny(2)).unwrap_err();
            assert_eq!(at, two.len() as u64, "{msg}");
            let mut seq = Vec::new();
            assert!(zstd::stream::read::Decoder::new(&[two.clone(), junk.to_vec()].concat()[..]).unwrap().read_to_end(&mut seq).is_err());
        }
    }

    #[test]
    fn zstd_truncated_or_corrupt_frames_name_their_offset() {
        let (_, file) = zstd_file(6, 3000);
        let frames = zstd_frames(&file).0;
        let last = frames.last().unwrap().start;
        for cut in [1, 4, 10, 100] {
            let (at, msg) = decode(&file[..file.len() - cut], Compression::Zstd, tiny(2)).unwrap_err();
            assert_eq!(at, last as u64, "cut {cut}");
            assert!(msg.contains("truncated"), "cut {cut}: {msg}");
        }

        // Bytes overwritten inside a frame with a checksum: that frame's offset.
        let victim = frames.iter().filter(|f| f.data).nth(2).unwrap();
        assert!(file[victim.start + 4] & 0x04 != 0, "the test frame has a checksum");
        for seed in 0..20u64 {
            let mut bad = file.clone();
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            let at = rng.random_range(victim.start + 20..victim.end - 8);
            for b in &mut bad[at..at + 8] {
                *b = rng.random();
            }
            // Whether the bytes hit a block header (the walk stops there and the rest streams)
            // or block content (decoded whole), the error names the frame.
            match decode(&bad, Compression::Zstd, tiny(2)) {
                Err((offset, _)) => assert_eq!(offset, victim.start as u64, "seed {seed}"),
                Ok(r) => panic!("seed {seed}: corrupt data gave {:?}", r.map(|v| v.len())),
            }
        }
    }

    #[test]
    fn gzip_members_decode_in_order_with_any_tuning() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for round in 0..30 {
            let mut file = Vec::new();
            for m in 0..rng.random_range(2..7) {
                let piece = text(rng.random_range(0..9000), round * 10 + m);
                file.extend(gz(&piece, rng.random_range(0..10)));
            }
            let want = sequential_gzip(&file).unwrap();
            for threads in [1, 3] {
                let t = Tuning { spacing: rng.random_range(1..4000), max_job: rng.random_range(1..20_000), piece: rng.random_range(1..5000), ..tiny(threads) };
                match decode(&file, Compression::Gzip, t) {
                    Ok(Some(out)) => assert!(out == want, "round {round} {t:?}"),
                    Ok(None) => assert!(gzip_starts(&file, t.spacing).is_none()),
                    Err(e) => panic!("round {round} {t:?}: {e:?}"),
                }
            }
        }
    }

    #[test]
    fn gzip_header_bytes_inside_a_member_never_change_the_output() {
        // A stored (level 0) member whose payload holds a whole valid gzip member: a candidate
        // that parses and even decodes, but is not on the chain from byte 0.
        let inner = gz(b"not part of the output on its own\n", 6);
        let payload = [b"A".repeat(3000), inner.clone(), b"B".repeat(3000)].concat();
        let first = gz(&payload, 0);
        let file = [first.clone(), gz(&text(5000, 1), 6), gz(&text(4000, 2), 1)].concat();
        let inner_at = memchr::memmem::find(&first[1..], &inner).unwrap() + 1;
        let starts = gzip_starts(&file, 1).unwrap();
        assert!(starts.contains(&inner_at), "the embedded header is a job start");
        let want = sequential_gzip(&file).unwrap();
        for threads in [1, 3] {
            for max_job in [100, 2000, 1 << 20] {
                let t = Tuning { max_job, ..tiny(threads) };
                assert!(decode(&file, Compression::Gzip, t).unwrap().unwrap() == want, "{t:?}");
            }
        }
        // The chain itself, from byte 0 with the false start in the list: it passes over it.
        let mut chain = GzChain::new(0);
        let mut out = Vec::new();
        assert_eq!(chain.step(&file, &[0, inner_at, first.len()], usize::MAX, &mut out), Ok(Some(first.len())));
        assert_eq!(out, payload);
        // And from the false start, a different (wrong) chain: why only the true chain is used.
        let mut chain = GzChain::new(inner_at);
        let mut out = Vec::new();
        assert!(chain.step(&file, &[0, inner_at, first.len()], usize::MAX, &mut out).is_err());
    }

    #[test]
    fn bgzf_blocks_decode_in_order() {
        // BGZF: members of at most 64 KiB, each with a 'BC' extra field giving its size.
        let plain = text(300_000, 3);
        let mut file = Vec::new();
        for piece in plain.chunks(65_280).chain([&[][..]]) {
            let mut e = flate2::GzBuilder::new().extra(vec![b'B', b'C', 2, 0, 0, 0]).write(Vec::new(), flate2::Compression::default());
            e.write_all(piece).unwrap();
            let mut block = e.finish().unwrap();
            let bsize = (block.len() - 1) as u16;
            block[16..18].copy_from_slice(&bsize.to_le_bytes());
            file.extend(block);
        }
        assert_eq!(sequential_gzip(&file).unwrap(), plain);
        for threads in [1, 3] {
            let t = Tuning { spacing: 10_000, ..tiny(threads) };
            assert!(decode(&file, Compression::Gzip, t).unwrap().unwrap() == plain);
        }
    }

    #[test]
    fn gzip_single_members_and_bad_first_headers_are_left_to_the_stream() {
        let one = gz(&text(100_000, 1), 6);
        if gzip_starts(&one, 1).is_none() {
            assert_eq!(decode(&one, Compression::Gzip, tiny(2)), Ok(None));
        }
        assert_eq!(decode(&[one.clone(), one.clone()].concat(), Compression::Gzip, Tuning { spacing: 1 << 30, ..tiny(2) }), Ok(None));
        let mut bad = [one.clone(), one.clone()].concat();
        bad[3] = 0xE0;
        assert_eq!(decode(&bad, Compression::Gzip, tiny(2)), Ok(None));
    }

    #[test]
    fn gzip_truncated_corrupt_and_trailing_garbage_name_the_member() {
        let members = [gz(&text(8000, 1), 6), gz(&text(9000, 2), 6), gz(&text(7000, 3), 6)];
        let file = members.concat();
        let last = members[0].len() + members[1].len();
        for cut in [1, 5, 9, 12, members[2].len() / 2, members[2].len() - 1] {
            let (at, msg) = decode(&file[..file.len() - cut], Compression::Gzip, tiny(2)).unwrap_err();
            assert_eq!(at, last as u64, "cut {cut}");
            assert!(msg.contains("truncated") || msg.contains("checksum"), "cut {cut}: {msg}");
            assert!(sequential_gzip(&file[..file.len() - cut]).is_err());
        }
        // Random bytes inside the second member.
        let mut hits = 0;
        for seed in 0..20u64 {
            let mut bad = file.clone();
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            let at = rng.random_range(members[0].len() + 20..last - 20);
            for b in &mut bad[at..at + 8] {
                *b = rng.random();
            }
            let seq = sequential_gzip(&bad);
            match decode(&bad, Compression::Gzip, tiny(2)) {
                Err((offset, _)) => {
                    assert_eq!(offset, members[0].len() as u64, "seed {seed}");
                    assert!(seq.is_err(), "seed {seed}");
                    hits += 1;
                }
                Ok(Some(out)) => panic!("seed {seed}: corrupt data decoded to {} bytes (sequential: {:?})", out.len(), seq.map(|v| v.len())),
                Ok(None) => panic!("seed {seed}: declined"),
            }
        }
        assert_eq!(hits, 20);
        // Trailing bytes that are not a member: an error at their offset, as flate2 gives.
        let (at, msg) = decode(&[file.clone(), vec![0; 10]].concat(), Compression::Gzip, tiny(2)).unwrap_err();
        assert_eq!((at, msg.as_str()), (file.len() as u64, "invalid gzip header"));
        assert!(sequential_gzip(&[file.clone(), vec![0; 10]].concat()).is_err());
    }

    #[test]
    fn dropping_the_reader_early_stops_the_threads() {
        let (_, file) = zstd_file(40, 3000);
        let raw = Arc::new(AtomicU64::new(0));
        let mut r = open_with(Arc::new(file), Compression::Zstd, raw, tiny(3)).unwrap();
        let mut buf = [0u8; 10];
        r.read_exact(&mut buf).unwrap();
        drop(r);
    }
}
