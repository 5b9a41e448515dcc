//! `takar scan` end to end: known answers, every way of reading the same bytes, bad input, and
//! the privacy promise.

mod common;
use common::*;
use std::io::Write;

const SMALL: &[u8] = b"nik,nkk,nama,jenis_kelamin,tanggal_lahir\n\
3507011508900001,3507010101100001,\"BUDI, S\",L,15-08-1990\n\
3507015508900002,3507010101100001,\"SITI \"\"A\"\"\",P,1990-08-15\n\
350701150890001,,x,L,\n\
\"3507011508900001\",3507010101100002,\"multi\nline\",P,15/08/1990\n\
1111111111111111,,y,L,\n\
3.50701E+15,0000000000000000,z,P,01-01-2000\n\
,3507010101100001,w,L,\n";

#[test]
fn small_dump_known_answer() {
    let env = Env::new();
    let p = env.write("small.csv", SMALL);
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["records"], 7);
    assert_eq!(v["nik"]["valid"], 3);
    assert_eq!(v["nik"]["unique"], 2);
    assert_eq!(v["nik"]["duplicate_records"], 1);
    assert_eq!(v["nik"]["missing"], 1);
    assert_eq!(v["nik"]["placeholder"], 1);
    assert_eq!(v["nik"]["invalid"], 2);
    assert_eq!(v["nik"]["invalid_reasons"]["length"], 1);
    assert_eq!(v["nik"]["invalid_reasons"]["spreadsheet_mangled"], 1);
    assert_eq!(v["kk"]["valid"], 4);
    assert_eq!(v["kk"]["unique"], 2);
    assert_eq!(v["kk"]["missing"], 2);
    assert_eq!(v["kk"]["invalid"], 1);
    assert_eq!(v["consistency"]["gender_checked"], 3);
    assert_eq!(v["consistency"]["gender_mismatch"], 1);
    assert_eq!(v["consistency"]["birth_date_checked"], 3);
    assert_eq!(v["consistency"]["birth_date_mismatch"], 0);
    let input = &v["inputs"][0];
    assert_eq!(input["format"], "csv");
    assert_eq!(input["nik_column"], "nik");
    assert_eq!(input["kk_column"], "nkk");
    assert_eq!(input["header"], true);
}

#[test]
fn mmap_stream_stdin_gzip_zstd_and_threads_agree() {
    let env = Env::new();
    let mut big = Vec::new();
    for i in 0..400 {
        big.extend_from_slice(SMALL.split(|&b| b == b'\n').next().map(|_| &SMALL[41..]).unwrap());
        big.extend_from_slice(format!("3507011508{:06},3507010101100003,\"n{i}\",L,15-08-2008\n", 900001 + i).as_bytes());
    }
    let mut data = SMALL[..41].to_vec();
    data.extend_from_slice(&big);
    let plain = env.write("d.csv", &data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Two gzip members: MultiGzDecoder must read both.
    gz.write_all(&data[..data.len() / 2]).unwrap();
    let mut two = gz.finish().unwrap();
    let mut gz2 = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz2.write_all(&data[data.len() / 2..]).unwrap();
    two.extend(gz2.finish().unwrap());
    let gzp = env.write("d.csv.gz", &two);
    let zst = env.write("d.bin", &zstd::encode_all(&data[..], 3).unwrap());
    let want = counts(&scan_json(&[plain.to_str().unwrap()]));
    assert_eq!(want["records"], 7 * 400 + 400);
    for args in [
        vec![plain.to_str().unwrap(), "--mmap", "never"],
        vec![plain.to_str().unwrap(), "--chunk-size", "97", "--threads", "3"],
        vec![plain.to_str().unwrap(), "--mmap", "never", "--chunk-size", "50"],
        vec![gzp.to_str().unwrap()],
        vec![gzp.to_str().unwrap(), "--chunk-size", "64"],
        vec![zst.to_str().unwrap(), "--threads", "1"],
    ] {
        let got = scan_json(&args);
        assert_eq!(counts(&got), want, "{args:?}");
    }
    let v = scan_json(&[gzp.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["compression"], "gzip");
    let v = scan_json(&[zst.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["compression"], "zstd");

    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "-"], Some(&data));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(counts(&v), want);
}

#[test]
fn several_inputs_are_one_dump_with_new_unique_per_input() {
    let env = Env::new();
    let a = env.write("a.csv", b"nik\n3507011508900001\n3507011508900002\n");
    let b = env.write("dir/b.csv", b"nik\n3507011508900002\n3507011508900003\n");
    let v = scan_json(&[a.to_str().unwrap(), env.path("dir").to_str().unwrap()]);
    assert_eq!(v["nik"]["unique"], 3);
    assert_eq!(v["inputs"][0]["nik_new_unique"], 2);
    assert_eq!(v["inputs"][1]["nik_new_unique"], 1);
    assert_eq!(v["inputs"][1]["records"], 2);
    assert!(b.exists());
}

#[test]
fn delimiters_headers_and_column_flags() {
    let env = Env::new();
    let semi = env.write("s.csv", b"\xEF\xBB\xBFNama;No. NIK;No_KK\r\nA;3507011508900001;3507010101100001\r\nB;3507015508900002;3507010101100001\r\n");
    let v = scan_json(&[semi.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["delimiter"], ";");
    assert_eq!(v["inputs"][0]["nik_column"], "No. NIK");
    assert_eq!(v["inputs"][0]["kk_column"], "No_KK");
    assert_eq!(v["nik"]["valid"], 2);
    assert_eq!(v["kk"]["unique"], 1);

    // No header, NIK found by content; KK column is the one without women's days.
    let bare = env.write("b.tsv", b"3507010101100001\tA\t3507015508900002\n3507010101100001\tB\t3507011508900001\n3507010101100002\tC\t3507014508900003\n");
    let v = scan_json(&[bare.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["format"], "tsv");
    assert_eq!(v["inputs"][0]["header"], false);
    assert_eq!(v["inputs"][0]["nik_column"], "column 3");
    assert_eq!(v["inputs"][0]["kk_column"], "column 1");
    assert_eq!(v["nik"]["unique"], 3);

    let v = scan_json(&[bare.to_str().unwrap(), "--nik-column", "1", "--kk-column", "3"]);
    assert_eq!(v["inputs"][0]["nik_column"], "column 1");
    assert_eq!(v["nik"]["unique"], 2);

    let pipe = env.write("p.txt", b"id|nik\n1|3507011508900001\n2|3507011508900001\n");
    let v = scan_json(&[pipe.to_str().unwrap(), "--format", "psv"]);
    assert_eq!(v["inputs"][0]["format"], "psv");
    assert_eq!(v["nik"]["duplicate_records"], 1);
}

#[test]
fn empty_and_header_only_files_are_zero_records() {
    let env = Env::new();
    let e = env.write("empty.csv", b"");
    let h = env.write("header.csv", b"nik,nama\n");
    for p in [e, h] {
        let v = scan_json(&[p.to_str().unwrap()]);
        assert_eq!(v["records"], 0);
        assert_eq!(v["nik"]["unique"], 0);
    }
}

fn fails(args: &[&str]) -> String {
    let out = takar(args);
    assert_eq!(out.status.code(), Some(1), "expected exit 1 for {args:?}");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_input_names_the_file_and_writes_nothing() {
    let env = Env::new();
    let out_dir = env.path("out");
    let missing = env.path("nope.csv");
    let err = fails(&["scan", missing.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("nope.csv"), "{err}");
    // The OS error once, not once from takar's message and again from its cause.
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());

    let garbage = env.write("garbage.bin", &[0x13, 0x37, 0x00, 0xff, 0x00, 0x10]);
    let err = fails(&["scan", garbage.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("garbage.bin") && err.contains("byte 2"), "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());

    std::fs::create_dir_all(env.path("emptydir")).unwrap();
    let err = fails(&["scan", env.path("emptydir").to_str().unwrap()]);
    assert!(err.contains("emptydir"), "{err}");

    let nocol = env.write("nocol.csv", b"nama,alamat\nBUDI 3507011508900001,JL\nSITI,JL\n");
    let err = fails(&["scan", nocol.to_str().unwrap()]);
    assert!(err.contains("nocol.csv") && err.contains("NIK column") && err.contains("nama, alamat"), "{err}");
    assert!(!err.contains("3507011508900001"));

    let truncated = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&SMALL.repeat(200)).unwrap();
        let mut b = gz.finish().unwrap();
        b.truncate(b.len() / 2);
        env.write("cut.csv.gz", &b)
    };
    let err = fails(&["scan", truncated.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("cut.csv.gz") && err.contains("gzip"), "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
}

#[test]
fn unterminated_quote_is_a_warning_with_its_offset() {
    let env = Env::new();
    let p = env.write("q.csv", b"nik,nama\n3507011508900001,\"open\n3507011508900002,x\n");
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["records"], 1);
    let w = v["inputs"][0]["warnings"][0].as_str().unwrap();
    assert!(w.contains("byte 26") && w.contains("never closed"), "{w}");
}

#[test]
fn outputs_are_written_whole_and_hold_no_nik() {
    let env = Env::new();
    let p = env.write("3507011508900001.csv", SMALL);
    let out_dir = env.path("out");
    let out = takar(&["scan", p.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--reference-date", "2026-11-24"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&out_dir), ["districts.parquet", "keys.takar", "manifest.json", "map.svg", "provinces.parquet", "regencies.parquet", "report.html", "summary.json"]);
    let mut everything = out.stdout.clone();
    everything.extend_from_slice(&out.stderr);
    for f in files_in(&out_dir) {
        everything.extend(std::fs::read(out_dir.join(f)).unwrap());
    }
    for nik in [&b"3507011508900001"[..], b"3507015508900002", b"3507010101100001", b"1111111111111111"] {
        assert!(!everything.windows(16).any(|w| w == nik), "a raw NIK reached the output");
    }
}

#[test]
fn every_container_and_encoding_gives_the_same_counts() {
    let env = Env::new();
    let mut data = SMALL.to_vec();
    for i in 0..300 {
        data.extend_from_slice(format!("3507011508{:06},3507010101100003,\"n{i}\",L,15-08-2008\n", 900001 + i).as_bytes());
    }
    let plain = env.write("d.csv", &data);
    let want = counts(&scan_json(&[plain.to_str().unwrap()]));

    let bz = {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(&data).unwrap();
        env.write("d.bz2", &e.finish().unwrap())
    };
    let xz = {
        let mut w = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).unwrap();
        w.write_all(&data).unwrap();
        env.write("d.xz", &w.finish().unwrap())
    };
    // A zip of two members, the second itself gzipped: one dump, two inputs.
    let (first, second) = data.split_at(SMALL.len());
    let mut second_full = SMALL[..41].to_vec();
    second_full.extend_from_slice(second);
    let zip = {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("part1.csv", opts).unwrap();
        z.write_all(first).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&second_full).unwrap();
        z.start_file("part2.csv.gz", opts).unwrap();
        z.write_all(&gz.finish().unwrap()).unwrap();
        env.write("d.zip", &z.finish().unwrap().into_inner())
    };
    for (p, compression) in [(&bz, "bzip2"), (&xz, "xz")] {
        let v = scan_json(&[p.to_str().unwrap()]);
        assert_eq!(counts(&v), want, "{compression}");
        assert_eq!(v["inputs"][0]["compression"], compression);
    }
    let v = scan_json(&[zip.to_str().unwrap()]);
    assert_eq!(counts(&v), want, "zip");
    assert_eq!(v["inputs"].as_array().unwrap().len(), 2);
    assert!(v["inputs"][0]["path"].as_str().unwrap().ends_with("d.zip:part1.csv"));
    assert_eq!(v["inputs"][0]["compression"], "zip");
    assert_eq!(v["inputs"][1]["compression"], "gzip");

    // UTF-16 LE with a BOM, and Windows-1252 with a no-break space after a NIK.
    let text = String::from_utf8(data.clone()).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let v = scan_json(&[env.write("d16.csv", &utf16).to_str().unwrap()]);
    assert_eq!(counts(&v), want, "utf-16");
    assert_eq!(v["inputs"][0]["encoding"], "utf-16le");
    let cp = env.write("cp.csv", b"nik,nama\n3507011508900001\xA0,Jos\xE9\n3507011508900002,x\n");
    let v = scan_json(&[cp.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["encoding"], "windows-1252");
    assert_eq!(v["nik"]["valid"], 2);
}

#[test]
fn bad_archives_are_clear_errors() {
    let env = Env::new();
    let out_dir = env.path("out");
    let zeros = {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("bomb.csv", opts).unwrap();
        z.write_all(&vec![0u8; 4 << 20]).unwrap();
        env.write("bomb.zip", &z.finish().unwrap().into_inner())
    };
    let err = fails(&["scan", zeros.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("bomb.zip:bomb.csv") && err.contains("binary"), "{err}");
    let broken = env.write("broken.zip", b"PK\x03\x04 this is not really a zip archive");
    let err = fails(&["scan", broken.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("broken.zip") && err.contains("zip"), "{err}");
    let bz = {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(&SMALL.repeat(500)).unwrap();
        let mut b = e.finish().unwrap();
        b.truncate(b.len() * 2 / 3);
        env.write("cut.bz2", &b)
    };
    let err = fails(&["scan", bz.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert!(err.contains("cut.bz2") && err.contains("bzip2"), "{err}");
    assert!(!out_dir.exists() || files_in(&out_dir).is_empty());
}

/// Streams past the sniffed first MiB: many blocks, records cut at every block end, and one
/// quoted field longer than the room kept in front of each block for the carried record.
#[test]
fn long_streams_in_small_blocks_count_like_the_map() {
    let env = Env::new();
    let mut data = b"nik,nkk,nama,jk\n".to_vec();
    for i in 0..60_000u32 {
        let name = if i == 31_000 { format!("\"{}\"", "PANJANG, ".repeat(200_000)) } else { format!("\"N{i}\"") };
        data.extend_from_slice(format!("3507011508{:06},3507010101100003,{name},L\n", 900_000 + i % 40_000).as_bytes());
    }
    assert!(data.len() > 3 << 20);
    let plain = env.write("long.csv", &data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data).unwrap();
    let gzp = env.write("long.csv.gz", &gz.finish().unwrap());
    let want = counts(&scan_json(&[plain.to_str().unwrap()]));
    assert_eq!(want["records"], 60_000);
    // Serial 0000 (every 10,000th row) is invalid: 4 of the 40,000 people.
    assert_eq!(want["nik"]["invalid_reasons"]["serial"], 6);
    assert_eq!(want["nik"]["unique"], 39_996);
    for args in [
        vec![plain.to_str().unwrap(), "--mmap", "never", "--chunk-size", "1000"],
        vec![plain.to_str().unwrap(), "--mmap", "never"],
        vec![gzp.to_str().unwrap(), "--chunk-size", "5000", "--threads", "3"],
    ] {
        assert_eq!(counts(&scan_json(&args)), want, "{args:?}");
    }
    let out = takar_stdin(&["scan", "--json", "--chunk-size", "1000", "-"], Some(&data));
    assert!(out.status.success());
    assert_eq!(counts(&serde_json::from_slice(&out.stdout).unwrap()), want);
}

/// A generated dump (`nik,nkk,nama,jenis_kelamin,tempat_lahir,tanggal_lahir,status_kawin,...`).
fn generated_csv(env: &Env, seed: u64) -> String {
    let p = env.path(&format!("g{seed}.csv"));
    let out = takar(&["generate", "--records", "2000", "--seed", &seed.to_string(), "-o", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p.to_str().unwrap().to_string()
}

/// The summary without timings: what the columns chosen decide.
fn answer(v: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "counts": counts(v), "input": v["inputs"][0] })
}

#[test]
fn column_role_flag_names_any_role_like_its_own_flag() {
    let env = Env::new();
    let csv = generated_csv(&env, 11);
    let guessed = answer(&scan_json(&[&csv]));
    // Every role away from its guessed column, so that a flag that does nothing fails.
    let by_name = answer(&scan_json(&[
        &csv, "--column", "nik=nkk", "--column", "kk=nik", "--column", "birth_date=tempat_lahir", "--column", "gender=status_kawin",
    ]));
    let by_own_flags = answer(&scan_json(&[
        &csv, "--nik-column", "nkk", "--kk-column", "nik", "--birth-date-column", "tempat_lahir", "--gender-column", "status_kawin",
    ]));
    assert_eq!(by_name, by_own_flags);
    assert_ne!(by_name["counts"], guessed["counts"]);
    let input = &by_name["input"];
    assert_eq!(
        [&input["nik_column"], &input["kk_column"], &input["birth_date_column"], &input["gender_column"]],
        ["nkk", "nik", "tempat_lahir", "status_kawin"]
    );

    // By position (1-based), mixed with an own flag for another role, `birth-date` spelled too.
    let by_position = answer(&scan_json(&[&csv, "--column", "nik=2", "--kk-column", "1", "--column", "birth-date=5", "--column", "gender=7"]));
    let by_own_positions =
        answer(&scan_json(&[&csv, "--nik-column", "2", "--kk-column", "1", "--birth-date-column", "5", "--gender-column", "7"]));
    assert_eq!(by_position, by_own_positions);
    assert_eq!(by_position, by_name, "positions of the same columns give the same answer");

    // The guessed columns named explicitly give the guess; the name column as NIK finds none.
    let same = answer(&scan_json(&[&csv, "--column", "nik=nik", "--column", "kk=2", "--column", "gender=jenis_kelamin", "--column", "birth_date=6"]));
    assert_eq!(same, guessed);
    let names = scan_json(&[&csv, "--column", "nik=nama"]);
    assert_eq!(names["inputs"][0]["nik_column"], "nama");
    assert_eq!(names["nik"]["valid"], 0);
    assert_ne!(guessed["counts"]["nik"]["valid"], 0);
}

fn usage_error(args: &[&str]) -> String {
    let out = takar(args);
    assert_eq!(out.status.code(), Some(2), "expected exit 2 for {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn column_role_flag_refuses_bad_roles_and_roles_given_twice() {
    let env = Env::new();
    let csv = generated_csv(&env, 12);
    for bad in ["nik", "name=nama", "=2", "nik="] {
        let err = usage_error(&["scan", &csv, "--column", bad]);
        assert!(err.contains("--column") && err.contains("nik, kk, birth_date, gender"), "{bad}: {err}");
    }
    for twice in [
        vec!["--column", "kk=1", "--column", "kk=2"],
        vec!["--column", "nik=1", "--nik-column", "1"],
        vec!["--gender-column", "jenis_kelamin", "--column", "gender=4"],
        vec!["--birth-date-column", "6", "--column", "birth-date=6"],
    ] {
        let mut args = vec!["scan", &csv];
        args.extend(twice.iter().copied());
        let err = usage_error(&args);
        assert!(err.contains("given twice"), "{twice:?}: {err}");
    }
}

/// Runs takar with stdout sent to `stdout`; returns the exit code and stderr.
fn takar_to(args: &[&str], stdout: std::process::Stdio) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", TEST_KEY)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run takar");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_report_that_cannot_be_printed_leaves_no_outputs_and_says_stdout() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let env = Env::new();
    let p = env.write("small.csv", SMALL);
    let out_dir = env.path("out");
    for json in [false, true] {
        let mut args = vec!["scan", p.to_str().unwrap(), "--out", out_dir.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let (code, err) = takar_to(&args, full.try_clone().unwrap().into());
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("stdout") && err.contains("no output file was written"), "{err}");
        assert_eq!(err.matches("os error 28").count(), 1, "{err}");
        assert!(files_in(&out_dir).is_empty(), "{:?}", files_in(&out_dir));
    }
    let (code, err) = takar_to(&["scan", p.to_str().unwrap()], full.into());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.starts_with("takar: error: cannot write the report to stdout"), "{err}");
}

#[test]
fn a_reader_that_stops_early_still_gets_the_outputs() {
    let env = Env::new();
    let p = env.write("small.csv", SMALL);
    let out_dir = env.path("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", TEST_KEY)
        .args(["scan", p.to_str().unwrap(), "--out", out_dir.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run takar");
    // The pipe's only reader goes before takar writes anything: `takar scan ... | head -0`.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&out_dir).len(), 8, "{:?}", files_in(&out_dir));
}

/// `3507011508900001` written as people and spreadsheets write it: dashed, spaced, dotted,
/// full-width, mixed. The NIK normaliser reads each as those 16 digits.
fn nik_shapes() -> Vec<String> {
    let wide = |s: &str| s.chars().map(|c| if c.is_ascii_digit() { char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap() } else { c }).collect::<String>();
    vec![
        "3507-0115-0890-0001".to_string(),
        "3507 0115 0890 0001".to_string(),
        "35.07.01.150890.0001".to_string(),
        wide("3507011508900001"),
        wide("3507 0115 0890 0001"),
        format!("3507-{}-0890-{}", wide("0115"), wide("0001")),
    ]
}

/// Everything a run left where a person or a script could see it: stdout, stderr and every
/// output file.
fn everything(out: &std::process::Output, out_dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut all = vec![("stdout".to_string(), out.stdout.clone()), ("stderr".to_string(), out.stderr.clone())];
    for f in files_in(out_dir) {
        all.push((f.clone(), std::fs::read(out_dir.join(f)).unwrap()));
    }
    all
}

fn assert_no_nik_shape(out: &std::process::Output, out_dir: &std::path::Path, shape: &str) {
    for (name, bytes) in everything(out, out_dir) {
        // The drawn pages' path data (`l1.2-3.4 5.6`) reads as separated digits; they are held
        // to the literal shapes below and to no 16 adjacent digits.
        let drawn = name == "report.html" || name == "map.svg";
        assert!(!drawn || !takar::report::guard::has_adjacent_digit_run(&bytes), "{shape:?} reached {name}");
        let text = name != "keys.takar" && !name.ends_with(".parquet") && !drawn;
        assert!(!text || !takar::report::has_nik_like_run(&bytes), "{shape:?} reached {name}: {}", String::from_utf8_lossy(&bytes));
        for needle in [shape.as_bytes(), b"3507011508900001"] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{shape:?} reached {name}");
        }
    }
}

#[test]
fn a_nik_in_any_shape_is_masked_everywhere() {
    let env = Env::new();
    let out_dir = env.path("out");
    for (i, shape) in nik_shapes().iter().enumerate() {
        // In a header, a file name and the summary's column names.
        let body = format!("nik,{shape}\n3507015508900002,x\n3507015508900003,y\n");
        let p = env.write(&format!("{i}/{shape}.csv"), body.as_bytes());
        let _ = std::fs::remove_dir_all(&out_dir);
        for json in [false, true] {
            let mut args = vec!["scan", p.to_str().unwrap(), "--kk-column", shape, "--out", out_dir.to_str().unwrap()];
            if json {
                args.push("--json");
            }
            let out = takar(&args);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_no_nik_shape(&out, &out_dir, shape);
        }
        // In the messages: headers seen, a column named on the command line, flag values.
        let headers = env.write(&format!("{i}/h.csv"), format!("nama,no_kk,keterangan {shape}\nBUDI,,JL\n").as_bytes());
        for args in [
            vec!["scan", headers.to_str().unwrap(), "--format", "csv"],
            vec!["scan", p.to_str().unwrap(), "--nik-column", &format!("x{shape}")],
            vec!["scan", p.to_str().unwrap(), "--reference-date", shape],
            vec!["scan", p.to_str().unwrap(), "--delimiter", shape],
            vec!["scan", p.to_str().unwrap(), "--column", &format!("nik=x{shape}")],
            vec!["scan", &format!("{}/missing {shape}.csv", env.path("").display())],
        ] {
            let out = takar(&args);
            assert!(!out.status.success(), "{args:?}");
            assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{}", String::from_utf8_lossy(&out.stderr));
            assert_no_nik_shape(&out, &env.path("none"), shape);
        }
    }
}

#[test]
fn a_first_row_of_full_width_digits_is_data_not_a_header() {
    let env = Env::new();
    let wide: String = "3507011508900001".chars().map(|c| char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap()).collect();
    let p = env.write("fw.csv", format!("{wide},１５-０８-１９９０\n3507015508900002,15-08-1990\n3507011508900003,15-08-1990\n").as_bytes());
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["records"], 3);
    assert_eq!(v["inputs"][0]["header"], false);
    assert_eq!(v["nik"]["valid"], 3);
}

/// Scans `path` mapped, streamed and from stdin; the three summaries' counts, which must agree.
fn counts_three_ways(path: &std::path::Path) -> serde_json::Value {
    let p = path.to_str().unwrap();
    let mapped = counts(&scan_json(&[p]));
    assert_eq!(counts(&scan_json(&[p, "--mmap", "never"])), mapped, "{p}: streamed");
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "-"], Some(&std::fs::read(path).unwrap()));
    assert!(out.status.success(), "{p} on stdin: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(counts(&serde_json::from_slice(&out.stdout).unwrap()), mapped, "{p}: stdin");
    mapped
}

#[test]
fn a_nul_inside_a_field_is_data_in_every_format() {
    let env = Env::new();
    let files: [(&str, &[u8]); 7] = [
        ("a.csv", b"nik,nama\n3507011508900001,BU\x00DI\n3507015508900002,SITI\n3507011508900003,\x00\n"),
        ("a.tsv", b"nik\tnama\n3507011508900001\tBU\x00DI\n3507015508900002\tSITI\n3507011508900003\t\x00\n"),
        ("pg.sql", b"-- PostgreSQL database dump\nCOPY public.dpt (nik, nama) FROM stdin;\n3507011508900001\tBU\x00DI\n3507015508900002\tSITI\n3507011508900003\t\x00\n\\.\n"),
        ("my.sql", b"-- MySQL dump\nCREATE TABLE `dpt` (`nik` varchar(16), `nama` varchar(50));\nINSERT INTO `dpt` VALUES ('3507011508900001','BU\x00DI'),('3507015508900002','SI\\0TI'),('3507011508900003','\x00');\n"),
        ("a.jsonl", b"{\"nik\":\"3507011508900001\",\"nama\":\"BU\x00DI\"}\n{\"nik\":\"3507015508900002\",\"nama\":\"SITI\"}\n{\"nik\":\"3507011508900003\",\"nama\":\"\x00\"}\n"),
        ("a.json", b"[{\"nik\":\"3507011508900001\",\"nama\":\"BU\x00DI\"},{\"nik\":\"3507015508900002\",\"nama\":\"SITI\"},{\"nik\":\"3507011508900003\",\"nama\":\"\x00\"}]\n"),
        ("a.txt", b"NIK 3507011508900001 nama BU\x00DI\nNIK 3507015508900002\nNIK 3507011508900003 \x00\n"),
    ];
    for (name, bytes) in files {
        let v = counts_three_ways(&env.write(name, bytes));
        assert_eq!((v["records"].as_u64(), v["nik"]["valid"].as_u64()), (Some(3), Some(3)), "{name}: {v}");
    }
}

#[test]
fn a_binary_file_named_directly_is_an_error_of_its_kind() {
    let env = Env::new();
    let out_dir = env.path("out");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..3000u32).map(|i| (i * 131 % 251) as u8));
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.extend(b"BT (3507011508900001) Tj ET\n".repeat(20));
    for (name, bytes, what) in [("foto.jpg", png.as_slice(), "PNG image"), ("surat.csv", pdf.as_slice(), "PDF")] {
        let p = env.write(name, bytes);
        for mmap in ["auto", "never"] {
            let err = fails(&["scan", p.to_str().unwrap(), "--mmap", mmap, "--out", out_dir.to_str().unwrap()]);
            assert!(err.contains(name) && err.contains(what) && err.contains("not a dump"), "{err}");
            assert_eq!(err.lines().count(), 1);
            assert!(files_in(&out_dir).is_empty());
        }
    }
}
