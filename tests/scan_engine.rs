//! The fast record parser and the parallel chunker against slow, obviously correct twins:
//! the `csv` crate (csv-core) for record splitting, and a one-chunk sequential parse for any
//! chunk size and thread count.

use proptest::prelude::*;
use takar::nik::{Check, Date, RegionTable, Validator};
use takar::engine::keys::Uniques;
use takar::engine::tally::{ColumnTally, Consistency, Warning};
use takar::engine::{scan_slice, Context, Role};
use takar::format::csv::{Columns, Record, RecordParser};

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

/// Every record's wanted fields, by the fast parser, parsed sequentially.
fn fast_fields(data: &[u8], d: u8, cols: Columns) -> Vec<[Option<Vec<u8>>; takar::engine::Role::COUNT]> {
    let p = RecordParser::new(d, cols);
    let mut rec = Record::default();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        if data[pos] == b'\n' || data[pos] == b'\r' {
            pos += 1;
            continue;
        }
        let (next, _) = p.parse(data, pos, &mut rec);
        out.push(Role::ALL.map(|r| rec.get(data, r).map(|f| f.to_vec())));
        pos = next;
    }
    out
}

/// The same by the csv crate.
fn csv_fields(data: &[u8], d: u8, cols: Columns) -> Vec<[Option<Vec<u8>>; takar::engine::Role::COUNT]> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(d).from_reader(data);
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).expect("csv reader never fails on bytes") {
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(|f| f.to_vec());
        out.push(Role::ALL.map(|r| get(cols[r])));
    }
    out
}

fn messy_csv() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"3507011508900001".to_vec()),
        Just(b"3507015508900002".to_vec()),
        Just(b"abc".to_vec()),
        Just(b" ".to_vec()),
        Just(b"15-08-1990".to_vec()),
        Just(b"P".to_vec()),
        "[a-z0-9]{0,5}".prop_map(|s| s.into_bytes()),
        // Fields longer than the 64-byte bitmaps of the fast paths.
        "[a-z]{60,140}".prop_map(|s| s.into_bytes()),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

fn columns() -> impl Strategy<Value = Columns> {
    (0usize..4, prop::option::of(0usize..5), prop::option::of(0usize..6), prop::option::of(0usize..6))
        .prop_map(|(nik, kk, birth_date, gender)| Columns::new([Some(nik), kk, birth_date, gender, None, None]))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn record_parser_matches_csv_core(data in messy_csv(), cols in columns(), semi in any::<bool>()) {
        let d = if semi { b';' } else { b',' };
        prop_assert_eq!(fast_fields(&data, d, cols), csv_fields(&data, d, cols));
    }

    #[test]
    fn any_chunk_size_gives_the_sequential_answer(data in messy_csv(), cols in columns(), chunk in 1usize..40) {
        let v = validator();
        let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
        let parser = RecordParser::new(b',', cols);
        let (whole, used_whole) = scan_slice(&parser, &ctx, &data, 0, true, usize::MAX);
        // The progress bar ends exactly at the data's length, re-parsed chunks or not.
        let bar = indicatif::ProgressBar::hidden();
        let advance = |n: u64| bar.inc(n);
        let ctx = Context { progress: Some(&advance), ..ctx };
        let (parts, used_parts) = scan_slice(&parser, &ctx, &data, 0, true, chunk);
        prop_assert_eq!(used_whole, data.len());
        prop_assert_eq!(used_parts, data.len());
        prop_assert_eq!(bar.position(), data.len() as u64);
        prop_assert_eq!(summary(whole), summary(parts));
    }
}

/// Comparable view of a tally, unique counts included.
type View = (u64, ColumnTally, ColumnTally, Consistency, Vec<u64>, Uniques, u64, Vec<(u64, Warning)>);

fn summary(h: takar::engine::Harvest) -> View {
    let t = h.tally;
    let d = t.district_records.len().max(RegionTable::embedded().districts.len());
    let nik = takar::engine::keys::count_unique(h.nik_keys, d, 1).unwrap();
    let kk = takar::engine::keys::count_unique(h.kk_keys, 0, 1).unwrap().unique;
    let mut records = t.district_records.clone();
    records.resize(d, 0);
    (t.records, t.nik.clone(), t.kk.clone(), t.consistency, records, nik, kk, t.warnings.clone())
}

/// A realistic dump with quoted newlines, padded so that NIKs sit at every offset around
/// chunk cuts, scanned at many chunk sizes and thread counts: always the same answer, and the
/// same as counting the csv crate's records with the validator and a sorted dedup.
#[test]
fn chunking_and_threads_never_change_the_answer() {
    let v = validator();
    let districts: Vec<u32> = v.regions().districts.iter().map(|d| d.code).step_by(97).collect();
    let mut data = b"nik,nkk,nama,alamat\n".to_vec();
    for i in 0..3000u32 {
        // Persons repeat after 1100 rows: duplicates far apart, across many chunk cuts.
        let j = i % 1100;
        let district = districts[j as usize % districts.len()];
        let day = 1 + (j % 28) + if j % 2 == 0 { 40 } else { 0 };
        let nik = format!("{district:06}{day:02}0890{:04}", 1 + j);
        let pad = "x".repeat((i % 17) as usize);
        let addr = if i % 13 == 0 { "\"JL. MAWAR,\nRT 1\"" } else { "\"JL. \"\"MELATI\"\", 5\"" };
        let line = match i % 50 {
            0 => format!(",{district:06}01011000{:02},{pad},{addr}\r\n", i % 90 + 1),
            1 => format!("{}E+15,,{pad},{addr}\n", &nik[..7]),
            _ => format!("{nik},{district:06}0101100{:03},{pad},{addr}\n", i % 900 + 1),
        };
        data.extend_from_slice(line.as_bytes());
    }
    let body = &data[20..];
    let cols = Columns::new([Some(0), Some(1), None, None, None, None]);
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
        let parser = RecordParser::new(b',', cols);
    let reference = summary(scan_slice(&parser, &ctx, body, 0, true, usize::MAX).0);

    // Oracle: csv crate records, validator per field, sort + dedup.
    let rows = csv_fields(body, b',', cols);
    assert_eq!(reference.0, rows.len() as u64);
    let mut keys: Vec<u64> = rows
        .iter()
        .filter_map(|r| match v.nik(r[0].as_deref().unwrap_or(b"")) {
            Check::Valid(n) => Some(n.value()),
            _ => None,
        })
        .collect();
    assert_eq!(reference.1.valid, keys.len() as u64);
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(reference.5.unique, keys.len() as u64);
    assert!(reference.5.unique > 1000 && reference.1.valid > reference.5.unique, "fixture has duplicates");

    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for chunk in [13, 64, 4096, 1 << 20] {
            let got = pool.install(|| summary(scan_slice(&parser, &ctx, body, 0, true, chunk).0));
            assert_eq!(got, reference, "threads {threads}, chunk {chunk}");
        }
    }
}

/// Streaming feeds blocks with `eof = false`: the unfinished last record must be left for the
/// next block, and the blocks together must equal one pass.
#[test]
fn blockwise_parsing_carries_the_unfinished_record() {
    let v = validator();
    let cols = Columns::new([Some(0), None, None, None, None, None]);
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
        let parser = RecordParser::new(b',', cols);
    let mut data = Vec::new();
    for i in 0..500u32 {
        data.extend_from_slice(format!("35070115089{:05},\"a\nb\",c\n", i + 1).as_bytes());
    }
    let reference = summary(scan_slice(&parser, &ctx, &data, 0, true, usize::MAX).0);
    for block in [5usize, 33, 100, 1000] {
        let mut total = takar::engine::Harvest::default();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        while fed < data.len() {
            let end = (fed + block).min(data.len());
            buf.extend_from_slice(&data[fed..end]);
            fed = end;
            let eof = fed == data.len();
            let (t, used) = scan_slice(&parser, &ctx, &buf, 0, eof, 16);
            total.merge(t);
            buf.drain(..used);
        }
        assert!(buf.is_empty());
        assert_eq!(summary(total), reference, "block {block}");
    }
}

/// A key store with no budget, or with one of `limit` key bytes spilling to the system's
/// temporary directory.
fn store_with(limit: Option<u64>) -> takar::engine::keys::KeyStore {
    use takar::engine::keys::{Budget, KeyStore};
    match limit {
        None => KeyStore::default(),
        Some(limit) => KeyStore::with_budget(std::sync::Arc::new(Budget::new(limit, None))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Sharded hash-set dedup against sort + dedup, with keys spread over chunks and inputs in
    /// any merge order; "new per input" against a set filled input by input.
    #[test]
    fn sharded_dedup_matches_sort_and_dedup(
        chunks in prop::collection::vec((0u32..3, prop::collection::vec(0u64..5_000, 0..400)), 0..12),
        reverse in any::<bool>(),
        compact_after in prop::option::of(0usize..12),
        budget in prop::option::of(0u64..6_000),
    ) {
        let district_of = |k: u64| k % 7;
        let keyed = |k: u64| (district_of(k) << 34) | k;
        // A tiny budget spills sorted runs to disk all along; the counts may not change.
        let mut all = store_with(budget);
        let order: Vec<_> = if reverse { chunks.iter().rev().collect() } else { chunks.iter().collect() };
        for (i, (input, keys)) in order.into_iter().enumerate() {
            let ks: Vec<u64> = keys.iter().map(|&k| keyed(k)).collect();
            all.merge(takar::engine::keys::KeyStore::from_keys(*input, &ks));
            // Compaction (normally only past 16M keys) at any point never changes a count, and
            // leaves one key per person and input.
            if compact_after == Some(i) {
                all.compact();
                let per_input: usize = (0..3u32)
                    .map(|n| chunks.iter().take(i + 1).filter(|c| c.0 == n).flat_map(|c| c.1.iter()).collect::<std::collections::HashSet<_>>().len())
                    .sum();
                if !reverse && budget.is_none() {
                    prop_assert_eq!(all.len(), per_input);
                }
            }
        }
        let got = takar::engine::keys::count_unique(all, 7, 3).unwrap();

        let mut flat: Vec<u64> = chunks.iter().flat_map(|(_, k)| k.iter().copied()).collect();
        flat.sort_unstable();
        flat.dedup();
        prop_assert_eq!(got.unique, flat.len() as u64);
        let mut per_district = vec![0u64; 7];
        for k in &flat {
            per_district[district_of(*k) as usize] += 1;
        }
        prop_assert_eq!(got.per_district, per_district);
        let mut seen = std::collections::HashSet::new();
        let mut new_per_input = vec![0u64; 3];
        for input in 0..3u32 {
            for (i, keys) in &chunks {
                if *i == input {
                    for k in keys {
                        if seen.insert(*k) {
                            new_per_input[input as usize] += 1;
                        }
                    }
                }
            }
        }
        prop_assert_eq!(got.new_per_input, new_per_input);
    }

    /// The key store's visitor sees every unique key exactly once, with the first input (in
    /// input order) that had it, whatever the chunking, merge order and compaction; checked
    /// against a map filled input by input.
    #[test]
    fn visitor_sees_each_unique_key_once_with_its_first_input(
        chunks in prop::collection::vec((0u32..4, prop::collection::vec(0u64..3_000, 0..300)), 0..12),
        reverse in any::<bool>(),
        compact_after in prop::option::of(0usize..12),
        spill_after in prop::option::of(0usize..12),
        budget in prop::option::of(0u64..6_000),
    ) {
        use takar::engine::keys::{KeyStore, KeyVisitor};
        struct Collect(Vec<(u64, u32)>);
        impl KeyVisitor for Collect {
            fn visit(&mut self, key: u64, first_input: u32) {
                self.0.push((key, first_input));
            }
            fn merge(&mut self, mut other: Collect) {
                self.0.append(&mut other.0);
            }
        }
        let mut store = store_with(budget.or(spill_after.map(|_| u64::MAX)));
        let order: Vec<_> = if reverse { chunks.iter().rev().collect() } else { chunks.iter().collect() };
        for (i, (input, keys)) in order.into_iter().enumerate() {
            store.merge(KeyStore::from_keys(*input, keys));
            if compact_after == Some(i) {
                store.compact();
            }
            if spill_after == Some(i) {
                let held = store.len();
                store.spill();
                // Everything held went to disk.
                prop_assert_eq!(store.len(), 0);
                prop_assert!(held == 0 || store.runs() > 0);
            }
        }
        let mut got = store.visit_unique(|| Collect(Vec::new())).unwrap().0;
        got.sort_unstable();

        let mut first = std::collections::BTreeMap::new();
        for input in 0..4u32 {
            for (i, keys) in &chunks {
                if *i == input {
                    for &k in keys {
                        first.entry(k).or_insert(input);
                    }
                }
            }
        }
        let want: Vec<(u64, u32)> = first.into_iter().collect();
        prop_assert_eq!(got, want);
    }
}
