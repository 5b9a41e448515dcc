//! `--max-memory` through the binary: a scan whose key stores spill to disk gives the same
//! answer as one that holds everything, leaves no temporary file behind (success, failure,
//! Ctrl-C), and says what it did in `memory`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{files_in, scan_json, takar, Env, TEST_KEY};

/// A generated dump of `records` records.
fn dump(env: &Env, name: &str, records: u64, seed: u64) -> std::path::PathBuf {
    let path = env.path(name);
    let out = takar(&["generate", "--records", &records.to_string(), "--seed", &seed.to_string(), "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    path
}

/// The summary without what depends on the run (time, memory).
fn answer(mut v: serde_json::Value) -> serde_json::Value {
    let o = v.as_object_mut().unwrap();
    for k in ["elapsed_s", "bytes_per_s", "memory"] {
        o.remove(k);
    }
    v
}

#[test]
fn spilled_scan_equals_the_in_memory_scan() {
    let env = Env::new();
    let a = dump(&env, "a.csv", 20_000, 1);
    let b = dump(&env, "b.csv", 15_000, 2);
    let temp = env.path("spill");
    std::fs::create_dir(&temp).unwrap();
    let (a, b, t) = (a.to_str().unwrap(), b.to_str().unwrap(), temp.to_str().unwrap());
    // B repeats A so that "new per input" depends on which input a key came from first.
    let inputs = [a, b, a];
    let mut plain = vec!["--max-memory", "1G"];
    plain.extend_from_slice(&inputs);
    let held = scan_json(&plain);
    assert_eq!(held["memory"]["spill_runs"], 0);
    assert_eq!(held["memory"]["max_memory_bytes"], 1u64 << 30);

    for mmap in ["auto", "never"] {
        // 64 KiB chunks and a 96 KiB budget: the keys spill many times over.
        let mut args = vec!["--max-memory", "96K", "--temp-dir", t, "--chunk-size", "65536", "--mmap", mmap];
        args.extend_from_slice(&inputs);
        let spilled = scan_json(&args);
        let runs = spilled["memory"]["spill_runs"].as_u64().unwrap();
        assert!(runs > 2, "expected the keys to spill, memory = {}", spilled["memory"]);
        assert!(spilled["memory"]["spilled_bytes"].as_u64().unwrap() > 0);
        assert_eq!(answer(spilled), answer(held.clone()), "--mmap {mmap}");
        assert_eq!(files_in(&temp), Vec::<String>::new(), "the spill directory is removed");
    }
}

#[test]
fn a_spill_that_cannot_be_written_is_an_error_naming_the_directory() {
    let env = Env::new();
    let a = dump(&env, "a.csv", 5_000, 3);
    let missing = env.path("no/such/dir");
    let out_dir = env.path("out");
    let out = takar(&[
        "scan",
        "--max-memory",
        "16K",
        "--chunk-size",
        "65536",
        "--temp-dir",
        missing.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty(), "no partial output");
}

#[test]
fn the_terminal_report_shows_the_budget_and_the_spill() {
    let env = Env::new();
    let a = dump(&env, "a.csv", 10_000, 4);
    let out = takar(&["scan", "--max-memory", "64K", "--chunk-size", "65536", "--color", "never", a.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("Memory")).unwrap_or_else(|| panic!("no memory line in\n{text}"));
    assert!(line.contains("budget 65.54 kB") && line.contains("spilled to disk"), "{line}");
}

#[test]
fn takar_keys_refuses_a_budget_it_would_not_keep() {
    let env = Env::new();
    let a = env.write("a.csv", b"nik\n");
    let out = env.path("k");
    for flag in [["--max-memory", "1G"], ["--temp-dir", "/tmp"]] {
        let run = takar(&["keys", flag[0], flag[1], "--out", out.to_str().unwrap(), a.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(2), "{flag:?}");
        assert!(String::from_utf8_lossy(&run.stderr).contains(flag[0]));
    }
}

#[test]
fn sizes_that_are_not_sizes_are_usage_errors() {
    for bad in ["0", "lots", "1X"] {
        let out = takar(&["scan", "--max-memory", bad, "-"]);
        assert_eq!(out.status.code(), Some(2), "--max-memory {bad}");
    }
}

/// Ctrl-C runs no destructor: the handler must remove the spill directory itself. The dump
/// arrives on stdin, so the scan is stopped mid-way, after its first spill, for certain.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_removes_the_spill_directory() {
    use std::io::Write;
    let env = Env::new();
    let a = dump(&env, "a.csv", 40_000, 5);
    let bytes = std::fs::read(&a).unwrap();
    let temp = env.path("spill");
    std::fs::create_dir(&temp).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", TEST_KEY)
        .args(["scan", "--json", "--max-memory", "32K", "--chunk-size", "65536", "--temp-dir", temp.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Feed the dump until a run file exists; keep the pipe open so the scan cannot finish.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sent = 0;
    while !has_run_file(&temp) {
        assert!(Instant::now() < deadline, "no spill after {sent} bytes");
        if sent < bytes.len() {
            let end = (sent + (256 << 10)).min(bytes.len());
            stdin.write_all(&bytes[sent..end]).unwrap();
            sent = end;
        } else {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // SAFETY: a signal to our own child, by its pid; no memory is involved.
    let sent_signal = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent_signal, 0);
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&temp), Vec::<String>::new(), "the spill directory is removed on Ctrl-C");
}

fn has_run_file(temp: &Path) -> bool {
    files_in(temp).iter().any(|d| !files_in(&temp.join(d)).is_empty())
}
