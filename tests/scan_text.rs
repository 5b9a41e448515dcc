//! Plain-text dumps: the tokenizer against a naive twin, known answers through the chunker at
//! every chunk size, and end to end through the CLI (auto-detection, every way of reading,
//! the same people as CSV).

mod common;
use common::*;

use proptest::prelude::*;
use takar::nik::{Date, RegionTable, Validator};
use takar::engine::{scan_slice, Context};
use takar::format::text::{line_records, TextParser, MAX_GAP};

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

/// One record: its NIK and KK token bytes.
type Rec = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The rules of `scan::text`, written the slow way: all digit groups first, then chains, then
/// every cut checked at once.
fn naive_records(line: &[u8]) -> Vec<Rec> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if line[i].is_ascii_digit() {
            let s = i;
            while i < line.len() && line[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((s, i));
        } else {
            i += 1;
        }
    }
    let short = |g: (usize, usize)| g.1 - g.0 < 16;
    let mut spans = Vec::new();
    let mut k = 0;
    while k < groups.len() {
        if !short(groups[k]) {
            if groups[k].1 - groups[k].0 == 16 {
                spans.push(groups[k]);
            }
            k += 1;
            continue;
        }
        let mut chain = vec![groups[k]];
        while k + 1 < groups.len() && short(groups[k + 1]) {
            let (prev, next) = (groups[k], groups[k + 1]);
            if next.0 == prev.1 + 1 && (line[prev.1] == b' ' || line[prev.1] == b'-') {
                chain.push(next);
                k += 1;
            } else {
                break;
            }
        }
        k += 1;
        let total: usize = chain.iter().map(|g| g.1 - g.0).sum();
        // Cut after every 16th digit: each cut must fall between two groups.
        let mut cuts = vec![0usize];
        let mut sum = 0;
        for (j, g) in chain.iter().enumerate() {
            sum += g.1 - g.0;
            if sum % 16 == 0 {
                cuts.push(j + 1);
            }
        }
        let clean = total % 16 == 0 && cuts.len() == total / 16 + 1;
        if clean {
            for w in cuts.windows(2) {
                spans.push((chain[w[0]].0, chain[w[1] - 1].1));
            }
        }
    }
    let is_kk = |start: usize| -> bool {
        let before = &line[..start];
        let gap = before.iter().rev().take_while(|c| !c.is_ascii_alphanumeric()).count();
        if gap > MAX_GAP || gap == before.len() {
            return false;
        }
        let rest = &before[..before.len() - gap];
        let word: Vec<u8> = rest.iter().rev().take_while(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>().into_iter().rev().collect();
        let kk_words: &[&[u8]] = &[b"kk", b"nkk", b"nokk", b"nomorkk", b"nonkk", b"nomornkk", b"nikk", b"kartukeluarga", b"nokartukeluarga", b"nomorkartukeluarga", b"familycard"];
        if kk_words.contains(&word.as_slice()) {
            return true;
        }
        let prev_of = |want: &[u8]| {
            let r = &rest[..rest.len() - word.len()];
            let sep = r.iter().rev().take_while(|c| !c.is_ascii_alphanumeric()).count();
            let r = &r[..r.len() - sep];
            let w: Vec<u8> = r.iter().rev().take_while(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>().into_iter().rev().collect();
            (1..=3).contains(&sep) && w == want
        };
        (word == b"keluarga" && prev_of(b"kartu")) || (word == b"card" && prev_of(b"family"))
    };
    spans.sort();
    let niks: Vec<Vec<u8>> = spans.iter().filter(|s| !is_kk(s.0)).map(|s| line[s.0..s.1].to_vec()).collect();
    let kks: Vec<Vec<u8>> = spans.iter().filter(|s| is_kk(s.0)).map(|s| line[s.0..s.1].to_vec()).collect();
    (0..niks.len().max(kks.len())).map(|i| (niks.get(i).cloned(), kks.get(i).cloned())).collect()
}

fn fast_records(line: &[u8]) -> Vec<Rec> {
    let mut buf = Vec::new();
    line_records(line, &mut buf).into_iter().map(|(n, k)| (n.map(<[u8]>::to_vec), k.map(<[u8]>::to_vec))).collect()
}

fn messy_line() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"3507011508900001".to_vec()),
        Just(b"3507010101100001".to_vec()),
        Just(b"3507 0115 0890 0001".to_vec()),
        Just(b"350701-150890-0001".to_vec()),
        Just(b"NIK: ".to_vec()),
        Just(b"No. KK: ".to_vec()),
        Just(b"nkk=".to_vec()),
        Just(b"Kartu Keluarga ".to_vec()),
        Just(b"kartu_keluarga".to_vec()),
        Just(b"Family Card: ".to_vec()),
        Just(b"KTP".to_vec()),
        Just(b" ".to_vec()),
        Just(b"-".to_vec()),
        Just(b"  ".to_vec()),
        Just(b", ".to_vec()),
        Just(b"\t".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just(b".................".to_vec()),
        "[0-9]{1,17}".prop_map(String::into_bytes),
        "[a-zA-Z]{1,6}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn tokenizer_matches_the_naive_rules(line in messy_line()) {
        prop_assert_eq!(fast_records(&line), naive_records(&line));
    }

    #[test]
    fn any_chunk_size_gives_the_sequential_answer(lines in prop::collection::vec(messy_line(), 0..12), crlf in any::<bool>(), chunk in 1usize..64) {
        let data = lines.join(if crlf { &b"\r\n"[..] } else { &b"\n"[..] });
        let v = validator();
        let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
        let (whole, used) = scan_slice(&TextParser, &ctx, &data, 0, true, usize::MAX);
        let (parts, used_parts) = scan_slice(&TextParser, &ctx, &data, 0, true, chunk);
        prop_assert_eq!(used, data.len());
        prop_assert_eq!(used_parts, data.len());
        prop_assert_eq!(summary(whole), summary(parts));
    }
}

type Summary = (u64, takar::engine::tally::ColumnTally, takar::engine::tally::ColumnTally, takar::engine::keys::Uniques, u64);

fn summary(h: takar::engine::Harvest) -> Summary {
    let t = h.tally;
    let d = RegionTable::embedded().districts.len();
    let nik = takar::engine::keys::count_unique(h.nik_keys, d, 1).unwrap();
    let kk = takar::engine::keys::count_unique(h.kk_keys, 0, 1).unwrap().unique;
    (t.records, t.nik.clone(), t.kk.clone(), nik, kk)
}

#[test]
fn tokens_labels_and_records_by_example() {
    let r = |s: &str| fast_records(s.as_bytes());
    let s = |x: &str| Some(x.as_bytes().to_vec());
    assert_eq!(r("NIK: 3507011508900001 Nama: BUDI No. KK: 3507010101100001"), vec![(s("3507011508900001"), s("3507010101100001"))]);
    assert_eq!(r("Nomor Kartu Keluarga : 3507010101100002"), vec![(None, s("3507010101100002"))]);
    assert_eq!(r("nkk 3507010101100001 nik 3507015508900002"), vec![(s("3507015508900002"), s("3507010101100001"))]);
    // Separators inside a token; two tokens one space apart stay two.
    assert_eq!(r("ktp 3507 0115 0890 0001"), vec![(s("3507 0115 0890 0001"), None)]);
    assert_eq!(r("35-07-01-150890-0001"), vec![(s("35-07-01-150890-0001"), None)]);
    assert_eq!(r("3507011508900001 3507011508900002"), vec![(s("3507011508900001"), None), (s("3507011508900002"), None)]);
    assert_eq!(r("3507 0115 0890 0001 3507 0115 0890 0002").len(), 2);
    // No clean cut, too long, too short, dotted: no token, so no record.
    assert_eq!(r("lahir 15-08-1990 3507 0115 0890 0001"), vec![]);
    assert_eq!(r("35070115089000012 350701150890001 35.07.01.150890.0001 3.50701E+15"), vec![]);
    assert_eq!(r("HP 0812-3456-7890, RT 001 RW 002"), vec![]);
    // A 16-digit run is bounded by any non-digit, letters included.
    assert_eq!(r("NIK3507011508900001x"), vec![(s("3507011508900001"), None)]);
    // Only the last word before a token counts, and only within the gap.
    assert_eq!(r("KK / NIK: 3507011508900001"), vec![(s("3507011508900001"), None)]);
    assert_eq!(r("NIK KK: 3507010101100001"), vec![(None, s("3507010101100001"))]);
    assert_eq!(r("KK ................... 3507010101100001"), vec![(s("3507010101100001"), None)]);
    assert_eq!(r("Kepala Keluarga: 3507011508900001"), vec![(s("3507011508900001"), None)]);
    // A family on one line: every token counted, the KK once.
    assert_eq!(
        r("KK 3507010101100001: 3507011508900001, 3507015508900002"),
        vec![(s("3507011508900001"), s("3507010101100001")), (s("3507015508900002"), None)]
    );
}

/// A paste with labels, separators, several people per line, lines without tokens, CRLF and
/// a missing final newline; its answer counted by hand.
const PASTE: &[u8] = b"=== DATA PEMILIH DESA SUKAMAJU (bocoran) ===\r\n\
NIK: 3507011508900001 Nama: BUDI No. KK: 3507010101100001\r\n\
nik 3507015508900002 nama SITI nkk 3507010101100001\r\n\
\r\n\
Nomor Kartu Keluarga : 3507010101100002\n\
ktp 3507 0115 0890 0001 (sama)\n\
Tgl lahir 15-08-1990, HP 0812-3456-7890\n\
NIK 3507011508900003 NIK 3507011508900004 KK 3507010101100003\n\
KTP: 350701150890001\n\
1111111111111111\n\
No_KK=3507010101100001;NIK=3.50701E+15\r\n\
3507011508900005-3507011508900001";

#[test]
fn paste_known_answer_at_every_chunk_size() {
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let (t, used) = scan_slice(&TextParser, &ctx, PASTE, 0, true, usize::MAX);
    assert_eq!(used, PASTE.len());
    let want = summary(t);
    let (records, nik, kk, nik_u, kk_u) = &want;
    // Lines 2, 3, 5, 6, 8 (two records), 10, 11 and 12 (two records).
    assert_eq!(*records, 10);
    assert_eq!(nik.valid, 7);
    assert_eq!(nik_u.unique, 5);
    assert_eq!(nik.missing, 2);
    assert_eq!(nik.placeholder(), 1);
    assert_eq!(kk.valid, 5);
    assert_eq!(*kk_u, 3);
    assert_eq!(kk.missing, 5);
    for chunk in 1..=64 {
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let got = pool.install(|| summary(scan_slice(&TextParser, &ctx, PASTE, 0, true, chunk).0));
            assert_eq!(got, want, "chunk {chunk}, threads {threads}");
        }
    }
    // Blockwise, as a stream is read: the unfinished last line is carried over.
    for block in [7usize, 64, 100] {
        let mut total = takar::engine::Harvest::default();
        let (mut start, mut end) = (0usize, 0usize);
        while start < PASTE.len() {
            end = (end + block).min(PASTE.len());
            let eof = end == PASTE.len();
            let (t, used) = scan_slice(&TextParser, &ctx, &PASTE[start..end], start as u64, eof, 5);
            total.merge(t);
            start += used;
            if eof {
                assert_eq!(start, PASTE.len());
            }
        }
        assert_eq!(summary(total), want, "block {block}");
    }
}

#[test]
fn cli_detects_text_and_every_reader_agrees() {
    let env = Env::new();
    let p = env.write("paste.txt", PASTE);
    let v = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(v["inputs"][0]["format"], "text");
    assert_eq!(v["records"], 10);
    assert_eq!(v["nik"]["unique"], 5);
    assert_eq!(v["kk"]["unique"], 3);
    assert_eq!(v["nik"]["placeholder"], 1);
    // Text has no birth-date or gender column; its labelled KKs are checked against the NIK's
    // region (issue 10), so only those counts can be non-zero.
    assert_eq!((v["consistency"]["birth_date_checked"].as_u64(), v["consistency"]["gender_checked"].as_u64()), (Some(0), Some(0)));
    let want = counts(&v);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, PASTE).unwrap();
    let gzp = env.write("paste.txt.gz", &gz.finish().unwrap());
    for args in [
        vec![p.to_str().unwrap(), "--format", "text"],
        vec![p.to_str().unwrap(), "--mmap", "never", "--chunk-size", "16"],
        vec![p.to_str().unwrap(), "--chunk-size", "3", "--threads", "3"],
        vec![gzp.to_str().unwrap(), "--chunk-size", "32"],
    ] {
        assert_eq!(counts(&scan_json(&args)), want, "{args:?}");
    }
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "-"], Some(PASTE));
    assert!(out.status.success());
    assert_eq!(counts(&serde_json::from_slice(&out.stdout).unwrap()), want);
    // Nothing printed holds a raw NIK or KK.
    for nik in ["3507011508900001", "3507015508900002", "3507010101100001"] {
        assert!(!String::from_utf8_lossy(&out.stdout).contains(nik));
        assert!(!String::from_utf8_lossy(&out.stderr).contains(nik));
    }
}

#[test]
fn same_people_as_csv_and_as_text_count_the_same() {
    let env = Env::new();
    let people = [
        ("3507011508900001", "3507010101100001", "BUDI"),
        ("3507015508900002", "3507010101100001", "SITI"),
        ("3507011508900003", "", "ANI"),
        ("", "3507010101100002", "ANON"),
        ("3507011508900001", "3507010101100001", "BUDI LAGI"),
        ("350701150890001", "3507010101100003", "PENDEK"),
        ("3507019908900004", "3507010101100003", "TANGGAL"),
    ];
    let mut csv = b"nik,no_kk,nama\n".to_vec();
    let mut txt = b"Data warga\n".to_vec();
    for (nik, kk, nama) in people {
        csv.extend_from_slice(format!("{nik},{kk},{nama}\n").as_bytes());
        // A text line holds only what is present; a 15-digit NIK is no token in text.
        let nik_part = if nik.len() == 16 { format!("NIK: {nik} ") } else { String::new() };
        let kk_part = if kk.is_empty() { String::new() } else { format!("No. KK: {kk}") };
        txt.extend_from_slice(format!("Nama: {nama} {nik_part}{kk_part}\n").as_bytes());
    }
    let c = scan_json(&[env.write("p.csv", &csv).to_str().unwrap()]);
    let t = scan_json(&[env.write("p.txt", &txt).to_str().unwrap()]);
    assert_eq!(c["inputs"][0]["format"], "csv");
    assert_eq!(t["inputs"][0]["format"], "text");
    assert_eq!(c["records"], t["records"]);
    assert_eq!(c["kk"], t["kk"]);
    // The 15-digit NIK is `length` in CSV and simply absent (missing) in text.
    let mut cn = c["nik"].clone();
    let tn = &t["nik"];
    assert_eq!(cn["invalid_reasons"]["length"], 1);
    cn["invalid_reasons"]["length"] = 0.into();
    cn["invalid"] = (cn["invalid"].as_u64().unwrap() - 1).into();
    cn["missing"] = (cn["missing"].as_u64().unwrap() + 1).into();
    assert_eq!(&cn, tn);
    assert_eq!(t["nik"]["unique"], 3);
}

#[test]
fn a_csv_with_a_header_and_no_nik_column_stays_an_error() {
    let env = Env::new();
    let p = env.write("nocol.csv", b"nama,alamat\nBUDI 3507011508900001,JL\nSITI,JL\n");
    let out = takar(&["scan", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nocol.csv") && err.contains("--format text"), "{err}");
    assert!(!err.contains("3507011508900001"));
    // Told so, it is read as text.
    let v = scan_json(&[p.to_str().unwrap(), "--format", "text"]);
    assert_eq!(v["nik"]["valid"], 1);
    assert_eq!(v["records"], 1);
}
