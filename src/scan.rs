//! `takar scan`: one dump (one or more inputs) in, one [`Summary`] out; the driver that joins
//! the wings and holds what the engine must not know (the progress bar).
//!
//! Per input: [`source`] opens it (map or stream), [`format::detect`] reads the layout from the
//! first bytes and returns a parser, and the engine parses the records in parallel into
//! [`Harvest`]s. A mapped file is parsed in one parallel pass; a stream is read by its own thread
//! in blocks ([`blocks`]), and each block is parsed in parallel with its unfinished last record
//! carried into the next block. All inputs' harvests merge into one; the key store's visitor
//! counts unique NIKs and KKs across all of them; [`Summary::build`] assembles the answer.
//! Zip members are decoded ahead, in parallel, by [`zip_ahead`] while earlier inputs are
//! scanned, and parsed like mapped files. Workbooks (xlsx, xls, ods) are not text: [`sheet`]
//! takes them before [`source`] opens them.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;

use rayon::slice::ParallelSliceMut;

use crate::engine::keys::pseudonym::Pseudonyms;
use crate::engine::keys::{Collect, KeyStore, PeopleProfile, UniqueCounts};
use crate::engine::{Harvest, Keep};
use crate::error::{Error, Result};
use crate::nik::{Nik, Validator};
use crate::report::summary::{Findings, InputSummary, Summary};
use crate::engine::Context;
use crate::format::csv::sniff::SniffOptions;
use crate::format::{self as format, scan_with, sheet, Detected, Details};
pub use crate::format::Format;
use crate::input::compression::Compression;
use crate::input::source::{self, Body, MmapMode, Opened};
use crate::input::text::{check_text, strip_bom};
use crate::format::roles::ColumnChoice;
use crate::input::{blocks, digest, zip_ahead};
use crate::report::manifest::{Manifest, ManifestInput, ManifestOptions};

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
    /// The seller's claimed record count (`--claimed N`), set against the dump in the summary.
    pub claimed: Option<u64>,
}

pub const DEFAULT_CHUNK_SIZE: usize = 8 << 20;
const SNIFF_BYTES: usize = 1 << 20;
/// Streams never buffer more than this for a single record.
const MAX_RECORD: usize = 256 << 20;

/// Scans every input as one dump. Runs on the current rayon pool.
pub fn scan(opts: &ScanOptions, validator: &Validator<'_>) -> Result<Summary> {
    scan_dump(opts, validator, None).map(|d| d.summary)
}

/// A scanned dump: its summary, the pseudonyms of its unique numbers when asked for, and the
/// keys themselves, kept (inside takar) so a keys file's leak guard can ask whether a number
/// is one of the dump's.
pub struct Dump {
    pub summary: Summary,
    pub pseudonyms: Option<PseudonymSets>,
    nik_keys: KeyStore,
    kk_keys: KeyStore,
}

/// The keyed pseudonyms of a dump's unique valid numbers, sorted: NIKs packed with their
/// province code (`pseudonym << 8 | province`, 8 bytes each), and KKs.
pub struct PseudonymSets {
    pub key_fingerprint: String,
    pub nik_packed: Vec<u64>,
    pub kk: Vec<u64>,
}

impl Dump {
    /// Whether `number` (a 16-digit value) is a valid NIK or KK of this dump.
    pub fn is_input_number(&self, number: u64, validator: &Validator<'_>) -> bool {
        if !(1_000_000_000_000_000..10_000_000_000_000_000).contains(&number) {
            return false;
        }
        let digits = number.to_string();
        let nik = matches!(validator.nik(digits.as_bytes()), crate::nik::Check::Valid(n) if self.nik_keys.contains(n.key()));
        nik || matches!(validator.kk(digits.as_bytes()), crate::nik::Check::Valid(k) if self.kk_keys.contains(k.key()))
    }
}

/// The manifest of a run over these options: every input file given (directories walked, a
/// zip counted as its file) with its size and hash, and the options that change an answer.
pub fn manifest(opts: &ScanOptions, reference: crate::nik::Date, key_fingerprint: Option<&str>) -> Result<Manifest> {
    let mut files: Vec<PathBuf> = Vec::new();
    for input in source::expand(&opts.inputs)? {
        if files.last() != Some(&input.path) {
            files.push(input.path);
        }
    }
    let mut inputs = Vec::with_capacity(files.len());
    for path in files {
        let (bytes, blake3) = if path.as_os_str() == "-" { (0, None) } else { digest::file_digest(&path).map(|(n, h)| (n, Some(h)))? };
        inputs.push(ManifestInput { path: crate::error::shown(&path), bytes, blake3 });
    }
    let columns = opts
        .sniff
        .columns
        .iter()
        .filter_map(|(role, choice)| {
            choice.as_ref().map(|c| match c {
                ColumnChoice::Name(n) => format!("{role}={}", crate::nik::mask::mask_digits(n)),
                ColumnChoice::Position(n) => format!("{role}={n}"),
            })
        })
        .collect();
    Ok(Manifest {
        takar_version: env!("CARGO_PKG_VERSION"),
        region_editions: crate::nik::region::editions().collect(),
        key_fingerprint: key_fingerprint.map(str::to_string),
        options: ManifestOptions {
            format: opts.format.as_str(),
            delimiter: opts.sniff.delimiter.map(|d| if d == b'\t' { "\\t".to_string() } else { (d as char).to_string() }),
            no_header: opts.sniff.header == Some(false),
            columns,
            reference_date: reference.to_string(),
        },
        inputs,
    })
}

/// Parses every input (directories walked, zip members one input each) into one harvest,
/// keeping each column's keys or per-record rows as `keep` says, with each input's report.
/// Runs on the current rayon pool.
pub fn harvest(opts: &ScanOptions, validator: &Validator<'_>, keep: Keep) -> Result<(Harvest, Vec<InputSummary>)> {
    let paths = source::expand(&opts.inputs)?;
    let districts = validator.regions().districts.len();
    let mut total = Harvest::default();
    let mut inputs = Vec::with_capacity(paths.len());
    // Zip members decode ahead on their own threads while earlier inputs are scanned.
    let mut ahead = zip_ahead::ZipAhead::start(&paths, zip_ahead::Limits::for_threads(rayon::current_num_threads()).with_max_member(opts.zip_ahead_max_member));
    for (i, input_ref) in paths.iter().enumerate() {
        let at = Input { index: i as u32, districts, keep };
        // A workbook is read whole by its own reader, before the text path could refuse it.
        let (harvest, info) = match sheet::open_workbook(input_ref, opts.format)? {
            Some(book) => workbook_input(&book, sheet::scan_workbook(&book, at.index, &opts.sniff, validator, districts, keep)?),
            None => scan_input(ahead.open(i, input_ref, opts.mmap)?, at, opts, validator)?,
        };
        inputs.push(info);
        total.merge(harvest);
    }
    Ok((total, inputs))
}

/// Which input this is and what its counters keep.
#[derive(Clone, Copy)]
struct Input {
    index: u32,
    districts: usize,
    keep: Keep,
}

impl Input {
    fn context<'a>(&self, validator: &'a Validator<'a>, progress: Option<&'a (dyn Fn(u64) + Sync)>) -> Context<'a> {
        Context { validator, input: self.index, districts: self.districts, keep: self.keep, progress }
    }
}

/// [`scan`], plus the keyed pseudonyms of the unique NIKs and KKs when `pseudonyms` is given
/// (gathered in the same walk of the key store that counts them).
pub fn scan_dump(opts: &ScanOptions, validator: &Validator<'_>, pseudonyms: Option<&Pseudonyms>) -> Result<Dump> {
    let started = Instant::now();
    let districts = validator.regions().districts.len();
    let (total, inputs) = harvest(opts, validator, Keep::Keys)?;
    let Harvest { tally, mut nik_keys, mut kk_keys, .. } = total;
    let n = inputs.len();
    let reference = validator.dates().reference();
    let ((nik, people), kk, sets) = match pseudonyms {
        None => {
            // Nothing will ask about the keys again: each store goes as soon as it is counted.
            let (nik, people) = std::mem::take(&mut nik_keys).visit_unique(|| (UniqueCounts::new(districts, n), PeopleProfile::new(reference)));
            let kk = std::mem::take(&mut kk_keys).visit_unique(|| UniqueCounts::new(0, n)).0;
            ((nik.0, people.people), kk, None)
        }
        Some(p) => {
            // A pseudonym is under 2^48 and a province code under 100: one u64 holds both, so
            // the NIKs sort as plain integers, 8 bytes each.
            let province: Vec<u64> = validator.regions().districts.iter().map(|d| u64::from(d.code / 10_000)).collect();
            let pack = |key: u64| p.nik(key) << 8 | province[Nik::key_district(key).0 as usize];
            let ((nik, people), mut packed) =
                nik_keys.visit_unique(|| ((UniqueCounts::new(districts, n), PeopleProfile::new(reference)), Collect::new(pack)));
            let (kk, mut kk_pseudonyms) = kk_keys.visit_unique(|| (UniqueCounts::new(0, n), Collect::new(|key| p.kk(key))));
            packed.values.par_sort_unstable();
            kk_pseudonyms.values.par_sort_unstable();
            ((nik.0, people.people), kk.0, Some(PseudonymSets { key_fingerprint: p.fingerprint().to_string(), nik_packed: packed.values, kk: kk_pseudonyms.values }))
        }
    };
    let findings = Findings { regions: validator.regions(), people, claimed: opts.claimed, inputs, tally, nik, kk, elapsed: started.elapsed() };
    let summary = Summary::build(reference, findings);
    Ok(Dump { summary, pseudonyms: sets, nik_keys, kk_keys })
}

/// The report of how an input was read, from what detection found.
fn show_layout(info: &mut InputSummary, d: &Details) {
    info.set_layout(d.format, d.delimiter.clone(), d.header, &d.columns);
    info.headers.clone_from(&d.headers);
}

/// A counted workbook's harvest and report (a workbook is neither compressed nor transcoded).
fn workbook_input(book: &sheet::Workbook, counted: sheet::WorkbookCount) -> (Harvest, InputSummary) {
    let sheet::WorkbookCount { harvest, details, warnings } = counted;
    let tally = &harvest.tally;
    let mut info = InputSummary {
        path: crate::error::shown(&book.path),
        bytes: book.bytes.len() as u64,
        compression: "none".into(),
        encoding: "utf-8".into(),
        records: tally.records,
        nik_valid: tally.nik.valid,
        warnings,
        ..InputSummary::default()
    };
    show_layout(&mut info, &details);
    (harvest, info)
}

fn scan_input(opened: Opened, at: Input, opts: &ScanOptions, v: &Validator<'_>) -> Result<(Harvest, InputSummary)> {
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
        if strip_bom(sample).iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(None);
        }
        format::detect(sample, whole, all, opts.format, &opts.sniff, v).map_err(|message| Error::Column { path: path.clone(), message })
    };
    let harvest = match body {
        Body::Empty => Harvest::default(),
        Body::Mapped(_) | Body::Decoded(_) => {
            let data = body.whole().unwrap_or_default();
            match layout(&data[..data.len().min(SNIFF_BYTES)], data.len() <= SNIFF_BYTES, Some(data))? {
                None => Harvest::default(),
                Some(d) => {
                    show_layout(&mut info, &d.details);
                    let advance = progress.as_ref().map(|p| move |n: u64| p.inc(n));
                    let ctx = at.context(v, advance.as_ref().map(|f| f as &(dyn Fn(u64) + Sync)));
                    scan_with(&d.parser, &ctx, &data[d.data_start..], d.data_start as u64, true, opts.chunk_size).0
                }
            }
        }
        Body::Stream(reader) => {
            let t = scan_stream(reader, &path, &raw_read, compression, at, opts, v, &mut info, &layout, progress.as_ref())?;
            if bytes == 0 {
                info.bytes = raw_read.load(std::sync::atomic::Ordering::Relaxed);
            }
            t
        }
    };
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    info.add_counts(&harvest.tally);
    Ok((harvest, info))
}

/// Streams an input in blocks read by a separate thread ([`blocks`]), parsing each block in
/// parallel.
/// Detects an input's layout from a sample (`whole`: the sample is the whole input; the whole
/// input too when it is mapped); `None` when there are no records.
type DetectLayout<'a> = dyn Fn(&[u8], bool, Option<&[u8]>) -> Result<Option<Detected>> + 'a;

#[allow(clippy::too_many_arguments)]
fn scan_stream(
    mut reader: Box<dyn Read + Send>,
    path: &std::path::Path,
    raw_read: &std::sync::atomic::AtomicU64,
    compression: Compression,
    at: Input,
    opts: &ScanOptions,
    v: &Validator<'_>,
    info: &mut InputSummary,
    layout: &DetectLayout<'_>,
    progress: Option<&ProgressBar>,
) -> Result<Harvest> {
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
            return Ok(Harvest::default());
        }
        // Leading whitespace longer than the sample: nothing to sniff yet; treat as no data.
        return Err(Error::input(path, 0, "no records in the first MiB; cannot detect the layout"));
    };
    show_layout(info, &d.details);
    let ctx = at.context(v, None);
    buf.drain(..d.data_start);
    let mut base = d.data_start as u64;
    let mut total = Harvest::default();
    if eof {
        return Ok(scan_with(&d.parser, &ctx, &buf, base, true, opts.chunk_size).0);
    }
    // The sample's unparsed rest is carried into the first block's headroom. A headroom of
    // the sample's size holds any record that fits in a sample.
    const HEADROOM: usize = SNIFF_BYTES;
    let plan = blocks::Plan { block, headroom: HEADROOM, ahead: 2 };
    let mut blocks = blocks::Carried::new(blocks::spawn(plan, move |sink| sink.pump(&mut reader)), buf);
    while let Some(received) = blocks.next_block() {
        let data = received.map_err(decode_error)?;
        let (t, used) = scan_with(&d.parser, &ctx, data, base, false, opts.chunk_size);
        total.merge(t);
        if used == 0 && data.len() > MAX_RECORD {
            // One record longer than any real one: a runaway quote or a zip bomb of text.
            return Err(Error::input(path, base, format!("a record longer than {} MiB; not a text dump?", MAX_RECORD >> 20)));
        }
        base += used as u64;
        blocks.consume(used);
        if let Some(p) = progress {
            p.set_position(raw_read.load(std::sync::atomic::Ordering::Relaxed));
        }
    }
    // The stream ended: what is left is the last record(s).
    let (t, _) = scan_with(&d.parser, &ctx, blocks.rest(), base, true, opts.chunk_size);
    total.merge(t);
    Ok(total)
}
