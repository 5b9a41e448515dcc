//! Known-answer tests for the report: region roll-ups, the Parquet files read back with the
//! parquet crate, `summary.json`, the leak guard and the terminal report. Summaries are built
//! by hand; district ids come from the embedded table, so the expected names are official.

use std::fs::{self, File};
use std::path::Path;

use arrow::array::{Array, StringArray, UInt64Array};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;

use takar::nik::{Date, Reason, RegionTable};
use takar::report::output::OUTPUT_FILES;
use takar::report::parquet::{record_batch, region_editions, schema, write_region_parquet};
use takar::report::terminal::{self, human_bytes, percent, thousands, TerminalOptions};
use takar::report::{has_nik_like_run, json, region_rows, write_outputs, Level, RegionRow};
use takar::report::summary::{Consistency, InputSummary, Summary};
use takar::Error;

fn table() -> &'static RegionTable {
    RegionTable::embedded()
}

fn reference() -> Date {
    Date::new(2025, 6, 1).unwrap()
}

/// A summary whose per-district counts are `(district code, records, unique NIKs)`.
fn summary_with(districts: &[(u32, u64, u64)]) -> Summary {
    let t = table();
    let mut s = Summary::new(reference());
    s.regions.records = vec![0; t.districts.len()];
    s.regions.unique_nik = vec![0; t.districts.len()];
    for &(code, records, unique) in districts {
        let id = t.district(code).unwrap_or_else(|| panic!("district {code} in the table")).0 as usize;
        s.regions.records[id] += records;
        s.regions.unique_nik[id] += unique;
    }
    s.records = s.regions.records.iter().sum::<u64>() + 25;
    s.nik.valid = s.regions.records.iter().sum();
    s.nik.unique = s.regions.unique_nik.iter().sum();
    s.nik.duplicate_records = s.nik.valid - s.nik.unique;
    s.nik.invalid = 20;
    s.nik.invalid_reasons.0[Reason::Length.index()] = 15;
    s.nik.invalid_reasons.0[Reason::BirthDate.index()] = 5;
    s.nik.missing = 3;
    s.nik.placeholder = 2;
    s.kk.valid = s.records.min(400);
    s.kk.unique = s.kk.valid / 3;
    s.kk.missing = s.records - s.kk.valid;
    s.inputs = vec![InputSummary {
        path: "dumps/warga.csv".into(),
        bytes: 3_165_815,
        format: "csv".into(),
        compression: "none".into(),
        encoding: "utf-8".into(),
        delimiter: Some(";".into()),
        header: true,
        nik_column: Some("nik".into()),
        kk_column: Some("no_kk".into()),
        birth_date_column: Some("tgl_lahir".into()),
        gender_column: None,
        records: s.records,
        nik_valid: s.nik.valid,
        nik_new_unique: s.nik.unique,
        warnings: vec![],
        ..InputSummary::default()
    }];
    s.elapsed_s = 0.123_456_789_012_345_67;
    s.bytes_per_s = 3_165_815.0 / 0.123_456_789_012_345_67;
    s
}

/// The fixture: two Malang districts, one Bogor district and two historic Merauke (Papua)
/// districts whose codes moved to Papua Selatan (93) in 2023.
fn fixture() -> Summary {
    summary_with(&[(350701, 100, 90), (350702, 50, 40), (327101, 300, 200), (910101, 30, 30), (910102, 10, 5)])
}

fn codes(rows: &[RegionRow]) -> Vec<&str> {
    rows.iter().map(|r| r.code.as_str()).collect()
}

// ---------------------------------------------------------------- region_rows

#[test]
fn province_rows_sum_sort_and_name() {
    let rows = region_rows(&fixture(), table(), Level::Province);
    assert_eq!(codes(&rows), ["32", "35", "91"]);
    let got: Vec<(&str, &str, u64, u64)> =
        rows.iter().map(|r| (r.code.as_str(), r.name.as_str(), r.records, r.unique_nik)).collect();
    assert_eq!(got, [("32", "Jawa Barat", 300, 200), ("35", "Jawa Timur", 150, 130), ("91", "Papua", 40, 35)]);
    for r in &rows {
        assert_eq!(r.level, Level::Province);
        assert_eq!(r.province_code, r.code);
        assert_eq!(r.province_name, r.name);
        assert_eq!(r.regency_code, None);
        assert_eq!(r.regency_name, None);
        assert_eq!(r.current_code, None, "no historic province codes exist");
        assert_eq!(r.kind, None);
    }
}

#[test]
fn regency_rows_sum_sort_kind_and_successor() {
    let rows = region_rows(&fixture(), table(), Level::Regency);
    assert_eq!(codes(&rows), ["3271", "3507", "9101"]);
    let bogor = &rows[0];
    assert_eq!(
        (bogor.name.as_str(), bogor.kind, bogor.records, bogor.unique_nik),
        ("Kota Bogor", Some("kota"), 300, 200)
    );
    assert_eq!((bogor.province_code.as_str(), bogor.province_name.as_str()), ("32", "Jawa Barat"));
    let malang = &rows[1];
    assert_eq!(
        (malang.name.as_str(), malang.kind, malang.records, malang.unique_nik),
        ("Kabupaten Malang", Some("kabupaten"), 150, 130)
    );
    assert_eq!(malang.current_code, None);
    assert_eq!(malang.regency_code.as_deref(), Some("3507"), "a regency row is its own regency");
    let merauke = &rows[2];
    assert_eq!(merauke.name, "Kabupaten Merauke");
    assert_eq!(merauke.province_name, "Papua", "the historic code keeps its own province");
    assert_eq!(merauke.current_code.as_deref(), Some("9301"));
    assert_eq!((merauke.records, merauke.unique_nik), (40, 35));
}

#[test]
fn district_rows_carry_parents_and_successor() {
    let rows = region_rows(&fixture(), table(), Level::District);
    assert_eq!(codes(&rows), ["327101", "350701", "350702", "910101", "910102"]);
    let r = &rows[1];
    assert_eq!(r.name, "Donomulyo");
    assert_eq!((r.province_code.as_str(), r.province_name.as_str()), ("35", "Jawa Timur"));
    assert_eq!((r.regency_code.as_deref(), r.regency_name.as_deref()), (Some("3507"), Some("Kabupaten Malang")));
    assert_eq!((r.records, r.unique_nik, r.current_code.as_deref()), (100, 90, None));
    let m = &rows[3];
    assert_eq!((m.name.as_str(), m.current_code.as_deref()), ("Merauke", Some("930101")));
    assert_eq!(rows[4].current_code.as_deref(), Some("930102"));
    assert_eq!(rows.iter().map(|r| r.unique_nik).sum::<u64>(), 365);
    assert_eq!(rows.iter().map(|r| r.records).sum::<u64>(), 490);
}

#[test]
fn ties_sort_by_code_and_zero_rows_are_dropped() {
    let s = summary_with(&[(350702, 7, 5), (327101, 9, 5), (350701, 0, 0), (110101, 1, 1)]);
    let rows = region_rows(&s, table(), Level::District);
    assert_eq!(codes(&rows), ["327101", "350702", "110101"]);
    let regs = region_rows(&s, table(), Level::Regency);
    assert_eq!(codes(&regs), ["3271", "3507", "1101"]);
}

#[test]
fn every_level_sums_to_the_same_totals() {
    let s = fixture();
    for level in Level::ALL {
        let rows = region_rows(&s, table(), level);
        assert_eq!(rows.iter().map(|r| r.records).sum::<u64>(), s.nik.valid, "{level:?}");
        assert_eq!(rows.iter().map(|r| r.unique_nik).sum::<u64>(), s.nik.unique, "{level:?}");
    }
}

#[test]
fn empty_region_vectors_mean_zero() {
    let s = Summary::new(reference());
    for level in Level::ALL {
        assert!(region_rows(&s, table(), level).is_empty());
    }
}

// ---------------------------------------------------------------- Parquet

/// The columns of a read-back file, as (name, strings or counts) for easy comparison.
fn read_parquet(path: &Path) -> (Vec<RecordBatch>, parquet::file::metadata::ParquetMetaData) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let meta = builder.metadata().as_ref().clone();
    let reader = builder.build().unwrap();
    (reader.map(|b| b.unwrap()).collect(), meta)
}

fn strings(batches: &[RecordBatch], col: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(col).unwrap_or_else(|| panic!("column {col}"));
            let a = a.as_any().downcast_ref::<StringArray>().unwrap_or_else(|| panic!("{col} is utf8"));
            (0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i).to_string())).collect::<Vec<_>>()
        })
        .collect()
}

fn counts(batches: &[RecordBatch], col: &str) -> Vec<u64> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(col).unwrap_or_else(|| panic!("column {col}"));
            a.as_any().downcast_ref::<UInt64Array>().unwrap_or_else(|| panic!("{col} is uint64")).values().to_vec()
        })
        .collect()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

fn expected_columns(level: Level) -> Vec<(&'static str, DataType, bool)> {
    let s = |n| (n, DataType::Utf8, false);
    let c = |n| (n, DataType::UInt64, false);
    let cur = ("current_code", DataType::Utf8, true);
    let pop = ("population", DataType::UInt64, true);
    let cov = ("coverage", DataType::Float64, true);
    match level {
        Level::Province => vec![s("province_code"), s("province_name"), cur, c("records"), c("unique_nik"), pop, cov],
        Level::Regency => vec![
            s("province_code"),
            s("province_name"),
            s("regency_code"),
            s("regency_name"),
            s("kind"),
            cur,
            c("records"),
            c("unique_nik"),
            pop,
            cov,
        ],
        Level::District => vec![
            s("province_code"),
            s("province_name"),
            s("regency_code"),
            s("regency_name"),
            s("district_code"),
            s("district_name"),
            cur,
            c("records"),
            c("unique_nik"),
        ],
    }
}

fn check_schema(batches_schema: &arrow::datatypes::Schema, level: Level) {
    let got: Vec<(&str, DataType, bool)> =
        batches_schema.fields().iter().map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable())).collect();
    assert_eq!(got, expected_columns(level), "{level:?} schema");
}

/// Reads `level`'s file from `dir` and checks it against `region_rows` of the same summary.
fn check_file(dir: &Path, s: &Summary, level: Level) -> usize {
    let path = dir.join(level.file_name());
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
    check_schema(builder.schema(), level);
    let (batches, meta) = read_parquet(&path);
    let rows = region_rows(s, table(), level);
    let n: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(n, rows.len(), "{level:?} row count");
    assert_eq!(meta.file_metadata().num_rows() as usize, rows.len());

    let prov: Vec<&str> = rows.iter().map(|r| r.province_code.as_str()).collect();
    assert_eq!(strings(&batches, "province_code"), some(&prov));
    let prov_names: Vec<&str> = rows.iter().map(|r| r.province_name.as_str()).collect();
    assert_eq!(strings(&batches, "province_name"), some(&prov_names));
    let code_col = format!("{}_code", level.as_str());
    let name_col = format!("{}_name", level.as_str());
    assert_eq!(strings(&batches, &code_col), some(&codes(&rows)));
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(strings(&batches, &name_col), some(&names));
    if level == Level::District {
        let rc: Vec<Option<String>> = rows.iter().map(|r| r.regency_code.clone()).collect();
        assert_eq!(strings(&batches, "regency_code"), rc);
        let rn: Vec<Option<String>> = rows.iter().map(|r| r.regency_name.clone()).collect();
        assert_eq!(strings(&batches, "regency_name"), rn);
    }
    if level == Level::Regency {
        let kinds: Vec<Option<String>> = rows.iter().map(|r| r.kind.map(str::to_string)).collect();
        assert_eq!(strings(&batches, "kind"), kinds);
    }
    let cur: Vec<Option<String>> = rows.iter().map(|r| r.current_code.clone()).collect();
    assert_eq!(strings(&batches, "current_code"), cur);
    assert_eq!(counts(&batches, "records"), rows.iter().map(|r| r.records).collect::<Vec<_>>());
    assert_eq!(counts(&batches, "unique_nik"), rows.iter().map(|r| r.unique_nik).collect::<Vec<_>>());

    // Provenance, and nothing else, in the key-value metadata.
    let kv = meta.file_metadata().key_value_metadata().expect("key-value metadata");
    let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
    assert_eq!(get("takar.version").as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(get("takar.region_editions").as_deref(), Some("2015,2017,2019,2022,2023,2025"));
    assert_eq!(get("takar.reference_date").as_deref(), Some("2025-06-01"));
    assert_eq!(get("takar.level").as_deref(), Some(level.as_str()));
    for rg in meta.row_groups() {
        for c in rg.columns() {
            assert!(matches!(c.compression(), Compression::SNAPPY), "{:?}", c.compression());
        }
    }
    n
}

#[test]
fn outputs_read_back_equal_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out/nested");
    let s = fixture();
    write_outputs(&out, &s, table()).unwrap();
    let mut names: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        ["districts.parquet", "provinces.parquet", "regencies.parquet", "summary.json"],
        "no temp file left"
    );
    assert_eq!(check_file(&out, &s, Level::Province), 3);
    assert_eq!(check_file(&out, &s, Level::Regency), 3);
    assert_eq!(check_file(&out, &s, Level::District), 5);

    let (batches, _) = read_parquet(&out.join("regencies.parquet"));
    assert_eq!(strings(&batches, "current_code"), vec![None, None, Some("9301".to_string())]);
    let (batches, _) = read_parquet(&out.join("districts.parquet"));
    assert_eq!(strings(&batches, "current_code")[3].as_deref(), Some("930101"));

    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["nik"]["unique"], 365);
    assert_eq!(v["nik"]["valid"], 490);
}

#[test]
fn outputs_replace_older_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_outputs(dir.path(), &fixture(), table()).unwrap();
    let s = summary_with(&[(110101, 4, 2)]);
    write_outputs(dir.path(), &s, table()).unwrap();
    assert_eq!(check_file(dir.path(), &s, Level::District), 1);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 4);
}

#[test]
fn empty_summary_writes_three_zero_row_files_with_full_schema() {
    let dir = tempfile::tempdir().unwrap();
    let s = Summary::new(reference());
    write_outputs(dir.path(), &s, table()).unwrap();
    for level in Level::ALL {
        assert_eq!(check_file(dir.path(), &s, level), 0, "{level:?}");
    }
    assert!(dir.path().join("summary.json").is_file());
}

#[test]
fn schema_functions_match_the_contract() {
    for level in Level::ALL {
        check_schema(&schema(level), level);
    }
    assert_eq!(region_editions(), "2015,2017,2019,2022,2023,2025");
}

#[test]
fn parquet_into_memory_round_trips() {
    // The arrow-rs doc shape: write into a Vec, read it back, compare.
    let rows = region_rows(&fixture(), table(), Level::District);
    let mut buf = Vec::new();
    write_region_parquet(&rows, Level::District, &mut buf).unwrap();
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, &buf).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let read: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(read, vec![record_batch(&rows, Level::District).unwrap()]);
}

#[test]
fn rows_of_another_level_are_refused() {
    let rows = region_rows(&fixture(), table(), Level::Regency);
    assert!(write_region_parquet(&rows, Level::District, Vec::new()).is_err());
}

#[test]
fn every_district_at_once_passes_the_leak_guard() {
    // Thousands of adjacent six-digit codes and assorted counts: the Parquet encodings must
    // never line up into a 16-digit run by accident.
    let t = table();
    let mut s = Summary::new(reference());
    s.regions.records = (0..t.districts.len() as u64).map(|i| 1 + i * 7919 % 100_003).collect();
    s.regions.unique_nik = s.regions.records.iter().map(|r| r - r / 3).collect();
    let dir = tempfile::tempdir().unwrap();
    write_outputs(dir.path(), &s, t).unwrap();
    assert_eq!(check_file(dir.path(), &s, Level::District), t.districts.len());
    for name in OUTPUT_FILES {
        assert!(!has_nik_like_run(&fs::read(dir.path().join(name)).unwrap()), "{name}");
    }
}

// ---------------------------------------------------------------- leak guard

#[test]
fn leak_guard_finds_sixteen_digit_runs() {
    assert!(!has_nik_like_run(b""));
    assert!(!has_nik_like_run(b"123456789012345"));
    assert!(has_nik_like_run(b"1234567890123456"));
    assert!(has_nik_like_run(b"x12345678901234567y"));
    assert!(has_nik_like_run(b"nik=3507011204900001\n"));
    // What the NIK normaliser reads as 16 digits: separators and full-width digits.
    assert!(has_nik_like_run(b"350701-120490-0001"));
    assert!(has_nik_like_run(b"12345678 12345678"));
    assert!(has_nik_like_run("３５０７０１１２０４９００００１".as_bytes()));
    // What it does not: other separators, and digits of other scripts.
    assert!(!has_nik_like_run(b"12,345,678,123,456,789"));
    assert!(!has_nik_like_run(b"1234:5678:1234:5678"));
    assert!(!has_nik_like_run(b"12345678\t12345678\n"));
    assert!(!has_nik_like_run("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦".as_bytes()), "Arabic-Indic digits are not read as digits");
}

/// A text output that (wrongly) holds a NIK in one of its shapes.
struct Leaky(&'static str);

impl takar::report::Output for Leaky {
    fn name(&self) -> &str {
        "summary.json"
    }
    fn write(&self, out: &mut (dyn std::io::Write + Send), path: &Path) -> takar::Result<()> {
        write!(out, "{{\"path\": \"dumps/{}.csv\"}}\n", self.0).map_err(|e| Error::io(path, e))
    }
    fn guard(&self) -> takar::report::Guard<'_> {
        takar::report::Guard::TextNoDigitRun
    }
}

#[test]
fn leak_guard_fails_the_run_and_leaves_no_file() {
    use takar::report::write_staged;

    let dir = tempfile::tempdir().unwrap();
    for shape in ["3507011204900001", "3507-0112-0490-0001", "3507 0112 0490 0001", "３５０７０１１２０４９００００１"] {
        let err = write_staged(dir.path(), &[&Leaky(shape)]).unwrap_err();
        match &err {
            Error::LeakGuard { path } => assert_eq!(path, &dir.path().join("summary.json")),
            other => panic!("expected LeakGuard, got {other:?}"),
        }
        assert!(!err.to_string().contains(shape), "the error does not repeat the number");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no output and no temp file");
    }

    // A directory that did not exist is created, and stays empty.
    let fresh = dir.path().join("new");
    assert!(matches!(write_staged(&fresh, &[&Leaky("3507011204900001")]), Err(Error::LeakGuard { .. })));
    assert_eq!(fs::read_dir(&fresh).unwrap().count(), 0);
}

/// A summary field that echoes input (a path named after a NIK, in any of its shapes) is
/// masked when rendered, so the outputs are written, masked.
#[test]
fn an_echoed_nik_is_masked_in_every_rendered_output() {
    let dir = tempfile::tempdir().unwrap();
    for shape in ["3507011204900001", "3507-0112-0490-0001", "３５０７ ０１１２ ０４９０ ０００１"] {
        let mut s = fixture();
        s.inputs[0].path = format!("dumps/{shape}.csv");
        s.inputs[0].nik_column = Some(shape.to_string());
        s.inputs[0].warnings = vec![format!("byte 7: {shape}")];
        write_outputs(dir.path(), &s, table()).unwrap();
        let written = fs::read_to_string(dir.path().join("summary.json")).unwrap();
        let terminal = takar::report::terminal::render(&s, table(), &TerminalOptions::default());
        for text in [&written, &json::render(&s), &terminal] {
            assert!(!has_nik_like_run(text.as_bytes()) && !text.contains(shape), "{text}");
            assert!(text.contains("**"), "{text}");
        }
    }
}

/// A text file checked block by block agrees with the whole-buffer guard, wherever the block
/// boundaries cut a digit run: random digit-heavy bytes, and a run of 14 to 18 digits placed
/// at any offset, read in blocks of 1 to 40 bytes.
mod block_guard {
    use proptest::prelude::*;
    use takar::report::guard::reader_has_nik_like_run;
    use takar::report::has_nik_like_run;

    fn digit_heavy() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop_oneof![12 => b'0'..=b'9', 1 => Just(b','), 1 => Just(b'\n'), 1 => any::<u8>()], 0..300)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn blocks_agree_with_the_whole_buffer(bytes in digit_heavy(), block in 1usize..40) {
            let got = reader_has_nik_like_run(std::io::Cursor::new(&bytes), block).unwrap();
            prop_assert_eq!(got, has_nik_like_run(&bytes));
        }

        #[test]
        fn a_run_across_a_boundary_is_seen(at in 0usize..80, run in 14usize..=18, block in 1usize..40) {
            let mut bytes = vec![b'x'; at + run + 5];
            bytes[at..at + run].fill(b'7');
            let got = reader_has_nik_like_run(std::io::Cursor::new(&bytes), block).unwrap();
            prop_assert_eq!(got, run >= 16);
            prop_assert_eq!(got, has_nik_like_run(&bytes));
        }
    }
}

/// An output of another kind brings its own guard; when it refuses, nothing of the run stays,
/// the default outputs written beside it included. An error from the guard does the same.
#[test]
fn a_custom_guard_that_refuses_leaves_no_file() {
    use std::io::Write;
    use takar::report::{write_staged, Guard, Output};

    struct Keys(Guard<'static>);
    impl Output for Keys {
        fn name(&self) -> &str {
            "keys.bin"
        }
        fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> takar::Result<()> {
            out.write_all(&[0xAB; 100_000]).map_err(|e| Error::io(path, e))
        }
        fn guard(&self) -> Guard<'_> {
            self.0
        }
    }
    struct Note;
    impl Output for Note {
        fn name(&self) -> &str {
            "note.txt"
        }
        fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> takar::Result<()> {
            out.write_all(b"counts only\n").map_err(|e| Error::io(path, e))
        }
        fn guard(&self) -> Guard<'_> {
            Guard::TextNoDigitRun
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let refuses = Keys(Guard::Custom(&|tmp| Ok(fs::read(tmp).map_err(|e| Error::io(tmp, e))?.len() == 100_000)));
    match write_staged(dir.path(), &[&Note, &refuses]) {
        Err(Error::LeakGuard { path }) => assert_eq!(path, dir.path().join("keys.bin")),
        other => panic!("expected LeakGuard, got {other:?}"),
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no output and no temp file");

    let fails = Keys(Guard::Custom(&|tmp| Err(Error::input(tmp, 0, "unreadable keys"))));
    assert!(matches!(write_staged(dir.path(), &[&Note, &fails]), Err(Error::Input { .. })));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

    let passes = Keys(Guard::Custom(&|_| Ok(false)));
    write_staged(dir.path(), &[&Note, &passes]).unwrap();
    assert_eq!(fs::read(dir.path().join("note.txt")).unwrap(), b"counts only\n");
    assert_eq!(fs::read(dir.path().join("keys.bin")).unwrap().len(), 100_000);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn leak_guard_keeps_older_outputs_untouched() {
    let dir = tempfile::tempdir().unwrap();
    write_outputs(dir.path(), &fixture(), table()).unwrap();
    let before = fs::read(dir.path().join("summary.json")).unwrap();
    assert!(takar::report::write_staged(dir.path(), &[&Leaky("1234567890123456")]).is_err());
    assert_eq!(fs::read(dir.path().join("summary.json")).unwrap(), before);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 4);
}

#[test]
fn output_dir_that_is_a_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    fs::write(&file, b"x").unwrap();
    assert!(matches!(write_outputs(&file, &fixture(), table()), Err(Error::Io { .. })));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_is_pretty_rounded_and_ends_with_newline() {
    let s = fixture();
    let text = json::render(&s);
    assert!(text.ends_with("}\n"));
    assert!(text.contains("\n  \"records\": 515,"), "pretty, in field order:\n{text}");
    assert!(!has_nik_like_run(text.as_bytes()), "floats are rounded:\n{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["elapsed_s"], 0.123);
    assert_eq!(v["bytes_per_s"].as_f64().unwrap(), (3_165_815.0f64 / 0.123_456_789_012_345_67).round());
    assert_eq!(v["nik"]["invalid_reasons"]["length"], 15);
    assert_eq!(v["nik"]["invalid_reasons"]["birth_date"], 5);
    assert!(v["nik"]["invalid_reasons"].get("placeholder").is_none());
    assert_eq!(v["reference_date"], "2025-06-01");
    assert_eq!(v["inputs"][0]["path"], "dumps/warga.csv");
    assert!(v.get("regions").is_none(), "region counts go to Parquet only");
    assert!(v.get("consistency").is_none());
}

// ---------------------------------------------------------------- terminal

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(100_000), "100,000");
    assert_eq!(thousands(3_165_815), "3,165,815");
    assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    assert_eq!(percent(1, 8), "12.5%");
    assert_eq!(percent(1, 0), "-");
    assert_eq!(human_bytes(999), "999 B");
    assert_eq!(human_bytes(3_165_815), "3.17 MB");
    assert_eq!(human_bytes(2_500_000_000), "2.50 GB");
}

#[test]
fn terminal_report_names_the_top_regions() {
    let mut s = fixture();
    s.consistency =
        Some(Consistency { birth_date_checked: 490, birth_date_mismatch: 7, ..Consistency::default() });
    let out = terminal::render(&s, table(), &TerminalOptions { top: 10, color: false });
    for needle in [
        "Kota Bogor",
        "Kabupaten Malang",
        "Kabupaten Merauke",
        "historic, now 9301",
        "Jawa Barat",
        "3,165,815",
        "dumps/warga.csv",
        "--nik-column",
        "--kk-column",
        "--format",
        "--delimiter",
        "--no-header",
        "no_kk",
        "tgl_lahir",
        "length",
        "birth_date",
        "75.0%",
        "GB/s",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains('\x1b'), "no colour unless asked");
    assert!(!out.contains("Per input"), "one input: no per-input table");
    // Bogor (200 unique) is listed before Malang (130).
    assert!(out.find("Kota Bogor").unwrap() < out.find("Kabupaten Malang").unwrap());
    let coloured = terminal::render(&s, table(), &TerminalOptions { top: 10, color: true });
    assert!(coloured.contains("\x1b[1m"));
}

#[test]
fn terminal_top_n_and_several_inputs() {
    let mut s = fixture();
    let mut second = s.inputs[0].clone();
    second.path = "more\x1b[31m.sql".into();
    second.warnings = vec!["unterminated quote at the end".into()];
    second.nik_new_unique = 12_345;
    s.inputs.push(second);
    let out = terminal::render(&s, table(), &TerminalOptions { top: 1, color: false });
    assert!(out.contains("Kota Bogor"));
    assert!(!out.contains("Kabupaten Malang"), "top 1 shows one regency:\n{out}");
    assert!(out.contains("Per input"));
    assert!(out.contains("12,345"));
    assert!(out.contains("unterminated quote at the end"));
    assert!(!out.contains('\x1b'), "escape sequences in paths are neutralised:\n{out}");
    assert!(out.contains("more\\u{1b}[31m.sql"));

    // Many warnings: the first five per input, then a pointer to the rest.
    s.inputs[1].warnings = (0..101).map(|n| format!("byte {n}: malformed JSON")).collect();
    let out = terminal::render(&s, table(), &TerminalOptions { top: 1, color: false });
    assert!(out.contains("byte 4: malformed") && !out.contains("byte 5: malformed"), "{out}");
    assert!(out.contains("96 more lines of warnings"), "{out}");
}

#[test]
fn terminal_report_of_an_empty_scan() {
    let s = Summary::new(reference());
    let out = terminal::render(&s, table(), &TerminalOptions { top: 5, color: false });
    assert!(out.contains("(no valid NIK)"));
    assert!(!has_nik_like_run(out.as_bytes()));
}

// ---------------------------------------------------------------- readback.py

#[test]
fn python_readback_agrees_when_available() {
    let have = std::process::Command::new("python3")
        .args(["-c", "import pandas, polars, duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        // CI installs them (.ci/run); there a missing module is a failure, not a skip.
        assert!(std::env::var_os("CI").is_none(), "CI must have python3 with pandas, polars and duckdb");
        eprintln!("SKIPPED: python3 with pandas, polars and duckdb not available");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readback.py");
    for s in [fixture(), Summary::new(reference())] {
        let dir = tempfile::tempdir().unwrap();
        write_outputs(dir.path(), &s, table()).unwrap();
        let out = std::process::Command::new("python3").arg(&script).arg(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "readback.py failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The Parquet guard looks at values, not bytes: a name or a count shaped like a NIK trips it;
/// the bit-packed bytes of ordinary files do not (the golden test's 200k-record dump once did).
#[test]
fn parquet_leak_guard_reads_values() {
    use takar::report::parquet::holds_nik_like_value;
    let dir = tempfile::tempdir().unwrap();
    let clean = region_rows(&fixture(), table(), Level::Regency);
    let write = |name: &str, rows: &[RegionRow]| {
        let p = dir.path().join(name);
        write_region_parquet(rows, Level::Regency, File::create(&p).unwrap()).unwrap();
        p
    };
    assert!(!holds_nik_like_value(&write("clean.parquet", &clean)).unwrap());
    let mut named = clean.clone();
    named[0].name = "KAB 3507011204900001".into();
    assert!(holds_nik_like_value(&write("named.parquet", &named)).unwrap());
    for shape in ["KAB 3507-0112-0490-0001", "KAB 3507 0112 0490 0001", "KAB ３５０７０１１２０４９００００１"] {
        named[0].name = shape.into();
        assert!(holds_nik_like_value(&write("shaped.parquet", &named)).unwrap(), "{shape}");
    }
    let mut counted = clean.clone();
    counted[0].records = 3_507_011_204_900_001;
    assert!(holds_nik_like_value(&write("counted.parquet", &counted)).unwrap());
    counted[0].records = 999_999_999_999_999;
    assert!(!holds_nik_like_value(&write("fifteen.parquet", &counted)).unwrap());
}

// ---------------------------------------------------------------- README notebook snippets

/// The ```python blocks of the README's "In a notebook" section, in order.
fn readme_notebook_snippets() -> Vec<String> {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("### In a notebook").expect("README has an \"In a notebook\" section")..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    section.split("```python\n").skip(1).map(|b| b[..b.find("```").unwrap()].to_string()).collect()
}

/// The README's pandas, polars and DuckDB snippets, run as they are on an output folder
/// `out/`: each must succeed and list the top regency, and the pandas one draws its plot.
#[test]
fn readme_notebook_snippets_run() {
    let snippets = readme_notebook_snippets();
    assert_eq!(snippets.len(), 3, "pandas, polars and DuckDB");
    let have = std::process::Command::new("python3")
        .args(["-c", "import pandas, polars, duckdb, matplotlib"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        assert!(std::env::var_os("CI").is_none(), "CI must have python3 with pandas, polars, duckdb and matplotlib");
        eprintln!("SKIPPED: python3 with pandas, polars, duckdb and matplotlib not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_outputs(&dir.path().join("out"), &fixture(), table()).unwrap();
    for (lib, code) in ["pandas", "polars", "duckdb"].iter().zip(&snippets) {
        assert!(code.contains(&format!("import {lib}")), "snippet order: {lib}");
        let out = std::process::Command::new("python3")
            .args(["-c", code])
            .current_dir(dir.path())
            .env("MPLBACKEND", "Agg")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{lib} snippet failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        // Kota Bogor (200 unique) heads the fixture, then Kab. Malang (130).
        let (bogor, malang) = (stdout.find("Kota Bogor"), stdout.find("Kabupaten Malang"));
        assert!(bogor.is_some() && malang.is_some() && bogor < malang, "{lib}:\n{stdout}");
    }
    let png = fs::read(dir.path().join("top10.png")).expect("the pandas snippet's plot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5000);
}
