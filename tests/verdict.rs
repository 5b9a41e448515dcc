//! "Is it real?" end to end (issue 10): generated dumps made to look real, fabricated, padded
//! with placeholders or over a regency's population, scanned, and the verdict and its signals
//! checked; the fabricated dump's consistency counts must equal its answer file exactly.

mod common;
use common::*;

use takar::forensics::verdict::Label;
use takar::generate::{DumpFormat, GenerateConfig};
use takar::nik::{Date, RegionTable, Validator};
use takar::report::summary::Summary;
use takar::scan::{scan, Format, ScanOptions};

fn options(input: std::path::PathBuf, claimed: Option<u64>) -> ScanOptions {
    ScanOptions { password: Default::default(), strict: false, buffer_max: None, inputs: vec![input], format: Format::Auto, sniff: Default::default(), mmap: Default::default(), chunk_size: 1 << 16, progress: false, zip_ahead_max_member: None, claimed, memory: Default::default(), approximate: false }
}

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

/// Generates `cfg` into `env` and scans it; the summary and the answer file.
fn generated(env: &Env, name: &str, cfg: GenerateConfig) -> (Summary, takar::generate::Answer) {
    let path = env.path(name);
    let answer = takar::generate::run(&GenerateConfig { output: path.clone(), ..cfg }).unwrap();
    (scan(&options(path, None), &validator()).unwrap(), answer)
}

fn config(records: u64, seed: u64) -> GenerateConfig {
    GenerateConfig {
        records,
        seed,
        format: DumpFormat::Csv,
        dup_rate: GenerateConfig::DEFAULT_DUP_RATE,
        invalid_rate: GenerateConfig::DEFAULT_INVALID_RATE,
        output: "unused".into(),
        placeholder_rate: GenerateConfig::DEFAULT_PLACEHOLDER_RATE,
        fabricate: false,
    }
}

fn names(s: &Summary) -> Vec<&'static str> {
    s.verdict.signals.iter().map(|c| c.name).collect()
}

#[test]
fn a_realistic_dump_is_consistent() {
    let env = Env::new();
    let (s, answer) = generated(&env, "real.csv", config(30_000, 3));
    assert_eq!(s.consistency, Some(answer.consistency));
    assert_eq!(s.verdict.label, Label::Consistent, "{:?}", names(&s));
    assert!(s.verdict.checks.len() >= 14, "every signal had enough values");
    assert_eq!(s.source.looks_like.as_deref(), Some("kpu_voter_list"));
}

#[test]
fn a_fabricated_dump_is_likely_fabricated() {
    let env = Env::new();
    let (s, answer) = generated(&env, "fake.csv", GenerateConfig { fabricate: true, ..config(30_000, 4) });
    // The generator knows every contradiction it wrote; the scan finds exactly those.
    assert_eq!(s.consistency, Some(answer.consistency));
    let c = answer.consistency;
    assert_eq!(c.regency_mismatch, c.regency_checked);
    assert_eq!(c.district_mismatch, c.district_checked);
    assert_eq!(c.kk_region_mismatch, c.kk_region_checked);
    assert_eq!(c.birth_date_mismatch, c.birth_date_checked);
    assert_eq!(s.verdict.label, Label::LikelyFabricated);
    let got = names(&s);
    for want in ["serials", "birth_years", "kk_region_mismatch", "birth_date_mismatch", "gender_mismatch", "regency_mismatch", "district_mismatch", "people_per_kk"] {
        assert!(got.contains(&want), "{want} not among {got:?}");
    }
    // The terminal says so in plain words, with the top signals.
    let text = takar::report::terminal::render(&s, RegionTable::embedded(), &Default::default());
    assert!(text.contains("Is it real?\n  likely fabricated"), "{text}");
    assert!(text.contains("serial of 0100 or more"), "{text}");
    let empty = takar::report::terminal::render(&Summary::new(Date::new(2026, 11, 24).unwrap()), RegionTable::embedded(), &Default::default());
    assert!(empty.contains("not judged"), "{empty}");
}

#[test]
fn a_dump_padded_with_placeholders_is_suspicious() {
    let env = Env::new();
    let (s, answer) = generated(&env, "padded.csv", GenerateConfig { placeholder_rate: 0.08, ..config(30_000, 5) });
    assert_eq!(s.nik.placeholder, answer.nik.placeholder);
    assert_eq!(s.verdict.label, Label::Suspicious);
    assert_eq!(names(&s), ["placeholders"]);
    let p = &s.verdict.signals[0];
    assert_eq!(p.value, (s.nik.placeholder as f64 / s.records as f64 * 1e4).round() / 1e4);
    assert!(p.value > 0.075 && p.value < 0.085);
}

#[test]
fn a_regency_over_its_population_is_named() {
    // 42,000 people of Kab. Supiori (27,965 registered in 2024): 150%.
    let t = RegionTable::embedded();
    let district = t.districts.iter().find(|d| d.code / 100 == 9119).unwrap().code;
    let mut csv = String::from("nik\n");
    let slots: Vec<(u32, u32, u32, u32)> =
        (1960..2000).flat_map(|y| (1..=12).flat_map(move |m| (1..=28).flat_map(move |d| [(y, m, d, 0), (y, m, d, 40)]))).collect();
    for j in 0..42_000usize {
        let (y, m, d, f) = slots[j % slots.len()];
        let serial = j / slots.len() + 1;
        csv.push_str(&format!("{district:06}{:02}{m:02}{:02}{serial:04}\n", d + f, y % 100));
    }
    let env = Env::new();
    let path = env.write("supiori.csv", csv.as_bytes());
    let s = scan(&options(path, None), &validator()).unwrap();
    assert_eq!(s.nik.unique, 42_000);
    let signal = s.verdict.signals.iter().find(|c| c.name == "coverage").expect("a coverage signal");
    assert_eq!(signal.value, 1.5019);
    let regions = signal.regions.as_ref().unwrap();
    assert_eq!(regions.len(), 1);
    assert_eq!((regions[0].code.as_str(), regions[0].name.as_str(), regions[0].population), ("9119", "Kabupaten Supiori", 27_965));
    assert_ne!(s.verdict.label, Label::Consistent);
}

#[test]
fn a_claim_is_set_against_the_unique_count() {
    let env = Env::new();
    let path = env.path("claimed.csv");
    takar::generate::run(&GenerateConfig { output: path.clone(), ..config(5_000, 6) }).unwrap();
    let plain = scan(&options(path.clone(), None), &validator()).unwrap();
    assert!(plain.claim.is_none());
    let unique = plain.nik.unique;
    // At 80% of the claim nothing trips; one more claimed record and the claim signal does.
    let at = (unique as f64 / 0.8).floor() as u64;
    let s = scan(&options(path.clone(), Some(at)), &validator()).unwrap();
    let claim = s.claim.unwrap();
    assert_eq!((claim.claimed, claim.records, claim.valid, claim.unique), (at, s.records, s.nik.valid, unique));
    assert!(!names(&s).contains(&"claim"), "{}", claim.unique_over_claimed);
    let s = scan(&options(path, Some(at + 10)), &validator()).unwrap();
    assert_eq!(names(&s), ["claim"]);
    // Through the command line too, into summary.json's shape.
    let out = takar(&["scan", "--json", "--no-progress", "--reference-date", "2026-11-24", "--claimed", "252000000", env.path("claimed.csv").to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["claim"]["claimed"], 252_000_000u64);
    assert_eq!(v["verdict"]["label"], "suspicious");
    assert_eq!(v["verdict"]["signals"][0]["name"], "claim");
    assert_eq!(v["verdict"]["signals"][0]["expected"]["min"], 0.8);
    assert_eq!(v["source"]["looks_like"], "kpu_voter_list");
}
