//! Golden outputs: the bundled sample, and one 200k-record generated dump in every format takar
//! reads (csv, tsv, sql, jsonl, json array, xlsx, text, gzip, zstd, zip), scanned with `--out`;
//! `summary.json` (its two timing lines aside) must stay byte-identical to what was recorded in
//! `tests/golden/`, and each Parquet file must keep its recorded hash. The recordings were made
//! by the main of before the reshape (issue 9), so every later change is held to that behaviour.
//!
//! The dumps are made here from a fixed seed and never committed. To record anew after a change
//! that is meant to alter outputs: `TAKAR_BLESS=1 cargo test --test golden`, and say why in the
//! commit.

mod common;
use common::workbook::{xlsx, Cell};
use common::Env;

use std::io::Write;
use std::path::Path;
use std::process::Command;

const RECORDS: &str = "200000";
const SEED: &str = "20261206";
const OUTPUTS: [&str; 3] = ["provinces.parquet", "regencies.parquet", "districts.parquet"];

/// `takar ARGS` run in `dir`, so the input paths in `summary.json` are the relative ones given.
fn takar_in(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_takar")).env("TAKAR_KEY", common::TEST_KEY).args(args).current_dir(dir).output().expect("run takar");
    assert!(out.status.success(), "takar {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `summary.json` without its timing lines (they change every run), and the Parquet hashes.
fn recording(out_dir: &Path) -> String {
    let summary = std::fs::read_to_string(out_dir.join("summary.json")).unwrap();
    let mut rec = String::from("# summary.json without its timing lines\n");
    // Timings change every run; the memory budget and peak with the machine.
    let varies = ["\"elapsed_s\":", "\"bytes_per_s\":", "\"max_memory_bytes\":", "\"key_limit_bytes\":", "\"peak_key_bytes\":"];
    for line in summary.lines().filter(|l| !varies.iter().any(|v| l.contains(v))) {
        rec.push_str(line);
        rec.push('\n');
    }
    rec.push_str("# xxh3-128 of each Parquet file\n");
    for name in OUTPUTS {
        let bytes = std::fs::read(out_dir.join(name)).unwrap();
        rec.push_str(&format!("{name} {:032x}\n", xxhash_rust::xxh3::xxh3_128(&bytes)));
    }
    rec
}

/// Scans `input` (relative to `dir`) into a fresh output folder and checks it against the
/// recording `tests/golden/NAME.txt`, or writes that recording under `TAKAR_BLESS`.
fn check(dir: &Path, name: &str, input: &str, extra: &[&str]) -> Option<String> {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["scan", "--reference-date", "2026-11-24", "--no-progress", "--out", out.path().to_str().unwrap(), input];
    args.extend_from_slice(extra);
    takar_in(dir, &args);
    let got = recording(out.path());
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("TAKAR_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &got).unwrap();
        return None;
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    (got != want).then(|| format!("{name}: outputs differ from {}\n--- recorded\n{want}\n--- now\n{got}", golden.display()))
}

#[test]
fn bundled_sample_outputs_are_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let diff = check(root, "sample", "data-samples/kpu_sample.csv", &[]);
    assert!(diff.is_none(), "{}", diff.unwrap());
}

/// The generated CSV's rows, fields split (the generator quotes fields with commas).
fn rows(csv: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv);
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// A paste: `NIK: n Nama: x No. KK: k` per person, as text mode reads it.
fn as_text(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in &rows[1..] {
        writeln!(out, "NIK: {} Nama: {} No. KK: {} Lahir {} {}", r[0], r[2], r[1], r[4], r[5]).unwrap();
    }
    out
}

fn as_zip(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

#[test]
fn generated_dump_in_every_format_keeps_its_outputs() {
    let env = Env::new();
    let dir = env.dir.path();
    for (format, file) in [("csv", "p.csv"), ("tsv", "p.tsv"), ("sql", "p.sql"), ("jsonl", "p.jsonl")] {
        takar_in(dir, &["generate", "--records", RECORDS, "--seed", SEED, "--format", format, "-o", file]);
    }
    let csv = std::fs::read(env.path("p.csv")).unwrap();
    let jsonl = std::fs::read(env.path("p.jsonl")).unwrap();
    let table = rows(&csv);

    let mut array = b"[\n".to_vec();
    for (i, line) in jsonl.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
        array.extend_from_slice(if i == 0 { b"  " } else { b",\n  " });
        array.extend_from_slice(line);
    }
    array.extend_from_slice(b"\n]\n");
    env.write("p.json", &array);
    let cells: Vec<Vec<Cell>> = table.iter().map(|r| r.iter().map(|f| if f.is_empty() { Cell::Empty } else { Cell::S(f) }).collect()).collect();
    env.write("p.xlsx", &xlsx(&[("DPT", cells)], 0));
    env.write("p.txt", &as_text(&table));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&csv).unwrap();
    env.write("p.csv.gz", &gz.finish().unwrap());
    env.write("p.csv.zst", &zstd::encode_all(csv.as_slice(), 3).unwrap());
    env.write("p.zip", &as_zip("p.csv", &csv));

    let cases = [
        ("csv", "p.csv"),
        ("tsv", "p.tsv"),
        ("sql", "p.sql"),
        ("jsonl", "p.jsonl"),
        ("json-array", "p.json"),
        ("xlsx", "p.xlsx"),
        ("text", "p.txt"),
        ("gzip", "p.csv.gz"),
        ("zstd", "p.csv.zst"),
        ("zip", "p.zip"),
    ];
    let diffs: Vec<String> = cases.iter().filter_map(|(name, file)| check(dir, name, file, &[])).collect();
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
}

/// The same CSV with the columns named on the command line, and two inputs as one dump (the
/// per-input "new unique" counts come from the key store's first-input rule).
#[test]
fn named_columns_and_several_inputs_keep_their_outputs() {
    let env = Env::new();
    let dir = env.dir.path();
    takar_in(dir, &["generate", "--records", "50000", "--seed", "5", "-o", "a.csv"]);
    takar_in(dir, &["generate", "--records", "50000", "--seed", "6", "--dup-rate", "0.2", "-o", "b.csv"]);
    let mut diffs = Vec::new();
    diffs.extend(check(dir, "columns", "a.csv", &["--nik-column", "3", "--kk-column", "nik", "--gender-column", "tanggal_lahir", "--birth-date-column", "jenis_kelamin"]));
    diffs.extend(check(dir, "two-inputs", "a.csv", &["b.csv", "a.csv"]));
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
}
