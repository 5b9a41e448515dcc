//! The one place that decides how an input's bytes are read: a memory map for regular
//! uncompressed files, a stream for stdin, pipes and compressed files (detected by magic bytes,
//! not by file name). A failed map falls back to streaming, never to an error.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::error::{Error, Result};

/// When to memory-map (`--mmap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MmapMode {
    /// Map regular, uncompressed files.
    #[default]
    Auto,
    Never,
}

/// Container/compression of an input, detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zip => "zip",
        }
    }

    fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            [b'B', b'Z', b'h', ..] => Compression::Bzip2,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
            [b'P', b'K', 0x03, 0x04, ..] => Compression::Zip,
            _ => Compression::None,
        }
    }
}

/// The bytes of an input, mapped or streamed.
pub enum Body {
    Mapped(Mmap),
    /// A file of length zero (which cannot be mapped everywhere).
    Empty,
    Stream(Box<dyn Read + Send>),
}

pub struct Opened {
    pub path: PathBuf,
    /// Size on disk (compressed size for compressed files; 0 for stdin until read).
    pub bytes: u64,
    pub compression: Compression,
    pub body: Body,
    /// Raw (compressed) bytes read so far, for error offsets of streamed inputs.
    pub raw_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Counts bytes read from the raw file, so decompression errors can name an offset.
pub struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Expands directories (recursively, sorted) into the files they hold; `-` stays stdin.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            out.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            if out.len() == before {
                return Err(Error::EmptyDirectory { path: p.clone() });
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
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

/// Opens one input and picks how to read it.
pub fn open(path: &Path, mode: MmapMode) -> Result<Opened> {
    if path.as_os_str() == "-" {
        return Ok(stream(path, 0, Box::new(io::stdin())));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, io::Error::new(io::ErrorKind::IsADirectory, "is a directory")));
    }
    if meta.len() == 0 && meta.is_file() {
        return Ok(Opened { path: path.to_path_buf(), bytes: 0, compression: Compression::None, body: Body::Empty, raw_read: Default::default() });
    }
    if mode == MmapMode::Auto && meta.is_file() {
        // SAFETY: the map is read-only and lives no longer than this scan; nothing borrowed
        // from it escapes (NIKs leave it as u64 keys). If another process truncates the file
        // while we read, the worst outcome is a SIGBUS that ends takar, the same trade-off
        // ripgrep makes; files that change under us are not a use case for a forensic count.
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            if Compression::sniff(&map[..map.len().min(8)]) == Compression::None {
                return Ok(Opened {
                    path: path.to_path_buf(),
                    bytes: meta.len(),
                    compression: Compression::None,
                    body: Body::Mapped(map),
                    raw_read: Default::default(),
                });
            }
        }
    }
    Ok(stream(path, meta.len(), Box::new(file)))
}

/// Wraps a raw stream in the decoder its magic bytes call for.
fn stream(path: &Path, bytes: u64, raw: Box<dyn Read + Send>) -> Opened {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut reader = BufReader::with_capacity(1 << 20, Counting { inner: raw, count: count.clone() });
    let head = reader.fill_buf().map(|b| b[..b.len().min(8)].to_vec()).unwrap_or_default();
    let compression = Compression::sniff(&head);
    let body: Box<dyn Read + Send> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => match zstd::stream::read::Decoder::with_buffer(reader) {
            Ok(d) => Box::new(d),
            Err(e) => Box::new(FailingReader(Some(e))),
        },
        _ => Box::new(reader),
    };
    Opened { path: path.to_path_buf(), bytes, compression, body: Body::Stream(body), raw_read: count }
}

/// A reader that reports one stored error (a decoder that could not start).
struct FailingReader(Option<io::Error>);

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(self.0.take().unwrap_or_else(|| io::Error::other("decoder failed")))
    }
}
