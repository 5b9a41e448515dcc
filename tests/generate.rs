//! Known-answer tests of `takar generate`: the answer a dump comes with must be what an
//! independent reader finds in it. Each format is read back with a separate parser (the `csv`
//! crate, serde_json, a small SQL tuple reader written here) and re-counted with the slow NIK
//! oracle and a plain `HashSet`; the recount must equal the answer field by field. Counts,
//! never numbers, appear in assertion messages.

use std::collections::{BTreeMap, HashSet};

use takar::generate::{self, Answer, DumpFormat, GenerateConfig, RegionAnswer};
use takar::nik::oracle::{check, Kind};
use takar::nik::region::Region;
use takar::nik::{Date, Reason, RegionTable};
use takar::report::summary::{ColumnSummary, Consistency};

const COLUMNS: [&str; 14] = [
    "nik", "nkk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin", "alamat", "rt",
    "rw", "kelurahan", "kecamatan", "kabupaten", "tps",
];
const FORMATS: [DumpFormat; 4] = [DumpFormat::Csv, DumpFormat::Tsv, DumpFormat::Sql, DumpFormat::Jsonl];

fn config(records: u64, seed: u64, format: DumpFormat) -> GenerateConfig {
    GenerateConfig {
        records,
        seed,
        format,
        dup_rate: GenerateConfig::DEFAULT_DUP_RATE,
        invalid_rate: GenerateConfig::DEFAULT_INVALID_RATE,
        output: "unused.csv".into(),
        placeholder_rate: GenerateConfig::DEFAULT_PLACEHOLDER_RATE,
        fabricate: false,
    }
}

/// Higher messiness than the defaults, so a few thousand records hit every reason.
fn messy(records: u64, seed: u64, format: DumpFormat) -> GenerateConfig {
    GenerateConfig { dup_rate: 0.15, invalid_rate: 0.12, ..config(records, seed, format) }
}

fn dump(cfg: &GenerateConfig) -> (Vec<u8>, Answer) {
    let mut bytes = Vec::new();
    let answer = generate::write_dump(cfg, &mut bytes).expect("generate");
    (bytes, answer)
}

/// A record as its 14 values, `None` for a missing one.
type Row = Vec<Option<String>>;

fn read_delimited(bytes: &[u8], delimiter: u8, quoting: bool) -> Vec<Row> {
    let mut r = csv::ReaderBuilder::new().delimiter(delimiter).quoting(quoting).from_reader(bytes);
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    r.records()
        .map(|rec| {
            let rec = rec.expect("well-formed record");
            assert_eq!(rec.len(), COLUMNS.len());
            rec.iter().map(|f| (!f.is_empty()).then(|| f.to_string())).collect()
        })
        .collect()
}

fn read_jsonl(bytes: &[u8]) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    assert!(text.is_empty() || text.ends_with('\n'));
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
            let obj = v.as_object().expect("an object");
            assert_eq!(obj.len(), COLUMNS.len());
            COLUMNS
                .iter()
                .map(|c| match &obj[*c] {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s.clone()),
                    _ => panic!("column {c} is neither a string nor null"),
                })
                .collect()
        })
        .collect()
}

/// Reads the mysqldump-like dump, checking its statement structure on the way: one `CREATE
/// TABLE`, then `INSERT` lines of exactly 500 tuples (the last one fewer), each ending in `;`.
fn read_sql(bytes: &[u8]) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    assert_eq!(text.matches("CREATE TABLE `dpt` (").count(), 1);
    let prefix = format!(
        "INSERT INTO `dpt` ({}) VALUES ",
        COLUMNS.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(",")
    );
    let mut rows = Vec::new();
    let mut sizes = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("INSERT")) {
        let values = line.strip_prefix(prefix.as_str()).expect("INSERT with the column list");
        let values = values.strip_suffix(';').expect("statement ends with ;");
        let before = rows.len();
        parse_tuples(values.as_bytes(), &mut rows);
        sizes.push(rows.len() - before);
    }
    if let Some((last, full)) = sizes.split_last() {
        assert!(full.iter().all(|&n| n == 500), "every INSERT but the last holds 500 rows");
        assert!((1..=500).contains(last));
    }
    rows
}

/// `(v,v,...),(v,...)` where v is `NULL` or a single-quoted string with backslash escapes.
fn parse_tuples(b: &[u8], rows: &mut Vec<Row>) {
    let mut i = 0;
    while i < b.len() {
        assert_eq!(b[i], b'(', "tuple starts with (");
        i += 1;
        let mut row = Vec::new();
        loop {
            if b[i..].starts_with(b"NULL") {
                row.push(None);
                i += 4;
            } else {
                assert_eq!(b[i], b'\'', "value is NULL or quoted");
                i += 1;
                let mut s = Vec::new();
                while b[i] != b'\'' {
                    if b[i] == b'\\' {
                        i += 1;
                        s.push(match b[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b'0' => 0,
                            c => c,
                        });
                    } else {
                        s.push(b[i]);
                    }
                    i += 1;
                }
                i += 1;
                row.push(Some(String::from_utf8(s).expect("utf-8")));
            }
            match b[i] {
                b',' => i += 1,
                b')' => {
                    i += 1;
                    break;
                }
                _ => panic!("expected , or ) after a value"),
            }
        }
        assert_eq!(row.len(), COLUMNS.len());
        rows.push(row);
        if i < b.len() {
            assert_eq!(b[i], b',', "tuples are separated by ,");
            i += 1;
        }
    }
}

/// What an independent reader counts in the rows.
#[derive(Debug, PartialEq)]
struct Recount {
    records: u64,
    nik: ColumnSummary,
    kk: ColumnSummary,
    consistency: Consistency,
    provinces: BTreeMap<String, RegionAnswer>,
    regencies: BTreeMap<String, RegionAnswer>,
    districts: BTreeMap<String, RegionAnswer>,
}

impl Recount {
    fn of_answer(a: &Answer) -> Recount {
        Recount {
            records: a.records,
            nik: a.nik.clone(),
            kk: a.kk.clone(),
            consistency: a.consistency,
            provinces: a.provinces.clone(),
            regencies: a.regencies.clone(),
            districts: a.districts.clone(),
        }
    }
}

fn count_column(raw: Option<&str>, kind: Kind, reference: Date, col: &mut ColumnSummary, seen: &mut HashSet<u64>) -> Option<u64> {
    match check(raw.unwrap_or("").as_bytes(), kind, reference) {
        Ok(Some(v)) => {
            col.valid += 1;
            col.unique += u64::from(seen.insert(v));
            Some(v)
        }
        Ok(None) => {
            col.missing += 1;
            None
        }
        Err(Reason::Placeholder) => {
            col.placeholder += 1;
            col.invalid_reasons.add(Reason::Placeholder);
            None
        }
        Err(r) => {
            col.invalid += 1;
            col.invalid_reasons.add(r);
            None
        }
    }
}

/// `DD-MM-YYYY`, `YYYY-MM-DD` or `DD/MM/YYYY`.
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let p: Vec<&str> = s.split(['-', '/']).collect();
    let n = |t: &str| t.parse::<u32>().ok();
    match p.as_slice() {
        [y, m, d] if y.len() == 4 => Some((n(y)?, n(m)?, n(d)?)),
        [d, m, y] if y.len() == 4 => Some((n(y)?, n(m)?, n(d)?)),
        _ => None,
    }
}

/// A regency code followed through its successors to the current one.
fn current_regency(table: &RegionTable, mut code: u32) -> u32 {
    for _ in 0..16 {
        let r = table.regency_info(table.regency(code).unwrap());
        match r.successor {
            Some(next) if !r.is_current() => code = next,
            _ => break,
        }
    }
    code
}

fn recount(rows: &[Row], reference: Date) -> Recount {
    let mut nik = ColumnSummary::default();
    let mut kk = ColumnSummary::default();
    let mut c = Consistency::default();
    let (mut niks, mut kks) = (HashSet::new(), HashSet::new());
    let mut districts: BTreeMap<String, RegionAnswer> = BTreeMap::new();
    let mut regencies = BTreeMap::new();
    let mut provinces = BTreeMap::new();
    let table = RegionTable::embedded();
    for row in rows {
        let kk_value = count_column(row[1].as_deref(), Kind::Kk, reference, &mut kk, &mut kks);
        let before = nik.unique;
        let Some(v) = count_column(row[0].as_deref(), Kind::Nik, reference, &mut nik, &mut niks) else { continue };
        // Place columns as written, against every name of the NIK's own codes (upper case).
        let named = |region: &Region, written: &str| {
            std::iter::once(&region.name).chain(&region.other_names).any(|n| n.to_uppercase() == written)
        };
        let code6 = (v / 10_000_000_000) as u32;
        if let Some(w) = row[12].as_deref() {
            c.regency_checked += 1;
            c.regency_mismatch += u64::from(!named(table.regency_info(table.regency(code6 / 100).unwrap()), w));
        }
        if let Some(w) = row[11].as_deref() {
            c.district_checked += 1;
            c.district_mismatch += u64::from(!named(table.district_info(table.district(code6).unwrap()), w));
        }
        if let Some(k) = kk_value {
            c.kk_region_checked += 1;
            c.kk_region_mismatch += u64::from(current_regency(table, code6 / 100) != current_regency(table, (k / 1_000_000_000_000) as u32));
        }
        let new = nik.unique > before;
        let code = v / 10_000_000_000;
        for (map, key) in [
            (&mut districts, format!("{code:06}")),
            (&mut regencies, format!("{:04}", code / 100)),
            (&mut provinces, format!("{:02}", code / 10_000)),
        ] {
            let e = map.entry(key).or_default();
            e.records += 1;
            e.unique_nik += u64::from(new);
        }
        let day_field = (v / 100_000_000 % 100) as u32;
        let female = day_field > 40;
        match row[3].as_deref() {
            None => {}
            Some(g) => {
                let col_female = match g {
                    "L" | "LAKI-LAKI" => false,
                    "P" | "PEREMPUAN" => true,
                    _ => panic!("unexpected gender value"),
                };
                c.gender_checked += 1;
                c.gender_mismatch += u64::from(col_female != female);
            }
        }
        if let Some(s) = row[5].as_deref() {
            let (y, m, d) = parse_date(s).expect("a date column that is present parses");
            c.birth_date_checked += 1;
            let (day, month, yy) = (day_field % 40, (v / 1_000_000 % 100) as u32, (v / 10_000 % 100) as u32);
            let day = if female { day_field - 40 } else { day };
            let readings = [1900 + yy, 2000 + yy].map(|year| Date { year: year as u16, month: month as u8, day: day as u8 });
            let column = Date { year: y as u16, month: m as u8, day: d as u8 };
            let matches = readings.iter().any(|r| *r == column && *r <= reference);
            c.birth_date_mismatch += u64::from(!matches);
        }
    }
    for col in [&mut nik, &mut kk] {
        col.duplicate_records = col.valid - col.unique;
    }
    Recount { records: rows.len() as u64, nik, kk, consistency: c, provinces, regencies, districts }
}

fn reference(a: &Answer) -> Date {
    Date::parse_iso(&a.valid_for_reference_dates_from).expect("YYYY-MM-DD")
}

#[test]
fn same_seed_same_bytes_at_any_thread_count() {
    for format in FORMATS {
        let cfg = messy(3000, 11, format);
        let (bytes, answer) = dump(&cfg);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let (again, answer_again) = pool.install(|| dump(&cfg));
            assert!(again == bytes, "{format:?}: bytes differ with {threads} threads");
            assert_eq!(answer_again, answer);
        }
    }
}

#[test]
fn different_seed_different_bytes() {
    for format in FORMATS {
        let (a, _) = dump(&config(500, 1, format));
        let (b, _) = dump(&config(500, 2, format));
        assert!(a != b, "{format:?}: seeds 1 and 2 gave the same dump");
    }
}

#[test]
fn answer_arithmetic_and_rates() {
    let (_, a) = dump(&config(60_000, 5, DumpFormat::Csv));
    assert_eq!(a.records, 60_000);
    for col in [&a.nik, &a.kk] {
        assert_eq!(col.valid + col.invalid + col.missing + col.placeholder, a.records);
        assert_eq!(col.duplicate_records, col.valid - col.unique);
        assert_eq!(col.invalid, col.invalid_reasons.invalid_total());
        assert_eq!(col.placeholder, col.invalid_reasons.get(Reason::Placeholder));
    }
    for map in [&a.provinces, &a.regencies, &a.districts] {
        assert_eq!(map.values().map(|r| r.records).sum::<u64>(), a.nik.valid);
        assert_eq!(map.values().map(|r| r.unique_nik).sum::<u64>(), a.nik.unique);
        assert!(map.values().all(|r| r.records > 0 && r.unique_nik <= r.records));
    }
    assert!(a.consistency.gender_checked <= a.nik.valid && a.consistency.birth_date_checked <= a.nik.valid);
    // The rates are shares of records (loose bounds: these are draws, the counts are exact).
    let share = |n: u64| n as f64 / a.records as f64;
    assert!((share(a.nik.duplicate_records) - 0.05).abs() < 0.005);
    assert!((share(a.nik.invalid) - 0.02).abs() < 0.003);
    assert!((share(a.nik.missing) - 0.01).abs() < 0.002);
    assert!(a.nik.placeholder > 20 && a.nik.placeholder < 110);
    assert!((share(a.kk.missing) - 0.01).abs() < 0.002 && (share(a.kk.invalid) - 0.01).abs() < 0.002);
    for r in [Reason::Length, Reason::NonDigit, Reason::SpreadsheetMangled, Reason::Province, Reason::Regency, Reason::District, Reason::BirthDate, Reason::Serial] {
        assert!(a.nik.invalid_reasons.get(r) > 80, "reason {r} is rare");
    }
    let gender = a.consistency.gender_mismatch as f64 / a.consistency.gender_checked as f64;
    assert!((gender - 0.005).abs() < 0.002);
    // The 2021 leak's four regencies hold about 85% of the people; historic codes appear.
    let big: u64 = ["3507", "3216", "3213", "3271"].iter().map(|c| a.regencies[*c].records).sum();
    assert!((big as f64 / a.nik.valid as f64 - 0.85).abs() < 0.01);
    assert!(a.regencies["3507"].records > a.regencies["3216"].records);
    assert!(a.districts.keys().any(|c| c.starts_with("9101")), "historic Papua codes appear");
}

/// A fabricated dump (issue 10) read back independently: every place name, KK region and
/// birth date contradicts the NIK exactly as the answer says.
#[test]
fn fabricated_recount_matches_answer() {
    let cfg = GenerateConfig { fabricate: true, ..messy(8_000, 77, DumpFormat::Csv) };
    let (bytes, answer) = dump(&cfg);
    let rows = read_delimited(&bytes, b',', true);
    assert_eq!(recount(&rows, reference(&answer)), Recount::of_answer(&answer));
    let c = answer.consistency;
    assert!(c.regency_checked > 5_000 && c.regency_mismatch == c.regency_checked);
    assert!(c.kk_region_checked > 5_000 && c.kk_region_mismatch == c.kk_region_checked);
    // A family card per person: a KK repeats only with a repeated person.
    assert!(answer.kk.duplicate_records <= answer.nik.duplicate_records);
}

#[test]
fn csv_recount_matches_answer() {
    let cfg = messy(20_000, 2024, DumpFormat::Csv);
    let (bytes, answer) = dump(&cfg);
    let rows = read_delimited(&bytes, b',', true);
    assert_eq!(recount(&rows, reference(&answer)), Recount::of_answer(&answer));
    // The awkward cases are really there: doubled quotes, a line break inside a quoted field.
    assert!(rows.iter().any(|r| r[2].as_deref().is_some_and(|n| n.contains('"'))));
    assert!(rows.iter().any(|r| r[7].as_deref().is_some_and(|a| a.contains('\n'))));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("\"\"") && text.contains("E+15") && text.contains(".0,"));
}

#[test]
fn counts_hold_for_later_reference_dates() {
    let (bytes, answer) = dump(&messy(4000, 77, DumpFormat::Csv));
    let rows = read_delimited(&bytes, b',', true);
    for later in [Date { year: 2024, month: 2, day: 29 }, Date { year: 2099, month: 12, day: 31 }] {
        assert_eq!(recount(&rows, later), Recount::of_answer(&answer), "reference {later}");
    }
}

#[test]
fn tsv_recount_matches_answer() {
    let (bytes, answer) = dump(&messy(5000, 3, DumpFormat::Tsv));
    assert!(!bytes.contains(&b'"'), "plain TSV carries no quotes");
    let rows = read_delimited(&bytes, b'\t', false);
    assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), rows.len() + 1, "one line per record");
    assert_eq!(recount(&rows, reference(&answer)), Recount::of_answer(&answer));
}

#[test]
fn jsonl_recount_matches_answer() {
    let (bytes, answer) = dump(&messy(5000, 4, DumpFormat::Jsonl));
    let rows = read_jsonl(&bytes);
    assert_eq!(recount(&rows, reference(&answer)), Recount::of_answer(&answer));
}

#[test]
fn sql_recount_matches_answer() {
    let (bytes, answer) = dump(&messy(5000, 6, DumpFormat::Sql));
    let rows = read_sql(&bytes);
    assert_eq!(rows.len(), 5000);
    assert_eq!(recount(&rows, reference(&answer)), Recount::of_answer(&answer));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("NULL") && text.contains("MA\\'RUF") && text.contains("\\\"") && text.ends_with("UNLOCK TABLES;\n\n-- Dump completed\n"));
}

#[test]
fn the_same_identities_in_every_format() {
    let answers: Vec<Answer> = FORMATS.iter().map(|&f| dump(&messy(2000, 8, f)).1).collect();
    for a in &answers[1..] {
        assert_eq!(Recount::of_answer(a), Recount::of_answer(&answers[0]));
    }
    assert_eq!(answers[2].format, DumpFormat::Sql);
}

#[test]
fn zero_and_one_records() {
    for format in FORMATS {
        let (bytes, a) = dump(&config(0, 1, format));
        assert_eq!(a.records, 0);
        assert_eq!(a.nik, ColumnSummary::default());
        assert!(a.districts.is_empty());
        let text = String::from_utf8(bytes).expect("utf-8");
        match format {
            DumpFormat::Csv => assert_eq!(text, COLUMNS.join(",") + "\n"),
            DumpFormat::Tsv => assert_eq!(text, COLUMNS.join("\t") + "\n"),
            DumpFormat::Sql => assert!(text.contains("CREATE TABLE") && !text.contains("INSERT")),
            DumpFormat::Jsonl => assert!(text.is_empty()),
        }
        let (bytes, a) = dump(&config(1, 1, format));
        assert_eq!(a.records, 1);
        let rows = match format {
            DumpFormat::Csv => read_delimited(&bytes, b',', true),
            DumpFormat::Tsv => read_delimited(&bytes, b'\t', false),
            DumpFormat::Sql => read_sql(&bytes),
            DumpFormat::Jsonl => read_jsonl(&bytes),
        };
        assert_eq!(recount(&rows, reference(&a)), Recount::of_answer(&a));
    }
}

#[test]
fn run_writes_dump_and_answer_then_renames() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("dump.csv");
    let cfg = GenerateConfig { output: output.clone(), ..messy(1500, 9, DumpFormat::Csv) };
    let answer = generate::run(&cfg).expect("run");
    let (bytes, expected) = dump(&cfg);
    assert_eq!(answer, expected);
    assert!(std::fs::read(&output).expect("dump written") == bytes);
    let answer_file = dir.path().join("dump.csv.answer.json");
    assert_eq!(generate::answer_path(&output), answer_file);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&answer_file).expect("answer written")).expect("JSON");
    assert_eq!(json, serde_json::to_value(&answer).expect("serialise"));
    assert_eq!(json["format"], "csv");
    assert_eq!(json["valid_for_reference_dates_from"], "2021-01-01");
    assert!(json["nik"]["invalid_reasons"].get("placeholder").is_none());
    assert!(json["districts"]["350701"]["records"].as_u64().is_some());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn rejects_rates_that_are_not_shares() {
    for (dup, invalid) in [(1.5, 0.0), (f64::NAN, 0.02), (0.0, -0.1), (0.6, 0.6)] {
        let cfg = GenerateConfig { dup_rate: dup, invalid_rate: invalid, ..config(10, 1, DumpFormat::Csv) };
        assert!(matches!(generate::write_dump(&cfg, std::io::sink()), Err(takar::Error::Usage(_))));
    }
    // The extremes that leave room for the fixed shares are fine.
    let cfg = GenerateConfig { dup_rate: 0.0, invalid_rate: 0.98, ..config(300, 1, DumpFormat::Csv) };
    let a = generate::write_dump(&cfg, std::io::sink()).expect("generate");
    assert!(a.nik.invalid > 250);
}

/// `cargo test --release --test generate -- --ignored --nocapture`: 10M CSV rows to a file.
#[test]
#[ignore]
fn ten_million_rows_csv_timing() {
    let dir = std::env::temp_dir().join(format!("takar-generate-timing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let output = dir.join("dump.csv");
    let cfg = GenerateConfig { output: output.clone(), ..config(10_000_000, 1, DumpFormat::Csv) };
    let start = std::time::Instant::now();
    let answer = generate::run(&cfg).expect("run");
    let elapsed = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&output).expect("dump").len();
    eprintln!(
        "10M csv rows: {elapsed:.2} s, {:.2} GB, {:.0} MB/s, {} threads; nik valid {} unique {}",
        size as f64 / 1e9,
        size as f64 / 1e6 / elapsed,
        rayon::current_num_threads(),
        answer.nik.valid,
        answer.nik.unique
    );
    assert_eq!(answer.records, 10_000_000);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
