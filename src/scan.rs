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
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::ProgressBar;

use rayon::slice::ParallelSliceMut;

use crate::engine::keys::pseudonym::Pseudonyms;
use crate::engine::keys::{Budget, Collect, Estimates, KeyStore, PeopleProfile, SpillStats, UniqueCounts};
use crate::engine::{Harvest, Keep};
use crate::error::{Error, Result};
use crate::nik::{Nik, Validator};
use crate::report::summary::{Approximate, Findings, InputSummary, MemoryUse, Summary};
use crate::engine::Context;
use crate::format::csv::sniff::SniffOptions;
use crate::format::{self as format, scan_with, sheet, Detected, Details};
pub use crate::format::Format;
use crate::input::compression::Compression;
use crate::input::kind::Kind;
use crate::input::members::{Failure, Members, Next, Password};
use crate::input::source::{self, Body, InputRef, MmapMode, Opened, Skipped};
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
    /// Opens encrypted zip and 7z archives.
    pub password: Password,
    /// Any input a collection would skip is an error instead.
    pub strict: bool,
    /// Largest member read whole into memory because it needs random access (a zip, 7z,
    /// workbook or PDF inside another archive); `None`: [`BUFFER_MAX`].
    pub buffer_max: Option<u64>,
    /// The memory budget of the key stores, and where they spill past it.
    pub memory: Memory,
    /// HyperLogLog estimates of the unique counts instead of exact ones (`--approximate`).
    pub approximate: bool,
}

/// The memory budget of a scan (`--max-memory`, `--temp-dir`).
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// Bytes the scan should stay under; `None`: no budget, keys are never spilled.
    pub max_bytes: Option<u64>,
    /// Where the spill directory is made (default: the system's temporary directory).
    pub temp_dir: Option<PathBuf>,
}

/// What a budget leaves for everything but the keys: read-ahead blocks of a stream, the
/// tallies of a wave of chunks, the per-shard sets of the final walk.
const NOT_KEYS: u64 = 320 << 20;

impl Memory {
    /// The key stores' share of the budget: all but [`NOT_KEYS`], and at least half.
    pub fn key_limit(&self) -> Option<u64> {
        self.max_bytes.map(|max| max.saturating_sub(NOT_KEYS).max(max / 2))
    }

    fn budget(&self) -> Option<Arc<Budget>> {
        self.key_limit().map(|limit| Arc::new(Budget::new(limit, self.temp_dir.clone())))
    }
}

/// Largest member read whole into memory for random access (see `ScanOptions::buffer_max`).
pub const BUFFER_MAX: u64 = 512 << 20;
/// Containers inside containers deeper than this are skipped.
pub const MAX_DEPTH: usize = 8;

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
    for input in source::expand_all(&opts.inputs, &opts.password)?.inputs {
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

/// What [`harvest`] gathers: the merged harvest, each input's report, and what the
/// collections left out.
pub struct Gathered {
    pub harvest: Harvest,
    pub inputs: Vec<InputSummary>,
    pub skipped: Vec<Skipped>,
    /// The budget the key stores counted against (when the options set one).
    pub budget: Option<Arc<Budget>>,
}

/// Parses every input (directories walked, archive members one input each, non-dumps inside
/// collections skipped) into one harvest, keeping each column's keys or per-record rows as
/// `keep` says, with each input's report. Runs on the current rayon pool.
pub fn harvest(opts: &ScanOptions, validator: &Validator<'_>, keep: Keep) -> Result<Gathered> {
    let expanded = source::expand_all(&opts.inputs, &opts.password)?;
    let paths = &expanded.inputs;
    let budget = opts.memory.budget();
    // The total's stores count against the budget from the start, so keys that arrive
    // without one (a workbook's) are counted when they join.
    let total = match &budget {
        Some(b) => Harvest { nik_keys: KeyStore::with_budget(Arc::clone(b)), kk_keys: KeyStore::with_budget(Arc::clone(b)), ..Harvest::default() },
        None => Harvest::default(),
    };
    let mut g = Gather { opts, v: validator, districts: validator.regions().districts.len(), keep, budget: budget.as_ref(), total, inputs: Vec::new(), skipped: Vec::new() };
    let mut pending = expanded.skipped.into_iter().peekable();
    // Zip members decode ahead on their own threads while earlier inputs are scanned.
    let mut ahead = zip_ahead::ZipAhead::start(paths, zip_ahead::Limits::for_threads(rayon::current_num_threads()).with_max_member(opts.zip_ahead_max_member));
    for (i, input_ref) in paths.iter().enumerate() {
        while let Some((_, s)) = pending.next_if(|(at, _)| *at <= i) {
            g.skip(s)?;
        }
        let in_collection = input_ref.walked || input_ref.member.is_some();
        let result = g.top(i, input_ref, &mut ahead);
        g.settle(result, &input_ref.display(), in_collection, input_ref.member.is_some())?;
        if let Some(b) = &budget {
            b.check()?;
        }
    }
    for (_, s) in pending {
        g.skip(s)?;
    }
    if g.inputs.is_empty() && !g.skipped.is_empty() {
        let first = &g.skipped[0];
        let path = opts.inputs.first().cloned().unwrap_or_default();
        return Err(Error::NothingRead { path, skipped: g.skipped.len(), first: format!("{}: {}", first.path, first.reason) });
    }
    let Gather { total, inputs, skipped, .. } = g;
    Ok(Gathered { harvest: total, inputs, skipped, budget })
}

/// Which input this is, what its counters keep and what their keys count against.
#[derive(Clone, Copy)]
struct Input<'b> {
    index: u32,
    districts: usize,
    keep: Keep,
    budget: Option<&'b Arc<Budget>>,
}

impl<'b> Input<'b> {
    fn context<'a>(&self, validator: &'a Validator<'a>, progress: Option<&'a (dyn Fn(u64) + Sync)>) -> Context<'a>
    where
        'b: 'a,
    {
        Context { validator, input: self.index, districts: self.districts, keep: self.keep, progress, budget: self.budget }
    }
}

/// [`scan`], plus the keyed pseudonyms of the unique NIKs and KKs when `pseudonyms` is given
/// (gathered in the same walk of the key store that counts them).
pub fn scan_dump(opts: &ScanOptions, validator: &Validator<'_>, pseudonyms: Option<&Pseudonyms>) -> Result<Dump> {
    let started = Instant::now();
    let districts = validator.regions().districts.len();
    let keep = if opts.approximate { Keep::Estimates } else { Keep::Keys };
    let Gathered { harvest: total, inputs, skipped, budget } = harvest(opts, validator, keep)?;
    let Harvest { tally, mut nik_keys, mut kk_keys, estimates, .. } = total;
    let n = inputs.len();
    let reference = validator.dates().reference();
    let ((nik, people), kk, sets) = match pseudonyms {
        // Sketches, not keys: nothing to walk and no pseudonyms to give (the caller asks for
        // none under --approximate).
        _ if opts.approximate => {
            let (nik, kk, people) = estimates.unwrap_or_else(|| Estimates::new(districts, reference)).finish(n);
            ((nik, people.people), kk, None)
        }
        None => {
            // Nothing will ask about the keys again: each store goes as soon as it is counted.
            let (nik, people) = std::mem::take(&mut nik_keys).visit_unique(|| (UniqueCounts::new(districts, n), PeopleProfile::new(reference)))?;
            let kk = std::mem::take(&mut kk_keys).visit_unique(|| UniqueCounts::new(0, n))?.0;
            ((nik.0, people.people), kk, None)
        }
        Some(p) => {
            // A pseudonym is under 2^48 and a province code under 100: one u64 holds both, so
            // the NIKs sort as plain integers, 8 bytes each.
            let province: Vec<u64> = validator.regions().districts.iter().map(|d| u64::from(d.code / 10_000)).collect();
            let pack = |key: u64| p.nik(key) << 8 | province[Nik::key_district(key).0 as usize];
            let ((nik, people), mut packed) =
                nik_keys.visit_unique(|| ((UniqueCounts::new(districts, n), PeopleProfile::new(reference)), Collect::new(pack)))?;
            let (kk, mut kk_pseudonyms) = kk_keys.visit_unique(|| (UniqueCounts::new(0, n), Collect::new(|key| p.kk(key))))?;
            packed.values.par_sort_unstable();
            kk_pseudonyms.values.par_sort_unstable();
            ((nik.0, people.people), kk.0, Some(PseudonymSets { key_fingerprint: p.fingerprint().to_string(), nik_packed: packed.values, kk: kk_pseudonyms.values }))
        }
    };
    let findings = Findings { regions: validator.regions(), people, claimed: opts.claimed, inputs, skipped, tally, nik, kk, elapsed: started.elapsed() };
    let mut summary = Summary::build(reference, findings);
    if opts.approximate {
        summary.approximate = Some(Approximate::hyperloglog());
    }
    summary.memory = budget.map(|b| {
        let SpillStats { peak_held_bytes, spilled_bytes, runs } = b.stats();
        MemoryUse { max_memory_bytes: opts.memory.max_bytes.unwrap_or(0), key_limit_bytes: b.limit(), peak_key_bytes: peak_held_bytes, spilled_bytes, spill_runs: runs }
    });
    Ok(Dump { summary, pseudonyms: sets, nik_keys, kk_keys })
}

/// What a scan gathers input by input: the merged harvest, each input's report, and what the
/// collections left out.
struct Gather<'a> {
    opts: &'a ScanOptions,
    v: &'a Validator<'a>,
    districts: usize,
    keep: Keep,
    budget: Option<&'a Arc<Budget>>,
    total: Harvest,
    inputs: Vec<InputSummary>,
    skipped: Vec<Skipped>,
}

/// How to proceed with a RAR archive, which takar does not read.
const RAR_HELP: &str = "; takar does not read RAR: extract it first (`unrar x FILE DIR/` or `7z x FILE -oDIR`) and scan the folder";

impl<'a> Gather<'a> {
    /// One more input counted; its number is the count of inputs before it.
    fn add(&mut self, (harvest, info): (Harvest, InputSummary)) {
        self.inputs.push(info);
        self.total.merge(harvest);
    }

    fn next_input(&self) -> Input<'a> {
        Input { index: self.inputs.len() as u32, districts: self.districts, keep: self.keep, budget: self.budget }
    }

    /// One more input left out; an error under `--strict`.
    fn skip(&mut self, s: Skipped) -> Result<()> {
        if self.opts.strict {
            return Err(Error::Strict { path: s.path, reason: s.reason });
        }
        self.skipped.push(s);
        Ok(())
    }

    /// The outcome of one input: an error stands when the input was named on the command line
    /// (or is not a matter of the input at all); inside a collection, one that says the input
    /// is no dump, or cannot be read, is a skip with that reason.
    fn settle(&mut self, result: Result<()>, name: &Path, in_collection: bool, member: bool) -> Result<()> {
        match result {
            Err(e) if in_collection => match skip_reason(&e, member) {
                Some(reason) => self.skip(Skipped::new(name, reason)),
                None => Err(e),
            },
            other => other,
        }
    }

    /// An input found on the command line, in a walked folder or in a zip file: a workbook, a
    /// dump, or a container or document to open.
    fn top(&mut self, i: usize, input_ref: &InputRef, ahead: &mut zip_ahead::ZipAhead) -> Result<()> {
        // A workbook is read whole by its own reader, before the text path could refuse it.
        if let Some(book) = sheet::open_workbook(input_ref, self.opts.format)? {
            let counted = sheet::scan_workbook(&book, self.next_input().index, &self.opts.sniff, self.v, self.districts, self.keep)?;
            self.add(workbook_input(&book, counted));
            return Ok(());
        }
        let opened = ahead.open_with(i, input_ref, self.opts.mmap, &self.opts.password)?;
        // A file (not stdin, not a member) is read in place by a container that seeks.
        let file = (input_ref.member.is_none() && input_ref.path.as_os_str() != "-").then(|| input_ref.path.clone());
        self.content(opened, 0, file, !input_ref.walked && input_ref.member.is_none())
    }

    /// An opened input, by what its bytes are. `file`: the input is this file on disk;
    /// `direct`: it was named on the command line (an encrypted archive then needs the
    /// password, rather than being skipped).
    fn content(&mut self, opened: Opened, depth: usize, file: Option<PathBuf>, direct: bool) -> Result<()> {
        let not_a_dump = |reason: &str, help: &str| Error::NotADump { path: opened.path.clone(), reason: reason.into(), help: help.into() };
        let err = match opened.kind {
            Kind::Dump => {
                let counted = scan_input(opened, self.next_input(), self.opts, self.v, !direct)?;
                self.add(counted);
                return Ok(());
            }
            Kind::Rar => not_a_dump("RAR archive", RAR_HELP),
            Kind::Media(what) => not_a_dump(what, ""),
            Kind::Executable => not_a_dump("executable", ""),
            Kind::Pdf => {
                // The text layer goes to the plain-text scanner: records are the NIKs found.
                let path = opened.path.clone();
                let data = self.buffer(opened)?;
                let text = crate::input::pdf::text(&data)
                    .map_err(|why| Error::NotADump { path: path.clone(), reason: format!("PDF with no text to read ({why})"), help: String::new() })?;
                if !crate::format::text::has_token(text.as_bytes()) {
                    return Err(Error::NotADump { path, reason: "PDF with no NIK in its text".into(), help: String::new() });
                }
                let body = Body::Decoded(text.into_bytes());
                let opened = Opened { path, bytes: data.len() as u64, compression: Compression::None, encoding: "utf-8", kind: Kind::Dump, body, raw_read: Default::default(), container: Some("pdf") };
                let opts = ScanOptions { format: Format::Text, ..self.opts.clone() };
                let counted = scan_input(opened, self.next_input(), &opts, self.v, !direct)?;
                self.add(counted);
                return Ok(());
            }
            _ if depth >= MAX_DEPTH => not_a_dump(&format!("archive nested more than {MAX_DEPTH} deep"), ""),
            Kind::Tar => {
                let Opened { path, body, raw_read, compression, .. } = opened;
                let reader: Box<dyn Read + Send> = match body {
                    Body::Stream(r) => r,
                    Body::Mapped(m) => Box::new(std::io::Cursor::new(m)),
                    Body::Decoded(d) => Box::new(std::io::Cursor::new(d)),
                    Body::Empty => Box::new(std::io::empty()),
                };
                return self.collection(&path, Members::tar(reader, raw_read, compression.as_str()), depth + 1, "tar", direct);
            }
            Kind::Zip | Kind::SevenZip | Kind::Ole => {
                let kind = opened.kind;
                let path = opened.path.clone();
                let bytes = opened.bytes;
                if let (Some(file), Kind::Zip | Kind::SevenZip) = (&file, kind) {
                    let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
                    let members = match kind {
                        Kind::Zip => Members::zip(f, self.opts.password.clone()),
                        _ => Members::sevenz(f, bytes, self.opts.password.clone()),
                    };
                    return self.collection(&path, members, depth + 1, kind.as_str(), direct);
                }
                let data = self.buffer(opened)?;
                if let Some(book) = sheet::kind_of(&data) {
                    let book = sheet::Workbook { kind: book, path: path.clone(), bytes: data };
                    let counted = sheet::scan_workbook(&book, self.next_input().index, &self.opts.sniff, self.v, self.districts, self.keep)?;
                    self.add(workbook_input(&book, counted));
                    return Ok(());
                }
                if kind == Kind::Zip {
                    let names = zip::ZipArchive::new(std::io::Cursor::new(&data[..])).map(|z| z.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect::<Vec<_>>());
                    if let Some(what) = names.ok().and_then(|n| crate::input::members::document_kind(n.iter().map(String::as_str))) {
                        return Err(Error::NotADump { path, reason: what.into(), help: String::new() });
                    }
                }
                let len = data.len() as u64;
                let members = match kind {
                    Kind::Zip => Members::zip(std::io::Cursor::new(data), self.opts.password.clone()),
                    Kind::SevenZip => Members::sevenz(std::io::Cursor::new(data), len, self.opts.password.clone()),
                    _ => return Err(Error::NotADump { path, reason: "Office document (not a workbook)".into(), help: String::new() }),
                };
                return self.collection(&path, members, depth + 1, kind.as_str(), direct);
            }
        };
        Err(err)
    }

    /// Reads an input whole, up to the buffer cap: for what needs random access.
    fn buffer(&self, opened: Opened) -> Result<Vec<u8>> {
        let cap = self.opts.buffer_max.unwrap_or(BUFFER_MAX);
        let Opened { path, body, .. } = opened;
        let too_large = || Error::NotADump {
            path: path.clone(),
            reason: format!("too large to open inside another archive (over {} bytes, and it must be read whole)", cap),
            help: "; extract it and scan it on its own".into(),
        };
        match body {
            Body::Empty => Ok(Vec::new()),
            Body::Mapped(m) if m.len() as u64 <= cap => Ok(m.to_vec()),
            Body::Decoded(d) if d.len() as u64 <= cap => Ok(d),
            Body::Mapped(_) | Body::Decoded(_) => Err(too_large()),
            Body::Stream(r) => {
                let mut data = Vec::new();
                r.take(cap + 1).read_to_end(&mut data).map_err(|e| Error::io(&path, e))?;
                if data.len() as u64 > cap {
                    return Err(too_large());
                }
                Ok(data)
            }
        }
    }

    /// The members of a container, each read (or skipped) in turn. Its own failure is an error
    /// about the container, which the caller skips in turn when the container is itself inside
    /// a collection; members read before it stay counted.
    fn collection(&mut self, name: &Path, mut members: Members, depth: usize, container: &'static str, direct: bool) -> Result<()> {
        loop {
            match members.next_entry() {
                Next::End => return Ok(()),
                Next::Skip { name: member, reason, encrypted } => {
                    if encrypted && direct {
                        return Err(Error::Password { path: name.to_path_buf(), problem: Failure::NeedsPassword });
                    }
                    self.skip(Skipped::new(&member_name(name, &member), reason))?;
                }
                Next::Failed(Failure::Corrupt { message, offset }) => {
                    let message = match offset {
                        Some(at) => format!("byte {at}: {message}"),
                        None => message,
                    };
                    return Err(Error::Archive { path: name.to_path_buf(), message });
                }
                Next::Failed(problem) => return Err(Error::Password { path: name.to_path_buf(), problem }),
                Next::Member(m) => {
                    let shown = member_name(name, &m.name);
                    let result = source::open_member_stream(&shown, m.size, container, Box::new(m.body)).and_then(|opened| self.content(opened, depth, None, false));
                    if direct {
                        if let Err(Error::Password { problem: Failure::NeedsPassword, .. }) = &result {
                            return result;
                        }
                    }
                    self.settle(result, &shown, true, true)?;
                }
            }
        }
    }
}

/// `OUTER:member`, the name of a member of a container.
fn member_name(container: &Path, member: &str) -> PathBuf {
    PathBuf::from(format!("{}:{member}", container.display()))
}

/// The reason an input inside a collection is skipped for, in plain words; `None` for errors
/// that are no matter of one input (a wrong password, writing outputs) and stop the scan.
/// `member`: the input is an archive member, whose read errors mean damaged data.
fn skip_reason(e: &Error, member: bool) -> Option<String> {
    Some(match e {
        Error::NotADump { reason, .. } => reason.clone(),
        Error::Password { problem: Failure::NeedsPassword, .. } => "encrypted".into(),
        Error::Binary { kind, .. } => kind.as_str().into(),
        Error::Input { message, .. } if message.starts_with("binary data") => "binary data".into(),
        Error::Input { message, offset, .. } => format!("not readable as a dump: byte {offset}: {message}"),
        Error::Column { message, .. } => {
            let first = message.split(';').next().unwrap_or(message);
            if first.contains("NIK column") { "no NIK column".into() } else { format!("not a dump: {first}") }
        }
        Error::Decompress { offset, kind, source, .. } => format!("corrupt: cannot decompress ({kind}) at byte {offset}: {source}"),
        Error::Io { source, .. } if member => format!("corrupt: {source}"),
        Error::Io { source, .. } => format!("could not be read: {source}"),
        Error::Archive { message, .. } => format!("corrupt archive: {message} (members before this point were read)"),
        Error::EmptyDirectory { .. } | Error::NothingRead { .. } => return None,
        _ => return None,
    })
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

/// Scans one dump. `in_collection`: found in a folder or an archive, where text with no
/// records in which no layout was found (a one-line README) is no dump; an empty or blank
/// input stays an input of no records either way.
fn scan_input(opened: Opened, at: Input<'_>, opts: &ScanOptions, v: &Validator<'_>, in_collection: bool) -> Result<(Harvest, InputSummary)> {
    let Opened { path, bytes, compression, encoding, body, raw_read, container, .. } = opened;
    let shown_compression = container.unwrap_or(compression.as_str());
    let mut info = InputSummary { path: crate::error::shown(&path), bytes, compression: shown_compression.into(), encoding: encoding.into(), ..Default::default() };
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
        let found = format::detect(sample, whole, all, opts.format, &opts.sniff, v).map_err(|message| Error::Column { path: path.clone(), message })?;
        if found.is_none() && in_collection {
            return Err(Error::NotADump { path: path.clone(), reason: "no records".into(), help: String::new() });
        }
        Ok(found)
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
    at: Input<'_>,
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
