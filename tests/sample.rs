//! The bundled sample (`data-samples/`, made by `takar generate`) scanned exactly as the README
//! says, and a larger generated dump in every way of reading it: every count equals the
//! generator's answer, per province, regency and district too.

mod common;
use common::*;

use takar::nik::{Date, RegionTable, Validator};
use takar::report::{region_rows, Level};
use takar::scan::{scan, Format, ScanOptions};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data-samples/kpu_sample.csv");

fn options(inputs: Vec<std::path::PathBuf>, chunk_size: usize) -> ScanOptions {
    ScanOptions { inputs, format: Format::Auto, sniff: Default::default(), mmap: Default::default(), chunk_size, progress: false, zip_ahead_max_member: None, password: Default::default(), strict: false, buffer_max: None, claimed: None, memory: Default::default(), approximate: false }
}

/// Compares a scan with an answer file: totals, consistency and every region map.
fn assert_matches_answer(summary: &takar::report::summary::Summary, answer: &serde_json::Value) {
    let got = serde_json::to_value(summary).unwrap();
    assert_eq!(got["records"], answer["records"]);
    assert_eq!(got["nik"], answer["nik"]);
    assert_eq!(got["kk"], answer["kk"]);
    assert_eq!(got["consistency"], answer["consistency"]);
    for (level, key) in [(Level::Province, "provinces"), (Level::Regency, "regencies"), (Level::District, "districts")] {
        let rows = region_rows(summary, RegionTable::embedded(), level);
        let want = answer[key].as_object().unwrap();
        assert_eq!(rows.len(), want.len(), "{key}");
        for r in rows {
            let w = &want[&r.code];
            assert_eq!((r.records, r.unique_nik), (w["records"].as_u64().unwrap(), w["unique_nik"].as_u64().unwrap()), "{key} {}", r.code);
        }
    }
}

fn answer_of(path: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(format!("{path}.answer.json")).unwrap()).unwrap()
}

#[test]
fn bundled_sample_matches_its_answer() {
    let v = Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap());
    let answer = answer_of(SAMPLE);
    for chunk in [4096, 100_000, takar::scan::DEFAULT_CHUNK_SIZE] {
        let summary = scan(&options(vec![SAMPLE.into()], chunk), &v).unwrap();
        assert_matches_answer(&summary, &answer);
    }
}

#[test]
fn bundled_sample_report_shows_the_four_regencies_of_the_2021_leak() {
    let out = takar(&["scan", SAMPLE, "--reference-date", "2026-11-24", "--color", "never"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let answer = answer_of(SAMPLE);
    for (code, name) in [("3507", "Kabupaten Malang"), ("3216", "Kabupaten Bekasi"), ("3213", "Kabupaten Subang"), ("3271", "Kota Bogor")] {
        let unique = answer["regencies"][code]["unique_nik"].as_u64().unwrap();
        let line = text.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} missing from report"));
        assert!(line.contains(&takar::report::terminal::thousands(unique)), "{line}");
    }
}

#[test]
fn generated_dump_matches_its_answer_through_every_reader() {
    let env = Env::new();
    let path = env.path("dump.csv");
    let cfg = takar::generate::GenerateConfig {
        records: 60_000,
        seed: 11,
        format: takar::generate::DumpFormat::Csv,
        dup_rate: 0.1,
        invalid_rate: 0.05,
        output: path.clone(),
        placeholder_rate: takar::generate::GenerateConfig::DEFAULT_PLACEHOLDER_RATE,
        fabricate: false,
    };
    takar::generate::run(&cfg).unwrap();
    let answer = answer_of(path.to_str().unwrap());
    let v = Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap());
    let gz = env.path("dump.csv.gz");
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(&std::fs::read(&path).unwrap()).unwrap();
        enc.finish().unwrap();
    }
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for (input, mmap, chunk) in [
            (&path, takar::input::source::MmapMode::Auto, 1 << 16),
            (&path, takar::input::source::MmapMode::Never, 1 << 15),
            (&gz, takar::input::source::MmapMode::Auto, 1 << 17),
        ] {
            let mut o = options(vec![input.clone()], chunk);
            o.mmap = mmap;
            let summary = pool.install(|| scan(&o, &v)).unwrap();
            assert_matches_answer(&summary, &answer);
        }
    }
}

/// The privacy promise on a realistic dump: no 16-digit number of the input (NIK or KK) appears
/// in any output file, on stdout or on stderr, in the report or in JSON.
#[test]
fn no_number_of_a_generated_dump_reaches_any_output() {
    let env = Env::new();
    let path = env.path("dump.csv");
    let cfg = takar::generate::GenerateConfig {
        records: 5_000,
        seed: 5,
        format: takar::generate::DumpFormat::Csv,
        dup_rate: 0.05,
        invalid_rate: 0.05,
        output: path.clone(),
        placeholder_rate: takar::generate::GenerateConfig::DEFAULT_PLACEHOLDER_RATE,
        fabricate: false,
    };
    takar::generate::run(&cfg).unwrap();
    let input = std::fs::read(&path).unwrap();
    let mut numbers: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let run = input[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run >= 16 {
            numbers.push(&input[i..i + 16]);
        }
        i += run.max(1);
    }
    assert!(numbers.len() > 9_000, "the dump holds NIKs and KKs");
    let out_dir = env.path("out");
    let mut everything = Vec::new();
    for args in [vec!["scan", path.to_str().unwrap(), "--out", out_dir.to_str().unwrap()], vec!["scan", "--json", path.to_str().unwrap()]] {
        let out = takar(&args);
        assert!(out.status.success());
        everything.extend(out.stdout);
        everything.extend(out.stderr);
    }
    for f in files_in(&out_dir) {
        everything.extend(std::fs::read(out_dir.join(f)).unwrap());
    }
    let seen: std::collections::HashSet<&[u8]> = everything.windows(16).collect();
    let leaked = numbers.iter().filter(|n| seen.contains(*n)).count();
    assert_eq!(leaked, 0, "{leaked} input numbers reached an output");
}
