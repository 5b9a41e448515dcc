//! The one place that decides how an input's bytes are read: a memory map for regular,
//! uncompressed UTF-8 files; a stream for stdin, pipes, compressed files (gzip, zstd, bzip2,
//! xz, detected by magic bytes, not by file name), zip archive members, and text that must be
//! transcoded (UTF-16 with a BOM, or Windows-1252 when the bytes are not UTF-8). A regular
//! zstd file of several frames or gzip file of several members is mapped too and decoded in
//! parallel ([`parallel_decode`](super::parallel_decode)); it still reaches the scan as a
//! stream. A failed map falls back to streaming, never to an error. A zip member decoded ahead
//! in memory ([`zip_ahead`](super::zip_ahead)) reaches the scan as a byte slice, like a map.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use memmap2::Mmap;

use super::blocks::{self, BlockReader, Plan};
use super::compression::Compression;
use super::decode as parallel_decode;
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
    pub body: Body,
    /// Raw (compressed) bytes read so far, for error offsets of streamed inputs.
    pub raw_read: Arc<AtomicU64>,
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

/// A zip member larger than this, and more than `BOMB_RATIO` times its compressed size, is
/// refused before decompression.
const BOMB_SIZE: u64 = 1 << 30;
const BOMB_RATIO: u64 = 1000;

/// Expands directories (recursively, sorted) into their files and zip archives into their
/// members; `-` stays stdin. Spreadsheets (zip files holding a workbook) stay whole.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<InputRef>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            files.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let before = files.len();
            walk(p, &mut files)?;
            if files.len() == before {
                return Err(Error::EmptyDirectory { path: p.clone() });
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        match zip_members(&path)? {
            Some(members) => out.extend(members.into_iter().map(|m| InputRef { path: path.clone(), member: Some(m) })),
            None => out.push(InputRef { path, member: None }),
        }
    }
    Ok(out)
}

/// The files under `dir`, recursively, sorted, hidden entries skipped.
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
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
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// The members of a zip archive to scan, or `None` when `path` is not a zip archive (or is a
/// spreadsheet, which is a zip of XML that the sheet reader handles).
fn zip_members(path: &Path) -> Result<Option<Vec<(usize, String)>>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    let mut head = [0u8; 4];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    if f.read(&mut head).map_err(|e| Error::io(path, e))? < 4 || Compression::sniff(&head) != Compression::Zip {
        return Ok(None);
    }
    let mut zip = zip::ZipArchive::new(File::open(path).map_err(|e| Error::io(path, e))?)
        .map_err(|e| Error::input(path, 0, format!("not a readable zip archive: {e}")))?;
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    if names.iter().any(|n| n == "xl/workbook.xml" || n == "xl/workbook.bin" || n == "content.xml" || n == "mimetype") {
        return Ok(None);
    }
    let mut members = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| Error::input(path, 0, format!("zip member {i}: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = crate::nik::mask::mask_digits(&String::from_utf8_lossy(f.name_raw()));
        if f.size() > BOMB_SIZE && f.size() / f.compressed_size().max(1) > BOMB_RATIO {
            return Err(Error::input(
                path,
                f.header_start(),
                format!("zip member {name} claims {} bytes from {} (a zip bomb?); refusing to expand it", f.size(), f.compressed_size()),
            ));
        }
        members.push((i, name));
    }
    Ok(Some(members))
}

/// Opens one input and picks how to read it.
pub fn open(input: &InputRef, mode: MmapMode) -> Result<Opened> {
    let path = &input.path;
    if let Some((index, _)) = &input.member {
        return open_member(input, *index);
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
        return Ok(Opened { path: path.clone(), bytes: 0, compression: Compression::None, encoding: "utf-8", body: Body::Empty, raw_read: Default::default() });
    }
    if mode == MmapMode::Auto && meta.is_file() {
        // SAFETY: the map is read-only and lives no longer than this scan; nothing borrowed
        // from it escapes (NIKs leave it as u64 keys). If another process truncates the file
        // while we read, the worst outcome is a SIGBUS that ends takar, the same trade-off
        // ripgrep makes; files that change under us are not a use case for a forensic count.
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            if is_plain_text(&map) {
                return Ok(Opened {
                    path: path.clone(),
                    bytes: meta.len(),
                    compression: Compression::None,
                    encoding: "utf-8",
                    body: Body::Mapped(map),
                    raw_read: Default::default(),
                });
            }
            // Several zstd frames or gzip members decode in parallel from the map; a single
            // one is streamed below, as before. The map moves into the decoder, whose threads
            // are joined when the reader drops at the end of this input's scan, so the SAFETY
            // note above holds for it unchanged.
            let compression = Compression::sniff(&map[..map.len().min(64 << 10)]);
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

/// A streamed zip member is decompressed by its own thread, 1 MiB at a time, up to four
/// blocks ahead of the scan.
const MEMBER_BLOCKS: Plan = Plan { block: 1 << 20, headroom: 0, ahead: 4 };

/// Streams one zip member: a thread owns the archive and sends decompressed blocks.
fn open_member(input: &InputRef, index: usize) -> Result<Opened> {
    let path = input.path.clone();
    let mut zip = zip::ZipArchive::new(File::open(&path).map_err(|e| Error::io(&path, e))?)
        .map_err(|e| Error::input(&path, 0, format!("not a readable zip archive: {e}")))?;
    let compressed = zip.by_index_raw(index).map(|f| f.compressed_size()).unwrap_or(0);
    let blocks = blocks::spawn(MEMBER_BLOCKS, move |sink| {
        let mut member = zip.by_index(index).map_err(|e| io::Error::other(e.to_string()))?;
        sink.pump(&mut member)
    });
    member_stream(input, compressed, Box::new(BlockReader::new(blocks)))
}

/// Opens a zip member from its decoded bytes: a slice to parse in one pass when it is plain
/// UTF-8 text ([`is_plain_text`], as for a mapped file), else the same stream setup as a
/// streamed member (nested compression, transcoding), so its `inputs` entry is the same.
pub(crate) fn open_decoded(input: &InputRef, compressed: u64, decoded: Vec<u8>) -> Result<Opened> {
    if is_plain_text(&decoded) {
        let body = Body::Decoded(decoded);
        return Ok(Opened { path: input.display(), bytes: compressed, compression: Compression::Zip, encoding: "utf-8", body, raw_read: Default::default() });
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

/// Wraps a raw stream in the decoder its magic bytes call for, then in a transcoder if the
/// text is not UTF-8.
fn stream(path: &Path, bytes: u64, raw: Box<dyn Read + Send>) -> Result<Opened> {
    let count = Arc::new(AtomicU64::new(0));
    let mut reader = BufReader::with_capacity(1 << 20, Counting { inner: raw, count: count.clone() });
    let head = reader.fill_buf().map(|b| b[..b.len().min(8)].to_vec()).map_err(|e| Error::io(path, e))?;
    let compression = Compression::sniff(&head);
    let decoded: Box<dyn Read + Send> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| Error::io(path, e))?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new(reader, true)),
        // A zip archive read from a pipe cannot be listed (its directory is at the end).
        Compression::Zip => {
            return Err(Error::input(path, 0, "a zip archive on stdin cannot be read; give it as a file"));
        }
        Compression::None => Box::new(reader),
    };
    finish_stream(path, bytes, compression, decoded, count)
}

/// Completes the opening of a decoded stream: samples the text to decide its encoding, puts
/// the sample back in front, and transcodes if the text is not UTF-8. `count` is the raw-byte
/// counter that error offsets come from.
fn finish_stream(path: &Path, bytes: u64, compression: Compression, decoded: Box<dyn Read + Send>, count: Arc<AtomicU64>) -> Result<Opened> {
    let mut sample = Vec::with_capacity(64 << 10);
    let mut decoded = decoded;
    let decode_error = |e: io::Error| -> Error {
        if compression == Compression::None {
            Error::io(path, e)
        } else {
            Error::Decompress { path: path.to_path_buf(), offset: count.load(Ordering::Relaxed), kind: compression.as_str(), source: e }
        }
    };
    let complete = (&mut decoded).take(64 << 10).read_to_end(&mut sample).map_err(decode_error)? < (64 << 10);
    // Before any transcoding makes other characters of its bytes: a PNG read as Windows-1252
    // no longer starts with the PNG magic.
    check_magic(path, &sample)?;
    let encoding = text_encoding(&sample, complete);
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
    Ok(Opened { path: path.to_path_buf(), bytes, compression, encoding: encoding_name, body: Body::Stream(body), raw_read: count })
}
