//! `takar scan`: one dump (one or more inputs) in, one [`Summary`] out.
//!
//! Per input: [`source`] opens it (map or stream), [`sniff`] guesses the dialect and columns
//! from its first records, and [`chunk`] parses the records in parallel into [`Tally`]s. A
//! mapped file is parsed in one parallel pass; a stream is read by its own thread in blocks
//! (through a bounded channel, so decompression overlaps parsing), and each block is parsed in
//! parallel with its unfinished last record carried into the next block. All inputs' tallies
//! merge into one, and [`dedup`](crate::dedup) counts unique NIKs and KKs across all of them.
//! Zip members are decoded ahead, in parallel, by [`zip_ahead`] while earlier inputs are
//! scanned, and parsed like mapped files.
//! Workbooks (xlsx, xls, ods) are not text: [`sheet`] takes them before [`source`] opens them.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;

use crate::engine::keys::count_unique;
use crate::error::{Error, Result};
use crate::nik::Validator;
use crate::report::summary::{InputSummary, RegionCounts, Summary};
use crate::engine::tally::Tally;
use crate::engine::Context;
use crate::format::csv::sniff::SniffOptions;
use crate::format::{self as format, scan_with, sheet, Detected};
pub use crate::format::Format;
use crate::input::source::{self, Body, Compression, MmapMode, Opened};
use crate::input::zip_ahead;

/// Everything `scan` needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub inputs: Vec<PathBuf>,
    pub format: Format,
    pub sniff: SniffOptions,
    pub mmap: MmapMode,
    /// Bytes per parallel chunk (and per streamed block, times a few).
    pub chunk_size: usize,
    pub progress: bool,
    /// Lowers the largest zip member decoded ahead (`None`: the default cap; 0: off).
    pub zip_ahead_max_member: Option<u64>,
}

pub const DEFAULT_CHUNK_SIZE: usize = 8 << 20;
const SNIFF_BYTES: usize = 1 << 20;
/// Streams never buffer more than this for a single record.
const MAX_RECORD: usize = 256 << 20;

/// Scans every input as one dump. Runs on the current rayon pool.
pub fn scan(opts: &ScanOptions, validator: &Validator<'_>) -> Result<Summary> {
    let started = Instant::now();
    let paths = source::expand(&opts.inputs)?;
    let districts = validator.regions().districts.len();
    let mut total = Tally::default();
    let mut inputs = Vec::with_capacity(paths.len());
    // Zip members decode ahead on their own threads while earlier inputs are scanned.
    let mut ahead = zip_ahead::ZipAhead::start(&paths, zip_ahead::Limits::for_threads(rayon::current_num_threads()).with_max_member(opts.zip_ahead_max_member));
    for (i, input_ref) in paths.iter().enumerate() {
        // A workbook is read whole by its own reader, before the text path could refuse it.
        let (tally, info) = match sheet::open_workbook(input_ref, opts.format)? {
            Some(book) => sheet::scan_workbook(&book, i as u32, &opts.sniff, validator, districts)?,
            None => scan_input(ahead.open(i, input_ref, opts.mmap)?, i as u32, opts, validator, districts)?,
        };
        inputs.push(info);
        total.merge(tally);
    }
    let bytes: u64 = inputs.iter().map(|i| i.bytes).sum();
    let nik_unique = count_unique(std::mem::take(&mut total.nik_keys), districts, inputs.len());
    let kk_unique = count_unique(std::mem::take(&mut total.kk_keys), 0, inputs.len());
    for (info, new) in inputs.iter_mut().zip(&nik_unique.new_per_input) {
        info.nik_new_unique = *new;
    }
    let has_consistency = inputs.iter().any(|i| i.birth_date_column.is_some() || i.gender_column.is_some());
    let mut summary = Summary::new(validator.dates().reference());
    summary.records = total.records;
    summary.nik = total.nik.summary(nik_unique.unique);
    summary.kk = total.kk.summary(kk_unique.unique);
    summary.consistency = has_consistency.then_some(total.consistency);
    summary.regions = RegionCounts { records: total.district_records, unique_nik: nik_unique.per_district };
    summary.inputs = inputs;
    summary.elapsed_s = started.elapsed().as_secs_f64();
    summary.bytes_per_s = if summary.elapsed_s > 0.0 { bytes as f64 / summary.elapsed_s } else { 0.0 };
    Ok(summary)
}

/// Rejects input that is clearly not a text dump (NUL bytes near the start).
fn check_text(path: &std::path::Path, sample: &[u8]) -> Result<()> {
    if let Some(at) = memchr::memchr(0, &sample[..sample.len().min(64 << 10)]) {
        return Err(Error::input(path, at as u64, "binary data (NUL byte), not a text dump; is it a spreadsheet or an unsupported archive?"));
    }
    Ok(())
}

fn scan_input(opened: Opened, input: u32, opts: &ScanOptions, v: &Validator<'_>, districts: usize) -> Result<(Tally, InputSummary)> {
    let Opened { path, bytes, compression, encoding, body, raw_read } = opened;
    let mut info =
        InputSummary { path: crate::error::shown(&path), bytes, compression: compression.as_str().into(), encoding: encoding.into(), ..Default::default() };
    // The bar counts the bytes the scan reports: mapped (or decoded zip member) bytes parsed,
    // or compressed bytes read for a stream, whose decoded size is not known in advance. Stdin
    // has no size, hence no bar.
    let bar_len = if let Body::Decoded(d) = &body { d.len() as u64 } else { bytes };
    let progress = if opts.progress && bar_len > 0 && !matches!(body, Body::Empty) { Some(ProgressBar::new(bar_len)) } else { None };
    let layout = |sample: &[u8], whole: bool, all: Option<&[u8]>| -> Result<Option<Detected>> {
        check_text(&path, sample)?;
        let body = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(None);
        }
        format::detect(sample, whole, all, opts.format, &opts.sniff, v).map_err(|message| Error::Column { path: path.clone(), message })
    };
    let tally = match body {
        Body::Empty => Tally::default(),
        Body::Mapped(_) | Body::Decoded(_) => {
            let data = body.whole().unwrap_or_default();
            match layout(&data[..data.len().min(SNIFF_BYTES)], data.len() <= SNIFF_BYTES, Some(data))? {
                None => Tally::default(),
                Some(d) => {
                    d.details.apply(&mut info);
                    let advance = progress.as_ref().map(|p| move |n: u64| p.inc(n));
                    let ctx = Context { validator: v, input, districts, progress: advance.as_ref().map(|f| f as &(dyn Fn(u64) + Sync)) };
                    scan_with(&d.parser, &ctx, &data[d.data_start..], d.data_start as u64, true, opts.chunk_size).0
                }
            }
        }
        Body::Stream(reader) => {
            let t = scan_stream(reader, &path, &raw_read, compression, input, opts, v, districts, &mut info, &layout, progress.as_ref())?;
            if bytes == 0 {
                info.bytes = raw_read.load(std::sync::atomic::Ordering::Relaxed);
            }
            t
        }
    };
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    for (at, what) in &tally.warnings {
        info.warnings.push(format!("byte {at}: {}", what.text()));
    }
    let unlisted = tally.warning_count - tally.warnings.len() as u64;
    if unlisted > 0 {
        info.warnings.push(format!("{unlisted} more warnings like these (only the first {} are listed)", tally.warnings.len()));
    }
    info.records = tally.records;
    info.nik_valid = tally.nik.valid;
    Ok((tally, info))
}

/// Streams an input in blocks read by a separate thread, parsing each block in parallel.
#[allow(clippy::too_many_arguments)]
fn scan_stream(
    mut reader: Box<dyn Read + Send>,
    path: &std::path::Path,
    raw_read: &std::sync::atomic::AtomicU64,
    compression: Compression,
    input: u32,
    opts: &ScanOptions,
    v: &Validator<'_>,
    districts: usize,
    info: &mut InputSummary,
    layout: &dyn Fn(&[u8], bool, Option<&[u8]>) -> Result<Option<Detected>>,
    progress: Option<&ProgressBar>,
) -> Result<Tally> {
    let block = opts.chunk_size.saturating_mul(4).clamp(1 << 16, 64 << 20);
    // The offset of a decoding error is a compressed one: the raw bytes read so far, or where
    // the parallel decoder put the bad frame. Decoded positions count other bytes.
    let decode_error = |e: std::io::Error| -> Error {
        if compression == Compression::None {
            Error::io(path, e)
        } else {
            Error::Decompress { path: path.to_path_buf(), offset: raw_read.load(std::sync::atomic::Ordering::Relaxed), kind: compression.as_str(), source: e }
        }
    };
    // The sample for sniffing is read here, before the reader thread starts.
    let mut buf = Vec::with_capacity(SNIFF_BYTES);
    let eof = (&mut reader).take(SNIFF_BYTES as u64).read_to_end(&mut buf).map_err(decode_error)? < SNIFF_BYTES;
    let Some(d) = layout(&buf, eof, None)? else {
        if eof {
            return Ok(Tally::default());
        }
        // Leading whitespace longer than the sample: nothing to sniff yet; treat as no data.
        return Err(Error::input(path, 0, "no records in the first MiB; cannot detect the layout"));
    };
    d.details.apply(info);
    let ctx = Context { validator: v, input, districts, progress: None };
    buf.drain(..d.data_start);
    let mut base = d.data_start as u64;
    let mut total = Tally::default();
    if eof {
        return Ok(scan_with(&d.parser, &ctx, &buf, base, true, opts.chunk_size).0);
    }
    // Blocks travel in buffers that start with `HEADROOM` spare bytes: the unfinished record
    // carried over from the block before is copied there, in front of the new bytes, so a block
    // is never copied as a whole. Emptied buffers go back to the reader thread, so the stream
    // reuses three or four buffers instead of faulting in fresh pages for every block.
    const HEADROOM: usize = SNIFF_BYTES;
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(2);
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut carry = buf;
    std::thread::scope(|s| -> Result<Tally> {
        s.spawn(move || loop {
            let mut b = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(HEADROOM + block));
            b.clear();
            b.resize(HEADROOM, 0);
            match (&mut reader).take(block as u64).read_to_end(&mut b) {
                Ok(0) => break,
                Ok(_) => {
                    if tx.send(Ok(b)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        });
        while let Ok(received) = rx.recv() {
            let mut b = received.map_err(decode_error)?;
            let start = if carry.len() <= HEADROOM {
                b[HEADROOM - carry.len()..HEADROOM].copy_from_slice(&carry);
                HEADROOM - carry.len()
            } else {
                // A record longer than the headroom (rare): join the two the plain way.
                carry.extend_from_slice(&b[HEADROOM..]);
                std::mem::swap(&mut carry, &mut b);
                carry.clear();
                0
            };
            let data = &b[start..];
            let (t, used) = scan_with(&d.parser, &ctx, data, base, false, opts.chunk_size);
            total.merge(t);
            if used == 0 && data.len() > MAX_RECORD {
                // One record longer than any real one: a runaway quote or a zip bomb of text.
                return Err(Error::input(path, base, format!("a record longer than {} MiB; not a text dump?", MAX_RECORD >> 20)));
            }
            base += used as u64;
            carry.clear();
            carry.extend_from_slice(&data[used..]);
            if let Some(p) = progress {
                p.set_position(raw_read.load(std::sync::atomic::Ordering::Relaxed));
            }
            if (HEADROOM + block..=2 * (HEADROOM + block)).contains(&b.capacity()) {
                let _ = recycle.send(b);
            }
        }
        // The channel closed: the reader reached the end. What is left is the last record(s).
        let (t, _) = scan_with(&d.parser, &ctx, &carry, base, true, opts.chunk_size);
        total.merge(t);
        Ok(std::mem::take(&mut total))
    })
}
