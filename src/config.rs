//! Resolved settings: the command line after defaults, terminal detection and the reference
//! date are settled. Nothing below this module sees clap.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Cli, ColorArg, Command, DumpFormatArg, FormatArg, KeysArgs, LangArg, MmapArg, NikArgs, OverlapArgs, ReportArgs, ScanArgs};
use crate::report::labels::Lang;
use crate::engine::{Role, RoleMap};
use crate::generate::DumpFormat;
use crate::error::{Error, Result};
use crate::keyring::Key;
use crate::nik::Date;
use crate::format::csv::sniff::{ColumnChoice, SniffOptions};
use crate::nik::mask::mask_digits;
use crate::format::roles::flag;
use crate::input::members::Password;
use crate::input::source::MmapMode;
use crate::scan::{Format, Memory, ScanOptions, DEFAULT_CHUNK_SIZE};

pub enum Config {
    Nik(NikConfig),
    Scan(ScanConfig),
    Overlap(OverlapConfig),
    Keys(KeysConfig),
    Generate(crate::generate::GenerateConfig),
    Report(ReportConfig),
}

/// `takar report DIR`: re-render the reports of an output folder.
pub struct ReportConfig {
    pub dir: PathBuf,
    pub lang: Lang,
    pub top: usize,
    pub color: bool,
}

fn lang(a: LangArg) -> Lang {
    match a {
        LangArg::En => Lang::En,
        LangArg::Id => Lang::Id,
    }
}

fn color(a: ColorArg) -> bool {
    match a {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn report_config(a: ReportArgs) -> ReportConfig {
    ReportConfig { dir: a.dir, lang: lang(a.lang), top: a.top, color: color(a.color) }
}

pub struct NikConfig {
    pub inputs: Vec<String>,
    pub json: bool,
    pub reveal: bool,
    pub reference: Date,
}

pub struct ScanConfig {
    pub scan: ScanOptions,
    pub reference: Date,
    pub out: Option<PathBuf>,
    /// Where the pseudonym key comes from (used when `out` is set); `None` with `--no-keys`.
    pub key: Option<KeySource>,
    pub json: bool,
    pub threads: usize,
    pub top: usize,
    pub color: bool,
    /// Language of the terminal report and report.html.
    pub lang: Lang,
}

/// Where the key of the pseudonyms comes from: `--key-file`, else `TAKAR_KEY` (64 hex
/// characters), else the per-user key file, created on first use with mode 0600, so that
/// keys files made on one analyst's machine compare.
#[derive(Debug, Clone)]
pub enum KeySource {
    File(PathBuf),
    Hex(String),
    PerUser(PathBuf),
    /// No home or config directory to keep a per-user key in.
    Nowhere,
}

impl KeySource {
    fn resolve(key_file: Option<PathBuf>) -> KeySource {
        if let Some(path) = key_file {
            return KeySource::File(path);
        }
        if let Some(hex) = std::env::var_os("TAKAR_KEY") {
            return KeySource::Hex(hex.to_string_lossy().into_owned());
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")));
        config.map_or(KeySource::Nowhere, |dir| KeySource::PerUser(dir.join("takar").join("key")))
    }

    /// The key itself (the per-user file is created on first use).
    pub fn load(&self) -> Result<Key> {
        match self {
            KeySource::File(path) => Key::load(path),
            KeySource::Hex(hex) => Key::from_hex(hex).map_err(|e| match e {
                Error::Key { message, .. } => Error::key(None, format!("TAKAR_KEY: {message}")),
                other => other,
            }),
            KeySource::PerUser(path) => Key::load_or_create(path),
            KeySource::Nowhere => Err(Error::key(None, "no key for the pseudonyms: give --key-file PATH or set TAKAR_KEY")),
        }
    }
}

/// Today's date (UTC), the default reference date.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::from_unix_days((secs / 86_400) as i64)
}

fn reference(arg: &Option<String>) -> Result<Date> {
    match arg {
        None => Ok(today()),
        Some(s) => Date::parse_iso(s).ok_or_else(|| Error::Usage(format!("--reference-date {s:?}: expected a real date as YYYY-MM-DD"))),
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(64)
}

fn delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => Ok(s.as_bytes()[0]),
        _ => Err(Error::Usage(format!("--delimiter {s:?}: expected one ASCII character or `tab`"))),
    }
}

/// The column chosen for each role, from the roles' own flags and `--column ROLE=NAME|N`; a
/// role given twice is refused rather than letting one silently win.
fn columns(a: &ScanArgs) -> Result<RoleMap<Option<ColumnChoice>>> {
    let roles = || Role::ALL.map(Role::as_str).join(", ");
    let mut chosen: RoleMap<Option<ColumnChoice>> = RoleMap::default();
    for role in Role::ALL {
        let own = match role {
            Role::Nik => &a.nik_column,
            Role::Kk => &a.kk_column,
            Role::BirthDate => &a.birth_date_column,
            Role::Gender => &a.gender_column,
            Role::RegencyName | Role::DistrictName => &None,
        };
        chosen[role] = own.as_deref().map(ColumnChoice::parse);
    }
    for spec in &a.columns {
        let bad = || Error::Usage(format!("--column {:?}: expected ROLE=NAME|N, ROLE one of {}", mask_digits(spec), roles()));
        let (name, column) = spec.split_once('=').ok_or_else(bad)?;
        let unknown = || Error::Usage(format!("--column {:?}: no role {:?}; roles: {}", mask_digits(spec), mask_digits(name), roles()));
        let role = Role::parse(name.trim()).ok_or_else(unknown)?;
        if column.is_empty() {
            return Err(bad());
        }
        if chosen[role].is_some() {
            return Err(Error::Usage(format!("the {role} column is given twice: name it once, by {} or by --column {role}=...", flag(role))));
        }
        chosen[role] = Some(ColumnChoice::parse(column));
    }
    Ok(chosen)
}

impl Config {
    pub fn from_args(cli: Cli) -> Result<Config> {
        Ok(match cli.command {
            Command::Nik(a) => Config::Nik(nik_config(a)?),
            Command::Scan(a) => Config::Scan(scan_config(a)?),
            Command::Overlap(a) => Config::Overlap(overlap_config(a)?),
            Command::Keys(a) => Config::Keys(keys_config(a)?),
            Command::Report(a) => Config::Report(report_config(a)),
            Command::Generate(a) => Config::Generate(crate::generate::GenerateConfig {
                records: a.records,
                seed: a.seed,
                format: match a.format {
                    DumpFormatArg::Csv => DumpFormat::Csv,
                    DumpFormatArg::Tsv => DumpFormat::Tsv,
                    DumpFormatArg::Sql => DumpFormat::Sql,
                    DumpFormatArg::Jsonl => DumpFormat::Jsonl,
                },
                dup_rate: a.dup_rate,
                invalid_rate: a.invalid_rate,
                output: a.output,
                placeholder_rate: a.placeholder_rate,
                fabricate: a.fabricate,
            }),
        })
    }
}

/// `takar overlap`: the sets (dumps or keys files, in `scan.scan.inputs`), each dump scanned
/// with the scan settings, and an optional archive folder to compare the last set against.
pub struct OverlapConfig {
    pub scan: ScanConfig,
    pub against: Option<PathBuf>,
}

fn overlap_config(a: OverlapArgs) -> Result<OverlapConfig> {
    if a.scan.out.is_some() {
        return Err(Error::Usage("takar overlap writes no files; --out belongs to takar scan".into()));
    }
    if a.scan.approximate {
        return Err(Error::Usage("takar overlap compares exact pseudonyms; --approximate belongs to takar scan".into()));
    }
    let against = a.against;
    let scan = scan_config(a.scan)?;
    if against.is_none() && scan.scan.inputs.len() < 2 {
        return Err(Error::Usage("takar overlap needs at least two sets, or one with --against DIR".into()));
    }
    Ok(OverlapConfig { scan, against })
}

/// `takar keys`: the inputs read with the scan settings, `scan.out` (always set) the folder
/// of the buckets, `scan.key` (always set) the key of the pseudonyms.
pub struct KeysConfig {
    pub scan: ScanConfig,
    pub source: Option<String>,
}

fn keys_config(a: KeysArgs) -> Result<KeysConfig> {
    if a.scan.out.is_none() {
        return Err(Error::Usage("takar keys needs --out DIR, the folder of the bucket files".into()));
    }
    if a.scan.no_keys {
        return Err(Error::Usage("takar keys writes keyed pseudonyms; --no-keys belongs to takar scan".into()));
    }
    if a.scan.approximate {
        return Err(Error::Usage("takar keys writes every record; --approximate belongs to takar scan".into()));
    }
    if a.scan.max_memory.is_some() || a.scan.temp_dir.is_some() {
        // Its rows are held per input file (16 bytes each), not in the budgeted key store:
        // a flag it would not honour is refused rather than ignored.
        return Err(Error::Usage("takar keys holds each input file's rows in memory (16 bytes a record) and spills nothing; --max-memory and --temp-dir belong to takar scan and takar overlap: split a file too big for memory".into()));
    }
    if a.source.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(Error::Usage("--source: expected a name".into()));
    }
    Ok(KeysConfig { source: a.source, scan: scan_config(a.scan)? })
}

fn nik_config(a: NikArgs) -> Result<NikConfig> {
    Ok(NikConfig { reference: reference(&a.reference_date)?, inputs: a.niks, json: a.json, reveal: a.reveal })
}

/// The archive password: `--password`, else the first line of `--password-file`, else the
/// `TAKAR_PASSWORD` environment variable. No message here or anywhere holds it.
fn password(flag: Option<String>, file: Option<&std::path::Path>) -> Result<Password> {
    if let Some(pw) = flag {
        return Ok(Password::new(Some(pw)));
    }
    if let Some(path) = file {
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(text).map_err(|_| Error::Usage(format!("--password-file {}: not UTF-8 text", crate::error::shown(path))))?;
        let line = text.lines().next().unwrap_or("");
        if line.is_empty() {
            return Err(Error::Usage(format!("--password-file {}: the first line is empty", crate::error::shown(path))));
        }
        return Ok(Password::new(Some(line.to_string())));
    }
    Ok(Password::new(std::env::var("TAKAR_PASSWORD").ok()))
}

fn scan_config(a: ScanArgs) -> Result<ScanConfig> {
    let format = match a.format {
        FormatArg::Auto => Format::Auto,
        FormatArg::Csv => Format::Csv,
        FormatArg::Tsv => Format::Tsv,
        FormatArg::Psv => Format::Psv,
        FormatArg::Sql => Format::Sql,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Json => Format::Json,
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Text => Format::Text,
    };
    let sniff = SniffOptions {
        delimiter: a.delimiter.as_deref().map(delimiter).transpose()?,
        header: a.no_header.then_some(false),
        columns: columns(&a)?,
    };
    let stderr_tty = std::io::stderr().is_terminal();
    Ok(ScanConfig {
        scan: ScanOptions {
            inputs: a.inputs,
            format,
            sniff,
            mmap: match a.mmap {
                MmapArg::Auto => MmapMode::Auto,
                MmapArg::Never => MmapMode::Never,
            },
            chunk_size: a.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE).max(1),
            progress: stderr_tty && !a.no_progress,
            zip_ahead_max_member: a.zip_ahead_max_member,
            claimed: match a.claimed {
                Some(0) => return Err(Error::Usage("--claimed must be a positive record count".into())),
                n => n,
            },
            password: password(a.password, a.password_file.as_deref())?,
            strict: a.strict,
            buffer_max: a.buffer_max,
            approximate: a.approximate,
            memory: Memory { max_bytes: Some(a.max_memory.unwrap_or_else(crate::machine::default_max_memory)), temp_dir: a.temp_dir },
        },
        reference: reference(&a.reference_date)?,
        out: a.out,
        // Sketches hold no keys, so --approximate writes no keys.takar either.
        key: if a.no_keys || a.approximate { None } else { Some(KeySource::resolve(a.key_file)) },
        lang: lang(a.lang),
        json: a.json,
        threads: a.threads.map_or_else(default_threads, |n| n.get()),
        top: a.top,
        color: match a.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        },
    })
}
