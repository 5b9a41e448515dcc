//! The command line, as clap sees it: flags, subcommands and typed values, no logic.
//! `Config::from_args` (config.rs) turns this into the plain settings the library reads.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "takar", version, about = "Sizes and deduplicates leaked Indonesian population-data dumps (NIK / No. KK), without leaking them again")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and decode NIKs given as arguments (`-` reads one per line from stdin).
    Nik(NikArgs),
    /// Write a realistic synthetic dump and, beside it, FILE.answer.json with its exact counts.
    Generate(GenerateArgs),
    /// Size a dump: records, valid NIKs, unique people and families, victims per region.
    Scan(ScanArgs),
    /// How much of each dump is in the others: exact overlaps of keyed pseudonyms. Each set is
    /// a dump (scanned on the fly, with the same options as `scan`) or a keys.takar file.
    Overlap(OverlapArgs),
    /// Write every valid record as keyed pseudonyms and region codes in Parquet bucketed by
    /// person (DIR/bucket=NNN/part-SOURCE.parquet), for DuckDB, Spark or any engine that
    /// reads Parquet to count across files and machines, exactly. Reads inputs as `scan` does.
    Keys(KeysArgs),
    /// Render report.html and map.svg again from an output folder of `scan --out`, and print
    /// the terminal report, without scanning.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    /// The `source` column's value for the one input file (default: its path as given); use it
    /// when the same file is reached by different paths on different machines.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// An output folder written by `takar scan --out`.
    pub dir: PathBuf,
    /// Language of the reports for people.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Regions listed in the terminal report.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

/// `--lang`: English or Bahasa Indonesia.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Id,
}

#[derive(Debug, Args)]
pub struct OverlapArgs {
    /// Compare the last set with every keys.takar under this folder (an archive of earlier
    /// leaks), sorted by how much of the last set each already holds.
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct NikArgs {
    /// NIKs to check; `-` reads one per line from stdin.
    #[arg(required = true)]
    pub niks: Vec<String>,
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the full number instead of the masked region prefix.
    #[arg(long)]
    pub reveal: bool,
    /// Date that birth dates may not be after (YYYY-MM-DD; default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub reference_date: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DumpFormatArg {
    Csv,
    Tsv,
    Sql,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of data records.
    #[arg(long)]
    pub records: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: DumpFormatArg,
    /// Share of records that repeat an earlier person.
    #[arg(long, default_value_t = 0.05)]
    pub dup_rate: f64,
    /// Share of records with an invalid NIK.
    #[arg(long, default_value_t = 0.02)]
    pub invalid_rate: f64,
    /// Output file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Share of records with a dummy NIK (1111111111111111).
    #[arg(long, default_value_t = 0.001)]
    pub placeholder_rate: f64,
    /// Write a fabricated dump: serials spread over 0001-9999, uniform birth dates, birth-date
    /// and gender columns that contradict the NIK, a KK per person from another regency, and
    /// place names of another regency (what takar scan's verdict should catch).
    #[arg(long)]
    pub fabricate: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Csv,
    Tsv,
    Psv,
    Sql,
    Jsonl,
    Json,
    Xlsx,
    Text,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MmapArg {
    Auto,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Dump files or directories (walked); `-` reads stdin. All inputs form one dump.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output directory. scan: write summary.json, manifest.json, keys.takar and
    /// provinces/regencies/districts.parquet there; keys (required): the bucket folders.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the summary as JSON on stdout instead of the terminal report.
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// Field delimiter (one character, or `tab`); sniffed by default.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The first record is data, not a header.
    #[arg(long)]
    pub no_header: bool,
    /// NIK column: a header name or a 1-based number.
    #[arg(long, value_name = "NAME|N")]
    pub nik_column: Option<String>,
    /// No. KK column: a header name or a 1-based number.
    #[arg(long, value_name = "NAME|N")]
    pub kk_column: Option<String>,
    #[arg(long, value_name = "NAME|N")]
    pub birth_date_column: Option<String>,
    #[arg(long, value_name = "NAME|N")]
    pub gender_column: Option<String>,
    /// Any role's column, ROLE one of nik, kk, birth_date, gender, regency_name, district_name (repeatable):
    /// `--column kk=nkk --column gender=3`.
    #[arg(long = "column", value_name = "ROLE=NAME|N", action = ArgAction::Append)]
    pub columns: Vec<String>,
    /// Date that birth dates may not be after (YYYY-MM-DD; default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub reference_date: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(NonZeroUsize))]
    pub threads: Option<NonZeroUsize>,
    /// auto: map uncompressed files, except one larger than memory, which is streamed and
    /// dropped from the page cache as it is read (the faster way cold); never: always stream.
    #[arg(long, value_enum, default_value = "auto")]
    pub mmap: MmapArg,
    /// Memory the scan keeps to (`512M`, `4G`, `1.5GiB`, bytes): past it the unique-key store
    /// spills sorted runs to --temp-dir and merges them back; the answer stays exact.
    /// Default: a quarter of the machine's memory (or of the container's limit).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Estimate the unique counts (people, families, per region, new per input) with
    /// HyperLogLog++ instead of counting them exactly: a few MB of memory whatever the dump's
    /// size and nothing spilled, at about 1.6% standard error. Every output says so; no
    /// keys.takar is written.
    #[arg(long)]
    pub approximate: bool,
    /// Where the spill directory is made (default: the system's temporary directory); it is
    /// removed when the scan ends, fails or is interrupted.
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
    /// Regions listed in the terminal report.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Bytes per parallel chunk (tests use tiny ones).
    #[arg(long, hide = true)]
    pub chunk_size: Option<usize>,
    /// Largest zip member decoded ahead, in bytes (tests use small ones; 0 turns it off).
    #[arg(long, hide = true)]
    pub zip_ahead_max_member: Option<u64>,
    /// Largest member read whole into memory for random access, in bytes (tests use small ones).
    #[arg(long, hide = true)]
    pub buffer_max: Option<u64>,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// The password of encrypted zip and 7z archives. It stays in your shell history: prefer
    /// --password-file or the TAKAR_PASSWORD environment variable.
    #[arg(long, value_name = "PASSWORD", conflicts_with = "password_file")]
    pub password: Option<String>,
    /// Read the archive password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Make every file that a folder or archive would skip (an image, a PDF without NIKs, an
    /// encrypted or corrupt member, ...) an error instead.
    #[arg(long)]
    pub strict: bool,
    /// The key of the pseudonyms in DIR/keys.takar (64 hex characters in a file); default:
    /// the TAKAR_KEY environment variable, else a per-user key created on first use.
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// With --out, write no keys.takar (and need no key): a faster scan when no overlap with
    /// other dumps will be asked for.
    #[arg(long)]
    pub no_keys: bool,
    /// Language of the terminal report and of report.html (en or id, Bahasa Indonesia).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// The seller's claimed record count, set against the dump's unique NIKs (`claim` in
    /// summary.json; far below 1 is a signal).
    #[arg(long, value_name = "N")]
    pub claimed: Option<u64>,
}

/// A size in bytes: a number with an optional unit, K/M/G/T (powers of 1024, with or without
/// `iB`/`B`): `1G`, `512M`, `1.5GiB`, `1073741824`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("{s:?}: expected a size such as 512M, 4G or 1.5GiB")),
    };
    let value: f64 = number.parse().map_err(|_| format!("{s:?}: expected a size such as 512M, 4G or 1.5GiB"))?;
    let bytes = value * (1u64 << shift) as f64;
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("{s:?}: must be at least one byte"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_as_powers_of_1024() {
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2048"), Ok(2048));
        assert_eq!(parse_size("64 KB"), Ok(64 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("1X").is_err());
        assert!(parse_size("G").is_err());
    }
}
