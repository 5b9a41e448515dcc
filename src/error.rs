//! takar's one error type. Every variant names the file (and the byte offset or line where it
//! helps). An invalid NIK is never an error: it is counted data. No message carries raw dump
//! bytes or a raw NIK. Exit codes live here too: 1 for input/output failures (2 is clap's usage
//! error, set in `main.rs`).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", shown(path))]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{}: is a directory with no files to scan", shown(path))]
    EmptyDirectory { path: PathBuf },

    #[error("{}: byte {offset}: {message}", shown(path))]
    Input { path: PathBuf, offset: u64, message: String },

    /// Not text at all: known magic bytes (an image, a PDF, an executable, an archive takar does
    /// not read) or a share of NUL and control bytes no text has. `kind` says which, in words
    /// fit for a list of skipped files ([`BinaryKind::as_str`]); `what` names it exactly.
    #[error("{}: byte {offset}: binary data ({what}), not a text dump; is it a spreadsheet or an unsupported archive?", shown(path))]
    Binary { path: PathBuf, offset: u64, kind: BinaryKind, what: &'static str },

    #[error("{}: byte {offset}: cannot decompress ({kind}): {source}", shown(path))]
    Decompress { path: PathBuf, offset: u64, kind: &'static str, source: std::io::Error },

    #[error("{}: {message}", shown(path))]
    Column { path: PathBuf, message: String },

    #[error("{}: cannot write Parquet: {source}", shown(path))]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },

    #[error("{}: cannot write Arrow data: {source}", shown(path))]
    Arrow { path: PathBuf, source: arrow::error::ArrowError },

    #[error("{}: output holds a 16-digit number (possible raw NIK); nothing was written", shown(path))]
    LeakGuard { path: PathBuf },

    /// The pseudonym key (`src/keyring.rs`): a missing, malformed or too-open key file, or no OS
    /// randomness to make one. The message never holds the key or the file's contents.
    #[error("{}{message}", key_file(path.as_deref()))]
    Key { path: Option<PathBuf>, message: String },

    /// A keys file (`keys.takar`, `src/report/keys_file.rs`) that is not one or is damaged:
    /// wrong magic, unknown version, bad header, a body that disagrees with its header. The
    /// message says what and where, never a pseudonym.
    #[error("{}: not a valid keys file: {message}", shown(path))]
    KeysFile { path: PathBuf, message: String },

    /// A file of an output folder that `takar report DIR` cannot read back (missing, not
    /// takar's JSON or Parquet).
    #[error("{}: {message}", shown(path))]
    Report { path: PathBuf, message: String },

    /// An encrypted archive without a password, or with one that does not open it. The
    /// password itself is never part of a message.
    #[error("{}: {}", shown(path), password_problem(problem))]
    Password { path: PathBuf, problem: crate::input::members::Failure },

    /// An input that is not a dump (an image, a RAR archive, a PDF without NIK text, ...):
    /// skipped inside a collection, an error when named on the command line. `reason` is the
    /// plain words the skipped list shows; `help` says what to do instead, if anything.
    #[error("{}: {reason}, not a dump{help}", shown(path))]
    NotADump { path: PathBuf, reason: String, help: String },

    /// An archive that cannot be read (on) as a whole: a damaged directory or header, the
    /// stream under a tar cut short. Names the archive, and the byte where it is known.
    #[error("{}: {message}", shown(path))]
    Archive { path: PathBuf, message: String },

    /// A collection (a folder, an archive) in which nothing at all could be read.
    #[error("{}: nothing to scan: {skipped} file{s} skipped, none read (first: {first})", shown(path), s = if *skipped == 1 { "" } else { "s" })]
    NothingRead { path: PathBuf, skipped: usize, first: String },

    /// `--strict`: an input that would have been skipped.
    #[error("{path}: {reason} (--strict makes every skipped file an error)")]
    Strict { path: String, reason: String },

    /// The report could not be written to stdout (a full disk, a closed terminal). `note`
    /// says what happened to the output files, so the message tells what was and was not
    /// written.
    #[error("cannot write the report to stdout: {source}{note}")]
    Stdout { source: std::io::Error, note: String },

    #[error("{0}")]
    Usage(String),
}

fn password_problem(problem: &crate::input::members::Failure) -> String {
    use crate::input::members::Failure;
    match problem {
        Failure::NeedsPassword => {
            "encrypted: a password is needed (give it with --password, --password-file FILE or the TAKAR_PASSWORD environment variable)".into()
        }
        Failure::WrongPassword => "the password given does not open it (a wrong password, or corrupt data)".into(),
        Failure::Corrupt { message, offset: Some(at) } => format!("byte {at}: {message}"),
        Failure::Corrupt { message, offset: None } => message.clone(),
    }
}

/// What kind of binary (non-text) input [`Error::Binary`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryKind {
    Image,
    Pdf,
    Executable,
    /// An archive or compressed stream takar does not open here (tar, 7z, RAR, or one nested
    /// in a way it does not follow).
    Archive,
    /// An office document in a format takar does not read (OLE2 `.doc`, `.msg`).
    Document,
    Database,
    /// Audio or video.
    Media,
    /// No known magic, but NUL and control bytes no text holds.
    Data,
}

impl BinaryKind {
    /// The kind in plain words: `image`, `PDF`, `executable`, `archive`, `document`,
    /// `database`, `audio or video`, `binary data`.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryKind::Image => "image",
            BinaryKind::Pdf => "PDF",
            BinaryKind::Executable => "executable",
            BinaryKind::Archive => "archive",
            BinaryKind::Document => "document",
            BinaryKind::Database => "database",
            BinaryKind::Media => "audio or video",
            BinaryKind::Data => "binary data",
        }
    }
}

/// The prefix of a key error: the key file's path when there is one.
fn key_file(path: Option<&std::path::Path>) -> String {
    match path {
        Some(path) => format!("{}: ", shown(path)),
        None => "key: ".to_string(),
    }
}

/// A path as shown in messages: any NIK-like run (a file named after a NIK) is masked.
pub fn shown(path: &std::path::Path) -> String {
    crate::nik::mask::mask_digits(&path.display().to_string())
}

/// The one line an error is shown as: its message, then each cause in its chain that the
/// message does not already hold (takar's errors print their `source` themselves, so `{:#}`
/// would say an OS error twice), joined by `: `; masked as a whole
/// ([`mask_digits`](crate::nik::mask::mask_digits)), whatever a message or a library's cause
/// echoed (a header, a flag's value, a file name); and kept on one line, its control
/// characters escaped (a JSON key or a file name may hold a line end or an escape sequence).
pub fn chain_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    crate::nik::mask::mask_digits(&out).chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

impl Error {
    /// Process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// A key error, about the key file at `path` when there is one.
    pub fn key(path: Option<&std::path::Path>, message: impl Into<String>) -> Error {
        Error::Key { path: path.map(std::path::Path::to_path_buf), message: message.into() }
    }

    /// A keys-file error about `path`.
    pub fn keys_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::KeysFile { path: path.into(), message: message.into() }
    }

    /// A failure to write the report to stdout; `note` (empty, or starting with `; `) says
    /// what became of the output files.
    pub fn stdout(source: std::io::Error, note: impl Into<String>) -> Error {
        Error::Stdout { source, note: note.into() }
    }

    /// An input error about `path` at byte `offset`.
    pub fn input(path: impl Into<PathBuf>, offset: u64, message: impl Into<String>) -> Error {
        Error::Input { path: path.into(), offset, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_os_error_is_said_once() {
        let err = Error::io("nope.csv", std::io::Error::from(std::io::ErrorKind::NotFound));
        let shown = chain_message(&err);
        assert_eq!(shown.matches("not found").count(), 1, "{shown}");
        assert!(shown.starts_with("nope.csv: "), "{shown}");
    }

    #[test]
    fn a_cause_the_message_does_not_hold_is_added() {
        #[derive(Debug, thiserror::Error)]
        #[error("reading stdin")]
        struct Outer(#[source] std::io::Error);
        let err = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(chain_message(&err), "reading stdin: disk on fire");
    }

    #[test]
    fn a_message_stays_on_one_line() {
        let err = Error::Column { path: "a\nb.jsonl".into(), message: "keys seen: j\nk, \u{1b}[31mred".into() };
        assert_eq!(chain_message(&err), "a\\nb.jsonl: keys seen: j\\nk, \\u{1b}[31mred");
    }

    #[test]
    fn a_nik_in_any_shape_is_masked_in_the_message() {
        let err = Error::Usage("--reference-date \"３５０７ ０１１５ ０８９０ ０００１\": expected a real date".into());
        assert_eq!(chain_message(&err), "--reference-date \"３５０７ ０１** **** ****\": expected a real date");
    }
}
