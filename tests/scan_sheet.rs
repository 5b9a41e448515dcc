//! Spreadsheet dumps end to end: workbooks written here by hand (a minimal xlsx or ods is a
//! few XML files in a zip; writing them directly keeps every cell exactly as Excel or
//! LibreOffice would store it, which a writer library would decide for us), scanned by the
//! binary and compared with the same people as CSV.

mod common;
use common::*;

use std::io::Write;

use common::workbook::{esc, xlsx, zip_of, Cell};
use Cell::{Empty, D, N, S};

/// The same zip with one member's bytes replaced.
fn with_member(zip_bytes: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        let n = f.name().unwrap().to_string();
        files.push(if n == name { (n, bytes.to_vec()) } else { (n, b) });
    }
    zip_of(&files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect::<Vec<_>>())
}

/// An ods workbook with one sheet of string and date cells.
fn ods(name: &str, rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    content.push_str(&format!(r#"<table:table table:name="{}">"#, esc(name)));
    for row in rows {
        content.push_str("<table:table-row>");
        for cell in row {
            match cell {
                S(s) => content.push_str(&format!(r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#, esc(s))),
                N(v) => content.push_str(&format!(r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#)),
                D(_) => unreachable!("not used in ods fixtures"),
                Empty => content.push_str("<table:table-cell/>"),
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

/// The people of every "same people" test: NIK, KK, name, gender, birth date.
const PEOPLE: &[(&str, &str, &str, &str, &str)] = &[
    ("3507011508900001", "3507010101100001", "BUDI", "L", "1990-08-15"),
    ("3507015508900002", "3507010101100001", "SITI", "P", "1990-08-15"),
    ("3507011508900003", "", "ANI", "L", "1990-08-16"),
    ("", "3507010101100002", "ANON", "", ""),
    ("3507011508900001", "3507010101100001", "BUDI LAGI", "L", ""),
    ("350701150890001", "3507010101100003", "PENDEK", "P", ""),
    ("1111111111111111", "", "BOHONG", "", ""),
];

fn people_csv() -> Vec<u8> {
    let mut csv = b"NIK,No KK,Nama,Jenis Kelamin,Tanggal Lahir\n".to_vec();
    for (nik, kk, nama, jk, lahir) in PEOPLE {
        csv.extend_from_slice(format!("{nik},{kk},{nama},{jk},{lahir}\n").as_bytes());
    }
    csv
}

/// Excel's serial day number of an ISO date (1900 system, after March 1900).
fn serial(iso: &str) -> f64 {
    let (y, m, d): (i64, i64, i64) = (iso[..4].parse().unwrap(), iso[5..7].parse().unwrap(), iso[8..].parse().unwrap());
    // Days from civil (Howard Hinnant), then from 1899-12-30.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    (days + 25569) as f64
}

fn people_rows(dates_as_cells: bool) -> Vec<Vec<Cell<'static>>> {
    let mut rows = vec![vec![S("NIK"), S("No KK"), S("Nama"), S("Jenis Kelamin"), S("Tanggal Lahir")]];
    let opt = |s: &'static str| if s.is_empty() { Empty } else { S(s) };
    for (nik, kk, nama, jk, lahir) in PEOPLE {
        let date = match (*lahir, dates_as_cells) {
            ("", _) => Empty,
            (d, true) => D(serial(d)),
            (d, false) => S(d),
        };
        rows.push(vec![opt(nik), opt(kk), S(nama), opt(jk), date]);
    }
    rows
}

#[test]
fn same_people_as_csv_xlsx_ods_and_text_count_the_same() {
    let env = Env::new();
    assert_eq!(serial("1990-08-15"), 33100.0);
    let csv = scan_json(&[env.write("p.csv", &people_csv()).to_str().unwrap()]);
    let want = counts(&csv);
    assert_eq!(want["records"], 7);
    assert_eq!(want["consistency"]["birth_date_checked"], 3);

    let book = env.write("p.xlsx", &xlsx(&[("DPT", people_rows(true))], 0));
    let v = scan_json(&[book.to_str().unwrap()]);
    assert_eq!(counts(&v), want);
    let input = &v["inputs"][0];
    assert_eq!(input["format"], "xlsx");
    assert_eq!(input["header"], true);
    assert_eq!(input["nik_column"], "DPT!NIK");
    assert_eq!(input["kk_column"], "DPT!No KK");
    assert_eq!(input["birth_date_column"], "DPT!Tanggal Lahir");
    assert_eq!(input["gender_column"], "DPT!Jenis Kelamin");

    // Dates as text cells, the data shifted to column C, read without mmap: the same.
    let shifted = env.write("shifted.xlsx", &xlsx(&[("DPT", people_rows(false))], 2));
    assert_eq!(counts(&scan_json(&[shifted.to_str().unwrap(), "--mmap", "never"])), want);
    let v = scan_json(&[shifted.to_str().unwrap(), "--no-header", "--nik-column", "3", "--kk-column", "4"]);
    assert_eq!(v["inputs"][0]["nik_column"], "DPT!column 3");
    assert_eq!(v["records"], 8);
    assert_eq!(v["nik"]["valid"], want["nik"]["valid"]);

    let o = env.write("p.ods", &ods("Lembar1", &people_rows(false)));
    let v = scan_json(&[o.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["format"], "ods");
    assert_eq!(counts(&v), want);

    // As a paste: the same NIK and KK counts (the 15-digit NIK is no token, hence missing).
    let mut txt = Vec::new();
    for (nik, kk, nama, ..) in PEOPLE {
        let nik = if nik.len() == 16 { format!(" NIK {nik}") } else { String::new() };
        let kk = if kk.is_empty() { String::new() } else { format!(" KK {kk}") };
        txt.extend_from_slice(format!("{nama}{nik}{kk}\n").as_bytes());
    }
    let t = scan_json(&[env.write("p.txt", &txt).to_str().unwrap()]);
    assert_eq!(t["records"], want["records"]);
    assert_eq!(t["kk"], want["kk"]);
    assert_eq!(t["nik"]["valid"], want["nik"]["valid"]);
    assert_eq!(t["nik"]["unique"], want["nik"]["unique"]);
    assert_eq!(t["nik"]["placeholder"], want["nik"]["placeholder"]);
}

#[test]
fn numeric_nik_cells_are_spreadsheet_mangled_never_repaired() {
    let env = Env::new();
    let rows = vec![
        vec![S("nik"), S("nkk")],
        // What Excel stores after eating the 16th digit, and what an exact writer stores:
        // both numbers, both mangled.
        vec![N("3507011508900000"), S("3507010101100001")],
        vec![N("3507011508900001"), N("3507010101100001")],
        vec![N("3.5070115089E+15"), Empty],
        // A shorter number is a length error; a text cell is fine.
        vec![N("350701150890001"), Empty],
        vec![S("3507011508900001"), Empty],
    ];
    let p = env.write("n.xlsx", &xlsx(&[("Sheet1", rows)], 0));
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["records"], 5);
    assert_eq!(v["nik"]["valid"], 1);
    assert_eq!(v["nik"]["invalid_reasons"]["spreadsheet_mangled"], 3);
    assert_eq!(v["nik"]["invalid_reasons"]["length"], 1);
    assert_eq!(v["kk"]["valid"], 1);
    assert_eq!(v["kk"]["invalid_reasons"]["spreadsheet_mangled"], 1);
    assert_eq!(v["kk"]["missing"], 3);
}

#[test]
fn every_sheet_counts_and_a_sheet_without_niks_is_a_warning() {
    let env = Env::new();
    let a = vec![vec![S("NIK"), S("Nama")], vec![S("3507011508900001"), S("A")], vec![Empty, Empty], vec![S("3507015508900002"), S("B")]];
    // No header on this one: the NIK column is found by content.
    let b = vec![vec![S("x"), S("3507011508900001")], vec![S("y"), S("3507011508900003")], vec![S("z"), S("3507011508900004")]];
    let notes = vec![vec![S("Catatan")], vec![S("sumber: grup 3507011508900009")]];
    let empty: Vec<Vec<Cell>> = vec![];
    let p = env.write("two.xlsx", &xlsx(&[("Kec A", a), ("Kec B", b), ("Catatan", notes), ("Kosong", empty)], 0));
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["records"], 5);
    assert_eq!(v["nik"]["valid"], 5);
    assert_eq!(v["nik"]["unique"], 4);
    assert_eq!(v["inputs"][0]["nik_column"], "Kec A!NIK; Kec B!column 2");
    let warnings = v["inputs"][0]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].as_str().unwrap();
    assert!(w.contains("Catatan") && w.contains("2 non-empty rows"), "{w}");
    assert!(!v.to_string().contains("3507011508900009"));
}

#[test]
fn bad_workbooks_fail_clearly_naming_the_file() {
    let env = Env::new();
    let good = xlsx(&[("DPT", people_rows(true))], 0);

    // A broken zip: the directory at the end is cut off.
    let cut = env.write("cut.xlsx", &good[..good.len() - 40]);
    let out = takar(&["scan", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.xlsx"), "{err}");

    // A sound zip whose sheet XML is garbage (and names a NIK where a string index belongs).
    let bad_sheet = with_member(&xlsx(&[("DPT", vec![vec![S("nik")]])], 0), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c t=\"s\"><v>3507011508900001</v></c>");
    let bad = env.write("bad.xlsx", &bad_sheet);
    let out = takar(&["scan", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.xlsx") && err.contains("xlsx"), "{err}");
    assert!(!err.contains("3507011508900001"), "{err}");

    // An xls header followed by nothing an OLE reader accepts.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend_from_slice(&[0u8; 600]);
    let x = env.write("old.xls", &ole);
    let out = takar(&["scan", x.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("old.xls") && err.contains("xls workbook"), "{err}");

    // --format xlsx on a CSV; a workbook with no NIK column anywhere.
    let csv = env.write("p.csv", &people_csv());
    let out = takar(&["scan", csv.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("p.csv"));
    let nocol = env.write("nocol.xlsx", &xlsx(&[("S", vec![vec![S("nama")], vec![S("BUDI")]])], 0));
    let out = takar(&["scan", nocol.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nocol.xlsx") && err.contains("NIK column"), "{err}");
}

#[test]
fn workbook_on_stdin_with_format_xlsx() {
    let book = xlsx(&[("DPT", people_rows(true))], 0);
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "--format", "xlsx", "-"], Some(&book));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 7);
    assert_eq!(v["inputs"][0]["format"], "xlsx");
}

/// `takar scan --out DIR`: the summary without the per-input details and timings, and the
/// bytes of the three Parquet files.
fn scan_out(env: &Env, name: &str, input: &std::path::Path) -> (serde_json::Value, Vec<Vec<u8>>) {
    let dir = env.path(name);
    let out = takar(&["scan", "--json", "--reference-date", "2026-11-24", "--out", dir.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    // `memory` (peak key bytes) depends on how the records arrived, like the timings.
    for k in ["inputs", "elapsed_s", "bytes_per_s", "memory"] {
        v.as_object_mut().unwrap().remove(k);
    }
    let parquet = ["provinces", "regencies", "districts"].map(|l| std::fs::read(dir.join(format!("{l}.parquet"))).unwrap());
    (v, parquet.to_vec())
}

/// The issue's promise: the same people as CSV, SQL, JSON lines, xlsx, gzip and zstd give the
/// same summary and byte-identical Parquet files.
#[test]
fn generated_people_in_every_format_give_identical_summaries_and_parquet() {
    let env = Env::new();
    let gen = |format: &str, name: &str| {
        let p = env.path(name);
        let out = takar(&["generate", "--records", "3000", "--seed", "11", "--format", format, "-o", p.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        p
    };
    let csv_path = gen("csv", "p.csv");
    let csv_bytes = std::fs::read(&csv_path).unwrap();
    let (want, want_parquet) = scan_out(&env, "out-csv", &csv_path);
    let answer: serde_json::Value = serde_json::from_slice(&std::fs::read(env.path("p.csv.answer.json")).unwrap()).unwrap();
    assert_eq!(want["records"], answer["records"]);
    assert_eq!(want["nik"]["unique"], answer["nik"]["unique"]);

    // The CSV as a workbook of text cells, as a careful exporter writes NIKs.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_bytes.as_slice());
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let cells: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().map(|f| if f.is_empty() { Empty } else { S(f) }).collect()).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&csv_bytes).unwrap();
    let inputs = [
        ("sql", gen("sql", "p.sql")),
        ("jsonl", gen("jsonl", "p.jsonl")),
        ("tsv", gen("tsv", "p.tsv")),
        ("xlsx", env.write("p.xlsx", &xlsx(&[("DPT", cells)], 0))),
        ("gzip", env.write("p.csv.gz", &gz.finish().unwrap())),
        ("zstd", env.write("p.csv.zst", &zstd::encode_all(csv_bytes.as_slice(), 3).unwrap())),
    ];
    for (name, path) in &inputs {
        let (got, parquet) = scan_out(&env, &format!("out-{name}"), path);
        assert_eq!(got, want, "{name}: summary");
        assert!(parquet == want_parquet, "{name}: Parquet files differ from the CSV's");
    }
}

/// A legacy .xls (BIFF8) workbook of the same generated people: the same summary and Parquet as
/// the CSV. takar has no xls writer and none is in Rust's dev tools, so xlwt (Python) writes it;
/// CI installs xlwt (.ci/run), and there a missing module fails the test instead of skipping it.
#[test]
fn generated_people_as_xls_give_the_csv_answer() {
    let env = Env::new();
    let csv_path = env.path("p.csv");
    let out = takar(&["generate", "--records", "3000", "--seed", "12", "-o", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let xls = env.path("p.xls");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/write_xls.py");
    let written = std::process::Command::new("python3").arg(&script).arg(&csv_path).arg(&xls).output();
    if !written.as_ref().is_ok_and(|o| o.status.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must have python3 with xlwt: {written:?}");
        eprintln!("SKIPPED: python3 with xlwt not available");
        return;
    }
    let (want, want_parquet) = scan_out(&env, "out-csv", &csv_path);
    let answer: serde_json::Value = serde_json::from_slice(&std::fs::read(env.path("p.csv.answer.json")).unwrap()).unwrap();
    assert_eq!(want["nik"]["valid"], answer["nik"]["valid"]);
    let (got, parquet) = scan_out(&env, "out-xls", &xls);
    assert_eq!(got, want);
    assert!(parquet == want_parquet, "xls: Parquet files differ from the CSV's");
    let v = scan_json(&[xls.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["format"], "xls");
    assert_eq!(v["inputs"][0]["nik_column"], "DPT!nik");
}

/// calamine overflows on a cell reference of many letters (`AAAAAAAAA1`) in a build with
/// overflow checks; however it fails, the workbook is one clear error, never a crash.
#[test]
fn a_workbook_the_reader_chokes_on_is_one_error_line() {
    let env = Env::new();
    let rows = vec![vec![S("NIK")], vec![S("3507011508900001")]];
    let p = env.write("rusak.xlsx", &xlsx(&[("DPT", rows)], 26usize.pow(7)));
    let out = takar(&["scan", p.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {}
        Some(1) => {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains("rusak.xlsx") && stderr.contains("not a readable xlsx workbook"), "{stderr}");
        }
        other => panic!("exit {other:?}: {stderr}"),
    }
}
