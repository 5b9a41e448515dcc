//! Shared helpers for the CLI tests: a temp dir with files, and running the binary.

#![allow(dead_code)]

pub mod workbook;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// The pseudonym key every test run uses (through `TAKAR_KEY`), so tests never create the
/// per-user key of whoever runs them.
pub const TEST_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

pub fn takar(args: &[&str]) -> Output {
    takar_stdin(args, None)
}

pub fn takar_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_takar"));
    cmd.env("TAKAR_KEY", TEST_KEY).args(args).stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run takar");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut s = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = s.write_all(&input);
        });
    }
    child.wait_with_output().expect("wait for takar")
}

/// `takar scan --json` on the given args; panics with stderr on failure.
pub fn scan_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["scan", "--json", "--reference-date", "2026-11-24"];
    all.extend_from_slice(args);
    let out = takar(&all);
    assert!(out.status.success(), "takar {all:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("summary is JSON")
}

/// The parts of a summary that must not depend on how the bytes were read.
pub fn counts(v: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "records": v["records"], "nik": v["nik"], "kk": v["kk"], "consistency": v["consistency"] })
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).map(|r| r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// `bytes` gzip-compressed (fast level), as a dump's `.gz` would be.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// `bytes` bzip2-compressed (fast level).
pub fn bzip2(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// `bytes` xz-compressed (preset 1).
pub fn xz(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap()
}
