//! Zip members decoded ahead in parallel (`scan/zip_ahead.rs`): a zip of many parts counts
//! exactly like the same parts as plain files, whether a member is decoded ahead or streamed
//! (too large, nested gzip, transcoded, empty), at any thread count; a corrupt member is
//! skipped with its reason, and under `--strict` an error naming it, with nothing written.

mod common;
use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use takar::input::compression::Compression;
use takar::input::source::{self, Body, MmapMode};
use takar::input::zip_ahead::{Limits, ZipAhead};

/// The per-member cap the tests run with: the parts are below it, `big.csv` above it.
const CAP: u64 = 200_000;

#[derive(Clone, Copy)]
enum Method {
    Deflated,
    Stored,
}

struct Part {
    name: &'static str,
    bytes: Vec<u8>,
    method: Method,
}

fn zip_of(parts: &[Part]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for p in parts {
        let method = match p.method {
            Method::Deflated => zip::CompressionMethod::Deflated,
            Method::Stored => zip::CompressionMethod::Stored,
        };
        w.start_file(p.name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(&p.bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A generated dump cut into parts at record boundaries, each with the header.
fn dump_lines(env: &Env, records: usize, seed: u64) -> (Vec<u8>, Vec<Vec<u8>>) {
    let p = env.path(&format!("gen{seed}.csv"));
    let out = takar(&["generate", "--records", &records.to_string(), "--seed", &seed.to_string(), "-o", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read(&p).unwrap();
    let mut lines = text.split_inclusive(|&b| b == b'\n').map(|l| l.to_vec());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

fn part(header: &[u8], lines: &[Vec<u8>]) -> Vec<u8> {
    let mut v = header.to_vec();
    lines.iter().for_each(|l| v.extend_from_slice(l));
    v
}

/// The parts: deflated, stored, a gzip inside, empty, one above the cap, UTF-16, Windows-1252.
fn parts(env: &Env) -> Vec<Part> {
    let (header, lines) = dump_lines(env, 6000, 7);
    let utf16 = {
        let text = String::from_utf8(part(&header, &lines[4500..5000])).unwrap();
        let mut v = vec![0xFF, 0xFE];
        text.encode_utf16().for_each(|u| v.extend_from_slice(&u.to_le_bytes()));
        v
    };
    let parts = vec![
        Part { name: "p1.csv", bytes: part(&header, &lines[..500]), method: Method::Deflated },
        Part { name: "p2.csv", bytes: part(&header, &lines[300..800]), method: Method::Stored },
        Part { name: "p3.csv.gz", bytes: gzip(&part(&header, &lines[800..1300])), method: Method::Deflated },
        Part { name: "empty.csv", bytes: Vec::new(), method: Method::Deflated },
        Part { name: "big.csv", bytes: part(&header, &lines[1300..4500]), method: Method::Deflated },
        Part { name: "p16.csv", bytes: utf16, method: Method::Deflated },
        Part { name: "cp.csv", bytes: b"nik,nama\n3507011508900001\xA0,Jos\xE9\n3507011508900002,x\n".to_vec(), method: Method::Deflated },
        Part { name: "p5.csv", bytes: part(&header, &lines[5000..]), method: Method::Stored },
    ];
    assert!(parts[4].bytes.len() as u64 > CAP && parts.iter().filter(|p| p.name != "big.csv").all(|p| (p.bytes.len() as u64) < CAP));
    parts
}

/// `takar scan --json` with the per-member cap set; the summary without its timings.
fn scan_with_cap(cap: u64, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", TEST_KEY)
        .args(["scan", "--json", "--no-progress", "--reference-date", "2026-11-24"])
        .args(args)
        .args(["--zip-ahead-max-member", &cap.to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "takar scan {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("elapsed_s");
    o.remove("bytes_per_s");
    o.remove("memory");
    v
}

fn per_input(v: &serde_json::Value) -> Vec<(serde_json::Value, serde_json::Value)> {
    v["inputs"].as_array().unwrap().iter().map(|i| (i["records"].clone(), i["nik_new_unique"].clone())).collect()
}

#[test]
fn zip_members_count_like_plain_files_decoded_ahead_or_streamed() {
    let env = Env::new();
    let parts = parts(&env);
    let zip = env.write("d.zip", &zip_of(&parts));
    let plain: Vec<String> = parts.iter().map(|p| env.write(&format!("plain/{}", p.name), &p.bytes).to_str().unwrap().to_string()).collect();
    let plain: Vec<&str> = plain.iter().map(|s| s.as_str()).collect();
    for threads in ["1", "3"] {
        let mut args = vec!["--threads", threads];
        args.extend_from_slice(&plain);
        let want = scan_with_cap(CAP, &args);
        assert!(want["records"].as_u64().unwrap() > 5000);
        let ahead = scan_with_cap(CAP, &["--threads", threads, zip.to_str().unwrap()]);
        assert_eq!(counts(&ahead), counts(&want), "--threads {threads}");
        assert_eq!(per_input(&ahead), per_input(&want), "--threads {threads}");
        let inputs = ahead["inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), parts.len());
        for (input, p) in inputs.iter().zip(&parts) {
            assert!(input["path"].as_str().unwrap().ends_with(&format!("d.zip:{}", p.name)), "{input}");
        }
        assert_eq!(inputs[0]["compression"], "zip");
        assert_eq!(inputs[2]["compression"], "gzip");
        assert_eq!(inputs[5]["encoding"], "utf-16le");
        assert_eq!(inputs[6]["encoding"], "windows-1252");
        // Decoding ahead off (cap 0): every member streamed, as before this module. The whole
        // summary is the same, `inputs` entries included (bytes, compression, encoding, ...).
        let streamed = scan_with_cap(0, &["--threads", threads, zip.to_str().unwrap()]);
        assert_eq!(ahead, streamed, "--threads {threads}");
        // Everything decoded ahead except what cannot be (default cap).
        assert_eq!(scan_with_cap(super_cap(), &["--threads", threads, zip.to_str().unwrap()]), streamed);
    }
    // A plain file before the zip, and the zip twice: inputs in order, duplicates counted.
    let args = ["--threads", "3", plain[0], zip.to_str().unwrap(), zip.to_str().unwrap()];
    let mut want_args = vec!["--threads", "3", plain[0]];
    want_args.extend_from_slice(&plain);
    want_args.extend_from_slice(&plain);
    let (got, want) = (scan_with_cap(CAP, &args), scan_with_cap(CAP, &want_args));
    assert_eq!(counts(&got), counts(&want));
    assert_eq!(per_input(&got), per_input(&want));
}

/// The default cap (128 MiB), which every part here is under.
fn super_cap() -> u64 {
    takar::input::zip_ahead::MAX_MEMBER
}

#[test]
fn which_members_are_decoded_ahead() {
    let env = Env::new();
    let parts = parts(&env);
    let zip = env.write("d.zip", &zip_of(&parts));
    let inputs = source::expand(std::slice::from_ref(&zip)).unwrap();
    assert_eq!(inputs.len(), parts.len());
    for threads in [1, 3] {
        // A small window and budget too: members past them wait for the scan to move on.
        let limits = Limits { threads, window: 2, budget: 150_000, max_member: CAP };
        let mut ahead = ZipAhead::start(&inputs, limits);
        // Time for the workers to claim the first members (else the scan streams them itself).
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut decoded = Vec::new();
        for (i, (input, p)) in inputs.iter().zip(&parts).enumerate() {
            let opened = ahead.open(i, input, MmapMode::Auto).unwrap();
            assert_eq!(opened.bytes, compressed_size(&zip, i), "{}", p.name);
            match p.name {
                // Plain UTF-8 under the cap: a slice (unless the scan got there first).
                "p1.csv" | "p2.csv" | "empty.csv" | "p5.csv" => {
                    if let Body::Decoded(bytes) = &opened.body {
                        assert_eq!(bytes, &p.bytes);
                        decoded.push(p.name);
                    } else {
                        assert!(matches!(opened.body, Body::Stream(_)), "{}", p.name);
                    }
                    assert_eq!(opened.compression, Compression::Zip);
                }
                // Nested gzip, transcoding, above the cap: streams as before.
                _ => assert!(matches!(opened.body, Body::Stream(_)), "{}", p.name),
            }
        }
        assert!(decoded.contains(&"p1.csv"), "{decoded:?}");
    }
    // Off with one input, and with a cap of 0: plain streams.
    let one = source::expand(&[env.write("one.zip", &zip_of(&parts[..1]))]).unwrap();
    let mut ahead = ZipAhead::start(&one, Limits { threads: 2, window: 4, budget: 1 << 20, max_member: CAP });
    assert!(matches!(ahead.open(0, &one[0], MmapMode::Auto).unwrap().body, Body::Stream(_)));
    let mut ahead = ZipAhead::start(&inputs, Limits { threads: 2, window: 4, budget: 1 << 20, max_member: 0 });
    assert!(matches!(ahead.open(0, &inputs[0], MmapMode::Auto).unwrap().body, Body::Stream(_)));
    // Dropped half way, with members decoded and waiting: the threads stop and join.
    let mut ahead = ZipAhead::start(&inputs, Limits::for_threads(3));
    ahead.open(0, &inputs[0], MmapMode::Auto).unwrap();
    drop(ahead);
}

fn compressed_size(zip: &Path, index: usize) -> u64 {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let f = z.by_index_raw(index).unwrap();
    f.compressed_size()
}

/// Flips bytes in the middle of member `index`'s compressed data.
fn corrupt(archive: &mut [u8], index: usize) {
    let (start, len) = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive.to_vec())).unwrap();
        let f = z.by_index_raw(index).unwrap();
        (f.data_start().unwrap(), f.compressed_size())
    };
    let mid = (start + len / 2) as usize;
    for b in &mut archive[mid..mid + 16] {
        *b ^= 0x5a;
    }
}

#[test]
fn a_corrupt_member_is_an_error_naming_it_and_nothing_is_written() {
    let env = Env::new();
    let (header, lines) = dump_lines(&env, 3000, 9);
    for method in [Method::Stored, Method::Deflated] {
        let parts = [
            Part { name: "a.csv", bytes: part(&header, &lines[..1000]), method: Method::Deflated },
            Part { name: "b.csv", bytes: part(&header, &lines[1000..2000]), method },
            Part { name: "c.csv", bytes: part(&header, &lines[2000..]), method: Method::Deflated },
        ];
        let mut bytes = zip_of(&parts);
        corrupt(&mut bytes, 1);
        let zip = env.write("bad.zip", &bytes);
        for threads in ["1", "3"] {
            for cap in [CAP, 0] {
                let out_dir = env.path("out");
                let out = Command::new(env!("CARGO_BIN_EXE_takar"))
                    .env("TAKAR_KEY", TEST_KEY)
                    .args(["scan", "--no-progress", "--strict", "--threads", threads, zip.to_str().unwrap(), "--out", out_dir.to_str().unwrap()])
                    .args(["--zip-ahead-max-member", &cap.to_string()])
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(1), "{err}");
                assert!(out.stdout.is_empty());
                assert!(err.contains("bad.zip:b.csv") && !err.contains("a.csv") && !err.contains("c.csv"), "{err}");
                if matches!(method, Method::Stored) {
                    // Stored bytes "decode"; the CRC at the end catches them.
                    assert!(err.to_lowercase().contains("checksum"), "{err}");
                }
                assert!(!out_dir.exists() || files_in(&out_dir).is_empty(), "{err}");
                // Without --strict the member is skipped, saying why, and the rest is counted.
                let v = scan_with_cap(cap, &["--threads", threads, zip.to_str().unwrap()]);
                assert_eq!(v["records"], 2000);
                let skipped = v["skipped"].as_array().unwrap();
                assert_eq!(skipped.len(), 1, "{skipped:?}");
                assert!(skipped[0]["path"].as_str().unwrap().ends_with("bad.zip:b.csv"), "{skipped:?}");
                assert!(skipped[0]["reason"].as_str().unwrap().starts_with("corrupt"), "{skipped:?}");
            }
        }
    }
}
