//! `takar keys` end to end (issue 12): the bucketed Parquet holds exactly one row per valid
//! record (checked against an oracle that reads the CSV with the csv crate and pseudonymizes
//! each record on its own), every row in its NIK pseudonym's bucket; distinct pseudonyms per
//! province and regency, read back with the parquet crate across all bucket files, equal
//! `takar scan`'s unique counts; the files are deterministic, rerunning replaces them (and
//! removes what a bigger earlier run left), processes writing into one folder side by side
//! give what one process gives, and no file holds a 16-digit value. `tests/keys_duckdb.py`
//! asks DuckDB the README's queries on the same files.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use takar::engine::keys::pseudonym::Pseudonyms;
use takar::keyring::Key;
use takar::nik::{Check, Date, RegionTable, Validator};
use takar::report::keys_parquet::{bucket_of, part_name, BUCKETS};
use takar::report::parquet::holds_nik_like_value;
use takar::report::{region_rows, Level};
use takar::scan::{scan, Format, ScanOptions};

const REFERENCE: &str = "2026-11-24";

/// One row as read back: nik, kk, province, regency, district, source, and its bucket folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Row {
    nik: u64,
    kk: Option<u64>,
    province: String,
    regency: String,
    district: String,
    source: String,
}

fn generate(env: &Env, name: &str, records: &str, seed: &str) -> PathBuf {
    let p = env.path(name);
    let out = takar(&["generate", "--records", records, "--seed", seed, "-o", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p
}

/// Three CSV dumps: `a`, `b`, and `c` made of a slice of `a`, a slice of `b` and a record of
/// its own, so that every pair of sources shares people.
fn three_dumps(env: &Env) -> Vec<PathBuf> {
    let a = generate(env, "a.csv", "6000", "31");
    let b = generate(env, "b.csv", "4000", "32");
    let text = |p: &Path| std::fs::read_to_string(p).unwrap();
    let (ta, tb) = (text(&a), text(&b));
    let mut c: Vec<&str> = ta.lines().take(1500).collect();
    c.extend(tb.lines().skip(1).step_by(3).take(700));
    let c = env.write("sub/c.csv", (c.join("\n") + "\n").as_bytes());
    vec![a, b, c]
}

fn keys(args: &[&str], out: &Path, inputs: &[PathBuf]) -> std::process::Output {
    let mut all: Vec<String> = ["keys", "--no-progress", "--reference-date", REFERENCE, "--out"].iter().map(|s| s.to_string()).collect();
    all.push(out.display().to_string());
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend(inputs.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    takar(&refs)
}

fn keys_ok(args: &[&str], out: &Path, inputs: &[PathBuf]) -> serde_json::Value {
    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(args);
    let o = keys(&with_json, out, inputs);
    assert!(o.status.success(), "takar keys failed: {}", String::from_utf8_lossy(&o.stderr));
    assert!(!has_nik_like(&o.stdout) && !has_nik_like(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn has_nik_like(bytes: &[u8]) -> bool {
    takar::report::has_nik_like_run(bytes)
}

/// Every `.parquet` file under `dir` (bucket folder, file name), sorted; fails on anything
/// else (a temporary file left behind).
fn parquet_files(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap();
        let bucket = folder.file_name().to_string_lossy().into_owned();
        assert!(bucket.starts_with("bucket=") && bucket.len() == 10, "{bucket}");
        for f in std::fs::read_dir(folder.path()).unwrap() {
            let name = f.unwrap().file_name().to_string_lossy().into_owned();
            assert!(name.starts_with("part-") && name.ends_with(".parquet"), "stray file {bucket}/{name}");
            files.push((bucket.clone(), name));
        }
    }
    files.sort();
    files
}

/// Reads every file back with the parquet crate; checks the schema, that each row sits in its
/// pseudonym's bucket, the leak guard and the metadata.
fn read_all(dir: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    for (bucket, name) in parquet_files(dir) {
        let path = dir.join(&bucket).join(&name);
        assert!(!holds_nik_like_value(&path).unwrap(), "{bucket}/{name}");
        let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        let meta: HashMap<String, Option<String>> =
            builder.metadata().file_metadata().key_value_metadata().unwrap().iter().map(|kv| (kv.key.clone(), kv.value.clone())).collect();
        assert_eq!(meta["takar.buckets"].as_deref(), Some("256"));
        assert_eq!(meta["takar.bucket"].as_deref(), Some(&bucket["bucket=".len()..]));
        assert_eq!(meta["takar.key_fingerprint"].as_deref(), Some(Key::from_hex(TEST_KEY).unwrap().fingerprint().as_str()));
        let names: Vec<String> = builder.schema().fields().iter().map(|f| format!("{}:{}:{}", f.name(), f.data_type(), f.is_nullable())).collect();
        assert_eq!(
            names,
            [
                "nik_pseudonym:UInt64:false",
                "kk_pseudonym:UInt64:true",
                "province_code:Utf8:false",
                "regency_code:Utf8:false",
                "district_code:Utf8:false",
                "source:Utf8:false"
            ]
        );
        let want_bucket: usize = bucket["bucket=".len()..].parse().unwrap();
        let mut previous = None;
        for batch in builder.build().unwrap() {
            let batch = batch.unwrap();
            let u64s = |i: usize| batch.column(i).as_any().downcast_ref::<UInt64Array>().unwrap().clone();
            let strings = |i: usize| batch.column(i).as_any().downcast_ref::<StringArray>().unwrap().clone();
            let (nik, kk, p, r, d, s) = (u64s(0), u64s(1), strings(2), strings(3), strings(4), strings(5));
            for i in 0..batch.num_rows() {
                let row = Row {
                    nik: nik.value(i),
                    kk: kk.is_valid(i).then(|| kk.value(i)),
                    province: p.value(i).into(),
                    regency: r.value(i).into(),
                    district: d.value(i).into(),
                    source: s.value(i).into(),
                };
                assert_eq!(bucket_of(row.nik), want_bucket, "row in the wrong bucket");
                assert_eq!(name, part_name(&row.source));
                // Sorted by pseudonym within a file.
                assert!(previous.is_none_or(|p| p <= row.nik));
                previous = Some(row.nik);
                rows.push(row);
            }
        }
    }
    rows
}

/// The oracle: each record of a CSV dump read by the csv crate, its NIK and KK validated and
/// pseudonymized one by one.
fn oracle(path: &Path, source: &str) -> Vec<Row> {
    let table = RegionTable::embedded();
    let v = Validator::new(table, Date::parse_iso(REFERENCE).unwrap());
    let p = Pseudonyms::new(&Key::from_hex(TEST_KEY).unwrap());
    let mut rows = Vec::new();
    for record in csv::Reader::from_path(path).unwrap().records() {
        let record = record.unwrap();
        if let Check::Valid(n) = v.nik(record[0].as_bytes()) {
            let digits: String = record[0].chars().filter(char::is_ascii_digit).take(6).collect();
            let kk = match v.kk(record[1].as_bytes()) {
                Check::Valid(k) => Some(p.kk(k.key())),
                _ => None,
            };
            rows.push(Row {
                nik: p.nik(n.key()),
                kk,
                province: digits[..2].into(),
                regency: digits[..4].into(),
                district: digits.clone(),
                source: source.into(),
            });
        }
    }
    rows.sort();
    rows
}

fn scan_options(inputs: Vec<PathBuf>) -> ScanOptions {
    ScanOptions { password: Default::default(), strict: false, buffer_max: None, claimed: None, inputs, format: Format::Auto, sniff: Default::default(), mmap: Default::default(), chunk_size: 1 << 20, progress: false, zip_ahead_max_member: None, memory: Default::default(), approximate: false }
}

/// `takar scan`'s unique NIKs per province or regency code over `inputs`.
fn scan_unique(inputs: &[PathBuf], level: Level) -> BTreeMap<String, u64> {
    let v = Validator::new(RegionTable::embedded(), Date::parse_iso(REFERENCE).unwrap());
    let summary = scan(&scan_options(inputs.to_vec()), &v).unwrap();
    region_rows(&summary, RegionTable::embedded(), level).into_iter().map(|r| (r.code, r.unique_nik)).collect()
}

fn distinct_per(rows: &[Row], code: impl Fn(&Row) -> &String) -> BTreeMap<String, u64> {
    let mut sets: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for r in rows {
        sets.entry(code(r).clone()).or_default().insert(r.nik);
    }
    sets.into_iter().map(|(k, s)| (k, s.len() as u64)).collect()
}

fn source_name(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn rows_are_the_valid_records_and_distinct_people_match_scan() {
    let env = Env::new();
    let inputs = three_dumps(&env);
    let out = env.path("keys");
    // Tiny chunks and two threads: rows come from many chunks and meet again by bucket.
    let written = keys_ok(&["--chunk-size", "4096", "-j", "2"], &out, &inputs);
    let rows = read_all(&out);

    let mut all_expected = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let source = source_name(input);
        let w = &written["sources"][i];
        assert_eq!(w["source"], source.as_str());
        assert_eq!(w["file_name"], part_name(&source).as_str());
        let summary = scan(&scan_options(vec![input.clone()]), &Validator::new(RegionTable::embedded(), Date::parse_iso(REFERENCE).unwrap())).unwrap();
        let valid = serde_json::to_value(&summary).unwrap()["nik"]["valid"].as_u64().unwrap();
        let mut got: Vec<Row> = rows.iter().filter(|r| r.source == source).cloned().collect();
        got.sort();
        assert_eq!(got.len() as u64, valid, "rows of {source} == its valid records");
        assert_eq!(w["rows"].as_u64(), Some(valid));
        assert_eq!(w["rows_with_kk"].as_u64(), Some(got.iter().filter(|r| r.kk.is_some()).count() as u64));
        assert_eq!(w["files"].as_u64(), Some(parquet_files(&out).iter().filter(|(_, n)| *n == part_name(&source)).count() as u64));
        let want = oracle(input, &source);
        assert!(got == want, "rows of {source} differ from the oracle ({} vs {})", got.len(), want.len());
        all_expected.extend(want);
    }
    assert_eq!(rows.len(), all_expected.len());
    // Repeats (same person twice in a dump, or in two dumps) are rows of their own.
    assert!(distinct_per(&rows, |r| &r.source).values().sum::<u64>() < rows.len() as u64);

    // Distinct people across all bucket files, per province and per regency, as scan counts them.
    assert_eq!(distinct_per(&rows, |r| &r.regency), scan_unique(&inputs, Level::Regency));
    assert_eq!(distinct_per(&rows, |r| &r.province), scan_unique(&inputs, Level::Province));
    // And bucket by bucket: the sum of per-bucket distinct counts is the total.
    let by_bucket: u64 = (0..BUCKETS)
        .map(|b| rows.iter().filter(|r| bucket_of(r.nik) == b).map(|r| r.nik).collect::<BTreeSet<_>>().len() as u64)
        .sum();
    assert_eq!(by_bucket, scan_unique(&inputs, Level::Province).values().sum::<u64>());
    // Almost every bucket holds a file of each of these sources.
    assert!(parquet_files(&out).len() > 3 * 200, "{}", parquet_files(&out).len());

    // The DuckDB read-back: the README's queries on the same files.
    duckdb_readback(&out, &inputs);
}

fn bytes_of(dir: &Path) -> BTreeMap<(String, String), Vec<u8>> {
    parquet_files(dir).into_iter().map(|(b, n)| ((b.clone(), n.clone()), std::fs::read(dir.join(&b).join(&n)).unwrap())).collect()
}

#[test]
fn reruns_and_side_by_side_processes_give_the_same_files() {
    let env = Env::new();
    let inputs = three_dumps(&env);
    let one = env.path("one");
    keys_ok(&["-j", "1"], &one, &inputs);
    let reference = bytes_of(&one);
    // Again into the same folder, other threads and chunks: the same files, byte for byte.
    keys_ok(&["-j", "2", "--chunk-size", "10000"], &one, &inputs);
    assert!(bytes_of(&one) == reference, "a rerun changed the files");

    // One process per input, all at once, into one folder.
    let many = env.path("many");
    let children: Vec<_> = inputs
        .iter()
        .map(|input| {
            std::process::Command::new(env!("CARGO_BIN_EXE_takar"))
                .env("TAKAR_KEY", TEST_KEY)
                .args(["keys", "--no-progress", "--reference-date", REFERENCE, "-j", "1", "--out"])
                .arg(&many)
                .arg(input)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(bytes_of(&many) == reference, "side-by-side processes wrote other files");

    // The first source shrinks to a few records: its files in buckets it no longer fills go.
    let a = &inputs[0];
    let head: Vec<String> = std::fs::read_to_string(a).unwrap().lines().take(4).map(str::to_string).collect();
    std::fs::write(a, head.join("\n") + "\n").unwrap();
    let w = keys_ok(&[], &many, std::slice::from_ref(a));
    let rows = read_all(&many);
    let source = source_name(a);
    let left: Vec<&Row> = rows.iter().filter(|r| r.source == source).collect();
    assert_eq!(left.len() as u64, w["sources"][0]["rows"].as_u64().unwrap());
    assert!(left.len() <= 3);
    assert_eq!(parquet_files(&many).iter().filter(|(_, n)| *n == part_name(&source)).count(), w["sources"][0]["files"].as_u64().unwrap() as usize);
    // The other sources are untouched.
    for (k, v) in &reference {
        if k.1 != part_name(&source) {
            assert!(bytes_of(&many)[k] == *v);
        }
    }
}

#[test]
fn source_names_a_single_input_and_usage_errors_are_clear() {
    let env = Env::new();
    let inputs = three_dumps(&env);
    let out = env.path("named");
    let w = keys_ok(&["--source", "kpu-2023"], &out, &inputs[..1]);
    assert_eq!(w["sources"][0]["source"], "kpu-2023");
    assert!(read_all(&out).iter().all(|r| r.source == "kpu-2023"));
    assert!(parquet_files(&out).iter().all(|(_, n)| n.starts_with("part-kpu-2023-")));

    let refused = |args: &[&str], inputs: &[PathBuf], says: &str| {
        let o = keys(args, &env.path("refused"), inputs);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{err}");
        assert!(!env.path("refused").exists(), "nothing written");
    };
    refused(&["--source", "x"], &inputs, "--source names one input file");
    refused(&["--no-keys"], &inputs, "--no-keys");
    refused(&[], &[inputs[0].clone(), inputs[0].clone()], "given twice");
    let o = takar(&["keys", inputs[0].to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));

    // A dump whose file name holds a NIK-shaped run: masked in the column, cut in file names.
    let named = env.path("3507011204900001.csv");
    std::fs::copy(&inputs[1], &named).unwrap();
    let out = env.path("masked");
    let w = keys_ok(&[], &out, std::slice::from_ref(&named));
    assert!(w["sources"][0]["source"].as_str().unwrap().ends_with("350701**********.csv"));
    assert!(read_all(&out).len() > 1000);
}

/// `tests/keys_duckdb.py` on `dir`, given what `takar scan` and `takar overlap` say of the
/// same inputs; skipped where python3 or duckdb is missing, except in CI.
fn duckdb_readback(dir: &Path, inputs: &[PathBuf]) {
    let have = std::process::Command::new("python3").args(["-c", "import duckdb"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !have {
        assert!(std::env::var_os("CI").is_none(), "CI must have python3 with duckdb");
        eprintln!("SKIPPED: python3 with duckdb not available");
        return;
    }
    let expected = dir.with_extension("expected.json");
    let mut overlap_args = vec!["overlap", "--json", "--no-progress", "--reference-date", REFERENCE];
    let paths: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    overlap_args.extend(paths.iter().map(String::as_str));
    let o = takar(&overlap_args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let overlap: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let want = serde_json::json!({
        "provinces": scan_unique(inputs, Level::Province),
        "regencies": scan_unique(inputs, Level::Regency),
        "overlap": overlap,
    });
    std::fs::write(&expected, serde_json::to_vec_pretty(&want).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys_duckdb.py");
    let out = std::process::Command::new("python3").arg(&script).arg(dir).arg(&expected).output().unwrap();
    assert!(
        out.status.success(),
        "keys_duckdb.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
