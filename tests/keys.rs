//! `keys.takar` end to end (issue 11): `takar scan --out` writes the keyed pseudonyms of the
//! dump's unique valid NIKs (with their province) and KKs, exactly the set an independent count
//! finds; the same people in another format give the same file byte for byte; another key gives
//! other pseudonyms; no input number and no key appears in any output; a bad key fails before
//! anything is written; the per-user key is created once, private, and reused.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use takar::engine::keys::pseudonym::Pseudonyms;
use takar::keyring::Key;
use takar::nik::{Check, Date, RegionTable, Validator};
use takar::report::keys_file;

const REFERENCE: &str = "2026-11-24";

fn generate(env: &Env, name: &str, format: &str, seed: &str) -> std::path::PathBuf {
    let p = env.path(name);
    let out = takar(&["generate", "--records", "20000", "--seed", seed, "--format", format, "-o", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p
}

fn scan_out(input: &Path, out_dir: &Path, key_hex: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", key_hex)
        .args(["scan", "--json", "--no-progress", "--reference-date", REFERENCE, "--out"])
        .arg(out_dir)
        .arg(input)
        .output()
        .unwrap()
}

/// The oracle: the CSV read by the csv crate, every NIK and KK validated one by one, the valid
/// ones pseudonymized and collected in sets.
fn expected(csv_path: &Path, key: &Key) -> (Vec<(u64, u8)>, Vec<u64>) {
    let table = RegionTable::embedded();
    let v = Validator::new(table, Date::parse_iso(REFERENCE).unwrap());
    let p = Pseudonyms::new(key);
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let (mut nik, mut kk) = (BTreeSet::new(), BTreeSet::new());
    for row in reader.records() {
        let row = row.unwrap();
        if let Check::Valid(n) = v.nik(row[0].as_bytes()) {
            // The province is the NIK's first two digits, however the field is written.
            let digits: Vec<u8> = row[0].bytes().filter(u8::is_ascii_digit).take(2).collect();
            let province = (digits[0] - b'0') * 10 + (digits[1] - b'0');
            nik.insert((p.nik(n.key()), province));
        }
        if let Check::Valid(k) = v.kk(row[1].as_bytes()) {
            kk.insert(p.kk(k.key()));
        }
    }
    (nik.into_iter().collect(), kk.into_iter().collect())
}

#[test]
fn keys_file_holds_exactly_the_pseudonyms_of_the_unique_numbers() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "21");
    let out_dir = env.path("out");
    let out = scan_out(&csv_path, &out_dir, TEST_KEY);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let key = Key::from_hex(TEST_KEY).unwrap();
    let got = keys_file::read(&out_dir.join("keys.takar")).unwrap();
    assert_eq!(got.header.key_fingerprint, key.fingerprint());
    assert_eq!(got.header.nik, summary["nik"]["unique"].as_u64().unwrap());
    assert_eq!(got.header.kk, summary["kk"]["unique"].as_u64().unwrap());
    let (want_nik, want_kk) = expected(&csv_path, &key);
    assert_eq!(got.nik.len(), want_nik.len());
    assert!(got.nik.iter().copied().zip(got.nik_province.iter().copied()).eq(want_nik.iter().copied()), "NIK pseudonyms or provinces differ");
    assert_eq!(got.kk, want_kk);
}

#[test]
fn same_people_in_another_format_give_the_same_file_and_another_key_other_pseudonyms() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "22");
    let sql_path = generate(&env, "p.sql", "sql", "22");
    for (name, path, key) in [("a", &csv_path, TEST_KEY), ("b", &sql_path, TEST_KEY), ("c", &csv_path, &"ab".repeat(32)[..])] {
        let out = scan_out(path, &env.path(name), key);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let bytes = |name: &str| std::fs::read(env.path(name).join("keys.takar")).unwrap();
    assert_eq!(bytes("a"), bytes("b"), "CSV and SQL of the same people");
    let (a, c) = (keys_file::read(&env.path("a").join("keys.takar")).unwrap(), keys_file::read(&env.path("c").join("keys.takar")).unwrap());
    assert_eq!(a.nik.len(), c.nik.len());
    assert_ne!(a.header.key_fingerprint, c.header.key_fingerprint);
    let shared = a.nik.iter().filter(|x| c.nik.binary_search(x).is_ok()).count();
    assert!(shared * 1000 < a.nik.len(), "another key gives other pseudonyms ({shared} shared)");
}

#[test]
fn no_input_number_and_no_key_reaches_any_output() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "23");
    let out_dir = env.path("out");
    let out = scan_out(&csv_path, &out_dir, TEST_KEY);
    assert!(out.status.success());
    let mut numbers: BTreeSet<u64> = BTreeSet::new();
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        for field in [&row[0], &row[1]] {
            if field.len() == 16 && field.bytes().all(|b| b.is_ascii_digit()) {
                numbers.insert(field.parse().unwrap());
            }
        }
    }
    assert!(numbers.len() > 10_000);
    let raw = std::fs::read(out_dir.join("keys.takar")).unwrap();
    let header_end = 10 + 4 + u32::from_le_bytes(raw[10..14].try_into().unwrap()) as usize;
    let body = zstd::decode_all(&raw[header_end..]).unwrap();
    for (what, bytes) in [("keys.takar", &raw), ("its body", &body)] {
        assert!(!takar::report::has_nik_like_run(bytes), "{what}: 16-digit text");
        for w in bytes.windows(8) {
            let w: [u8; 8] = w.try_into().unwrap();
            assert!(!numbers.contains(&u64::from_le_bytes(w)) && !numbers.contains(&u64::from_be_bytes(w)), "{what}: an input number as an integer");
        }
    }
    let mut everything = out.stdout.clone();
    everything.extend_from_slice(&out.stderr);
    for f in files_in(&out_dir) {
        everything.extend(std::fs::read(out_dir.join(f)).unwrap());
    }
    for secret in [TEST_KEY.as_bytes().to_vec(), key_bytes(TEST_KEY)] {
        assert!(!everything.windows(secret.len()).any(|w| w == secret.as_slice()), "the key reached an output");
    }
}

fn key_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn a_bad_key_fails_before_anything_is_written() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "24");
    let out_dir = env.path("out");
    let secretish = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ";
    let out = scan_out(&csv_path, &out_dir, secretish);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TAKAR_KEY"), "{err}");
    assert!(!err.contains("0123456789abcdef"), "the error repeats the key: {err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
    // --no-keys writes the other outputs and needs no key.
    let out = Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", secretish)
        .args(["scan", "--no-progress", "--no-keys", "--out"])
        .arg(&out_dir)
        .arg(&csv_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&out_dir), ["districts.parquet", "manifest.json", "map.svg", "provinces.parquet", "regencies.parquet", "report.html", "summary.json"]);
    // Without --out no key is needed at all.
    let out = Command::new(env!("CARGO_BIN_EXE_takar")).env("TAKAR_KEY", secretish).args(["scan", "--json", "--no-progress"]).arg(&csv_path).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn the_per_user_key_is_created_once_private_and_reused() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "25");
    let config = env.path("config");
    let run = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_takar"))
            .env_remove("TAKAR_KEY")
            .env("XDG_CONFIG_HOME", &config)
            .args(["scan", "--no-progress", "--reference-date", REFERENCE, "--out"])
            .arg(env.path(name))
            .arg(&csv_path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        keys_file::read(&env.path(name).join("keys.takar")).unwrap().header.key_fingerprint
    };
    let first = run("a");
    let key_path = config.join("takar").join("key");
    let key = Key::load(&key_path).unwrap();
    assert_eq!(first, key.fingerprint());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(run("b"), first, "the second run reuses the key");
    // --key-file wins over the per-user key.
    let other = env.write("other.key", format!("{}\n", "cd".repeat(32)).as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_takar"))
        .env_remove("TAKAR_KEY")
        .env("XDG_CONFIG_HOME", &config)
        .args(["scan", "--no-progress", "--key-file"])
        .arg(&other)
        .arg("--out")
        .arg(env.path("c"))
        .arg(&csv_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = keys_file::read(&env.path("c").join("keys.takar")).unwrap().header.key_fingerprint;
    assert_eq!(c, Key::load(&other).unwrap().fingerprint());
    assert_ne!(c, first);
}

/// Two analysts with the same inputs, key and options: the same summary (timings aside), the
/// same Parquet files, the same keys file and the same manifest, byte for byte; the manifest
/// names each input by size and BLAKE3 hash, the key by its fingerprint, and the options.
#[test]
fn the_same_run_gives_the_same_outputs_and_a_manifest_that_says_so() {
    let env = Env::new();
    let csv_path = generate(&env, "p.csv", "csv", "26");
    let run = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_takar"))
            .env("TAKAR_KEY", TEST_KEY)
            .args(["scan", "--no-progress", "--reference-date", REFERENCE, "--column", "kk=nkk", "--threads", if name == "a" { "1" } else { "2" }, "--out"])
            .arg(env.path(name))
            .arg(&csv_path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        env.path(name)
    };
    let (a, b) = (run("a"), run("b"));
    for f in files_in(&a) {
        let (x, y) = (std::fs::read(a.join(&f)).unwrap(), std::fs::read(b.join(&f)).unwrap());
        if f == "summary.json" {
            let strip = |t: &[u8]| String::from_utf8_lossy(t).lines().filter(|l| !l.contains("elapsed_s") && !l.contains("bytes_per_s") && !l.contains("peak_key_bytes")).collect::<Vec<_>>().join("\n");
            assert_eq!(strip(&x), strip(&y));
        } else {
            assert!(x == y, "{f} differs between two runs");
        }
    }
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let bytes = std::fs::read(&csv_path).unwrap();
    let hash = blake3::hash(&bytes).to_hex().to_string();
    assert_eq!(manifest["inputs"][0]["bytes"], bytes.len() as u64);
    assert_eq!(manifest["inputs"][0]["blake3"].as_str().unwrap().replace(':', ""), hash);
    assert_eq!(manifest["key_fingerprint"], Key::from_hex(TEST_KEY).unwrap().fingerprint());
    assert_eq!(manifest["options"]["columns"], serde_json::json!(["kk=nkk"]));
    assert_eq!(manifest["options"]["reference_date"], REFERENCE);
    assert!(manifest["region_editions"].as_array().unwrap().len() >= 6);
}
