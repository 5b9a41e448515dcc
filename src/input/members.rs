//! The members of a container (tar, zip, 7z) as a sequence of streams, one at a time, in the
//! container's order. A container is read by its own thread, which owns the archive and hands
//! each member over as a [`MemberReader`] (a `Read + Send + 'static` that the scan streams like
//! any other input): tar and 7z members are only reachable through a reader that borrows the
//! archive, and a tar member is never more than a window of a stream, so a 20 GB `.tar.zst`
//! passes through in blocks, never unpacked into memory or onto disk.
//!
//! - **One member at a time.** The thread pumps a member's bytes into a small bounded channel
//!   and only moves on when the consumer has read it to its end or dropped it (a member the scan
//!   refuses after its first bytes is skipped: tar reads past its data, 7z decodes and checks
//!   it, zip seeks). The consumer must drop a member's reader before asking for the next one.
//! - **Failures.** A member whose bytes fail (a bad CRC, a cut-short stream) gets the error
//!   from its reader, never an early end: nothing half-read passes for a whole member. A
//!   container that cannot go on (its directory or headers unreadable, the stream under a tar
//!   broken, a wrong password) ends with [`Next::Failed`].
//! - **Skips** that need no reading are decided here from the container's own records:
//!   macOS metadata (`__MACOSX/`, `.DS_Store`), encrypted members when no password was given,
//!   and members whose declared size is over the zip-bomb caps ([`bomb`]).

use std::io::{self, Read, Seek};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::nik::mask::mask_digits;

/// Bytes per block a member is handed over in.
const BLOCK: usize = 1 << 20;
/// Blocks the container's thread may read ahead of the consumer.
const AHEAD: usize = 2;

/// A member larger than this, and more than `BOMB_RATIO` times its compressed size, is refused
/// before it is decoded.
pub const BOMB_SIZE: u64 = 1 << 30;
pub const BOMB_RATIO: u64 = 1000;

/// Why a member with these declared sizes is refused as a zip bomb, if it is.
pub fn bomb(size: u64, compressed: u64) -> Option<String> {
    (size > BOMB_SIZE && size / compressed.max(1) > BOMB_RATIO)
        .then(|| format!("claims {size} bytes unpacked from {compressed} (more than {BOMB_RATIO} times; a zip bomb?)"))
}

/// Whether a member name is macOS metadata that an archiver added (`__MACOSX/...`, `.DS_Store`,
/// AppleDouble `._name` files).
pub fn is_metadata(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.starts_with("__MACOSX/") || name.contains("/__MACOSX/") || base == ".DS_Store" || base.starts_with("._")
}

/// The secret that opens encrypted archives. Never printed: its `Debug` hides it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(Option<Arc<str>>);

impl Password {
    pub fn new(secret: Option<String>) -> Password {
        Password(secret.filter(|s| !s.is_empty()).map(Arc::from))
    }

    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Password(given)" } else { "Password(none)" })
    }
}

/// Why a container stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Encrypted, and no password was given.
    NeedsPassword,
    /// The password given does not open it.
    WrongPassword,
    /// Unreadable from here on: what and where (a byte offset of the container, when known).
    Corrupt { message: String, offset: Option<u64> },
}

/// What a container has next.
pub enum Next {
    Member(Member),
    /// A member left out without reading it, and why (in plain words).
    Skip { name: String, reason: String, encrypted: bool },
    Failed(Failure),
    End,
}

/// One member: its name in the container (16-digit runs masked), its declared size, and its
/// bytes.
pub struct Member {
    pub name: String,
    pub size: u64,
    pub body: MemberReader,
}

/// A member's bytes as the container's thread sends them.
pub struct MemberReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    done: bool,
}

impl Read for MemberReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(block)) => {
                    self.block = block;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.block.len() - self.at);
        out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The container thread's end.
struct Out {
    tx: SyncSender<Next>,
}

/// The consumer stopped asking: the thread ends quietly.
struct Gone;

impl Out {
    fn send(&self, next: Next) -> Result<(), Gone> {
        self.tx.send(next).map_err(|_| Gone)
    }

    fn skip(&self, name: String, reason: impl Into<String>) -> Result<(), Gone> {
        self.send(Next::Skip { name, reason: reason.into(), encrypted: false })
    }

    /// Hands a member over and pumps its bytes. `Ok(Err(e))`: reading the member failed (the
    /// consumer got `e` too). A consumer that drops the member only ends the pumping.
    fn member(&self, name: String, size: u64, reader: &mut dyn Read) -> Result<io::Result<()>, Gone> {
        let (tx, rx) = sync_channel(AHEAD);
        self.send(Next::Member(Member { name, size, body: MemberReader { rx, block: Vec::new(), at: 0, done: false } }))?;
        let mut sent = 0u64;
        loop {
            let mut b = Vec::with_capacity(BLOCK);
            match reader.take(BLOCK as u64).read_to_end(&mut b) {
                Ok(0) => {
                    if sent < size {
                        // The container ended inside the member: an error, not a short member.
                        let e = io::Error::new(io::ErrorKind::UnexpectedEof, format!("cut short: {sent} of {size} bytes"));
                        let _ = tx.send(Err(io::Error::new(e.kind(), e.to_string())));
                        return Ok(Err(e));
                    }
                    return Ok(Ok(()));
                }
                Ok(n) => {
                    sent += n as u64;
                    if tx.send(Ok(b)).is_err() {
                        return Ok(Ok(()));
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(io::Error::new(e.kind(), e.to_string())));
                    return Ok(Err(e));
                }
            }
        }
    }
}

/// The consumer's end of a container.
pub struct Members {
    rx: Option<Receiver<Next>>,
    thread: Option<JoinHandle<()>>,
}

impl Members {
    fn spawn(produce: impl FnOnce(&Out) -> Result<(), Gone> + Send + 'static) -> Members {
        let (tx, rx) = sync_channel(0);
        let thread = std::thread::spawn(move || {
            let out = Out { tx };
            // A reader library that panics on hostile bytes fails the container, never takar.
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| produce(&out))).is_err() {
                let message = "the archive reader failed on these bytes (damaged or hostile data)".to_string();
                let _ = out.send(Next::Failed(Failure::Corrupt { message, offset: None }));
            }
        });
        Members { rx: Some(rx), thread: Some(thread) }
    }

    /// The next member, skip or failure; [`Next::End`] after the last.
    pub fn next_entry(&mut self) -> Next {
        let Some(rx) = &self.rx else { return Next::End };
        match rx.recv() {
            Ok(next) => next,
            Err(_) => {
                self.rx = None;
                if let Some(Err(panic)) = self.thread.take().map(JoinHandle::join) {
                    std::panic::resume_unwind(panic);
                }
                Next::End
            }
        }
    }

    /// The members of a tar stream. `raw_read` counts the bytes read under the tar (compressed
    /// ones for a `.tar.gz`), for the offset of a failure.
    /// `under` names the compression under the tar (`gzip`, ...; `none`) for messages.
    pub fn tar(reader: Box<dyn Read + Send>, raw_read: Arc<AtomicU64>, under: &'static str) -> Members {
        Members::spawn(move |out| {
            let offset = || Some(raw_read.load(Ordering::Relaxed));
            let mut archive = tar::Archive::new(reader);
            let entries = match archive.entries() {
                Ok(e) => e,
                Err(e) => return out.send(Next::Failed(Failure::Corrupt { message: format!("not a readable tar archive: {e}"), offset: offset() })),
            };
            for entry in entries {
                let mut entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let message = match under {
                            "none" => format!("unreadable tar header: {e}"),
                            kind => format!("unreadable tar header: cannot decompress ({kind}): {e}"),
                        };
                        return out.send(Next::Failed(Failure::Corrupt { message, offset: offset() }));
                    }
                };
                let kind = entry.header().entry_type();
                let name = mask_digits(&String::from_utf8_lossy(&entry.path_bytes()));
                if !(kind.is_file() || kind.is_contiguous()) {
                    // Directories, links, devices: no bytes of their own to read.
                    continue;
                }
                if is_metadata(&name) {
                    out.skip(name, "macOS metadata")?;
                    continue;
                }
                let size = entry.size();
                if let Err(e) = out.member(name.clone(), size, &mut entry)? {
                    // The stream under the tar broke: nothing after this member can be read.
                    let message = match under {
                        "none" => format!("in member {name}: {e}"),
                        kind => format!("in member {name}: cannot decompress ({kind}): {e}"),
                    };
                    return out.send(Next::Failed(Failure::Corrupt { message, offset: offset() }));
                }
            }
            out.send(Next::End)
        })
    }

    /// The members of a zip archive (a file, or the bytes of one found inside another
    /// container). A workbook is not a container: the caller tells them apart first.
    pub fn zip<R: Read + Seek + Send + 'static>(source: R, password: Password) -> Members {
        Members::spawn(move |out| {
            let mut zip = match zip::ZipArchive::new(source) {
                Ok(z) => z,
                Err(e) => return out.send(Next::Failed(Failure::Corrupt { message: format!("not a readable zip archive: {e}"), offset: None })),
            };
            for i in 0..zip.len() {
                let (name, size, encrypted) = match zip.by_index_raw(i) {
                    Ok(f) if f.is_dir() => continue,
                    Ok(f) => {
                        let name = mask_digits(&String::from_utf8_lossy(f.name_raw()));
                        if let Some(reason) = zip_skip(&name, f.size(), f.compressed_size(), f.encrypted(), &password) {
                            out.send(Next::Skip { name, encrypted: reason == "encrypted", reason })?;
                            continue;
                        }
                        (name, f.size(), f.encrypted())
                    }
                    Err(e) => {
                        out.skip(format!("member {i}"), format!("corrupt: {e}"))?;
                        continue;
                    }
                };
                let opened = match (encrypted, password.get()) {
                    (true, Some(pw)) => zip.by_index_decrypt(i, pw.as_bytes()),
                    _ => zip.by_index(i),
                };
                match opened {
                    Ok(mut f) => {
                        if let Err(e) = out.member(name, size, &mut f)? {
                            if encrypted && is_bad_crc(&e) {
                                return out.send(Next::Failed(Failure::WrongPassword));
                            }
                        }
                    }
                    Err(zip::result::ZipError::InvalidPassword) => return out.send(Next::Failed(Failure::WrongPassword)),
                    Err(e) => out.skip(name, format!("corrupt: {e}"))?,
                }
            }
            out.send(Next::End)
        })
    }

    /// The members of a 7z archive; AES-encrypted ones (headers included) with the password.
    pub fn sevenz<R: Read + Seek + Send + 'static>(source: R, archive_bytes: u64, password: Password) -> Members {
        Members::spawn(move |out| {
            let pw = password.get().map_or_else(sevenz_rust2::Password::empty, sevenz_rust2::Password::from);
            let mut reader = match sevenz_rust2::ArchiveReader::new(source, pw) {
                Ok(r) => r,
                Err(e) => return out.send(Next::Failed(sevenz_failure(e, &password))),
            };
            let mut gone = false;
            let result = reader.for_each_entries(|entry, data| {
                if entry.is_directory || !entry.has_stream {
                    return Ok(true);
                }
                let name = mask_digits(&entry.name);
                let sent = if is_metadata(&name) {
                    out.skip(name, "macOS metadata").map(|_| Ok(()))
                } else if let Some(reason) = bomb(entry.size, entry.compressed_size.max(archive_bytes.min(entry.size))) {
                    out.skip(name, reason).map(|_| Ok(()))
                } else {
                    out.member(name, entry.size, data)
                };
                match sent {
                    Err(Gone) => {
                        gone = true;
                        Ok(false)
                    }
                    Ok(Err(e)) => Err(sevenz_rust2::Error::from(e)),
                    Ok(Ok(())) => Ok(true),
                }
            });
            if gone {
                return Err(Gone);
            }
            match result {
                Ok(()) => out.send(Next::End),
                Err(e) => out.send(Next::Failed(sevenz_failure(e, &password))),
            }
        })
    }
}

/// The kind of document a zip holding these member names is, when it is an Office or
/// OpenDocument file other than a workbook (workbooks are read): one non-dump, not a folder of
/// XML parts.
pub fn document_kind<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    for n in names {
        match n {
            "word/document.xml" => return Some("Word document"),
            "ppt/presentation.xml" => return Some("PowerPoint document"),
            "META-INF/manifest.xml" => return Some("OpenDocument or e-book"),
            _ => {}
        }
    }
    None
}

/// Why a zip member is left out unread, if it is.
pub fn zip_skip(name: &str, size: u64, compressed: u64, encrypted: bool, password: &Password) -> Option<String> {
    if is_metadata(name) {
        return Some("macOS metadata".into());
    }
    if encrypted && password.get().is_none() {
        return Some("encrypted".into());
    }
    bomb(size, compressed)
}

/// Whether a read error is a failed checksum (what a wrong ZipCrypto password that passed the
/// one-byte check turns into).
fn is_bad_crc(e: &io::Error) -> bool {
    let s = e.to_string().to_lowercase();
    s.contains("checksum") || s.contains("crc") || s.contains("invalid") || s.contains("corrupt")
}

fn sevenz_failure(e: sevenz_rust2::Error, password: &Password) -> Failure {
    use sevenz_rust2::Error as E;
    match e {
        E::PasswordRequired => Failure::NeedsPassword,
        E::MaybeBadPassword(_) => Failure::WrongPassword,
        // Garbage out of a wrong key: a checksum or a header that does not parse.
        E::ChecksumVerificationFailed | E::NextHeaderCrcMismatch | E::BadTerminatedHeader(_) if password.get().is_some() => Failure::WrongPassword,
        e => {
            let message = e.to_string();
            if password.get().is_some() && message.contains("ChecksumVerificationFailed") {
                return Failure::WrongPassword;
            }
            if password.get().is_none() && message.to_lowercase().contains("password") {
                return Failure::NeedsPassword;
            }
            Failure::Corrupt { message: format!("not a readable 7z archive: {}", mask_digits(&message)), offset: None }
        }
    }
}
