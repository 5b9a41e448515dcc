//! Archives as collections of inputs (issue 14): tar (plain, gzip, bzip2, xz, zstd), zip and 7z,
//! nested to depth 3; folders and archives of mixed material whose non-dumps are skipped and
//! listed; passwords (zip ZipCrypto and AES, 7z with encrypted headers), which never appear in
//! any output; RAR, truncated and corrupt archives; links in walked folders.
//!
//! The 7z archives and the ZipCrypto zip are made with Debian's `7zz` (package `7zip`, which
//! `.ci/run` installs); without it those cases are left out, except under CI, where its absence
//! fails the test.

mod common;
use common::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const PASSWORD: &str = "Rahasia-Bocor-2026";

/// `takar scan` with the test key and a fixed reference date; the output, whatever the exit.
fn scan(args: &[&str]) -> std::process::Output {
    let mut all = vec!["scan", "--no-progress", "--reference-date", "2026-11-24"];
    all.extend_from_slice(args);
    takar(&all)
}

/// `takar scan --json`, which must succeed.
fn json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = scan(&all);
    assert!(out.status.success(), "takar scan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `takar scan` that must fail with exit 1 and print nothing on stdout; its stderr.
fn fails(args: &[&str]) -> String {
    let out = scan(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "takar scan {args:?} should fail: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(err.lines().count(), 1, "one error line: {err}");
    err
}

/// Whether Debian's 7-Zip is here; under CI it must be.
fn sevenzip() -> bool {
    let here = Command::new("7zz").arg("--help").output().is_ok_and(|o| o.status.success());
    assert!(here || std::env::var_os("CI").is_none(), "7zz (Debian package 7zip) is needed; .ci/run installs it");
    if !here {
        eprintln!("7zz not found: 7z cases left out");
    }
    here
}

/// `7zz a ARCHIVE FILES...` run in `dir` (so the members are named as given), with `extra`
/// switches (a password, the zip format).
fn sevenz(dir: &Path, archive: &str, files: &[&str], extra: &[&str]) -> PathBuf {
    let out = Command::new("7zz").current_dir(dir).args(["a", "-bd", "-bso0", "-bsp0"]).args(extra).arg(archive).args(files).output().unwrap();
    assert!(out.status.success(), "7zz: {}", String::from_utf8_lossy(&out.stderr));
    dir.join(archive)
}

/// A generated dump cut into three parts at record boundaries, each with the header; the
/// second gzipped (a `.csv.gz` member), the others plain.
fn parts(env: &Env) -> Vec<(&'static str, Vec<u8>)> {
    let p = env.path("gen.csv");
    let out = takar(&["generate", "--records", "3000", "--seed", "14", "-o", p.to_str().unwrap()]);
    assert!(out.status.success());
    let text = std::fs::read(&p).unwrap();
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let part = |r: std::ops::Range<usize>| [lines[0], &lines[r].concat()].concat();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&part(1000..2200)).unwrap();
    vec![("a.csv", part(1..1000)), ("b.csv.gz", gz.finish().unwrap()), ("c.csv", part(2200..lines.len()))]
}

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn aes_zip_of(members: &[(&str, Vec<u8>)], password: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default().with_aes_encryption(zip::AesMode::Aes256, password)).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_cksum();
    b.append_data(&mut dir, "leak/", &[][..]).unwrap();
    for (name, bytes) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("leak/{name}"), &bytes[..]).unwrap();
    }
    b.into_inner().unwrap()
}


/// A summary without what depends on how the people were packed: the timings, and each
/// input's name, size on disk and compression.
fn packed_aside(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    o.remove("elapsed_s");
    o.remove("bytes_per_s");
    o.remove("memory");
    for input in o["inputs"].as_array_mut().unwrap() {
        let i = input.as_object_mut().unwrap();
        for k in ["path", "bytes", "compression"] {
            i.remove(k);
        }
    }
    v
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap().to_string()).collect()
}

fn skipped(v: &Value) -> Vec<(String, String)> {
    v["skipped"].as_array().unwrap().iter().map(|s| (s["path"].as_str().unwrap().to_string(), s["reason"].as_str().unwrap().to_string())).collect()
}

/// Scans `input` (run in `dir`) with `--out`; the summary (its packing aside) and the bytes of
/// the three Parquet files.
fn outputs(dir: &Path, input: &str, extra: &[&str]) -> (Value, Vec<Vec<u8>>, Vec<String>) {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let mut args = vec!["scan", "--no-progress", "--reference-date", "2026-11-24", "--out", o, "--json", input];
    args.extend_from_slice(extra);
    let run = Command::new(env!("CARGO_BIN_EXE_takar")).env("TAKAR_KEY", TEST_KEY).args(&args).current_dir(dir).output().unwrap();
    assert!(run.status.success(), "{input}: {}", String::from_utf8_lossy(&run.stderr));
    let summary: Value = serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let parquet = ["provinces", "regencies", "districts"].iter().map(|n| std::fs::read(out.path().join(format!("{n}.parquet"))).unwrap()).collect();
    let names = names(&summary, "inputs");
    (packed_aside(summary), parquet, names)
}

#[test]
fn the_same_people_in_every_kind_of_container_give_the_same_answer() {
    let env = Env::new();
    let parts = parts(&env);
    let d = env.dir.path();
    for (name, bytes) in &parts {
        env.write(&format!("folder/{name}"), bytes);
    }
    let tar = tar_of(&parts);
    env.write("p.zip", &zip_of(&parts));
    env.write("p.tar", &tar);
    env.write("p.tar.gz", &gzip(&tar));
    env.write("p.tgz", &gzip(&tar));
    env.write("p.tar.bz2", &bzip2(&tar));
    env.write("p.tar.xz", &xz(&tar));
    env.write("p.tar.zst", &zstd::encode_all(&tar[..], 3).unwrap());
    // Depth 3: a zip holding a tar.gz holding a zip holding the parts.
    let inner = zip_of(&parts);
    let mid = gzip(&tar_of(&[("inner.zip", inner.clone())]));
    env.write("nested.zip", &zip_of(&[("mid.tar.gz", mid)]));

    let (want, want_parquet, folder_names) = outputs(d, "folder", &[]);
    assert_eq!(folder_names, ["folder/a.csv", "folder/b.csv.gz", "folder/c.csv"]);
    assert_eq!(want["records"], 3000);
    assert_eq!(want["skipped"], serde_json::json!([]));
    let mut cases = vec![
        ("p.zip", vec!["p.zip:a.csv", "p.zip:b.csv.gz", "p.zip:c.csv"]),
        ("p.tar", vec!["p.tar:leak/a.csv", "p.tar:leak/b.csv.gz", "p.tar:leak/c.csv"]),
        ("p.tar.gz", vec!["p.tar.gz:leak/a.csv", "p.tar.gz:leak/b.csv.gz", "p.tar.gz:leak/c.csv"]),
        ("p.tgz", vec!["p.tgz:leak/a.csv", "p.tgz:leak/b.csv.gz", "p.tgz:leak/c.csv"]),
        ("p.tar.bz2", vec!["p.tar.bz2:leak/a.csv", "p.tar.bz2:leak/b.csv.gz", "p.tar.bz2:leak/c.csv"]),
        ("p.tar.xz", vec!["p.tar.xz:leak/a.csv", "p.tar.xz:leak/b.csv.gz", "p.tar.xz:leak/c.csv"]),
        ("p.tar.zst", vec!["p.tar.zst:leak/a.csv", "p.tar.zst:leak/b.csv.gz", "p.tar.zst:leak/c.csv"]),
        (
            "nested.zip",
            vec![
                "nested.zip:mid.tar.gz:leak/inner.zip:a.csv",
                "nested.zip:mid.tar.gz:leak/inner.zip:b.csv.gz",
                "nested.zip:mid.tar.gz:leak/inner.zip:c.csv",
            ],
        ),
    ];
    let owned: Vec<(String, Vec<String>)>;
    if sevenzip() {
        for (name, _) in &parts {
            env.write(&format!("seven/{name}"), &std::fs::read(env.path(&format!("folder/{name}"))).unwrap());
        }
        sevenz(&env.path("seven"), "../p.7z", &["a.csv", "b.csv.gz", "c.csv"], &[]);
        // Depth 3 again, 7z outside: a 7z holding a tar holding a zip.
        env.write("mid/m.tar", &tar_of(&[("inner.zip", inner)]));
        sevenz(&env.path("mid"), "../nested.7z", &["m.tar"], &[]);
        owned = vec![
            ("p.7z".into(), vec!["p.7z:a.csv".into(), "p.7z:b.csv.gz".into(), "p.7z:c.csv".into()]),
            (
                "nested.7z".into(),
                ["a.csv", "b.csv.gz", "c.csv"].iter().map(|n| format!("nested.7z:m.tar:leak/inner.zip:{n}")).collect(),
            ),
        ];
        for (a, n) in &owned {
            cases.push((a.as_str(), n.iter().map(String::as_str).collect()));
        }
    }
    for (archive, want_names) in &cases {
        let (got, parquet, got_names) = outputs(d, archive, &[]);
        assert_eq!(&got_names, want_names, "{archive}");
        assert_eq!(got, want, "{archive}");
        assert!(parquet == want_parquet, "{archive}: Parquet differs");
    }
    // Streamed rather than mapped, and on one thread: the same.
    let (got, parquet, _) = outputs(d, "nested.zip", &["--mmap", "never", "--threads", "1", "--zip-ahead-max-member", "0"]);
    assert_eq!(got, want);
    assert!(parquet == want_parquet);
    // The compression shown is the container's, unless the member is compressed itself.
    let v = json(&[env.path("p.tar.gz").to_str().unwrap()]);
    let shown: Vec<&str> = v["inputs"].as_array().unwrap().iter().map(|i| i["compression"].as_str().unwrap()).collect();
    assert_eq!(shown, ["tar", "gzip", "tar"]);
    // A tar on stdin is read as it streams.
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "-"], Some(&gzip(&tar)));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(names(&v, "inputs"), ["-:leak/a.csv", "-:leak/b.csv.gz", "-:leak/c.csv"]);
    assert_eq!(counts(&v), counts(&json(&[env.path("folder").to_str().unwrap()])));
}

/// A minimal PDF with one page of text in the standard Helvetica font.
fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 10 Tf 50 750 Td 12 TL\n");
    for l in lines {
        content.push_str(&format!("({l}) Tj T*\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xDB";
const RAR: &[u8] = b"Rar!\x1A\x07\x01\x00\x33\x92\xB5\xE5\x0A\x01\x05\x06\x00\x05\x01\x01\x80\x80\x00";

#[test]
fn a_folder_of_mixed_material_skips_what_is_not_a_dump() {
    let env = Env::new();
    let parts = parts(&env);
    env.write("leak/a.csv", &parts[0].1);
    env.write("leak/bukti/foto_bukti.jpg", JPEG);
    env.write("leak/surat.pdf", &pdf(&["Surat edaran", "Nomor 12/2021"]));
    env.write("leak/README.txt", b"Data from the 2021 breach. Password in the thread.\nDo not share.\nContact: seller\n");
    env.write("leak/sample.zip", &zip_of(&[("b.csv.gz", parts[1].1.clone()), ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()), (".DS_Store", b"Bud1\0\0".to_vec())]));
    env.write("leak/locked.zip", &aes_zip_of(&[("c.csv", parts[2].1.clone())], PASSWORD));
    env.write("leak/more.rar", RAR);
    env.write("leak/program.exe", &[&b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00\xB8"[..], &[0u8; 200][..]].concat());
    env.write("leak/note.txt", b"see the thread\n");
    let leak = env.path("leak");
    let l = leak.to_str().unwrap();
    let v = json(&[l]);
    let want = counts(&json(&[env.write("ab.csv", &parts[0].1).to_str().unwrap(), env.write("b.csv.gz", &parts[1].1).to_str().unwrap()]));
    assert_eq!(counts(&v), want);
    assert_eq!(v["records"], 999 + 1200);
    assert_eq!(names(&v, "inputs"), [format!("{l}/a.csv"), format!("{l}/sample.zip:b.csv.gz")]);
    assert_eq!(
        skipped(&v),
        [
            (format!("{l}/README.txt"), "no NIK column".to_string()),
            (format!("{l}/bukti/foto_bukti.jpg"), "JPEG image".into()),
            (format!("{l}/locked.zip:c.csv"), "encrypted".into()),
            (format!("{l}/more.rar"), "RAR archive".into()),
            (format!("{l}/note.txt"), "no records".into()),
            (format!("{l}/program.exe"), "executable".into()),
            (format!("{l}/sample.zip:logo.png"), "PNG image".into()),
            (format!("{l}/sample.zip:.DS_Store"), "macOS metadata".into()),
            (format!("{l}/surat.pdf"), "PDF with no NIK in its text".into()),
        ]
    );
    // The terminal report lists them.
    let out = scan(&[l]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Skipped: 9 files") && text.contains("more.rar: RAR archive") && text.contains("foto_bukti.jpg: JPEG image"), "{text}");

    // With the password the encrypted member is read too.
    let v = json(&[l, "--password", PASSWORD]);
    assert_eq!(v["records"], 3000);
    assert_eq!(skipped(&v).len(), 8);

    // --strict: the first skip is an error, and nothing is written.
    let out_dir = env.path("out");
    let err = fails(&[l, "--strict", "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("README.txt") && err.contains("--strict"), "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());

    // Named directly, a non-dump is still an error, with nothing written.
    for (file, says) in [("bukti/foto_bukti.jpg", "JPEG image"), ("more.rar", "RAR"), ("surat.pdf", "no NIK"), ("program.exe", "executable")] {
        let err = fails(&[leak.join(file).to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
        assert!(err.contains(file) && err.contains(says), "{err}");
        assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
    }
    // RAR says how to proceed.
    let err = fails(&[leak.join("more.rar").to_str().unwrap()]);
    assert!(err.contains("unrar") && err.contains("7z x") && err.contains("scan the folder"), "{err}");
    // A folder with nothing readable at all is an error.
    env.write("photos/a.jpg", JPEG);
    let err = fails(&[env.path("photos").to_str().unwrap()]);
    assert!(err.contains("nothing to scan") && err.contains("a.jpg: JPEG image"), "{err}");
}

#[test]
fn passwords_open_zip_and_7z_and_never_show() {
    let env = Env::new();
    let parts = parts(&env);
    let plain = env.write("plain.csv", &parts[0].1);
    let want = counts(&json(&[plain.to_str().unwrap()]));
    let mut archives = vec![env.write("aes.zip", &aes_zip_of(&[("a.csv", parts[0].1.clone())], PASSWORD))];
    if sevenzip() {
        env.write("src/a.csv", &parts[0].1);
        let src = env.path("src");
        let pw = format!("-p{PASSWORD}");
        archives.push(sevenz(&src, "../zipcrypto.zip", &["a.csv"], &["-tzip", "-mem=ZipCrypto", &pw]));
        archives.push(sevenz(&src, "../aes7.zip", &["a.csv"], &["-tzip", "-mem=AES256", &pw]));
        archives.push(sevenz(&src, "../headers.7z", &["a.csv"], &["-mhe=on", &pw]));
        archives.push(sevenz(&src, "../content.7z", &["a.csv"], &[&pw]));
    }
    let pw_file = env.write("pw.txt", format!("{PASSWORD}\n").as_bytes());
    let out_dir = env.path("out");
    let o = out_dir.to_str().unwrap();
    for archive in &archives {
        let a = archive.to_str().unwrap();
        let _ = std::fs::remove_dir_all(&out_dir);
        // No password: named directly, an error that says one is needed; nothing written.
        let err = fails(&[a, "--out", o]);
        assert!(err.contains("password is needed") && err.contains("--password"), "{a}: {err}");
        assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
        // Inside a folder: skipped as encrypted (a 7z with encrypted headers is one skip).
        let folder = env.path("f");
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(archive, folder.join(archive.file_name().unwrap())).unwrap();
        std::fs::copy(&plain, folder.join("plain.csv")).unwrap();
        let v = json(&[folder.to_str().unwrap()]);
        assert_eq!(counts(&v), want, "{a}");
        let s = skipped(&v);
        assert_eq!(s.len(), 1, "{a}: {s:?}");
        assert_eq!(s[0].1, "encrypted", "{a}");
        // Each way of giving it.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_takar"));
        cmd.env("TAKAR_KEY", TEST_KEY).env("TAKAR_PASSWORD", PASSWORD).args(["scan", "--json", "--reference-date", "2026-11-24", a]);
        let by_env = cmd.output().unwrap();
        assert!(by_env.status.success(), "{a}: {}", String::from_utf8_lossy(&by_env.stderr));
        assert_eq!(counts(&serde_json::from_slice(&by_env.stdout).unwrap()), want, "{a}");
        assert_eq!(counts(&json(&[a, "--password-file", pw_file.to_str().unwrap()])), want, "{a}");
        let _ = std::fs::remove_dir_all(&out_dir);
        let out = scan(&[a, "--password", PASSWORD, "--out", o]);
        assert!(out.status.success(), "{a}: {}", String::from_utf8_lossy(&out.stderr));
        // The password is nowhere: stdout, stderr, the output files.
        let mut seen = vec![out.stdout.clone(), out.stderr.clone()];
        for f in files_in(&out_dir) {
            seen.push(std::fs::read(out_dir.join(f)).unwrap());
        }
        // A wrong password: a clear error, never garbage counted.
        let err = fails(&[a, "--password", "salah", "--out", o]);
        assert!(err.contains("does not open"), "{a}: {err}");
        seen.push(err.into_bytes());
        for bytes in seen {
            assert!(memchr::memmem::find(&bytes, PASSWORD.as_bytes()).is_none(), "{a}: the password leaked");
            assert!(memchr::memmem::find(&bytes, b"salah").is_none(), "{a}: the wrong password leaked");
        }
    }
    // An empty password file is a usage error.
    let empty = env.write("empty.txt", b"\n");
    let out = scan(&[archives[0].to_str().unwrap(), "--password-file", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn truncated_and_corrupt_archives_named_directly_are_errors() {
    let env = Env::new();
    let parts = parts(&env);
    let out_dir = env.path("out");
    let o = out_dir.to_str().unwrap();
    let tar = tar_of(&parts);
    let tgz = gzip(&tar);
    let mut cases = vec![
        ("cut.tar.gz", tgz[..tgz.len() * 2 / 3].to_vec(), "gzip"),
        ("cut.tar", tar[..tar.len() - 5000].to_vec(), "cut short"),
        ("cut.zip", zip_of(&parts)[..2000].to_vec(), "zip"),
        ("cut.tar.zst", { let z = zstd::encode_all(&tar[..], 3).unwrap(); z[..z.len() / 2].to_vec() }, "zstd"),
    ];
    if sevenzip() {
        env.write("s/a.csv", &parts[0].1);
        let full = std::fs::read(sevenz(&env.path("s"), "../full.7z", &["a.csv"], &[])).unwrap();
        cases.push(("cut.7z", full[..full.len() / 2].to_vec(), "7z"));
        let mut flipped = full.clone();
        let mid = flipped.len() / 2;
        flipped[mid..mid + 32].iter_mut().for_each(|b| *b ^= 0x55);
        cases.push(("flipped.7z", flipped, "7z"));
    }
    for (name, bytes, says) in &cases {
        let path = env.write(name, bytes);
        let err = fails(&[path.to_str().unwrap(), "--out", o]);
        assert!(err.contains(name) && err.to_lowercase().contains(says), "{name}: {err}");
        assert!(!out_dir.exists() || files_in(&out_dir).is_empty(), "{name}");
        // In a folder beside a dump: skipped as corrupt (what was read before the damage counts).
        let folder = env.path(&format!("in_{name}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), bytes).unwrap();
        std::fs::write(folder.join("ok.csv"), &parts[0].1).unwrap();
        let v = json(&[folder.to_str().unwrap()]);
        let s = skipped(&v);
        assert!(!s.is_empty() && s.iter().all(|(p, r)| p.contains(name) && (r.contains("corrupt") || r.contains("could not be read"))), "{name}: {s:?}");
        let out = scan(&[folder.to_str().unwrap()]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("part of the input could not be read"), "{name}");
    }
    // A corrupt member of a zip named directly is skipped (the rest is read); --strict makes it
    // an error naming the member.
    let mut z = zip_of(&[("a.csv", parts[0].1.clone()), ("c.csv", parts[2].1.clone())]);
    let at = z.windows(5).position(|w| w == b"c.csv").unwrap() + 200;
    z[at..at + 64].iter_mut().for_each(|b| *b ^= 0x5a);
    let zp = env.write("member.zip", &z);
    let v = json(&[zp.to_str().unwrap()]);
    assert_eq!(v["records"], 999);
    assert_eq!(skipped(&v).len(), 1);
    assert!(skipped(&v)[0].0.ends_with("member.zip:c.csv") && skipped(&v)[0].1.starts_with("corrupt"), "{:?}", skipped(&v));
    let err = fails(&[zp.to_str().unwrap(), "--strict", "--out", o]);
    assert!(err.contains("member.zip:c.csv"), "{err}");
}

#[test]
fn bombs_and_the_buffer_cap() {
    let env = Env::new();
    let parts = parts(&env);
    // A zip member claiming 2 GiB from a few bytes (sizes patched in both headers).
    let mut z = zip_of(&[("a.csv", parts[0].1.clone()), ("big.csv", b"nik\n".to_vec())]);
    let claim = (2u32 << 30).to_le_bytes();
    for sig in [&b"PK\x03\x04"[..], b"PK\x01\x02"] {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&z[from..], sig) {
            let at = from + i;
            let (name_at, size_at) = if sig == b"PK\x03\x04" { (at + 30, at + 22) } else { (at + 46, at + 24) };
            if z[name_at..].starts_with(b"big.csv") {
                z[size_at..size_at + 4].copy_from_slice(&claim);
            }
            from = at + 4;
        }
    }
    let bomb = env.write("bomb.zip", &z);
    let v = json(&[bomb.to_str().unwrap()]);
    assert_eq!(v["records"], 999);
    let s = skipped(&v);
    assert!(s.len() == 1 && s[0].0.ends_with("bomb.zip:big.csv") && s[0].1.contains("zip bomb"), "{s:?}");
    // A zip inside a tar must be read whole: over the cap it is skipped, saying why.
    let inner = zip_of(&parts);
    let t = env.write("t.tar", &tar_of(&[("inner.zip", inner.clone()), ("a.csv", parts[0].1.clone())]));
    let cap = (inner.len() - 1).to_string();
    let v = json(&[t.to_str().unwrap(), "--buffer-max", &cap]);
    let s = skipped(&v);
    assert!(s.len() == 1 && s[0].0.ends_with("t.tar:leak/inner.zip") && s[0].1.contains("too large"), "{s:?}");
    assert_eq!(v["records"], 999);
    let v = json(&[t.to_str().unwrap(), "--buffer-max", &inner.len().to_string()]);
    assert_eq!(v["records"], 3000 + 999);
}

#[cfg(unix)]
#[test]
fn links_in_a_walked_folder_are_read_once_and_broken_ones_skipped() {
    let env = Env::new();
    let parts = parts(&env);
    let a = env.write("d/a.csv", &parts[0].1);
    std::os::unix::fs::symlink(&a, env.path("d/again.csv")).unwrap();
    std::os::unix::fs::symlink(env.path("d/missing.csv"), env.path("d/broken.csv")).unwrap();
    std::os::unix::fs::symlink(env.path("d"), env.path("d/loop")).unwrap();
    let v = json(&[env.path("d").to_str().unwrap()]);
    assert_eq!(v["records"], 999);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1);
    let s = skipped(&v);
    assert!(s.len() == 1 && s[0].0.ends_with("d/broken.csv") && s[0].1 == "broken link", "{s:?}");
    // A file or a folder named twice on the command line is still counted twice.
    let v = json(&[a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(v["records"], 2 * 999);
    let d = env.path("d");
    let v = json(&[d.to_str().unwrap(), d.to_str().unwrap()]);
    assert_eq!(v["records"], 2 * 999);
}

#[test]
fn a_zip_member_holding_a_zip_is_opened_not_called_stdin() {
    let env = Env::new();
    let parts = parts(&env);
    let inner = zip_of(&[("a.csv", parts[0].1.clone())]);
    let outer = env.write("outer.zip", &zip_of(&[("inner.zip", inner.clone()), ("c.csv", parts[2].1.clone())]));
    let v = json(&[outer.to_str().unwrap()]);
    assert_eq!(v["records"], 999 + parts[2].1.iter().filter(|&&b| b == b'\n').count() as u64 - 1);
    assert!(names(&v, "inputs")[0].ends_with("outer.zip:inner.zip:a.csv"));
    // A damaged inner zip names the archive it is in, not stdin.
    let mut bad = inner.clone();
    let n = bad.len();
    bad.truncate(n - 10);
    let outer = env.write("outer2.zip", &zip_of(&[("inner.zip", bad)]));
    let err = fails(&[outer.to_str().unwrap()]);
    assert!(err.contains("outer2.zip:inner.zip") && !err.contains("stdin"), "{err}");
    // A zip on stdin is read whole.
    let out = takar_stdin(&["scan", "--json", "-"], Some(&inner));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Whether Python has fpdf2 (which `.ci/run` installs); under CI it must.
fn fpdf2() -> bool {
    let here = Command::new("python3").args(["-c", "import fpdf"]).output().is_ok_and(|o| o.status.success());
    assert!(here || std::env::var_os("CI").is_none(), "python3 with fpdf2 is needed; .ci/run installs it");
    if !here {
        eprintln!("SKIPPED: fpdf2 not installed (pip install fpdf2)");
    }
    here
}

#[test]
fn pdfs_are_read_through_their_text_layer() {
    let env = Env::new();
    // A handmade PDF with labelled numbers: one record per NIK found, as for pasted text.
    let p = env.write("one.pdf", &pdf(&["NIK: 3507011508900001 No. KK: 3507010101100003", "NIK 3507015508900002", "Nomor 12/2021"]));
    let v = json(&[p.to_str().unwrap()]);
    assert_eq!((v["records"].as_u64(), v["nik"]["valid"].as_u64(), v["kk"]["valid"].as_u64()), (Some(2), Some(2), Some(1)));
    assert_eq!(v["inputs"][0]["format"], "text");
    assert_eq!(v["inputs"][0]["compression"], "pdf");
    // Inside a zip too, one input per PDF.
    let z = env.write("pdfs.zip", &zip_of(&[("one.pdf", std::fs::read(&p).unwrap())]));
    assert_eq!(counts(&json(&[z.to_str().unwrap()])), counts(&v));
    // A PDF that does not parse: named directly an error, in a folder a skip.
    let bad = env.write("f/bad.pdf", b"%PDF-1.4\nnot really\n");
    let err = fails(&[bad.to_str().unwrap()]);
    assert!(err.contains("bad.pdf") && err.contains("PDF"), "{err}");

    if !fpdf2() {
        return;
    }
    // Real-shaped PDFs from fpdf2: a table of NIKs over several pages, in a core and in an
    // embedded TrueType font, and a letter with labelled numbers. The same people as a CSV
    // give the same NIK counts.
    let gen = env.path("gen.csv");
    assert!(takar(&["generate", "--records", "400", "--seed", "33", "-o", gen.to_str().unwrap()]).status.success());
    let text = std::fs::read_to_string(&gen).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (nik, kk, nama) = (col("nik"), col("nkk"), col("nama"));
    let sixteen = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit());
    let people: Vec<(String, String, String)> = rows
        .records()
        .map(|r| r.unwrap())
        .filter(|r| sixteen(&r[nik]) && sixteen(&r[kk]))
        .map(|r| (r[nik].to_string(), r[kk].to_string(), r[nama].replace(',', " ")))
        .take(300)
        .collect();
    let list: String = people.iter().map(|(n, k, m)| format!("{n},{k},{m}\n")).collect();
    let list_file = env.write("people.txt", list.as_bytes());
    let dir = env.path("pdfs");
    std::fs::create_dir_all(&dir).unwrap();
    let made = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/make_pdfs.py"))
        .args([list_file.to_str().unwrap(), dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let niks: String = std::iter::once("nik\n".to_string()).chain(people.iter().map(|(n, _, _)| format!("{n}\n"))).collect();
    let want = json(&[env.write("niks.csv", niks.as_bytes()).to_str().unwrap()]);
    for table in ["table_core.pdf", "table_ttf.pdf"] {
        let path = dir.join(table);
        if !path.exists() {
            continue;
        }
        let v = json(&[path.to_str().unwrap()]);
        assert_eq!(v["records"], want["records"], "{table}");
        assert_eq!(v["nik"]["valid"], want["nik"]["valid"], "{table}");
        assert_eq!(v["nik"]["unique"], want["nik"]["unique"], "{table}");
    }
    // The letter wraps its prose, so a KK label can end one line and its number start the next
    // (an unlabelled number is a NIK in text mode): every one of the 80 numbers is read, as a
    // NIK or a KK, in at least 40 records.
    let v = json(&[dir.join("letter.pdf").to_str().unwrap()]);
    let read = |c: &Value| ["valid", "invalid", "placeholder"].iter().map(|k| c[*k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(read(&v["nik"]) + read(&v["kk"]), 80, "{v}");
    assert!(v["records"].as_u64().unwrap() >= 40);
    assert!(read(&v["kk"]) > 0);
}

/// `takar keys` reads an encrypted zip with the password as `scan` does: one source, one row
/// per valid NIK (its source list was once expanded without the password, and it stopped
/// with "a password is needed" though one was given).
#[test]
fn keys_open_an_encrypted_zip_with_the_password() {
    let env = Env::new();
    let parts = parts(&env);
    let plain = env.write("plain.csv", &parts[0].1);
    let valid = json(&[plain.to_str().unwrap()])["nik"]["valid"].as_u64().unwrap();
    let zip = env.write("aes.zip", &aes_zip_of(&[("a.csv", parts[0].1.clone())], PASSWORD));
    let out_dir = env.path("keys");
    let out = takar(&["keys", "--json", "--no-progress", "--password", PASSWORD, "--out", out_dir.to_str().unwrap(), zip.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = written["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{written}");
    assert_eq!(sources[0]["rows"].as_u64(), Some(valid));
}
