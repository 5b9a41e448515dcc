//! The one place that decides how an input's bytes are read: a memory map for regular,
//! uncompressed UTF-8 files; a stream for stdin, pipes, compressed files (gzip, zstd, bzip2,
//! xz, detected by magic bytes, not by file name), zip archive members, and text that must be
//! transcoded (UTF-16 with a BOM, or Windows-1252 when the bytes are not UTF-8). A regular
//! zstd file of several frames or gzip file of several members is mapped too and decoded in
//! parallel ([`parallel_decode`](super::parallel_decode)); it still reaches the scan as a
//! stream. A failed map falls back to streaming, never to an error. A zip member decoded ahead
//! in memory ([`zip_ahead`](super::zip_ahead)) reaches the scan as a byte slice, like a map.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use memmap2::Mmap;

use super::blocks::{self, BlockReader, Plan};
use super::compression::Compression;
use super::decode as parallel_decode;
use super::kind::{self, Kind};
use super::members::{self, Failure, Password};
use super::text::{check_magic, is_plain_text, text_encoding};
use crate::error::{Error, Result};

/// When to memory-map (`--mmap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MmapMode {
    /// Map regular, uncompressed files.
    #[default]
    Auto,
    Never,
}

/// One input of a scan: a file (or stdin), or one member of a zip archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRef {
    pub path: PathBuf,
    /// Index and name of a zip member.
    pub member: Option<(usize, String)>,
    /// Found by walking a folder (not named on the command line): one of a collection, so
    /// skipped rather than fatal when it is not a dump.
    pub walked: bool,
}

/// An input left out of a collection (a walked folder, an archive), and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The name shown in reports (`folder/photo.jpg`, `leak.zip:foto.jpg`), 16-digit runs masked.
    pub path: String,
    pub reason: String,
}

impl Skipped {
    pub fn new(path: &Path, reason: impl Into<String>) -> Skipped {
        Skipped { path: crate::error::shown(path), reason: crate::nik::mask::mask_digits(&reason.into()) }
    }
}

/// The inputs found on the command line, and what was left out while finding them.
#[derive(Debug, Default)]
pub struct Expanded {
    pub inputs: Vec<InputRef>,
    /// Each skip with the number of inputs found before it, so a report can keep their order.
    pub skipped: Vec<(usize, Skipped)>,
}

impl InputRef {
    /// The name shown in reports and errors (`archive.zip:member.csv`).
    pub fn display(&self) -> PathBuf {
        match &self.member {
            None => self.path.clone(),
            Some((_, name)) => PathBuf::from(format!("{}:{name}", self.path.display())),
        }
    }
}

/// The bytes of an input, mapped or streamed.
pub enum Body {
    Mapped(Mmap),
    /// A file of length zero (which cannot be mapped everywhere).
    Empty,
    Stream(Box<dyn Read + Send>),
    /// A zip member decoded whole ahead of its turn: plain UTF-8, parsed like a map.
    Decoded(Vec<u8>),
}

impl Body {
    /// The bytes of a mapped file or a decoded member, which are parsed in one pass.
    pub fn whole(&self) -> Option<&[u8]> {
        match self {
            Body::Mapped(map) => Some(map),
            Body::Decoded(bytes) => Some(bytes),
            Body::Empty | Body::Stream(_) => None,
        }
    }
}

pub struct Opened {
    /// The name shown in reports and errors.
    pub path: PathBuf,
    /// Size on disk (compressed size for compressed files and zip members; 0 for stdin until
    /// read).
    pub bytes: u64,
    pub compression: Compression,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1252`.
    pub encoding: &'static str,
    /// What the (decoded) bytes are: a dump to parse, or a container, document or non-dump
    /// that the scan handles otherwise. Only a dump is transcoded.
    pub kind: Kind,
    pub body: Body,
    /// Raw (compressed) bytes read so far, for error offsets of streamed inputs.
    pub raw_read: Arc<AtomicU64>,
    /// For a member of a tar, a 7z or a nested zip whose own bytes are not compressed: that
    /// container's name, shown as the input's `compression`.
    pub container: Option<&'static str>,
}

/// Counts bytes read from the raw file, so decompression errors can name an offset.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Expands directories (recursively, sorted) into their files and zip archives into their
/// members; `-` stays stdin. Spreadsheets (zip files holding a workbook) stay whole.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<InputRef>> {
    expand_all(inputs, &Password::default()).map(|e| e.inputs)
}

/// [`expand`], with what a folder walk or a zip directory leaves out: broken links, macOS
/// metadata, encrypted members when no password is given, zip bombs. A zip named on the
/// command line whose members are encrypted needs the password: an error without one.
pub fn expand_all(inputs: &[PathBuf], password: &Password) -> Result<Expanded> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            files.push((p.clone(), false));
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            // Links are followed once within one folder; a folder named twice is read twice,
            // like a file named twice.
            let (mut walked, mut dir_skips) = (Vec::new(), Vec::new());
            walk_into(p, &mut walked, &mut dir_skips, &mut Seen::default())?;
            if walked.is_empty() && dir_skips.is_empty() {
                return Err(Error::EmptyDirectory { path: p.clone() });
            }
            skipped.extend(dir_skips.into_iter().map(|(at, s)| (at + files.len(), s)));
            files.extend(walked.into_iter().map(|w| (w, true)));
        } else {
            files.push((p.clone(), false));
        }
    }
    // Skips found by the walk come before the file they were found beside: their place is
    // the count of inputs before the first file walked after them, kept as a file index here.
    let mut out = Expanded::default();
    let mut walk_skips = skipped.into_iter().peekable();
    for (n, (path, walked)) in files.into_iter().enumerate() {
        while let Some((_, s)) = walk_skips.next_if(|(at, _)| *at <= n) {
            out.skipped.push((out.inputs.len(), s));
        }
        match zip_members(&path, password, !walked)? {
            Some(members) => {
                for m in members {
                    match m {
                        Ok(m) => out.inputs.push(InputRef { path: path.clone(), member: Some(m), walked }),
                        Err(s) => out.skipped.push((out.inputs.len(), s)),
                    }
                }
            }
            None => out.inputs.push(InputRef { path, member: None, walked }),
        }
    }
    out.skipped.extend(walk_skips.map(|(_, s)| (out.inputs.len(), s)));
    Ok(out)
}

/// Files and folders seen on a walk, by device and inode, so a file reachable twice (through
/// a link) is read once and a link back up the tree ends.
#[derive(Default)]
struct Seen(std::collections::HashSet<(u64, u64)>);

impl Seen {
    /// Whether this is the first time; always true where there are no inode numbers.
    fn file(&mut self, meta: &std::fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            self.0.insert((meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            true
        }
    }
}

/// The files under `dir`, recursively, sorted, hidden entries skipped.
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    walk_into(dir, out, &mut Vec::new(), &mut Seen::default())
}

/// [`walk`], with broken links listed in `skipped` (each with the number of files found before
/// it) and every file and folder taken once however many links lead to it.
fn walk_into(dir: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<(usize, Skipped)>, seen: &mut Seen) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(dir) {
        seen.file(&meta);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                let is_link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
                let reason = if is_link { "broken link".to_string() } else { format!("could not be read: {e}") };
                skipped.push((out.len(), Skipped::new(&p, reason)));
                continue;
            }
        };
        if !seen.file(&meta) {
            // Reached before through another link: read once.
            continue;
        }
        if meta.is_dir() {
            walk_into(&p, out, skipped, seen)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// A zip member to scan (its index and name), or one left out and why.
type ZipMember = std::result::Result<(usize, String), Skipped>;

/// The members of a zip archive to scan (or, for members left out, why), or `None` when
/// `path` is not a zip archive (or is a spreadsheet, which is a zip of XML that the sheet
/// reader handles). `direct`: named on the command line, where encrypted members without a
/// password are an error rather than skips.
fn zip_members(path: &Path, password: &Password, direct: bool) -> Result<Option<Vec<ZipMember>>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    let mut head = [0u8; 4];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    if f.read(&mut head).map_err(|e| Error::io(path, e))? < 4 || Compression::sniff(&head) != Compression::Zip {
        return Ok(None);
    }
    let mut zip = match zip::ZipArchive::new(File::open(path).map_err(|e| Error::io(path, e))?) {
        Ok(z) => z,
        Err(e) if direct => return Err(Error::input(path, 0, format!("not a readable zip archive: {e}"))),
        // A damaged zip in a folder: the scan opens it again and skips it with this reason.
        Err(_) => return Ok(None),
    };
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    if names.iter().any(|n| n == "xl/workbook.xml" || n == "xl/workbook.bin" || n == "content.xml" || n == "mimetype") {
        return Ok(None);
    }
    if let Some(what) = members::document_kind(names.iter().map(String::as_str)) {
        if direct {
            return Err(Error::NotADump { path: path.to_path_buf(), reason: what.into(), help: String::new() });
        }
        return Ok(Some(vec![Err(Skipped::new(path, what))]));
    }
    let mut members = Vec::new();
    for i in 0..zip.len() {
        let f = match zip.by_index_raw(i) {
            Ok(f) => f,
            Err(e) if direct => return Err(Error::input(path, 0, format!("zip member {i}: {e}"))),
            Err(e) => {
                members.push(Err(Skipped::new(Path::new(&format!("{}:member {i}", path.display())), format!("corrupt: {e}"))));
                continue;
            }
        };
        if f.is_dir() {
            continue;
        }
        let name = crate::nik::mask::mask_digits(&String::from_utf8_lossy(f.name_raw()));
        match members::zip_skip(&name, f.size(), f.compressed_size(), f.encrypted(), password) {
            Some(reason) if reason == "encrypted" && direct => {
                return Err(Error::Password { path: path.to_path_buf(), problem: Failure::NeedsPassword });
            }
            Some(reason) => members.push(Err(Skipped::new(&InputRef { path: path.to_path_buf(), member: Some((i, name)), walked: !direct }.display(), reason))),
            None => members.push(Ok((i, name))),
        }
    }
    Ok(Some(members))
}

/// Opens one input and picks how to read it.
pub fn open(input: &InputRef, mode: MmapMode) -> Result<Opened> {
    open_with(input, mode, &Password::default())
}

/// [`open`], with the password for an encrypted zip member.
pub fn open_with(input: &InputRef, mode: MmapMode, password: &Password) -> Result<Opened> {
    let path = &input.path;
    if let Some((index, _)) = &input.member {
        return open_member(input, *index, password);
    }
    if path.as_os_str() == "-" {
        return stream(path, 0, Box::new(io::stdin()));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, io::Error::new(io::ErrorKind::IsADirectory, "is a directory")));
    }
    if meta.len() == 0 && meta.is_file() {
        return Ok(Opened { path: path.clone(), bytes: 0, compression: Compression::None, encoding: "utf-8", kind: Kind::Dump, body: Body::Empty, raw_read: Default::default(), container: None });
    }
    if mode == MmapMode::Auto && meta.is_file() && meta.len() > crate::machine::available_memory() && is_uncompressed(&file) {
        // Larger than memory, read once: the page cache cannot keep it, and faulting a map in
        // page by page was the slowest way to read it cold (45 s against 39 s streamed for
        // 32.5 GB on two cores). Stream it, dropping what was read from the cache.
        return stream(path, meta.len(), Box::new(DropBehind::new(file)));
    }
    if mode == MmapMode::Auto && meta.is_file() {
        // SAFETY: the map is read-only and lives no longer than this scan; nothing borrowed
        // from it escapes (NIKs leave it as u64 keys). If another process truncates the file
        // while we read, the worst outcome is a SIGBUS that ends takar, the same trade-off
        // ripgrep makes; files that change under us are not a use case for a forensic count.
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            let compression = Compression::sniff(&map[..map.len().min(64 << 10)]);
            let kind = if matches!(compression, Compression::None | Compression::Zip) { kind::sniff(&map[..map.len().min(kind::HEAD)]) } else { Kind::Dump };
            if kind != Kind::Dump || is_plain_text(&map) {
                return Ok(Opened {
                    path: path.clone(),
                    bytes: meta.len(),
                    compression: Compression::None,
                    encoding: "utf-8",
                    kind,
                    body: Body::Mapped(map),
                    raw_read: Default::default(),
                    container: None,
                });
            }
            // Several zstd frames or gzip members decode in parallel from the map; a single
            // one is streamed below, as before. The map moves into the decoder, whose threads
            // are joined when the reader drops at the end of this input's scan, so the SAFETY
            // note above holds for it unchanged.
            if matches!(compression, Compression::Zstd | Compression::Gzip) {
                let count = Arc::new(AtomicU64::new(0));
                if let Some(reader) = parallel_decode::open(Arc::new(map), compression, count.clone()) {
                    return finish_stream(path, meta.len(), compression, Box::new(reader), count);
                }
            }
        }
    }
    stream(path, meta.len(), Box::new(file))
}

/// Whether a file's first bytes show no compression (a compressed file is mapped even when
/// large: several frames or members then decode in parallel from the map). The file is left
/// at its start; a failed read or rewind answers no, and the file is mapped as before.
fn is_uncompressed(mut file: &File) -> bool {
    let mut head = Vec::with_capacity(512);
    let read = file.take(512).read_to_end(&mut head).is_ok();
    read && file.rewind().is_ok() && Compression::sniff(&head) == Compression::None
}

/// A file read once, front to back, that is larger than memory: the kernel is asked for
/// sequential read-ahead and told, every [`DROP_EVERY`] bytes, to drop the pages already
/// read. They could not stay cached anyway; dropping them spares the page cache's reclaim
/// work, which otherwise runs on the cores the parser needs (what `dd iflag=nocache` does).
struct DropBehind {
    file: File,
    read: u64,
    dropped: u64,
}

const DROP_EVERY: u64 = 64 << 20;

impl DropBehind {
    fn new(file: File) -> DropBehind {
        advise(&file, 0, 0, Advice::Sequential);
        DropBehind { file, read: 0, dropped: 0 }
    }
}

impl Read for DropBehind {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if self.read - self.dropped >= DROP_EVERY || (n == 0 && self.read > self.dropped) {
            advise(&self.file, self.dropped, self.read - self.dropped, Advice::DontNeed);
            self.dropped = self.read;
        }
        Ok(n)
    }
}

enum Advice {
    Sequential,
    DontNeed,
}

/// `posix_fadvise`: a hint, so a failure changes nothing and is ignored.
#[cfg(target_os = "linux")]
fn advise(file: &File, offset: u64, len: u64, advice: Advice) {
    use std::os::fd::AsRawFd;
    let advice = match advice {
        Advice::Sequential => libc::POSIX_FADV_SEQUENTIAL,
        Advice::DontNeed => libc::POSIX_FADV_DONTNEED,
    };
    // SAFETY: a system call on a file descriptor this struct owns, with plain integer
    // arguments; it reads or writes no memory of ours.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), offset as libc::off_t, len as libc::off_t, advice);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_: &File, _: u64, _: u64, _: Advice) {}

/// A streamed zip member is decompressed by its own thread, 1 MiB at a time, up to four
/// blocks ahead of the scan.
const MEMBER_BLOCKS: Plan = Plan { block: 1 << 20, headroom: 0, ahead: 4 };

/// Streams one zip member: a thread owns the archive and sends decompressed blocks. A wrong
/// password is found here, before the thread starts (the check bytes of ZipCrypto and AES).
fn open_member(input: &InputRef, index: usize, password: &Password) -> Result<Opened> {
    let path = input.path.clone();
    let mut zip = zip::ZipArchive::new(File::open(&path).map_err(|e| Error::io(&path, e))?)
        .map_err(|e| Error::input(&path, 0, format!("not a readable zip archive: {e}")))?;
    let (compressed, encrypted) = zip.by_index_raw(index).map(|f| (f.compressed_size(), f.encrypted())).unwrap_or((0, false));
    let password = if encrypted { password.get().map(|p| p.as_bytes().to_vec()) } else { None };
    if let Some(pw) = &password {
        match zip.by_index_decrypt(index, pw) {
            Err(zip::result::ZipError::InvalidPassword) => return Err(Error::Password { path: input.display(), problem: Failure::WrongPassword }),
            Err(e) => return Err(Error::input(input.display(), 0, format!("unreadable zip member: {e}"))),
            Ok(_) => {}
        }
    }
    let blocks = blocks::spawn(MEMBER_BLOCKS, move |sink| {
        let member = match &password {
            Some(pw) => zip.by_index_decrypt(index, pw),
            None => zip.by_index(index),
        };
        let mut member = member.map_err(|e| io::Error::other(e.to_string()))?;
        sink.pump(&mut member)
    });
    member_stream(input, compressed, Box::new(BlockReader::new(blocks)))
}

/// Opens a zip member from its decoded bytes: a slice to parse in one pass when it is plain
/// UTF-8 text ([`is_plain_text`], as for a mapped file), else the same stream setup as a
/// streamed member (nested compression, transcoding), so its `inputs` entry is the same.
pub(crate) fn open_decoded(input: &InputRef, compressed: u64, decoded: Vec<u8>) -> Result<Opened> {
    if kind::sniff(&decoded[..decoded.len().min(kind::HEAD)]) == Kind::Dump && is_plain_text(&decoded) {
        let body = Body::Decoded(decoded);
        return Ok(Opened {
            path: input.display(),
            bytes: compressed,
            compression: Compression::Zip,
            encoding: "utf-8",
            kind: Kind::Dump,
            body,
            raw_read: Default::default(),
            container: None,
        });
    }
    member_stream(input, compressed, Box::new(Cursor::new(decoded)))
}

/// A member's decoded bytes as a stream; its compression is `zip` unless the bytes are
/// compressed again inside.
fn member_stream(input: &InputRef, compressed: u64, decoded: Box<dyn Read + Send>) -> Result<Opened> {
    let mut opened = stream(&input.display(), compressed, decoded)?;
    if opened.compression == Compression::None {
        opened.compression = Compression::Zip;
    }
    Ok(opened)
}

/// Opens a member of a container (tar, 7z, or a zip inside another container) from its
/// stream, like a streamed zip member: `compression` says `container` (`tar`, `7z`, `zip`)
/// unless the member's own bytes are compressed.
pub fn open_member_stream(name: &Path, bytes: u64, container: &'static str, body: Box<dyn Read + Send>) -> Result<Opened> {
    let mut opened = stream(name, bytes, body)?;
    opened.container = (opened.compression == Compression::None).then_some(container);
    Ok(opened)
}

/// Wraps a raw stream in the decoder its magic bytes call for, then in a transcoder if the
/// text is not UTF-8. A container, document or non-dump is told by its first bytes and comes
/// back with its [`Kind`], its bytes untouched.
fn stream(path: &Path, bytes: u64, raw: Box<dyn Read + Send>) -> Result<Opened> {
    let count = Arc::new(AtomicU64::new(0));
    let mut counting = Counting { inner: raw, count: count.clone() };
    let mut head = Vec::with_capacity(kind::HEAD);
    (&mut counting).take(kind::HEAD as u64).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
    let compression = Compression::sniff(&head);
    let kind = if matches!(compression, Compression::None | Compression::Zip) { kind::sniff(&head) } else { Kind::Dump };
    let reader = BufReader::with_capacity(1 << 20, Cursor::new(head).chain(counting));
    if kind != Kind::Dump {
        return Ok(Opened { path: path.to_path_buf(), bytes, compression: Compression::None, encoding: "utf-8", kind, body: Body::Stream(Box::new(reader)), raw_read: count, container: None });
    }
    let decoded: Box<dyn Read + Send> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| Error::io(path, e))?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new(reader, true)),
        Compression::None | Compression::Zip => Box::new(reader),
    };
    finish_stream(path, bytes, compression, decoded, count)
}

/// Refuses a decompressed stream that grows past [`BOMB_SIZE`](members::BOMB_SIZE) and to more
/// than [`BOMB_RATIO`](members::BOMB_RATIO) times the compressed bytes read: a compression
/// bomb. A dump compresses ten- or twentyfold; this only stops what no dump is.
struct RatioGuard {
    inner: Box<dyn Read + Send>,
    raw: Arc<AtomicU64>,
    decoded: u64,
}

impl Read for RatioGuard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.decoded += n as u64;
        if self.decoded > members::BOMB_SIZE && self.decoded / self.raw.load(Ordering::Relaxed).max(1) > members::BOMB_RATIO {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("expands more than {} times past {} bytes (a compression bomb?); refusing to go on", members::BOMB_RATIO, members::BOMB_SIZE),
            ));
        }
        Ok(n)
    }
}

/// Completes the opening of a decoded stream: samples the text to decide its encoding, puts
/// the sample back in front, and transcodes if the text is not UTF-8. `count` is the raw-byte
/// counter that error offsets come from. What a compressed stream holds is sniffed again: a
/// `.tar.gz` is a tar.
fn finish_stream(path: &Path, bytes: u64, compression: Compression, decoded: Box<dyn Read + Send>, count: Arc<AtomicU64>) -> Result<Opened> {
    let mut sample = Vec::with_capacity(64 << 10);
    let mut decoded: Box<dyn Read + Send> =
        if compression == Compression::None { decoded } else { Box::new(RatioGuard { inner: decoded, raw: count.clone(), decoded: 0 }) };
    let decode_error = |e: io::Error| -> Error {
        if compression == Compression::None {
            Error::io(path, e)
        } else {
            Error::Decompress { path: path.to_path_buf(), offset: count.load(Ordering::Relaxed), kind: compression.as_str(), source: e }
        }
    };
    let complete = (&mut decoded).take(64 << 10).read_to_end(&mut sample).map_err(decode_error)? < (64 << 10);
    let kind = if compression == Compression::None { Kind::Dump } else { kind::sniff(&sample[..sample.len().min(kind::HEAD)]) };
    // Before any transcoding makes other characters of its bytes: a PNG read as Windows-1252
    // no longer starts with the PNG magic. Containers and documents were told apart above.
    if kind == Kind::Dump {
        check_magic(path, &sample)?;
    }
    let encoding = if kind == Kind::Dump { text_encoding(&sample, complete) } else { None };
    let rejoined: Box<dyn Read + Send> = Box::new(Cursor::new(sample).chain(decoded));
    let (body, encoding_name): (Box<dyn Read + Send>, &'static str) = match encoding {
        None => (rejoined, "utf-8"),
        Some(enc) => (
            Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).bom_sniffing(true).build(rejoined)),
            match enc.name() {
                "UTF-16LE" => "utf-16le",
                "UTF-16BE" => "utf-16be",
                _ => "windows-1252",
            },
        ),
    };
    Ok(Opened { path: path.to_path_buf(), bytes, compression, encoding: encoding_name, kind, body: Body::Stream(body), raw_read: count, container: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The drop-behind reader (files larger than memory) reads every byte, in order, past a
    /// drop and through the last one at the end; what it advises the kernel changes no byte.
    /// Only an uncompressed file takes that path.
    #[test]
    fn drop_behind_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dump.csv");
        let bytes: Vec<u8> = (0..(DROP_EVERY as usize + 123_457)).map(|i| b"0123456789,\n"[i % 12]).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut read = Vec::new();
        DropBehind::new(File::open(&path).unwrap()).read_to_end(&mut read).unwrap();
        assert_eq!(read.len(), bytes.len());
        assert!(read == bytes);
        let file = File::open(&path).unwrap();
        assert!(is_uncompressed(&file));
        // The sniff leaves the file at its start, where the stream then reads it from.
        let mut again = Vec::new();
        DropBehind::new(file).read_to_end(&mut again).unwrap();
        assert!(again == bytes);
        let gz = dir.path().join("dump.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &bytes[..1000]).unwrap();
        enc.finish().unwrap();
        assert!(!is_uncompressed(&File::open(&gz).unwrap()));
    }
}
