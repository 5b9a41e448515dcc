//! `takar overlap` against an oracle (issue 11): three dumps cut from one generated population
//! with known shared parts, given as CSV, TSV and as a keys file, compared exactly: sizes,
//! pairwise intersections, shares, Jaccard, the part of each set in no other, and the
//! intersections per province, all equal to sets counted here by the validator and the
//! pseudonym function; `--against` an archive folder; different keys refused.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use takar::engine::keys::pseudonym::Pseudonyms;
use takar::keyring::Key;
use takar::nik::{Check, Date, RegionTable, Validator};

const REFERENCE: &str = "2026-11-24";

/// The rows of a generated CSV: the header and the records.
fn rows(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    (header, r.records().map(Result::unwrap).collect())
}

fn write_delimited(path: &Path, delimiter: u8, header: &csv::StringRecord, records: &[csv::StringRecord]) {
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in records {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The oracle's set: pseudonym -> province of every valid NIK in `records`.
fn oracle(records: &[csv::StringRecord], p: &Pseudonyms, v: &Validator<'_>) -> BTreeMap<u64, u8> {
    let mut set = BTreeMap::new();
    for r in records {
        if let Check::Valid(n) = v.nik(r[0].as_bytes()) {
            let digits: Vec<u8> = r[0].bytes().filter(u8::is_ascii_digit).take(2).collect();
            set.insert(p.nik(n.key()), (digits[0] - b'0') * 10 + (digits[1] - b'0'));
        }
    }
    set
}

#[test]
fn overlap_of_dumps_and_keys_files_equals_the_oracle() {
    let env = Env::new();
    let all = env.path("all.csv");
    let out = takar(&["generate", "--records", "30000", "--seed", "31", "--dup-rate", "0.1", "-o", all.to_str().unwrap()]);
    assert!(out.status.success());
    let (header, records) = rows(&all);
    // A = records 0..14000, B = 10000..24000, C = 6000..8000 plus 20000..30000: A and B share
    // 10000..14000, A and C share 6000..8000, B and C share 20000..24000, no record is in all
    // three (people repeated across the population still make some shared NIKs elsewhere,
    // which the oracle counts the same way).
    let a: Vec<_> = records[..14000].to_vec();
    let b: Vec<_> = records[10000..24000].to_vec();
    let c: Vec<_> = records[6000..8000].iter().chain(&records[20000..]).cloned().collect();
    write_delimited(&env.path("a.csv"), b',', &header, &a);
    write_delimited(&env.path("b.tsv"), b'\t', &header, &b);
    write_delimited(&env.path("c.csv"), b',', &header, &c);
    let c_out = env.path("c-out");
    let out = takar(&["scan", "--no-progress", "--reference-date", REFERENCE, "--out", c_out.to_str().unwrap(), env.path("c.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c_keys = c_out.join("keys.takar");

    let v = Validator::new(RegionTable::embedded(), Date::parse_iso(REFERENCE).unwrap());
    let key = Key::from_hex(TEST_KEY).unwrap();
    let p = Pseudonyms::new(&key);
    let sets = [oracle(&a, &p, &v), oracle(&b, &p, &v), oracle(&c, &p, &v)];
    let keys = |s: &BTreeMap<u64, u8>| s.keys().copied().collect::<BTreeSet<u64>>();

    for (label, third) in [("dump", env.path("c.csv")), ("keys file", c_keys.clone())] {
        let (a_path, b_path) = (env.path("a.csv"), env.path("b.tsv"));
        let args = ["overlap", "--json", "--no-progress", "--reference-date", REFERENCE, a_path.to_str().unwrap(), b_path.to_str().unwrap(), third.to_str().unwrap()];
        let out = takar(&args);
        assert!(out.status.success(), "{label}: {}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["key_fingerprint"], key.fingerprint());
        for (i, s) in sets.iter().enumerate() {
            let others: BTreeSet<u64> = sets.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, o)| o.keys().copied()).collect();
            assert_eq!(got["sets"][i]["unique"], s.len() as u64, "{label}: set {i}");
            assert_eq!(got["sets"][i]["only_here"], s.keys().filter(|k| !others.contains(k)).count() as u64, "{label}: set {i}");
        }
        let mut pair = 0;
        for i in 0..3 {
            for j in i + 1..3 {
                let (x, y) = (keys(&sets[i]), keys(&sets[j]));
                let shared: BTreeSet<u64> = x.intersection(&y).copied().collect();
                let g = &got["pairs"][pair];
                assert_eq!(g["intersection"], shared.len() as u64, "{label}: pair {i},{j}");
                assert!(shared.len() > 1000, "the cut makes real overlaps");
                let near = |key: &str, want: f64| assert!((g[key].as_f64().unwrap() - want).abs() < 1e-6, "{label}: {key} of {i},{j}");
                near("b_in_a", shared.len() as f64 / y.len() as f64);
                near("a_in_b", shared.len() as f64 / x.len() as f64);
                near("jaccard", shared.len() as f64 / x.union(&y).count() as f64);
                let mut by_province: BTreeMap<String, u64> = BTreeMap::new();
                for k in &shared {
                    *by_province.entry(format!("{:02}", sets[i][k])).or_default() += 1;
                }
                let got_provinces: BTreeMap<String, u64> =
                    g["per_province"].as_array().unwrap().iter().map(|r| (r["province_code"].as_str().unwrap().to_string(), r["intersection"].as_u64().unwrap())).collect();
                assert_eq!(got_provinces, by_province, "{label}: provinces of {i},{j}");
                pair += 1;
            }
        }
    }

    // The archive mode: C's keys file (in a folder) against B, as a dump.
    let b_path = env.path("b.tsv");
    let out = takar(&["overlap", "--json", "--no-progress", "--reference-date", REFERENCE, "--against", c_out.to_str().unwrap(), b_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (bk, ck) = (keys(&sets[1]), keys(&sets[2]));
    assert_eq!(got["pairs"].as_array().unwrap().len(), 1);
    assert_eq!(got["pairs"][0]["intersection"], bk.intersection(&ck).count() as u64);
    assert_eq!(got["sets"][1]["only_here"], bk.difference(&ck).count() as u64);
}

#[test]
fn sets_of_different_keys_are_refused_and_bad_files_named() {
    let env = Env::new();
    let all = env.path("all.csv");
    assert!(takar(&["generate", "--records", "2000", "--seed", "32", "-o", all.to_str().unwrap()]).status.success());
    let out_dir = env.path("out");
    assert!(takar(&["scan", "--no-progress", "--out", out_dir.to_str().unwrap(), all.to_str().unwrap()]).status.success());
    let keys = out_dir.join("keys.takar");
    let other_key = "ab".repeat(32);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", &other_key)
        .args(["overlap", "--no-progress"])
        .arg(&keys)
        .arg(&all)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let (mine, theirs) = (Key::from_hex(TEST_KEY).unwrap().fingerprint(), Key::from_hex(&other_key).unwrap().fingerprint());
    assert!(err.contains(&mine) && err.contains(&theirs), "{err}");
    assert!(!err.contains(&other_key) && !err.contains(TEST_KEY), "{err}");

    // A damaged keys file is an error naming it; one set alone is a usage error.
    let mut bytes = std::fs::read(&keys).unwrap();
    let n = bytes.len();
    bytes.truncate(n - 7);
    let cut = env.write("cut/keys.takar", &bytes);
    let out = takar(&["overlap", "--no-progress", cut.to_str().unwrap(), all.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("keys.takar"));
    let out = takar(&["overlap", all.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}
