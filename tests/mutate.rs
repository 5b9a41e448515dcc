//! The mutation test: small dumps of every format and container takar reads (csv, tsv, psv, SQL
//! from mysqldump and pg_dump, jsonl, a JSON array, plain text, xlsx; plain, gzip, zstd, bzip2,
//! xz and zip), damaged the way real files are (bit flips, stray quotes, NULs and line ends,
//! truncation, files spliced together, corrupt compressed bytes, NIKs with separators or in
//! full-width digits), each scanned, with these promises checked:
//!
//! - no panic (in-process, under `catch_unwind`) and no signal (the binary): exit 0 or 1;
//! - on exit 1, one error line and no output file;
//! - on exit 0, `valid + invalid + missing + placeholder == records`, for the NIK and the KK;
//! - no NIK-like run (16 digits, plain, separated or full-width) on stdout, stderr or in any
//!   text output, and no 16-digit number of the input in a binary output;
//! - mapped, `--mmap never` and stdin give the same answer (the same summary apart from
//!   timings and the input's name; stdin only where a stream can be read: not a zip or xlsx).
//!
//! Most mutants are scanned in-process through the library (two ways each); a smaller sample
//! runs the binary three ways with `--out`. The seed is fixed, so a failure is reproducible;
//! `TAKAR_MUTATE_SEED`, `TAKAR_MUTANTS` and `TAKAR_MUTANTS_CLI` try others or more. A failing
//! mutant is saved under `target/mutants/` and its recipe printed.

mod common;
use common::workbook::{xlsx, zip_of, Cell};
use common::{bzip2, gzip, xz, TEST_KEY};

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use takar::format::Format;
use takar::input::source::MmapMode;
use takar::nik::{Date, RegionTable, Validator};
use takar::report::has_nik_like_run;
use takar::report::summary::Summary;
use takar::scan::ScanOptions;

// ---------------------------------------------------------------- seeds

const NIKS: [&str; 6] = ["3507011508900001", "3507015508900002", "3507011508900003", "3573014101850004", "3201012012990005", "3507015508900002"];
const KKS: [&str; 3] = ["3507010101100001", "3507010101100002", "3573010202150003"];

fn rows() -> Vec<(String, String, String, String, String)> {
    let names = ["BUDI, S.", "SITI \"A\"", "O'NEIL", "ANI\tB", "JOKO", "SITI"];
    (0..NIKS.len())
        .map(|i| (NIKS[i].to_string(), KKS[i % 3].to_string(), names[i].to_string(), ["L", "P"][i % 2].to_string(), format!("{:02}-08-1990", 10 + i)))
        .collect()
}

fn csv(d: char) -> Vec<u8> {
    let mut s = format!("nik{d}no_kk{d}nama{d}jenis_kelamin{d}tanggal_lahir\n");
    for (nik, kk, nama, jk, tgl) in rows() {
        let nama = if nama.contains(d) || nama.contains('"') { format!("\"{}\"", nama.replace('"', "\"\"")) } else { nama };
        s.push_str(&format!("{nik}{d}{kk}{d}{nama}{d}{jk}{d}{tgl}\n"));
    }
    s.into_bytes()
}

fn mysql() -> Vec<u8> {
    let mut s = String::from("-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\nSET lock_timeout = 0;\nDROP TABLE IF EXISTS `warga`;\nCREATE TABLE `warga` (\n  `nik` varchar(16),\n  `no_kk` varchar(16),\n  `nama` varchar(50),\n  `jk` char(1)\n);\nINSERT INTO `warga` VALUES ");
    let tuples: Vec<String> = rows().iter().map(|(n, k, nama, jk, _)| format!("('{n}','{k}','{}','{jk}')", nama.replace('\'', "\\'").replace('\t', "\\t"))).collect();
    s.push_str(&tuples.join(","));
    s.push_str(";\nINSERT INTO `warga` (`nik`,`nama`) VALUES (3507011508900009,'X');\n-- Dump completed\n");
    s.into_bytes()
}

fn postgres() -> Vec<u8> {
    let mut s = String::from("--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\nSET standard_conforming_strings = on;\nCREATE TABLE public.warga (\n    nik character varying(16),\n    nkk character varying(16),\n    nama text\n);\nCOPY public.warga (nik, nkk, nama) FROM stdin;\n");
    for (n, k, nama, ..) in rows() {
        s.push_str(&format!("{n}\t{k}\t{}\n", nama.replace('\t', "\\t")));
    }
    s.push_str("\\N\t\\N\tKOSONG\n\\.\n\n-- PostgreSQL database dump complete\n");
    s.into_bytes()
}

fn jsonl() -> Vec<u8> {
    let mut s = String::new();
    for (n, k, nama, jk, tgl) in rows() {
        s.push_str(&serde_json::json!({"nik": n, "no_kk": k, "nama": nama, "jk": jk, "tgl_lahir": tgl}).to_string());
        s.push('\n');
    }
    s.into_bytes()
}

fn json_array() -> Vec<u8> {
    let v: Vec<serde_json::Value> = rows().into_iter().map(|(n, k, nama, ..)| serde_json::json!({"data": {"nik": n, "kk": k}, "nama": nama})).collect();
    serde_json::to_vec_pretty(&v).unwrap()
}

fn text() -> Vec<u8> {
    let mut s = String::from("Data bocoran, contoh:\n");
    for (n, k, nama, ..) in rows() {
        s.push_str(&format!("Nama: {nama} NIK: {n} KK: {k}\n"));
    }
    s.into_bytes()
}

fn workbook() -> Vec<u8> {
    let rows = rows();
    let mut sheet: Vec<Vec<Cell>> = vec![vec![Cell::S("NIK"), Cell::S("NO KK"), Cell::S("NAMA")]];
    for (n, k, nama, ..) in &rows {
        sheet.push(vec![Cell::S(n), Cell::N(k), Cell::S(nama)]);
    }
    xlsx(&[("DPT", sheet)], 0)
}

/// The text seeds: a name (its extension says what it is) and its bytes.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("csv", csv(',')),
        ("tsv", csv('\t')),
        ("psv", csv('|')),
        ("semicolon.csv", csv(';')),
        ("mysql.sql", mysql()),
        ("pg.sql", postgres()),
        ("jsonl", jsonl()),
        ("json", json_array()),
        ("txt", text()),
    ]
}

// ---------------------------------------------------------------- mutations

/// xorshift64*: small, fixed, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn wide(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() { char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap() } else { c }).collect()
}

/// A NIK as people write it.
fn nik_shape(r: &mut Rng) -> String {
    let n = *r.pick(&NIKS);
    match r.below(5) {
        0 => format!("{}-{}-{}-{}", &n[..4], &n[4..8], &n[8..12], &n[12..]),
        1 => format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..]),
        2 => format!("{}.{}.{}.{}.{}", &n[..2], &n[2..4], &n[4..6], &n[6..12], &n[12..]),
        3 => wide(n),
        _ => format!("{}-{}", wide(&n[..8]), &n[8..]),
    }
}

/// Damages `b` once, as described in `log`.
fn damage(r: &mut Rng, b: &mut Vec<u8>, other: &[u8], log: &mut Vec<String>) {
    let at = r.below(b.len() + 1);
    match r.below(14) {
        0 | 1 => {
            if !b.is_empty() {
                let i = r.below(b.len());
                let bit = r.below(8);
                b[i] ^= 1 << bit;
                log.push(format!("flip bit {bit} of byte {i}"));
            }
        }
        2 | 3 => {
            let q = *r.pick(&[b'"', b'\'', b'`', b'(', b')', b'{', b'[', b']', b'\\', b';', b',', b'\t', b'|']);
            b.insert(at, q);
            log.push(format!("insert {:?} at {at}", q as char));
        }
        4 => {
            let n = 1 + r.below(3);
            b.splice(at..at, std::iter::repeat_n(0u8, n));
            log.push(format!("insert {n} NUL at {at}"));
        }
        5 => {
            let ends: [&[u8]; 4] = [b"\n", b"\r", b"\r\n", b"\n\n"];
            let e = *r.pick(&ends);
            b.splice(at..at, e.iter().copied());
            log.push(format!("insert {e:?} at {at}"));
        }
        6 => {
            b.truncate(at);
            log.push(format!("truncate at {at}"));
        }
        7 => {
            let from = r.below(other.len() + 1);
            b.truncate(at);
            b.extend_from_slice(&other[from..]);
            log.push(format!("splice at {at} with another dump from {from}"));
        }
        8 => {
            let end = (at + 1 + r.below(40)).min(b.len());
            if at < end {
                b.drain(at..end);
            }
            log.push(format!("delete {at}..{end}"));
        }
        9 => {
            let end = (at + 1 + r.below(200)).min(b.len());
            let piece = b[at.min(end)..end].to_vec();
            b.splice(at..at, piece);
            log.push(format!("duplicate {at}..{end}"));
        }
        12 => {
            // Another encoding: UTF-16 (with its BOM) or a UTF-8 BOM, or a Windows-1252 byte.
            match r.below(3) {
                0 => {
                    let text = String::from_utf8_lossy(b).into_owned();
                    *b = vec![0xFF, 0xFE];
                    b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                    log.push("as UTF-16LE".into());
                }
                1 => {
                    b.splice(0..0, *b"\xEF\xBB\xBF");
                    log.push("UTF-8 BOM".into());
                }
                _ => {
                    b.insert(at, 0xE9);
                    log.push(format!("insert 0xE9 at {at}"));
                }
            }
        }
        13 => {
            // A line far longer than the others.
            let n = 1 + r.below(100_000);
            b.splice(at..at, std::iter::repeat_n(b'x', n));
            log.push(format!("insert {n} x at {at}"));
        }
        10 => {
            let s = nik_shape(r);
            b.splice(at..at, s.bytes());
            log.push(format!("insert {s:?} at {at}"));
        }
        _ => {
            if !b.is_empty() {
                let i = r.below(b.len());
                let v = r.next() as u8;
                b[i] = v;
                log.push(format!("byte {i} = {v:#04x}"));
            }
        }
    }
}


/// The members of a zip archive, in order.
fn unzip(b: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(b)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

/// One mutant: its file name, its bytes, the text inside it (before any container), whether
/// it can be read from stdin, and how it was made.
struct Mutant {
    name: String,
    bytes: Vec<u8>,
    inner: Vec<u8>,
    streamable: bool,
    recipe: String,
}

fn mutant(r: &mut Rng, seeds: &[(&'static str, Vec<u8>)], n: usize) -> Mutant {
    let (kind, seed) = r.pick(seeds);
    let other = &r.pick(seeds).1.clone();
    let mut log = vec![format!("seed {kind}")];
    // gz2 and zst2 are several gzip members or zstd frames, which a map decodes in parallel.
    let container = *r.pick(&["plain", "plain", "plain", "plain", "plain", "gz", "gz2", "zst", "zst2", "bz2", "xz", "zip", "xlsx"]);
    log.push(format!("container {container}"));
    let mut inner = seed.clone();
    // The text is damaged (and then packed), or the packed bytes are (corrupt compression).
    let outer = container != "plain" && r.below(3) == 0;
    if container == "xlsx" {
        let mut members = unzip(&workbook());
        if !outer {
            let m = members.iter().position(|(name, _)| name.contains("sheet1")).unwrap();
            for _ in 0..1 + r.below(3) {
                damage(r, &mut members[m].1, other, &mut log);
            }
        }
        inner = members.iter().flat_map(|(_, b)| b.clone()).collect();
        let files: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let mut bytes = zip_of(&files);
        if outer {
            log.push("then in the packed bytes:".into());
            for _ in 0..1 + r.below(3) {
                damage(r, &mut bytes, other, &mut log);
            }
        }
        return Mutant { name: format!("m{n}.xlsx"), bytes, inner, streamable: false, recipe: log.join("; ") };
    }
    if !outer {
        for _ in 0..1 + r.below(3) {
            damage(r, &mut inner, other, &mut log);
        }
    }
    let cut = r.below(inner.len() + 1);
    let mut bytes = match container {
        "gz" => gzip(&inner),
        "gz2" => [gzip(&inner[..cut]), gzip(&inner[cut..])].concat(),
        "zst" => zstd::encode_all(&inner[..], 3).unwrap(),
        "zst2" => [zstd::encode_all(&inner[..cut], 3).unwrap(), zstd::encode_all(&inner[cut..], 1).unwrap()].concat(),
        "bz2" => bzip2(&inner),
        "xz" => xz(&inner),
        "zip" => zip_of(&[(&format!("{kind}"), &inner[..]), ("b.csv.gz", &gzip(&csv(',')))]),
        _ => inner.clone(),
    };
    if outer {
        log.push("then in the packed bytes:".into());
        for _ in 0..1 + r.below(2) {
            damage(r, &mut bytes, other, &mut log);
        }
    }
    // Now and then the file itself is named after a NIK.
    let stem = if r.below(25) == 0 { nik_shape(r) } else { format!("m{n}") };
    Mutant { name: format!("{stem}.{kind}"), bytes, inner, streamable: container != "zip", recipe: log.join("; ") }
}

// ---------------------------------------------------------------- checks

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

fn options(path: &Path, mmap: MmapMode) -> ScanOptions {
    ScanOptions { inputs: vec![path.to_path_buf()], format: Format::Auto, sniff: Default::default(), mmap, chunk_size: 64 << 10, progress: false, zip_ahead_max_member: None, claimed: None, password: Default::default(), strict: false, buffer_max: None, memory: Default::default(), approximate: false }
}

/// A summary as JSON without what may differ between ways of reading the same bytes: the
/// timings, and the input's name.
fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    let o = v.as_object_mut().unwrap();
    o.remove("elapsed_s");
    o.remove("bytes_per_s");
    o.remove("memory");
    for input in o.get_mut("inputs").and_then(|i| i.as_array_mut()).into_iter().flatten() {
        let path = input["path"].as_str().unwrap_or_default().to_string();
        // A zip member keeps its name after the archive's.
        input["path"] = serde_json::Value::String(path.split_once(':').map_or(String::new(), |(_, m)| m.to_string()));
    }
    v
}

/// The 16-digit numbers in a mutant's text, however written: every NIK-like run, its digits
/// made ASCII, each 16-digit window of it.
fn input_numbers(inner: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(inner);
    let mut out = Vec::new();
    for run in takar::nik::mask::nik_like_runs(&text) {
        let digits: Vec<u8> = text[run]
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c as u8),
                '\u{FF10}'..='\u{FF19}' => Some(b'0' + (c as u32 - 0xFF10) as u8),
                _ => None,
            })
            .collect();
        for w in digits.windows(16) {
            out.push(String::from_utf8(w.to_vec()).unwrap());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// An error as it must be the same every way of reading. The one part that may differ is how
/// damage in compressed bytes was noticed: a map decodes frame by frame, names the bad frame's
/// start and may hear another complaint from the decoder (a frame larger than its header
/// says), a stream names the compressed bytes read so far (a buffer's worth ahead). Either
/// way it is the same answer: that file cannot be decompressed.
fn same_error(e: &str) -> String {
    match e.find(": cannot decompress (") {
        Some(at) => {
            let head = &e[..at];
            let digits = head.len() - head.bytes().rev().take_while(u8::is_ascii_digit).count();
            let kind = &e[at..];
            format!("{}_{}", &head[..digits], &kind[..kind.find(')').map_or(kind.len(), |i| i + 1)])
        }
        None => e.to_string(),
    }
}

/// What a failure needs to be reproduced: the mutant kept on disk, and its recipe.
fn keep(m: &Mutant, what: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutants");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(m.name.replace('/', "_"));
    let _ = std::fs::write(&path, &m.bytes);
    format!("{what}\n  mutant {} ({})\n  kept as {}", m.name, m.recipe, path.display())
}

fn check_counts(v: &serde_json::Value) -> Result<(), String> {
    for col in ["nik", "kk"] {
        let c = &v[col];
        let sum: u64 = ["valid", "invalid", "missing", "placeholder"].iter().map(|k| c[k].as_u64().unwrap()).sum();
        if sum != v["records"].as_u64().unwrap() {
            return Err(format!("{col}: valid + invalid + missing + placeholder = {sum}, records = {}", v["records"]));
        }
    }
    Ok(())
}

/// One way of reading, in-process: `Ok(summary)`, `Err(message)`, or a panic.
fn scan_in_process(path: &Path, mmap: MmapMode, v: &Validator<'_>) -> Result<Result<Summary, String>, String> {
    catch_unwind(AssertUnwindSafe(|| takar::scan::scan(&options(path, mmap), v).map_err(|e| takar::error::chain_message(&e))))
        .map_err(|p| p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default())
}

/// The in-process checks of one mutant (written at `path`).
fn check_in_process(path: &Path, v: &Validator<'_>) -> Result<bool, String> {
    // The outcome of one way of reading (a summary to compare, or an error message), or a
    // broken promise.
    let outcome = |mmap: MmapMode, way: &str| -> Result<Result<serde_json::Value, String>, String> {
        match scan_in_process(path, mmap, v).map_err(|p| format!("{way}: panic: {p}"))? {
            Ok(s) => {
                for text in [takar::report::json::render(&s), takar::report::terminal::render(&s, v.regions(), &Default::default())] {
                    if has_nik_like_run(text.as_bytes()) {
                        return Err(format!("{way}: a NIK-like run in the report: {text}"));
                    }
                }
                let j = serde_json::to_value(&s).unwrap();
                check_counts(&j).map_err(|e| format!("{way}: {e}"))?;
                Ok(Ok(comparable(j)))
            }
            Err(e) if has_nik_like_run(e.as_bytes()) || e.contains('\n') => Err(format!("{way}: error not one masked line: {e}")),
            Err(e) => Ok(Err(same_error(&e.replace(&path.display().to_string(), "INPUT")))),
        }
    };
    let mapped = outcome(MmapMode::Auto, "mapped")?;
    let streamed = outcome(MmapMode::Never, "streamed")?;
    if mapped != streamed {
        return Err(format!("mapped and streamed differ:\n  {mapped:?}\n  {streamed:?}"));
    }
    Ok(mapped.is_ok())
}

/// Runs the binary with a deadline; `None` stdin means none.
fn run_binary(args: &[&str], stdin: Option<&[u8]>) -> Result<std::process::Output, String> {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_takar"))
        .env("TAKAR_KEY", TEST_KEY)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(input) = stdin {
        let mut s = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = s.write_all(&input);
        });
    }
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let (mut o, mut e) = (Vec::new(), Vec::new());
        let _ = out.read_to_end(&mut o);
        let _ = err.read_to_end(&mut e);
        (o, e)
    });
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let (stdout, stderr) = reader.join().unwrap();
            return Ok(std::process::Output { status, stdout, stderr });
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err(format!("takar {args:?} ran over a minute"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The binary's checks of one mutant: mapped, streamed and (where a stream can carry it) on
/// stdin, each with `--out`.
fn check_binary(m: &Mutant, path: &Path, work: &Path) -> Result<bool, String> {
    let numbers = input_numbers(&m.inner);
    let p = path.to_str().unwrap();
    let mut answers = Vec::new();
    let ways: &[&str] = if m.streamable { &["mapped", "streamed", "stdin"] } else { &["mapped", "streamed"] };
    for way in ways {
        let out_dir = work.join(format!("out-{way}"));
        let _ = std::fs::remove_dir_all(&out_dir);
        let o = out_dir.to_str().unwrap();
        let mut args = vec!["scan", "--json", "--no-progress", "--reference-date", "2026-11-24", "--out", o];
        let output = match *way {
            "mapped" => run_binary(&[&args[..], &[p]].concat(), None)?,
            "streamed" => run_binary(&[&args[..], &["--mmap", "never", p]].concat(), None)?,
            _ => {
                args.push("-");
                run_binary(&args, Some(&m.bytes))?
            }
        };
        let code = output.status.code().ok_or_else(|| format!("{way}: ended by a signal ({:?})", output.status))?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let files: Vec<PathBuf> = std::fs::read_dir(&out_dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
        // Nothing NIK-shaped anywhere a person or a script could see it.
        let mut seen = vec![("stdout".to_string(), output.stdout.clone()), ("stderr".to_string(), output.stderr.clone())];
        for f in &files {
            seen.push((f.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(f).unwrap()));
        }
        for (name, bytes) in &seen {
            let binary = name.ends_with(".parquet") || name.ends_with(".takar");
            // The drawn pages' path data (`l1.2-3.4 5.6`) reads as separated digits: they are
            // held to no 16 adjacent digits, and to none of the input's numbers below.
            let drawn = name == "report.html" || name == "map.svg";
            if drawn && takar::report::guard::has_adjacent_digit_run(bytes) {
                return Err(format!("{way}: 16 adjacent digits in {name}"));
            }
            if !binary && !drawn && has_nik_like_run(bytes) {
                return Err(format!("{way}: a NIK-like run in {name}: {}", String::from_utf8_lossy(bytes)));
            }
            if let Some(n) = numbers.iter().find(|n| bytes.windows(16).any(|w| w == n.as_bytes())) {
                return Err(format!("{way}: input number {}... in {name}", &n[..6]));
            }
        }
        match code {
            0 => {
                let v: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| format!("{way}: stdout is not JSON: {e}"))?;
                check_counts(&v).map_err(|e| format!("{way}: {e}"))?;
                // summary, manifest, keys, three region tables, report.html and map.svg.
                if files.len() != 8 {
                    return Err(format!("{way}: exit 0 with {} output files", files.len()));
                }
                answers.push((way, Ok(comparable(v))));
            }
            1 => {
                if stderr.lines().count() != 1 || !stderr.starts_with("takar: error: ") || !output.stdout.is_empty() {
                    return Err(format!("{way}: exit 1 without exactly one error line: {stderr:?}"));
                }
                if !files.is_empty() {
                    return Err(format!("{way}: exit 1 but {} output files", files.len()));
                }
                answers.push((way, Err(())));
            }
            other => return Err(format!("{way}: exit {other}: {stderr}")),
        }
    }
    let (first_way, first) = &answers[0];
    for (way, answer) in &answers[1..] {
        if answer != first {
            return Err(format!("{first_way} and {way} differ: {first:?} vs {answer:?}"));
        }
    }
    Ok(first.is_ok())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

#[test]
fn mutants_never_panic_leak_or_disagree() {
    let seed = env_number("TAKAR_MUTATE_SEED", 0x7A4A_2026_1124_0014);
    let in_process = env_number("TAKAR_MUTANTS", 5000) as usize;
    let cli = env_number("TAKAR_MUTANTS_CLI", 120) as usize;
    let seeds = seeds();
    let work = tempfile::tempdir().unwrap();
    let v = validator();
    // A panic is caught and reported with its mutant; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut r = Rng(seed | 1);
    let mut failures = Vec::new();
    let mut scanned = 0;
    let started = Instant::now();
    for n in 0..in_process + cli {
        let m = mutant(&mut r, &seeds, n);
        let dir = work.path().join(format!("{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(&m.name);
        std::fs::write(&path, &m.bytes).unwrap();
        let result = if n < in_process { check_in_process(&path, &v) } else { check_binary(&m, &path, &dir) };
        match result {
            Ok(true) => scanned += 1,
            Ok(false) => {}
            Err(what) => {
                failures.push(keep(&m, &what));
                if failures.len() >= 10 {
                    break;
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::panic::take_hook();
    eprintln!("{} mutants (seed {seed:#x}), {scanned} scanned and the rest refused, in {:.1?}", in_process + cli, started.elapsed());
    assert!(failures.is_empty(), "{} failing mutants:\n{}", failures.len(), failures.join("\n"));
}
