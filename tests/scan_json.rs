//! JSON dumps (JSON lines, arrays, wrapped arrays, concatenated pretty-printed objects):
//! known answers on handwritten inputs, every chunk size and block size against one sequential
//! pass, generated dumps against their answer and against the CSV of the same people, broken
//! input (warnings with offsets, never a panic), and random bytes.

mod common;

use proptest::prelude::*;
use takar::generate::{self, DumpFormat, GenerateConfig};
use takar::nik::{Date, Reason, RegionTable, Validator};
use takar::engine::{scan_slice, Context};
use takar::format::{self, Details, Format, Parser};
use takar::engine::Role;
use takar::format::csv::sniff::{ColumnChoice, SniffOptions};
use takar::report::summary::Consistency;
use takar::engine::tally::{ColumnTally, Tally, Warning};

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

/// Offsets of the warnings a tally carries.
fn warnings(t: &Tally) -> Vec<u64> {
    t.warnings.iter().map(|w| w.0).collect()
}

/// Everything a scan found, comparable.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    records: u64,
    nik: ColumnTally,
    kk: ColumnTally,
    consistency: Consistency,
    nik_unique: u64,
    kk_unique: u64,
    /// Nonzero valid-NIK record counts by district id.
    district_records: Vec<(usize, u64)>,
    warnings: Vec<u64>,
    kinds: Vec<Warning>,
}

fn seen(h: takar::engine::Harvest) -> Seen {
    let t = h.tally;
    let d = RegionTable::embedded().districts.len();
    let nik = takar::engine::keys::count_unique(h.nik_keys, d, 1).unwrap();
    let kk = takar::engine::keys::count_unique(h.kk_keys, 0, 1).unwrap();
    let district_records = t.district_records.iter().copied().enumerate().filter(|(_, n)| *n > 0).collect();
    Seen {
        records: t.records,
        nik: t.nik.clone(),
        kk: t.kk.clone(),
        consistency: t.consistency,
        nik_unique: nik.unique,
        kk_unique: kk.unique,
        district_records,
        warnings: warnings(&t),
        kinds: t.warnings.iter().map(|w| w.1).collect(),
    }
}

fn opts() -> SniffOptions {
    SniffOptions::default()
}

fn with_nik(name: &str) -> SniffOptions {
    SniffOptions::default().with_column(Role::Nik, ColumnChoice::parse(name))
}

fn detect(data: &[u8], o: &SniffOptions) -> Result<Option<format::Detected>, String> {
    format::detect(data, true, Some(data), Format::Auto, o, &validator())
}

/// Detects and scans `data` as a whole in chunks of `chunk` bytes.
fn scan_in(data: &[u8], o: &SniffOptions, chunk: usize) -> (Seen, Details) {
    let v = validator();
    let d = detect(data, o).expect("detected").expect("has records");
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let body = &data[d.data_start..];
    let (t, used) = match &d.parser {
        Parser::Json(p) => scan_slice(p, &ctx, body, d.data_start as u64, true, chunk),
        Parser::Delimited(p) => scan_slice(p, &ctx, body, d.data_start as u64, true, chunk),
        _ => panic!("unexpected parser"),
    };
    assert_eq!(used, body.len(), "a final pass consumes everything");
    (seen(t), d.details)
}

fn scan(data: &[u8]) -> Seen {
    scan_in(data, &opts(), usize::MAX).0
}

/// Feeds `data` in blocks of `block` bytes, as the stream path does (eof only on the last).
fn scan_blocks(data: &[u8], o: &SniffOptions, block: usize, chunk: usize) -> Seen {
    let v = validator();
    let d = detect(data, o).expect("detected").expect("has records");
    let Parser::Json(p) = &d.parser else { panic!("not JSON") };
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let body = &data[d.data_start..];
    let mut total = takar::engine::Harvest::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut base = d.data_start as u64;
    let mut fed = 0;
    loop {
        let end = (fed + block).min(body.len());
        buf.extend_from_slice(&body[fed..end]);
        fed = end;
        let eof = fed == body.len();
        let (t, used) = scan_slice(p, &ctx, &buf, base, eof, chunk);
        total.merge(t);
        buf.drain(..used);
        base += used as u64;
        if eof {
            break;
        }
    }
    assert!(buf.is_empty(), "the last block leaves nothing behind");
    seen(total)
}

/// Every chunk size from 1 to 64, some bigger ones, and streamed blocks give the one-pass answer.
fn assert_chunking_agrees(data: &[u8], o: &SniffOptions) -> Seen {
    let reference = scan_in(data, o, usize::MAX).0;
    for chunk in (1..=64).chain([100, 1000, 4096]) {
        assert_eq!(scan_in(data, o, chunk).0, reference, "chunk {chunk}");
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    for chunk in [2, 5, 33] {
        assert_eq!(pool.install(|| scan_in(data, o, chunk).0), reference, "3 threads, chunk {chunk}");
    }
    for block in [1, 2, 7, 64, 1000] {
        for chunk in [3, 16, usize::MAX] {
            assert_eq!(scan_blocks(data, o, block, chunk), reference, "block {block}, chunk {chunk}");
        }
    }
    reference
}

const MAN: &str = "3507011508900001";
const WOMAN: &str = "3507015508900002";
const FAMILY: &str = "3507010101100001";
/// Above 2^53: a float would round it to an even neighbour.
const PAPUA: &str = "9101011508900001";
const PAPUA_TOO: &str = "9101011508900003";

#[test]
fn fixture_numbers_are_what_the_tests_assume() {
    let v = validator();
    for n in [MAN, WOMAN, PAPUA, PAPUA_TOO] {
        assert!(matches!(v.nik(n.as_bytes()), takar::nik::Check::Valid(_)));
    }
    assert!(matches!(v.kk(FAMILY.as_bytes()), takar::nik::Check::Valid(_)));
    assert!(PAPUA.parse::<u64>().unwrap() > 1 << 53);
    assert_ne!(PAPUA.parse::<f64>().unwrap() as u64, PAPUA.parse::<u64>().unwrap(), "the float path would lose it");
}

#[test]
fn json_lines_known_answer() {
    let data = format!(
        concat!(
            "{{\"nik\":\"{m}\",\"nkk\":\"{k}\",\"jenis_kelamin\":\"L\",\"tanggal_lahir\":\"15-08-1990\"}}\n",
            "\n",
            "  {{\"nik\": \"{w}\", \"nkk\": \"{k}\", \"jenis_kelamin\": \"L\", \"tanggal_lahir\": \"1990-08-15\"}}\r\n",
            "{{\"nik\":null,\"nkk\":\"{k}\"}}\n",
            "{{\"nama\":\"no nik key\"}}\n",
            "{{\"nik\":\"{m}\",\"nkk\":null,\"jenis_kelamin\":null}}\n",
            "{{\"nik\":\"3.50701E+15\"}}\n",
            "{{\"nik\":\"1111111111111111\"}}",
        ),
        m = MAN,
        w = WOMAN,
        k = FAMILY
    );
    let (s, d) = scan_in(data.as_bytes(), &opts(), usize::MAX);
    assert_eq!(d.format, "jsonl");
    assert_eq!(d.columns[Role::Nik].as_deref(), Some("nik"));
    assert_eq!(d.columns[Role::Kk].as_deref(), Some("nkk"));
    assert_eq!(d.columns[Role::Gender].as_deref(), Some("jenis_kelamin"));
    assert_eq!(d.columns[Role::BirthDate].as_deref(), Some("tanggal_lahir"));
    assert_eq!(s.records, 7);
    assert_eq!(s.nik.valid, 3);
    assert_eq!(s.nik_unique, 2);
    assert_eq!(s.nik.missing, 2);
    assert_eq!(s.nik.reasons.get(Reason::SpreadsheetMangled), 1);
    assert_eq!(s.nik.reasons.get(Reason::Placeholder), 1);
    assert_eq!(s.kk.valid, 3);
    assert_eq!(s.kk_unique, 1);
    assert_eq!(s.kk.missing, 4);
    assert_eq!(s.consistency.gender_checked, 2);
    assert_eq!(s.consistency.gender_mismatch, 1);
    assert_eq!(s.consistency.birth_date_checked, 2);
    assert_eq!(s.consistency.birth_date_mismatch, 0);
    assert!(s.warnings.is_empty());
    assert_eq!(assert_chunking_agrees(data.as_bytes(), &opts()), s);
}

#[test]
fn numbers_keep_every_digit() {
    let data = format!(
        "{{\"nik\": {PAPUA}}}\n{{\"nik\": {PAPUA_TOO}}}\n{{\"nik\": {MAN}}}\n{{\"nik\": 3.507011508900001e15}}\n{{\"nik\": 3507011508900001.0}}\n{{\"nik\": -1}}\n{{\"nik\": true}}\n"
    );
    let s = assert_chunking_agrees(data.as_bytes(), &opts());
    assert_eq!(s.records, 7);
    assert_eq!(s.nik.valid, 3);
    assert_eq!(s.nik_unique, 3, "two NIKs one apart above 2^53 stay two");
    assert_eq!(s.nik.reasons.get(Reason::SpreadsheetMangled), 2);
    assert_eq!(s.nik.reasons.get(Reason::Length), 1);
    assert_eq!(s.nik.reasons.get(Reason::NonDigit), 1);
    let papua = RegionTable::embedded().district(910101).expect("910101 exists").0 as usize;
    assert!(s.district_records.contains(&(papua, 2)));
}

#[test]
fn escapes_in_strings_and_keys() {
    // The NIK spelled with \u escapes, a key spelled with one, quotes and backslashes around.
    let data = concat!(
        "{\"note\":\"say \\\"nik\\\": \\\"1\\\" \\\\\",\"nik\":\"35070115\\u0030890000\\u0031\"}\n",
        "{\"n\\u0069k\":\"3507011508900001\",\"x\":\"\\\\\"}\n",
        "{\"nik\":\"3507015508900002\",\"nama\":\"A \\\"B\\\" {C} [D]\\n\"}\n",
        "{\"nik\":\"\\ud83d\\ude00 3507015508900002\"}\n",
    );
    let s = assert_chunking_agrees(data.as_bytes(), &opts());
    assert_eq!(s.records, 4);
    assert_eq!(s.nik.valid, 3);
    assert_eq!(s.nik_unique, 2);
    assert_eq!(s.nik.reasons.get(Reason::NonDigit), 1);
    assert!(s.warnings.is_empty());
}

#[test]
fn nested_keys_are_found_nearest_first() {
    let data = format!(
        concat!(
            "{{\"data\": {{\"nik\": \"{m}\", \"keluarga\": {{\"no_kk\": \"{k}\"}}}}}}\n",
            // The record's own NIK wins over one deeper in the record, whatever the order.
            "{{\"ibu\": {{\"nik\": \"{m}\"}}, \"nik\": \"{w}\"}}\n",
            // At equal depth, the first.
            "{{\"a\": {{\"nik\": \"{w}\"}}, \"b\": {{\"nik\": \"{m}\"}}}}\n",
            // Arrays are transparent; a key whose value is an object is not a value.
            "{{\"nik\": {{\"x\": 1}}, \"anggota\": [{{\"nik\": \"{w}\"}}, {{\"nik\": \"{m}\"}}]}}\n",
        ),
        m = MAN,
        w = WOMAN,
        k = FAMILY
    );
    let (s, d) = scan_in(data.as_bytes(), &opts(), usize::MAX);
    assert_eq!(d.columns[Role::Nik].as_deref(), Some("data.nik"));
    assert_eq!(d.columns[Role::Kk].as_deref(), Some("data.keluarga.no_kk"));
    assert_eq!(s.records, 4);
    assert_eq!(s.nik.valid, 4);
    assert_eq!(s.nik_unique, 2);
    // Which NIK each record gave: count women (NIK day + 40) through a gender key.
    let with_gender: String = data.lines().map(|l| format!("{{\"jk\": \"P\", \"r\": {l}}}\n")).collect();
    let (s2, _) = scan_in(with_gender.as_bytes(), &opts(), usize::MAX);
    assert_eq!(s2.consistency.gender_checked, 4);
    assert_eq!(s2.consistency.gender_mismatch, 1, "only the first record's NIK is a man's");
    assert_chunking_agrees(data.as_bytes(), &opts());
}

#[test]
fn odd_key_spellings() {
    for key in ["No_NIK", "NIK", "n.i.k", "Nomor Induk Kependudukan", "NO-KTP", "nik_pemilih"] {
        let data = format!("{{\"{key}\": \"{MAN}\"}}\n{{\"{key}\": \"{WOMAN}\"}}\n");
        let (s, d) = scan_in(data.as_bytes(), &opts(), usize::MAX);
        assert_eq!(s.nik.valid, 2, "{key}");
        assert_eq!(d.columns[Role::Nik].as_deref(), Some(key));
    }
}

#[test]
fn null_and_absent_are_missing() {
    let data = format!("{{\"nik\": null, \"nkk\": \"{FAMILY}\"}}\n{{\"nkk\": null}}\n{{\"nik\": \"{MAN}\"}}\n{{}}\n[]\n42\n");
    let s = assert_chunking_agrees(data.as_bytes(), &opts());
    assert_eq!(s.records, 6);
    assert_eq!(s.nik.valid, 1);
    assert_eq!(s.nik.missing, 5);
    assert_eq!(s.kk.valid, 1);
    assert_eq!(s.kk.missing, 5);
    assert!(s.warnings.is_empty());
}

fn records_array(pretty: bool) -> String {
    let recs = [
        format!("{{\"nik\": \"{MAN}\", \"nkk\": \"{FAMILY}\", \"alamat\": {{\"jalan\": \"JL. \\\"MAWAR\\\" }}, {{\", \"rt\": [1, 2]}}}}"),
        format!("{{\"nik\": {PAPUA}, \"nkk\": null, \"tags\": [{{\"a\": \"}},{{\"}}, {{\"b\": [[], {{}}]}}]}}"),
        format!("{{\"nik\": \"{WOMAN}\", \"nkk\": \"{FAMILY}\"}}"),
        "{}".to_string(),
        format!("{{\"nik\": \"{MAN}\"}}"),
    ];
    if pretty {
        let body: Vec<String> = recs.iter().map(|r| format!("  {}", r.replace(", ", ",\n    "))).collect();
        format!("[\n{}\n]\n", body.join(",\n"))
    } else {
        format!("[{}]", recs.join(","))
    }
}

#[test]
fn arrays_of_records_compact_and_pretty() {
    for pretty in [false, true] {
        let data = records_array(pretty);
        let (s, d) = scan_in(data.as_bytes(), &opts(), usize::MAX);
        assert_eq!(d.format, "json");
        assert_eq!(s.records, 5, "pretty {pretty}");
        assert_eq!(s.nik.valid, 4);
        assert_eq!(s.nik_unique, 3);
        assert_eq!(s.nik.missing, 1);
        assert_eq!(s.kk.valid, 2);
        assert!(s.warnings.is_empty(), "pretty {pretty}: {:?}", s.warnings);
        assert_eq!(assert_chunking_agrees(data.as_bytes(), &opts()), s);
    }
}

#[test]
fn wrapper_object_and_concatenated_objects() {
    let array = records_array(true);
    let reference = scan(array.as_bytes());
    let wrapped = format!("{{\"meta\": {{\"count\": 5, \"list\": [1, {{\"x\": 2}}]}},\n \"data\": {array}, \"next\": {{\"page\": [ {{}} ]}}}}\n");
    let (s, d) = scan_in(wrapped.as_bytes(), &opts(), usize::MAX);
    assert_eq!(d.format, "json");
    assert_eq!(s, reference);
    assert_eq!(assert_chunking_agrees(wrapped.as_bytes(), &opts()), reference);
    // A path may name the wrapper's member or start at the record.
    assert_eq!(scan_in(wrapped.as_bytes(), &with_nik("data.nik"), usize::MAX).0.nik, reference.nik);
    assert_eq!(scan_in(wrapped.as_bytes(), &with_nik("nik"), usize::MAX).0.nik, reference.nik);

    // What `jq '.[]'` prints: pretty objects one after another.
    let inner = array.trim().trim_start_matches('[').trim_end_matches(']');
    let concatenated = inner.replace("},\n  {", "}\n{");
    let (s, d) = scan_in(concatenated.as_bytes(), &opts(), usize::MAX);
    assert_eq!(d.format, "json");
    assert_eq!(s, reference);
    assert_eq!(assert_chunking_agrees(concatenated.as_bytes(), &opts()), reference);
}

#[test]
fn a_lone_object_with_its_own_nik_is_one_record() {
    let data = format!("{{\"nik\": \"{MAN}\", \"anggota\": [{{\"nik\": \"{WOMAN}\"}}]}}");
    let s = scan(data.as_bytes());
    assert_eq!(s.records, 1);
    assert_eq!(s.nik_unique, 1);
}

#[test]
fn flags_name_keys_and_paths() {
    let data = format!(
        "{{\"id\": \"{w}\", \"data\": {{\"nik\": \"{m}\", \"nomor\": \"{k}\"}}, \"nik\": \"9999\"}}\n",
        m = MAN,
        w = WOMAN,
        k = FAMILY
    );
    let by_path = scan_in(data.as_bytes(), &with_nik("data.nik"), usize::MAX);
    assert_eq!(by_path.0.nik.valid, 1);
    assert_eq!(by_path.1.columns[Role::Nik].as_deref(), Some("data.nik"));
    let by_name = scan_in(data.as_bytes(), &with_nik("ID"), usize::MAX);
    assert_eq!(by_name.0.nik.valid, 1);
    // No birth-date or gender key; the KK (found by content) is checked against the NIK's region.
    assert_eq!(by_name.0.consistency, Consistency { kk_region_checked: 1, ..Consistency::default() });
    let kk = with_nik("data.nik").with_column(Role::Kk, ColumnChoice::parse("data.nomor"));
    assert_eq!(scan_in(data.as_bytes(), &kk, usize::MAX).0.kk.valid, 1);
    // Unnamed keys are found by content when no name matches.
    let content = format!("{{\"a\": \"x\", \"b\": {{\"c\": \"{MAN}\"}}}}\n{{\"a\": \"y\", \"b\": {{\"c\": \"{WOMAN}\"}}}}\n");
    let (s, d) = scan_in(content.as_bytes(), &opts(), usize::MAX);
    assert_eq!(d.columns[Role::Nik].as_deref(), Some("b.c"));
    assert_eq!(s.nik.valid, 2);

    let err = detect(data.as_bytes(), &with_nik("3")).err().expect("positions make no sense for JSON");
    assert!(err.contains("--nik-column"), "{err}");
    let err = detect(data.as_bytes(), &with_nik("data.nama")).err().expect("no such key");
    assert!(err.contains("keys seen") && err.contains("data.nik"), "{err}");
    let err = detect(b"{\"a\": \"x\"}\n", &opts()).err().expect("no NIK anywhere");
    assert!(err.contains("cannot find the NIK key"), "{err}");
}

#[test]
fn malformed_lines_are_counted_and_reported() {
    let line1 = format!("{{\"nik\": \"{MAN}\", \"nkk\": \"{FAMILY}\"}}\n");
    let broken = format!("{{\"nik\": \"{WOMAN}\", \"nkk\": oops}}\n");
    let trailing = format!("{{\"nik\": \"{MAN}\", \"nkk\": null}} x\n");
    let garbage = "not json at all\n";
    let cut = format!("{{\"nik\": \"{WOMAN}\", \"nama\": \"BU");
    let data = [line1.as_str(), &broken, &trailing, garbage, &cut].concat();
    let s = assert_chunking_agrees(data.as_bytes(), &opts());
    assert_eq!(s.records, 5);
    assert_eq!(s.nik.valid, 4, "values read before the break are kept");
    assert_eq!(s.nik.missing, 1);
    let start = |i: usize| [&line1, &broken, &trailing, garbage].iter().take(i).map(|l| l.len()).sum::<usize>();
    let expected = vec![
        (start(1) + broken.find("oops").unwrap()) as u64,
        // All wanted keys were found: the rest of the line is not read, but it does not end
        // with the record's bracket.
        start(2) as u64,
        start(3) as u64,
        (start(4) + cut.rfind('"').unwrap()) as u64,
    ];
    assert_eq!(s.warnings, expected);
    use Warning::*;
    // The trailing line is read only up to its last wanted key, so it shows as a record whose
    // line does not end with its closing bracket.
    assert_eq!(s.kinds, vec![JsonMalformed, JsonUnclosed, JsonMalformed, JsonUnclosed]);
}

#[test]
fn documents_that_never_close_are_reported() {
    let full = records_array(true);
    for cut in [full.len() - 3, full.len() / 2, full.find("\"nkk\": null").unwrap(), 40] {
        let data = &full.as_bytes()[..cut];
        let s = assert_chunking_agrees(data, &opts());
        assert!(!s.warnings.is_empty(), "cut at {cut}: a warning");
        assert!(s.warnings.iter().all(|&w| w < cut as u64));
    }
    // Only the closing bracket missing: the array's `[` is named.
    let no_bracket = full.trim_end().trim_end_matches(']');
    let s = scan(no_bracket.as_bytes());
    assert_eq!(s.records, 5);
    assert_eq!(s.warnings, vec![0]);
    assert_eq!(s.kinds, vec![Warning::JsonArrayUnclosed]);
    // Nothing after `[`: an error, not an empty success.
    assert!(detect(b"  [  \n", &opts()).is_err());
    assert!(detect(b"[]", &opts()).unwrap().is_none());
    // Data after the end of the document is reported, not counted.
    let after = format!("{full} {{\"nik\": \"{MAN}\"}}");
    let s = scan(after.as_bytes());
    assert_eq!(s.records, 5);
    assert_eq!(s.warnings, vec![full.len() as u64 + 1]);
    assert_eq!(s.kinds, vec![Warning::JsonTrailing]);
    // A broken element in an array: counted, reported, and the next records still read.
    let broken = full.replacen("\"nkk\": null", "\"nkk\" null", 1);
    let s = assert_chunking_agrees(broken.as_bytes(), &opts());
    assert_eq!(s.records, 5);
    assert_eq!(s.warnings.len(), 1);
}

#[test]
fn byte_order_mark_and_masked_key_names() {
    for data in [format!("\u{feff}{{\"nik\":\"{MAN}\"}}\n"), format!("\u{feff} [{{\"nik\":\"{MAN}\"}}]")] {
        let s = scan(data.as_bytes());
        assert_eq!((s.records, s.nik.valid), (1, 1));
        assert!(s.warnings.is_empty());
    }
    // A dump keyed by NIK: the error lists the keys, masked.
    let err = detect(format!("{{\"{MAN}\": {{\"nama\": \"x\"}}}}\n").as_bytes(), &opts()).err().expect("no NIK key");
    assert!(!err.contains(MAN) && err.contains("350701**********.nama"), "{err}");
}

fn generated(records: u64, seed: u64, format: DumpFormat) -> (Vec<u8>, generate::Answer) {
    let cfg = GenerateConfig { records, seed, format, dup_rate: 0.15, invalid_rate: 0.12, output: "unused".into(), placeholder_rate: GenerateConfig::DEFAULT_PLACEHOLDER_RATE, fabricate: false };
    let mut bytes = Vec::new();
    let answer = generate::write_dump(&cfg, &mut bytes).expect("generate");
    (bytes, answer)
}

#[test]
fn generated_jsonl_matches_its_answer_and_the_csv() {
    let (jsonl, answer) = generated(4000, 7, DumpFormat::Jsonl);
    let (csv, csv_answer) = generated(4000, 7, DumpFormat::Csv);
    let s = scan(&jsonl);
    assert_eq!(s.records, answer.records);
    assert_eq!(takar::report::summary::ColumnSummary::from_tally(&s.nik, s.nik_unique), answer.nik);
    assert_eq!(takar::report::summary::ColumnSummary::from_tally(&s.kk, s.kk_unique), answer.kk);
    assert_eq!(s.consistency, answer.consistency);
    assert!(s.warnings.is_empty());
    assert_eq!((answer.nik.clone(), answer.kk.clone(), answer.consistency), (csv_answer.nik, csv_answer.kk, csv_answer.consistency));
    assert_eq!(scan_in(&csv, &opts(), usize::MAX).0, s, "the same people in CSV");
    for chunk in [1000, 4096, 65536] {
        assert_eq!(scan_in(&jsonl, &opts(), chunk).0, s, "chunk {chunk}");
    }
    assert_eq!(scan_blocks(&jsonl, &opts(), 50_000, 8192), s);

    // The same records as an array, pretty-printed, and wrapped (keys re-ordered by serde_json).
    let rows: Vec<serde_json::Value> = jsonl.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    let forms = [
        serde_json::to_vec(&rows).unwrap(),
        serde_json::to_vec_pretty(&rows).unwrap(),
        serde_json::to_vec_pretty(&serde_json::json!({ "source": "kpu", "data": rows })).unwrap(),
    ];
    for form in &forms {
        assert_eq!(scan(form), s);
        assert_eq!(scan_in(form, &opts(), 8192).0, s);
        assert_eq!(scan_blocks(form, &opts(), 40_000, 8192), s);
    }
}

/// Through the binary: mmap and stdin, against the answer file `takar generate` writes.
#[test]
fn cli_generated_jsonl_against_answer_file() {
    let env = common::Env::new();
    let dump = env.path("d.jsonl");
    let out = common::takar(&["generate", "--records", "3000", "--seed", "11", "--format", "jsonl", "-o", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&std::fs::read(env.path("d.jsonl.answer.json")).unwrap()).unwrap();
    let expected = common::counts(&answer);
    let mapped = common::scan_json(&[dump.to_str().unwrap()]);
    assert_eq!(common::counts(&mapped), expected);
    assert_eq!(mapped["inputs"][0]["format"], "jsonl");
    assert_eq!(mapped["inputs"][0]["nik_column"], "nik");
    let bytes = std::fs::read(&dump).unwrap();
    let mut args = vec!["scan", "--json", "--reference-date", "2026-11-24", "--chunk-size", "4096", "-"];
    let streamed = common::takar_stdin(&args, Some(&bytes));
    assert!(streamed.status.success());
    let streamed: serde_json::Value = serde_json::from_slice(&streamed.stdout).unwrap();
    assert_eq!(common::counts(&streamed), expected);
    args.truncate(4);
    args.extend(["--mmap", "never", dump.to_str().unwrap()]);
    let read = common::takar(&args);
    assert_eq!(common::counts(&serde_json::from_slice(&read.stdout).unwrap()), expected);
}

#[test]
fn cli_warnings_have_offsets_and_no_numbers() {
    let env = common::Env::new();
    let data = format!("{{\"nik\": \"{MAN}\", \"nkk\": 1}}\n{{\"nik\": \"{WOMAN}\" \"nkk\": 1}}\n{{\"nik\": \"{PAPUA}");
    let p = env.write("broken.jsonl", data.as_bytes());
    let out = common::takar(&["scan", "--json", "--reference-date", "2026-11-24", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for n in [MAN, WOMAN, PAPUA] {
        assert!(!text.contains(n), "a raw NIK in the output");
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["inputs"][0]["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 2);
    assert!(w[0].as_str().unwrap().starts_with(&format!("byte {}:", data.find("\" \"nkk\"").unwrap() + 2)), "{w:?}");
    assert!(w[1].as_str().unwrap().starts_with(&format!("byte {}:", data.rfind('"').unwrap())));
    assert_eq!(v["records"], 3);

    let err = common::takar(&["scan", "--json", "--nik-column", "2", p.to_str().unwrap()]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("keys"));
    let p = env.write("garbage.json", format!("[{MAN}, {{\"nik\" {MAN}").as_bytes());
    let out = common::takar(&["scan", "--json", p.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(MAN) && !String::from_utf8_lossy(&out.stdout).contains(MAN));
}

/// JSON-ish noise: structure, strings with escapes, NIKs as strings and numbers, line breaks.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\\\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\"nik\":".to_vec()),
        Just(b"\"nkk\":".to_vec()),
        Just(b"\"data\":{".to_vec()),
        Just(b"\"3507011508900001\"".to_vec()),
        Just(b"9101011508900001".to_vec()),
        Just(b"null".to_vec()),
        Just(b"},{".to_vec()),
        Just(b"{\"nik\":\"3507015508900002\",\"jk\":\"P\"}".to_vec()),
        "[a-z0-9]{0,4}".prop_map(|s| s.into_bytes()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// Scans whatever `data` is detected as; `None` when detection refuses it.
fn try_all_ways(data: &[u8]) -> Option<Seen> {
    let d = detect(data, &opts()).ok()??;
    if !matches!(d.parser, Parser::Json(_)) {
        return None;
    }
    let reference = scan_in(data, &opts(), usize::MAX).0;
    for chunk in [1, 2, 3, 7, 16] {
        assert_eq!(scan_in(data, &opts(), chunk).0, reference, "chunk {chunk}");
    }
    for block in [1, 5, 16] {
        assert_eq!(scan_blocks(data, &opts(), block, 4), reference, "block {block}");
    }
    Some(reference)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut json = b"{\"nik\":\"3507011508900001\"}\n".to_vec();
        json.extend_from_slice(&data);
        let _ = try_all_ways(&data);
        let _ = try_all_ways(&json);
    }

    #[test]
    fn jsonish_noise_chunks_like_one_pass(noise in jsonish(), array in any::<bool>()) {
        let mut data = if array { b"[{\"nik\":\"3507011508900001\"},".to_vec() } else { b"{\"nik\":\"3507011508900001\"}\n".to_vec() };
        data.extend_from_slice(&noise);
        if let Some(s) = try_all_ways(&data) {
            prop_assert!(s.records >= 1);
        }
        let _ = try_all_ways(&noise);
    }
}

#[test]
fn many_broken_records_list_the_first_warnings_and_count_the_rest() {
    let env = common::Env::new();
    let good = format!("{{\"nik\": \"{MAN}\", \"nkk\": \"{FAMILY}\"}}\n");
    let broken = format!("{{\"nik\": \"{WOMAN}\", \"nkk\": oops}}\n");
    let data = good.clone() + &broken.repeat(250);
    let p = env.write("many.jsonl", data.as_bytes());
    let out = common::takar(&["scan", "--json", "--chunk-size", "1000", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 251);
    let w = v["inputs"][0]["warnings"].as_array().unwrap();
    assert_eq!(w.len(), takar::engine::tally::MAX_WARNINGS + 1);
    let second = good.len() + broken.len() + broken.find("oops").unwrap();
    assert!(w[1].as_str().unwrap().starts_with(&format!("byte {second}: malformed JSON")), "{w:?}");
    assert!(w.last().unwrap().as_str().unwrap().starts_with("150 more warnings"), "{w:?}");
}
