//! The pseudonym key: 32 random bytes that key the pseudonyms of NIKs and KKs
//! ([`engine::keys::pseudonym`](crate::engine::keys::pseudonym)), kept in a file as 64 hex
//! characters and a newline.
//!
//! Whoever holds the key can undo every pseudonym made with it, so the key is handled as the
//! secret it is: it never appears in a message, an error or `Debug` output. What names it
//! instead is its [fingerprint](Key::fingerprint), 16 hex characters (in groups of four joined by `:`) of a labelled BLAKE3
//! derivation, safe to print and to write beside pseudonyms (two pseudonym files compare only
//! when their fingerprints match). Errors about a key file name the file, never its contents.
//!
//! A key file must be private: [`load`](Key::load) refuses, on Unix, a file that group or others
//! may read or write (a library cannot warn and go on, and a pseudonym file is only as private
//! as its key). [`load_or_create`](Key::load_or_create) makes a new key when there is none, with
//! mode 0600 from its creation, and publishes it whole: written and synced under a temporary
//! name, then hard-linked into place, which fails when the name already exists. So two runs
//! racing to create the same key file agree on one key, and no reader ever sees a half-written
//! file. Where the file system has no hard links (FAT on a USB stick), the key is written
//! directly with `create_new` instead.
//!
//! Nothing here reads the environment: choosing between `--key-file`, `TAKAR_KEY` and the
//! per-user default is the command line's business.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::shown;
use crate::{Error, Result};

/// Bytes in a key.
pub const KEY_BYTES: usize = 32;

/// Hex characters in a written key.
pub const KEY_HEX_LEN: usize = 2 * KEY_BYTES;

/// The most bytes a key file is read for: a key, a newline and generous room for whitespace.
/// Anything longer is not a key file, and is not read into memory.
const MAX_KEY_FILE: u64 = 256;

/// BLAKE3 `derive_key` context of the fingerprint. A different label from every subkey's, so
/// the fingerprint, which is printed, says nothing about the subkeys that make pseudonyms.
const FINGERPRINT_CONTEXT: &str = "takar 2026 key fingerprint";

/// The secret key of the pseudonyms. `Debug` shows only the fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_BYTES]);

impl Key {
    /// Parses a key written as exactly 64 hex characters (either case); whitespace around it
    /// (a trailing newline) is allowed. The error says what is wrong, never what was given.
    pub fn from_hex(text: &str) -> Result<Key> {
        parse_hex(text.as_bytes()).map(Key).map_err(|message| Error::key(None, message))
    }

    /// The key as 64 lowercase hex characters: the secret itself, for the key file only.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Key> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| Error::key(None, format!("cannot read OS randomness for a new key: {e}")))?;
        Ok(Key(bytes))
    }

    /// The key's name: 16 hex characters (64 bits) of a labelled BLAKE3 derivation of the key,
    /// in four groups joined by `:` (`8bf4:f010:3aee:d472`). Safe to print; one-way, and enough
    /// to tell keys apart, not to guess one. Grouped because 16 hex characters are all decimal
    /// digits for about one key in 1,850, and a 16-digit run is what every leak guard refuses;
    /// joined by `:`, not `-` or a space, because `1234-5678-9012-3456` is a NIK to the guard
    /// ([`mask`](crate::nik::mask)).
    pub fn fingerprint(&self) -> String {
        let plain = hex(&self.derive(FINGERPRINT_CONTEXT)[..8]);
        [&plain[..4], &plain[4..8], &plain[8..12], &plain[12..]].join(":")
    }

    /// 32 bytes derived from the key for one purpose, named by `context` (BLAKE3 `derive_key`):
    /// subkeys for different contexts are independent, and none reveals the key. Crate-private
    /// so the key's bytes never leave this module except derived.
    pub(crate) fn derive(&self, context: &str) -> [u8; 32] {
        blake3::derive_key(context, &self.0)
    }

    /// Reads the key file at `path`. Errors name the path; on Unix a file that group or others
    /// may read or write is refused, with the `chmod` that fixes it.
    pub fn load(path: &Path) -> Result<Key> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        read_key_file(file, path)
    }

    /// Reads the key file at `path`, or, when there is none, makes a new key and writes it
    /// there (creating missing parent directories, mode 0700 on Unix; the file is 0600). When
    /// another process creates the file first, its key is loaded and returned instead.
    pub fn load_or_create(path: &Path) -> Result<Key> {
        match File::open(path) {
            Ok(file) => return read_key_file(file, path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path, e)),
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        create_private_dirs(dir).map_err(|e| Error::io(dir, e))?;
        let key = Key::generate()?;
        match publish(path, dir, &key) {
            Ok(Published::Created) => Ok(key),
            // Someone else's key won the race (or was there all along): use theirs.
            Ok(Published::Exists) => Key::load(path),
            Err(e) => Err(Error::io(path, e)),
        }
    }
}

impl std::fmt::Debug for Key {
    /// Only the fingerprint: a `{:?}` of a struct holding a key must not print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(fingerprint {})", self.fingerprint())
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    text
}

/// The value of one hex digit.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The key written in `text` (64 hex characters, whitespace around allowed), or what is wrong
/// with it: a count or a position, never a character of the text (a near-miss of a key is
/// almost the key).
fn parse_hex(text: &[u8]) -> std::result::Result<[u8; KEY_BYTES], String> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return Err(format!("empty: expected {KEY_HEX_LEN} hex characters"));
    }
    if let Some(at) = text.iter().position(|&c| hex_digit(c).is_none()) {
        return Err(format!("character {} is not a hex digit (a key is {KEY_HEX_LEN} hex characters)", at + 1));
    }
    if text.len() != KEY_HEX_LEN {
        return Err(format!("expected {KEY_HEX_LEN} hex characters, found {}", text.len()));
    }
    let mut key = [0u8; KEY_BYTES];
    for (byte, pair) in key.iter_mut().zip(text.chunks_exact(2)) {
        // Both digits were checked above.
        *byte = hex_digit(pair[0]).unwrap_or(0) << 4 | hex_digit(pair[1]).unwrap_or(0);
    }
    Ok(key)
}

/// Reads and parses an open key file, after checking that it is a private regular file. The
/// checks look at the open file, not the path again, so a file swapped in between is not read.
fn read_key_file(file: File, path: &Path) -> Result<Key> {
    let metadata = file.metadata().map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(Error::key(Some(path), "a key file must be a regular file"));
    }
    check_private(&metadata, path)?;
    let mut bytes = Vec::with_capacity(MAX_KEY_FILE as usize);
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(Error::key(Some(path), format!("not a key file: longer than {MAX_KEY_FILE} bytes (a key is {KEY_HEX_LEN} hex characters)")));
    }
    parse_hex(&bytes).map(Key).map_err(|message| Error::key(Some(path), format!("not a key file: {message}")))
}

/// Refuses a key file that group or others may read (they could undo the pseudonyms) or write
/// (they could swap the key, and later pseudonyms would no longer match earlier ones).
#[cfg(unix)]
fn check_private(metadata: &std::fs::Metadata, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::key(
            Some(path),
            format!("key file is open to group or others (mode {mode:03o}); make it private with: chmod 600 {}", shown(path)),
        ));
    }
    Ok(())
}

/// Other systems: file modes do not say who may read; nothing to check here.
#[cfg(not(unix))]
fn check_private(_metadata: &std::fs::Metadata, _path: &Path) -> Result<()> {
    Ok(())
}

/// Creates `dir` and its missing parents, private to the user on Unix (0700).
fn create_private_dirs(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Opens a new file at `path` for writing, failing if any file is there; mode 0600 on Unix.
fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes the key, a newline, and syncs it to disk.
fn write_key(file: &mut File, key: &Key) -> io::Result<()> {
    let mut text = key.to_hex();
    text.push('\n');
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Whether [`publish`] put the new key at the path, or found a key file already there.
enum Published {
    Created,
    Exists,
}

/// Puts `key` at `path` only if nothing is there, never visible half-written: written and
/// synced under a temporary name in the same directory, then hard-linked to `path` (a link, unlike
/// a rename, fails when the name exists). Falls back to writing `path` directly with
/// `create_new` where hard links are not supported.
fn publish(path: &Path, dir: &Path, key: &Key) -> io::Result<Published> {
    let temporary = temporary_name(path, dir)?;
    let mut file = create_new_private(&temporary)?;
    let written = write_key(&mut file, key);
    drop(file);
    let linked = written.map(|()| std::fs::hard_link(&temporary, path));
    // The temporary name has done its job whatever happened; a failure to remove it leaves a
    // private file behind, not a wrong key.
    let _ = std::fs::remove_file(&temporary);
    // A failed write (a full disk) is an error as it is; only a failed link falls back.
    match linked? {
        Ok(()) => {
            sync_dir(dir);
            Ok(Published::Created)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(Published::Exists),
        // No hard links here (FAT, some network and FUSE file systems): create the file in
        // place. A racing reader could then see it before the key is written, a narrow window
        // accepted only on such file systems.
        Err(_) => match create_new_private(path) {
            Ok(mut file) => match write_key(&mut file, key) {
                Ok(()) => {
                    sync_dir(dir);
                    Ok(Published::Created)
                }
                Err(e) => {
                    // Leave no partial key file behind: it would be refused on every later run.
                    drop(file);
                    let _ = std::fs::remove_file(path);
                    Err(e)
                }
            },
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(Published::Exists),
            Err(e) => Err(e),
        },
    }
}

/// `.NAME.RANDOM.tmp` beside `path`: hidden, and unique without any coordination (64 random bits).
fn temporary_name(path: &Path, dir: &Path) -> io::Result<PathBuf> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(io::Error::other)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "key".to_string());
    Ok(dir.join(format!(".{name}.{}.tmp", hex(&random))))
}

/// Syncs a directory so a new entry in it survives a crash. Best effort: some file systems
/// refuse to sync a directory, and the key file itself is already synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The error's message, as a user would see it.
    fn message(result: Result<Key>) -> String {
        match result {
            Ok(key) => panic!("expected an error, got {key:?}"),
            Err(e) => e.to_string(),
        }
    }

    proptest! {
        #![proptest_config(crate::test_config(64))]

        #[test]
        fn hex_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
            let key = Key(bytes);
            let text = key.to_hex();
            prop_assert_eq!(text.len(), KEY_HEX_LEN);
            prop_assert_eq!(Key::from_hex(&text).ok(), Some(key.clone()));
            prop_assert_eq!(Key::from_hex(&format!("  {}\r\n", text.to_uppercase())).ok(), Some(key));
        }
    }

    #[test]
    fn bad_hex_is_refused_without_echo() {
        let good = "0123456789abcdef".repeat(4);
        let cases = [
            good[..63].to_string(),
            format!("{good}a"),
            format!("{}g", &good[..63]),
            format!("{}-{}", &good[..32], &good[33..]),
            "x".repeat(64),
            "é".repeat(32),
            String::new(),
            "\n".to_string(),
        ];
        for bad in cases {
            let text = message(Key::from_hex(&bad));
            assert!(text.starts_with("key: "), "{text}");
            let trimmed = bad.trim();
            if !trimmed.is_empty() {
                assert!(!text.contains(trimmed), "error echoes its input: {text}");
            }
            // Nor a long piece of it: no 8-character window of the input is in the message.
            for window in trimmed.as_bytes().windows(8) {
                let piece = String::from_utf8_lossy(window);
                assert!(!text.contains(&*piece), "error echoes part of its input: {text}");
            }
        }
    }

    #[test]
    fn bad_hex_messages_say_what_is_wrong() {
        let good = "0123456789abcdef".repeat(4);
        assert_eq!(message(Key::from_hex(&good[..63])), "key: expected 64 hex characters, found 63");
        assert_eq!(message(Key::from_hex(&format!("{good}0"))), "key: expected 64 hex characters, found 65");
        assert_eq!(message(Key::from_hex(&format!("{}x", &good[..63]))), "key: character 64 is not a hex digit (a key is 64 hex characters)");
        assert_eq!(message(Key::from_hex(" \n")), "key: empty: expected 64 hex characters");
    }

    #[test]
    fn debug_shows_fingerprint_only() {
        let key = Key::from_hex(&"a5".repeat(32)).unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(shown.contains(&key.fingerprint()), "{shown}");
        let hex = key.to_hex();
        for window in hex.as_bytes().windows(8) {
            assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "{shown}");
        }
        assert!(!shown.contains("a5a5"), "{shown}");
    }

    #[test]
    fn fingerprint_is_short_stable_and_distinct() {
        let key = Key::from_hex(&"00".repeat(32)).unwrap();
        let fingerprint = key.fingerprint();
        assert_eq!(fingerprint.len(), 19);
        assert!(fingerprint.split(':').all(|g| g.len() == 4 && g.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())));
        assert_eq!(fingerprint, key.clone().fingerprint());
        assert!(!key.to_hex().contains(&fingerprint.replace(':', "")));
        let other = Key::from_hex(&format!("{}01", "00".repeat(31))).unwrap();
        assert_ne!(other.fingerprint(), fingerprint);
    }

    #[test]
    fn generated_keys_differ() {
        let a = Key::generate().unwrap();
        let b = Key::generate().unwrap();
        assert_ne!(a, b);
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn load_or_create_makes_a_private_key_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("deeper").join("takar.key");
        let created = Key::load_or_create(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", created.to_hex()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "key file mode {mode:o}");
            let dir_mode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
            assert_eq!(dir_mode, 0o700, "key directory mode {dir_mode:o}");
        }
        let again = Key::load_or_create(&path).unwrap();
        assert_eq!(again, created);
        assert_eq!(again.fingerprint(), created.fingerprint());
        assert_eq!(Key::load(&path).unwrap(), created);
        // Only the key file is left: the temporary name is gone.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("takar.key")]);
    }

    #[test]
    fn racing_creators_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("takar.key");
        let keys: Vec<Key> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| Key::load_or_create(&path).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]));
        assert_eq!(Key::load(&path).unwrap(), keys[0]);
    }

    #[test]
    fn load_names_the_path_and_never_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.key");
        let text = message(Key::load(&missing));
        assert!(text.contains("missing.key"), "{text}");

        let bad = dir.path().join("bad.key");
        let contents = format!("{}z\n", "7e".repeat(31));
        write_private(&bad, contents.as_bytes());
        let text = message(Key::load(&bad));
        assert!(text.contains("bad.key") && text.contains("hex digit"), "{text}");
        assert!(!text.contains("7e7e"), "{text}");
        // load_or_create does not replace a file that holds no key.
        assert!(Key::load_or_create(&bad).is_err());
        assert_eq!(std::fs::read(&bad).unwrap(), contents.as_bytes());

        let long = dir.path().join("long.key");
        write_private(&long, &[b'a'; 4096]);
        let text = message(Key::load(&long));
        assert!(text.contains("long.key") && text.contains("longer than"), "{text}");

        let text = message(Key::load(dir.path()));
        assert!(text.contains("regular file"), "{text}");
    }

    /// Writes `bytes` to a new 0600 file.
    fn write_private(path: &Path, bytes: &[u8]) {
        let mut file = create_new_private(path).unwrap();
        file.write_all(bytes).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_open_key_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("takar.key");
        let key = Key::load_or_create(&path).unwrap();
        for mode in [0o640, 0o604, 0o620, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let text = message(Key::load(&path));
            assert!(text.contains(&format!("chmod 600 {}", path.display())), "{text}");
            assert!(text.contains(&format!("{mode:03o}")), "{text}");
            assert!(!text.contains(&key.to_hex()[..8]), "{text}");
            assert!(Key::load_or_create(&path).is_err());
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(Key::load(&path).unwrap(), key);
    }
}
