//! `report.html` and `map.svg` (issue 13): written by every `takar scan --out`, re-rendered
//! byte for byte by `takar report DIR`, the map's contract (514 regency shapes keyed by current
//! code, 38 provinces), the totals, the language switch, the sections of later features when
//! `summary.json` and `regencies.parquet` have them, and the privacy promise: no input number
//! anywhere, no 16-digit run at all.

mod common;
use common::*;
use takar::report::guard::has_adjacent_digit_run;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

/// Generates a dump of `records` records and scans it into `out` (extra args appended).
fn scan_generated(env: &Env, records: u64, out: &Path, extra: &[&str]) -> (PathBuf, std::process::Output) {
    let dump = env.path("dump.csv");
    let g = takar(&["generate", "--records", &records.to_string(), "--seed", "13", "-o", dump.to_str().unwrap()]);
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    let mut args = vec!["scan", dump.to_str().unwrap(), "--out", out.to_str().unwrap(), "--reference-date", "2026-11-24", "--no-progress"];
    args.extend_from_slice(extra);
    let s = takar(&args);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    (dump, s)
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Every run of exactly 16 digits in `bytes` (the dump's NIKs and KKs).
fn sixteen_digit_runs(bytes: &[u8]) -> std::collections::HashSet<Vec<u8>> {
    let mut out = std::collections::HashSet::new();
    let mut start = None;
    for (i, b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s == 16 {
                    out.insert(bytes[s..i].to_vec());
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[test]
fn scan_writes_the_page_and_the_map_and_report_reproduces_them() {
    let env = Env::new();
    let out = env.path("out");
    let (dump, scan) = scan_generated(&env, 3000, &out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let svg = std::fs::read_to_string(out.join("map.svg")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();

    // One file, no network, under 2 MB.
    assert!(html.len() < 2 << 20, "{} bytes", html.len());
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    for load in [" src=", "@import", "<link", "fetch(", "XMLHttpRequest"] {
        assert!(!html.contains(load), "the page loads something: {load}");
    }
    assert!(html.split("url(").skip(1).all(|rest| rest.starts_with('#')), "url() only for the page's own clip path");
    // The map's contract, in the page and in map.svg.
    for text in [&html, &svg] {
        assert_eq!(count(text, "<svg id=\"map\""), 1);
        assert_eq!(count(text, " data-code=\""), 514);
        assert_eq!(count(text, " data-province=\""), 38);
        assert!(text.contains("data-code=\"3507\""));
        assert!(!text.contains("data-code=\"9101\""), "a historic code is drawn as its successor");
    }
    assert!(svg.starts_with("<?xml") && svg.contains("CC BY 3.0 IGO"));
    // Each regency's title: its name and its unique count (with separators).
    let malang = html.split("data-code=\"3507\"").nth(1).unwrap();
    let title = &malang[malang.find("<title>").unwrap() + 7..malang.find("</title>").unwrap()];
    assert!(title.starts_with("Kabupaten Malang, Jawa Timur\nunique people: "), "{title}");
    // The totals, with thousands separators.
    let totals = &html[html.find("<section id=\"totals\">").expect("totals section")..];
    let totals = &totals[..totals.find("</section>").unwrap()];
    let fmt = |n: u64| takar::report::labels::Lang::En.thousands(n);
    for n in [summary["records"].as_u64().unwrap(), summary["nik"]["unique"].as_u64().unwrap(), summary["nik"]["valid"].as_u64().unwrap()] {
        assert!(n >= 1000 && totals.contains(&format!(">{}<", fmt(n))), "{} not in the totals", fmt(n));
    }
    // The footer credits the map data, as its licence asks.
    assert!(html.contains("geoBoundaries (Runfola et al. 2020") && html.contains("creativecommons.org/licenses/by/3.0/igo/"));
    assert!(html.contains("takar scan --reference-date 2026-11-24 "), "the command that made it");

    // Privacy: no number of the dump anywhere, and no 16-digit run at all.
    let numbers = sixteen_digit_runs(&std::fs::read(&dump).unwrap());
    assert!(numbers.len() > 1000);
    for (name, text) in [("report.html", &html), ("map.svg", &svg)] {
        assert!(!has_adjacent_digit_run(text.as_bytes()), "{name} holds a 16-digit run");
        let runs = sixteen_digit_runs(text.as_bytes());
        assert!(runs.iter().all(|r| !numbers.contains(r)), "{name} holds an input number");
    }

    // `takar report DIR`: the same bytes, and the same terminal report as the scan printed.
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("map.svg")).unwrap();
    let r = takar(&["report", out.to_str().unwrap(), "--color", "never"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), html);
    assert_eq!(std::fs::read_to_string(out.join("map.svg")).unwrap(), svg);
    assert_eq!(but_elapsed(&r.stdout), but_elapsed(&scan.stdout));
}

/// The terminal report without its last line: the scan times itself, `takar report` reads the
/// time from summary.json, rounded to the millisecond.
fn but_elapsed(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout).into_owned();
    assert!(text.trim_end().rsplit('\n').next().unwrap().starts_with("Elapsed") || text.contains("\nWaktu "), "{text}");
    text.trim_end().rsplit_once('\n').unwrap().0.to_string()
}

#[test]
fn bahasa_indonesia_in_both_reports() {
    let env = Env::new();
    let out = env.path("out");
    let (_, scan) = scan_generated(&env, 1500, &out, &["--lang", "id"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"id\">"));
    assert!(html.contains("Laporan ukuran kebocoran data") && html.contains("Korban per kabupaten/kota"));
    assert!(html.contains("orang unik:"), "tooltips in Indonesian");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let records = takar::report::labels::Lang::Id.thousands(summary["records"].as_u64().unwrap());
    assert!(records.contains('.') && html.contains(&format!(">{records}<")), "Indonesian thousands separators");
    let stdout = String::from_utf8_lossy(&scan.stdout);
    assert!(stdout.contains("Jumlah (persentase dari rekaman)") && stdout.contains("NIK unik (orang)"), "{stdout}");
    // report DIR --lang id gives the scan's page; without --lang it is English again.
    let r = takar(&["report", out.to_str().unwrap(), "--lang", "id"]);
    assert!(r.status.success());
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), html);
    assert_eq!(but_elapsed(&r.stdout), but_elapsed(&scan.stdout));
    let en = takar(&["report", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("Totals (percentages of records)"));
    assert!(std::fs::read_to_string(out.join("report.html")).unwrap().contains("<html lang=\"en\">"));
}

/// Rewrites `regencies.parquet` with `population` and `coverage` columns (as the forensics
/// issue adds them): Kab. Malang gets a population of 1,000, so its share is known.
fn add_population(path: &Path) -> u64 {
    let file = std::fs::File::open(path).unwrap();
    let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap().map(Result::unwrap).collect();
    let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
    let codes = batch.column_by_name("regency_code").unwrap().as_any().downcast_ref::<arrow::array::StringArray>().unwrap().clone();
    let unique = batch.column_by_name("unique_nik").unwrap().as_any().downcast_ref::<UInt64Array>().unwrap().clone();
    let pop: Vec<Option<u64>> = (0..batch.num_rows()).map(|i| if codes.value(i) == "3507" { Some(1000) } else { Some(1_000_000) }).collect();
    let cov: Vec<Option<f64>> = pop.iter().zip(unique.iter()).map(|(p, u)| Some(u.unwrap() as f64 / p.unwrap() as f64)).collect();
    let malang = (0..batch.num_rows()).find(|i| codes.value(*i) == "3507").map(|i| unique.value(i)).unwrap();
    // The scan writes the official figures (issue 10); replace them with the test's own.
    let keep: Vec<usize> = (0..batch.num_columns()).filter(|i| !matches!(batch.schema().field(*i).name().as_str(), "population" | "coverage")).collect();
    let batch = batch.project(&keep).unwrap();
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("population", DataType::UInt64, true));
    fields.push(Field::new("coverage", DataType::Float64, true));
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(Arc::new(UInt64Array::from(pop)));
    columns.push(Arc::new(Float64Array::from(cov)));
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    malang
}

#[test]
fn later_sections_appear_when_the_outputs_have_them() {
    let env = Env::new();
    let out = env.path("out");
    scan_generated(&env, 3000, &out, &["--no-keys"]);
    let plain = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The verdict and the source guess come with every scan (issue 10); the rest only with data.
    for id in ["skipped", "claim", "other"] {
        assert!(!plain.contains(&format!("<section id=\"{id}\"")), "{id} without data");
    }
    // regencies.parquet carries the official population (issue 10), so the coverage layer is there.
    assert_eq!(count(&plain, " data-f1=\""), 514, "a coverage layer from the official population");

    let path = out.join("summary.json");
    let mut s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    s["verdict"] = serde_json::json!({"label": "suspicious", "signals": [
        {"name": "placeholder_share", "value": 0.08, "expected": 0.001, "weight": 2},
        {"name": "coverage_above_population", "value": 1.5, "expected": 1.0, "weight": 3, "regions": ["3507 Kabupaten Malang"]}]});
    s["skipped"] = serde_json::json!([{"path": "leak.zip:foto.jpg", "reason": "image"}]);
    s["claim"] = serde_json::json!({"claimed": 204_807_203u64, "unique_over_claimed": 0.5});
    s["source"] = serde_json::json!({"looks_like": "KPU voter list", "matched_columns": ["nik", "nkk", "tps"], "score": 0.9});
    s["future_figure"] = serde_json::json!({"some_count": 12_345});
    std::fs::write(&path, serde_json::to_string_pretty(&s).unwrap()).unwrap();
    let malang = add_population(&out.join("regencies.parquet"));

    let r = takar(&["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let section = |id: &str| {
        let at = html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
        html[at..at + html[at..].find("</section>").unwrap()].to_string()
    };
    let v = section("verdict");
    assert!(v.contains("suspicious") && v.contains("placeholder share") && v.contains("3507 Kabupaten Malang") && v.contains("0.08"));
    assert!(section("skipped").contains("leak.zip:foto.jpg") && section("skipped").contains("image"));
    assert!(section("claim").contains("204,807,203"));
    assert!(section("source").contains("KPU voter list"));
    assert!(section("other").contains("future_figure") && section("other").contains("12,345"));
    // The coverage layer: a switch, a second legend, a second fill per regency; Kab. Malang's
    // share is its unique count over 1,000.
    assert!(html.contains("name=\"layer\" value=\"1\"") && html.contains("data-layer=\"1\""));
    assert_eq!(count(&html, " data-f1=\""), 514);
    let share = takar::report::labels::Lang::En.percent(malang as f64, 1000.0);
    let m = html.split("data-code=\"3507\"").nth(1).unwrap();
    assert!(m[..m.find("</title>").unwrap()].contains(&format!("coverage: {share}")), "{share}");
    assert!(section("regencies").contains("population"));
    assert!(!has_adjacent_digit_run(html.as_bytes()));
}

#[test]
fn report_of_a_folder_without_outputs_fails_clearly() {
    let env = Env::new();
    let r = takar(&["report", env.path("nothing").to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("summary.json"));
    std::fs::create_dir_all(env.path("bad")).unwrap();
    env.write("bad/summary.json", b"{\"records\": 1}");
    env.write("bad/regencies.parquet", b"PAR1");
    let r = takar(&["report", env.path("bad").to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("not a takar summary"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!env.path("bad/report.html").exists());
}
