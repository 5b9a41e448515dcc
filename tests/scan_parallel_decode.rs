//! Parallel decoding of multi-frame zstd and multi-member gzip files: a generated dump
//! compressed in pieces scans to exactly the uncompressed answer at any thread count, through
//! the parallel decoder and through the stream; truncated and corrupt files are errors that
//! name the file and the offset of the bad frame or member, and write nothing.

mod common;
use common::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use takar::nik::{Date, RegionTable, Validator};
use takar::input::compression::Compression;
use takar::input::source::MmapMode;
use takar::input::decode as parallel_decode;
use takar::scan::{scan, Format, ScanOptions};

fn generated(env: &Env, records: u64) -> (PathBuf, Vec<u8>, serde_json::Value) {
    let path = env.path("dump.csv");
    let cfg = takar::generate::GenerateConfig {
        records,
        seed: 23,
        format: takar::generate::DumpFormat::Csv,
        dup_rate: 0.1,
        invalid_rate: 0.05,
        output: path.clone(),
        placeholder_rate: takar::generate::GenerateConfig::DEFAULT_PLACEHOLDER_RATE,
        fabricate: false,
    };
    takar::generate::run(&cfg).unwrap();
    let answer = serde_json::from_slice(&std::fs::read(takar::generate::answer_path(&path)).unwrap()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes, answer)
}

/// pzstd's layout: before each frame, a skippable frame holding the frame's compressed size.
/// Pieces are cut at arbitrary bytes, not at record ends.
fn pzstd_like(data: &[u8], piece: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, p) in data.chunks(piece).enumerate() {
        let frame = zstd::bulk::compress(p, 1 + (i % 3) as i32).unwrap();
        out.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    out
}

/// Frames as `cat a.zst b.zst` gives them (streamed, so without content sizes, with checksums).
fn concatenated_zstd(data: &[u8], piece: usize) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    for p in data.chunks(piece) {
        starts.push(out.len());
        let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        e.include_checksum(true).unwrap();
        e.write_all(p).unwrap();
        out.extend(e.finish().unwrap());
    }
    (out, starts)
}

/// Members as `cat a.gz b.gz` gives them, and where each starts.
fn multi_gzip(data: &[u8], piece: usize) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    for (i, p) in data.chunks(piece).enumerate() {
        starts.push(out.len());
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1 + (i % 6) as u32));
        e.write_all(p).unwrap();
        out.extend(e.finish().unwrap());
    }
    (out, starts)
}

/// bgzip's layout: members of at most 64 KiB, each with a 'BC' extra field holding its size
/// minus one, and an empty member at the end.
fn bgzf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in data.chunks(65_280).chain([&[][..]]) {
        let mut e = flate2::GzBuilder::new().extra(vec![b'B', b'C', 2, 0, 0, 0]).write(Vec::new(), flate2::Compression::default());
        e.write_all(p).unwrap();
        let mut block = e.finish().unwrap();
        let bsize = (block.len() - 1) as u16;
        block[16..18].copy_from_slice(&bsize.to_le_bytes());
        out.extend(block);
    }
    out
}

/// How many parallel jobs the decoder cuts a file into (0: it streams the file).
fn jobs(bytes: &[u8], compression: Compression) -> usize {
    match parallel_decode::open(Arc::new(bytes.to_vec()), compression, Arc::new(AtomicU64::new(0))) {
        Some(r) => r.jobs(),
        None => 0,
    }
}

fn options(input: &Path, mmap: MmapMode, chunk_size: usize) -> ScanOptions {
    ScanOptions { inputs: vec![input.to_path_buf()], format: Format::Auto, sniff: Default::default(), mmap, chunk_size, progress: false, zip_ahead_max_member: None, password: Default::default(), strict: false, buffer_max: None, claimed: None, memory: Default::default(), approximate: false }
}

/// Everything a scan reports that does not depend on how the bytes were read.
fn summary_counts(s: &takar::report::summary::Summary) -> serde_json::Value {
    let v = serde_json::to_value(s).unwrap();
    serde_json::json!({
        "records": v["records"], "nik": v["nik"], "kk": v["kk"], "consistency": v["consistency"],
        "regions": format!("{:?}", s.regions),
        "columns": [&v["inputs"][0]["nik_column"], &v["inputs"][0]["kk_column"], &v["inputs"][0]["header"], &v["inputs"][0]["format"]],
        "warnings": v["inputs"][0]["warnings"],
    })
}

#[test]
fn multi_frame_and_multi_member_files_scan_like_the_plain_dump() {
    let env = Env::new();
    let (plain, data, answer) = generated(&env, 60_000);
    let v = Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap());
    let want = summary_counts(&scan(&options(&plain, MmapMode::Auto, 1 << 20), &v).unwrap());
    assert_eq!(want["records"], answer["records"]);
    assert_eq!(want["nik"], answer["nik"]);
    assert_eq!(want["kk"], answer["kk"]);

    let pz = pzstd_like(&data, 1 << 20);
    let (cat_zst, _) = concatenated_zstd(&data, 700_000);
    let (cat_gz, _) = multi_gzip(&data, 900_000);
    let bgz = bgzf(&data);
    let files = [
        ("pzstd.zst", pz, Compression::Zstd, "zstd"),
        ("cat.zst", cat_zst, Compression::Zstd, "zstd"),
        ("cat.csv.gz", cat_gz, Compression::Gzip, "gzip"),
        ("bgzf.gz", bgz, Compression::Gzip, "gzip"),
    ];
    for (name, bytes, compression, kind) in &files {
        // The files are big enough that the default tuning really decodes them in parallel.
        assert!(jobs(bytes, *compression) >= 2, "{name}: {} jobs", jobs(bytes, *compression));
        let path = env.write(name, bytes);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            // Mapped (parallel decoding) with two chunk sizes, and streamed (one decoder).
            for (mmap, chunk) in [(MmapMode::Auto, 1 << 20), (MmapMode::Auto, 100_000), (MmapMode::Never, 1 << 20)] {
                let s = pool.install(|| scan(&options(&path, mmap, chunk), &v)).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(summary_counts(&s), want, "{name} threads {threads} {mmap:?} chunk {chunk}");
                assert_eq!(s.inputs[0].compression, *kind);
                assert_eq!(s.inputs[0].bytes, bytes.len() as u64);
            }
        }
    }
    // The CLI, and stdin (a zstd file that starts with a skippable frame is still zstd).
    let v = scan_json(&[env.path("pzstd.zst").to_str().unwrap(), "--threads", "2"]);
    assert_eq!(v["records"], answer["records"]);
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "-"], Some(&files[0].1));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nik"], answer["nik"]);
    assert_eq!(v["inputs"][0]["compression"], "zstd");
}

#[test]
fn single_frame_and_single_member_files_still_stream() {
    let env = Env::new();
    let (_, data, answer) = generated(&env, 5_000);
    let zst = zstd::bulk::compress(&data, 3).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(jobs(&zst, Compression::Zstd), 0);
    for (name, bytes) in [("one.zst", &zst), ("one.gz", &gz)] {
        let v = scan_json(&[env.write(name, bytes).to_str().unwrap()]);
        assert_eq!(v["nik"], answer["nik"], "{name}");
    }
}

/// Runs a scan that must fail: exit 1, nothing on stdout, no output directory; returns stderr.
fn fails(file: &Path, out_dir: &Path, threads: &str) -> String {
    let out = takar(&["scan", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--threads", threads]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(!out_dir.exists() || files_in(out_dir).is_empty(), "a failed scan wrote output");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn truncated_and_corrupt_files_name_the_file_and_the_bad_frame() {
    let env = Env::new();
    let (_, data, _) = generated(&env, 60_000);
    let out_dir = env.path("out");

    let (zst, frames) = concatenated_zstd(&data, 300_000);
    assert!(jobs(&zst, Compression::Zstd) >= 2);
    let last = *frames.last().unwrap();
    let cut = env.write("cut.zst", &zst[..zst.len() - 100]);
    for threads in ["1", "3"] {
        let err = fails(&cut, &out_dir, threads);
        assert!(err.contains("cut.zst") && err.contains(&format!("byte {last}:")) && err.contains("zstd") && err.contains("truncated"), "{err}");
    }
    // Bytes overwritten in the middle of a frame (frames carry checksums).
    let mut bad = zst.clone();
    let at = (frames[17] + frames[18]) / 2;
    bad[at..at + 16].copy_from_slice(b"\x13\x37garbage\xff\x00garba");
    let bad = env.write("bad.zst", &bad);
    for threads in ["1", "3"] {
        let err = fails(&bad, &out_dir, threads);
        assert!(err.contains("bad.zst") && err.contains("zstd") && err.contains(&format!("byte {}:", frames[17])), "{err}");
    }

    let (gz, members) = multi_gzip(&data, 300_000);
    assert!(jobs(&gz, Compression::Gzip) >= 2);
    let last = *members.last().unwrap();
    let cut = env.write("cut.csv.gz", &gz[..gz.len() - 100]);
    for threads in ["1", "3"] {
        let err = fails(&cut, &out_dir, threads);
        assert!(err.contains("cut.csv.gz") && err.contains(&format!("byte {last}:")) && err.contains("gzip") && err.contains("truncated"), "{err}");
    }
    let mut bad = gz.clone();
    let at = (members[17] + members[18]) / 2;
    bad[at..at + 16].copy_from_slice(b"\x13\x37garbage\xff\x00garba");
    let bad = env.write("bad.csv.gz", &bad);
    for threads in ["1", "3"] {
        let err = fails(&bad, &out_dir, threads);
        assert!(err.contains("bad.csv.gz") && err.contains("gzip") && err.contains(&format!("byte {}:", members[17])), "{err}");
    }
}
