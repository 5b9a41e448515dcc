//! SQL dumps (mysqldump `INSERT`s, pg_dump `COPY` blocks): known answers on handwritten dumps,
//! the same answer at every chunk size and block size as in one sequential pass, generated
//! dumps against their answer file and against the CSV of the same people, and the failure
//! paths (a dump cut inside an `INSERT`, a file with no NIK column) with their messages.

mod common;
use common::*;

use takar::nik::{Date, RegionTable, Validator};
use takar::engine::Context;
use takar::format::{detect, scan_with, Detected, Format};
use takar::engine::Role;
use takar::format::csv::sniff::{ColumnChoice, SniffOptions};

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

const SAMPLE: usize = 1 << 20;

/// Detection as a mapped file gets it (the sample plus the whole file).
fn detect_mapped(bytes: &[u8], opts: &SniffOptions) -> Result<Option<Detected>, String> {
    detect(&bytes[..bytes.len().min(SAMPLE)], bytes.len() <= SAMPLE, Some(bytes), Format::Sql, opts, &validator())
}

/// Detection as a stream gets it (the sample only).
fn detect_stream(bytes: &[u8], opts: &SniffOptions) -> Result<Option<Detected>, String> {
    detect(&bytes[..bytes.len().min(SAMPLE)], bytes.len() <= SAMPLE, None, Format::Sql, opts, &validator())
}

/// Comparable view of a tally: counts, per-district records, unique counts, warnings.
type View = (u64, takar::engine::tally::ColumnTally, takar::engine::tally::ColumnTally, takar::report::summary::Consistency, Vec<(usize, u64)>, u64, u64, u64, Vec<u64>);

fn view(h: takar::engine::Harvest) -> View {
    let t = h.tally;
    let d = RegionTable::embedded().districts.len();
    let nik = takar::engine::keys::count_unique(h.nik_keys, d, 1).unwrap();
    let kk = takar::engine::keys::count_unique(h.kk_keys, 0, 1).unwrap().unique;
    let records = t.district_records.iter().enumerate().filter(|(_, &n)| n > 0).map(|(i, &n)| (i, n)).collect();
    let per_district: u64 = nik.per_district.iter().sum();
    (t.records, t.nik.clone(), t.kk.clone(), t.consistency, records, nik.unique, per_district, kk, t.warnings.iter().map(|w| w.0).collect())
}

/// One parallel pass over a mapped file, `chunk` bytes per chunk.
fn scan_mapped(bytes: &[u8], d: &Detected, chunk: usize) -> View {
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let (t, used) = scan_with(&d.parser, &ctx, &bytes[d.data_start..], d.data_start as u64, true, chunk);
    assert_eq!(used, bytes.len() - d.data_start);
    view(t)
}

/// Stream-style: blocks of `block` bytes, each parsed with `eof = false` until the last, the
/// unconsumed tail carried into the next (as `scan::scan_stream` does). Fresh detection, so a
/// PostgreSQL `COPY` index is built block by block.
fn scan_blocks(bytes: &[u8], opts: &SniffOptions, block: usize, chunk: usize) -> View {
    let d = detect_stream(bytes, opts).unwrap().unwrap();
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let mut total = takar::engine::Harvest::default();
    let mut buf = Vec::new();
    let mut base = d.data_start;
    let mut fed = d.data_start;
    while fed < bytes.len() {
        let end = (fed + block).min(bytes.len());
        buf.extend_from_slice(&bytes[fed..end]);
        fed = end;
        let eof = fed == bytes.len();
        let (t, used) = scan_with(&d.parser, &ctx, &buf, base as u64, eof, chunk);
        total.merge(t);
        buf.drain(..used);
        base += used;
    }
    assert!(buf.is_empty(), "block {block}: {} bytes left over", buf.len());
    view(total)
}

/// Every chunk size 1..=64 and a few large ones, mapped; and blocks of many sizes, streamed:
/// always the answer of one sequential pass.
fn check_splits(bytes: &[u8], opts: &SniffOptions) -> View {
    let d = detect_mapped(bytes, opts).unwrap().unwrap();
    let whole = scan_mapped(bytes, &d, usize::MAX);
    for chunk in (1..=64).chain([100, 257, 4096, 1 << 20]) {
        assert_eq!(scan_mapped(bytes, &d, chunk), whole, "chunk size {chunk}");
    }
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        assert_eq!(pool.install(|| scan_mapped(bytes, &d, 7)), whole, "threads {threads}");
    }
    // (A statement longer than a block is parsed again with each block, so tiny blocks go
    // with large chunks to keep this quick.)
    for (block, chunk) in [(1, usize::MAX), (2, 1000), (3, 16), (17, 3), (64, 7), (200, 50), (1000, 16), (usize::MAX, 3)] {
        assert_eq!(scan_blocks(bytes, opts, block, chunk), whole, "block {block}, chunk {chunk}");
    }
    whole
}

fn reason(t: &takar::engine::tally::ColumnTally, r: takar::nik::Reason) -> u64 {
    t.reasons.get(r)
}

const MYSQL: &[u8] = br#"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `kota`;
CREATE TABLE `kota` (
  `id` int NOT NULL,
  `nama` varchar(50) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `kota` WRITE;
/*!40000 ALTER TABLE `kota` DISABLE KEYS */;
INSERT INTO `kota` VALUES (1,'MALANG'),(2,'it''s; a ),( trap\n'),(3,'3507011508900009');
/*!40000 ALTER TABLE `kota` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `warga`;
CREATE TABLE `warga` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `nik` bigint DEFAULT NULL,
  `no_kk` varchar(16) DEFAULT NULL,
  `nama` varchar(100) DEFAULT NULL COMMENT 'nama; lengkap',
  `jenis_kelamin` char(1) DEFAULT NULL,
  `tgl_lahir` date DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_nik` (`nik`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `warga` WRITE;
INSERT INTO `warga` VALUES (1,3507011508900001,'3507010101100001','BUDI \'S\' \\ O\'\'NEIL','L','1990-08-15'),(2,3507015508900002,'3507010101100001','SITI ),( ; \n x','P','1990-08-15'),(3,NULL,NULL,NULL,NULL,NULL);
INSERT IGNORE INTO `warga` (`nama`,`nik`,`no_kk`) VALUES ('multi
line; ),(', '3507011508900001', '3507010101100002');
# a comment; with ),( in it
REPLACE INTO warga (id, nik) VALUES (5, '350701150890001') , ( 6 , 1111111111111111 ) ;
DELIMITER ;;
/*!50003 CREATE TRIGGER t BEFORE INSERT ON warga FOR EACH ROW BEGIN INSERT INTO warga VALUES (9,3507011508900005,NULL,NULL,NULL,NULL); END */;;
DELIMITER ;
INSERT INTO `warga` (`nik`, `jenis_kelamin`, `tgl_lahir`) VALUES ("3507015508900002", 'L', '15-08-1990');
UNLOCK TABLES;
-- Dump completed
"#;

#[test]
fn mysql_dump_known_answer() {
    use takar::nik::Reason;
    let d = detect_mapped(MYSQL, &SniffOptions::default()).unwrap().unwrap();
    assert_eq!(d.details.format, "sql");
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("warga.nik"));
    assert_eq!(d.details.columns[Role::Kk].as_deref(), Some("warga.no_kk"));
    assert_eq!(d.details.columns[Role::Gender].as_deref(), Some("warga.jenis_kelamin"));
    assert_eq!(d.details.columns[Role::BirthDate].as_deref(), Some("warga.tgl_lahir"));
    let (records, nik, kk, cons, _, nik_unique, per_district, kk_unique, warnings) = check_splits(MYSQL, &SniffOptions::default());
    // 3 + 1 + 2 + 1 tuples of `warga`; `kota` and the trigger body are not counted.
    assert_eq!(records, 7);
    assert_eq!((nik.valid, nik_unique, per_district), (4, 2, 2));
    assert_eq!(nik.missing, 1);
    assert_eq!(reason(&nik, Reason::Length), 1);
    assert_eq!(reason(&nik, Reason::Placeholder), 1);
    assert_eq!((kk.valid, kk_unique, kk.missing), (3, 2, 4));
    assert_eq!((cons.gender_checked, cons.gender_mismatch), (3, 1));
    assert_eq!((cons.birth_date_checked, cons.birth_date_mismatch), (3, 0));
    assert!(warnings.is_empty());
}

const PG: &[u8] = b"--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n\
CREATE TABLE public.kota (\n    id integer,\n    nama text\n);\n\n\
CREATE TABLE public.penduduk (\n    nik character varying(16),\n    nkk character varying(16),\n    nama text,\n    jk character(1)\n);\n\n\
CREATE FUNCTION public.f() RETURNS trigger AS $$ BEGIN; INSERT INTO penduduk VALUES ('3507011508900007'); END; $$ LANGUAGE plpgsql;\n\n\
COPY public.kota (id, nama) FROM stdin;\n1\tMALANG\n2\t3507011508900001 is not counted here\n\\.\n\n\
COPY public.penduduk (nik, nkk, nama, jk) FROM stdin;\n\
3507011508900001\t3507010101100001\tBUDI\\tS\tL\n\
3507015508900002\t\\N\tSITI\\\\nA\\nB\tP\n\
\\N\t3507010101100001\tX\tL\n\
350701150890001\t\\N\t(Y\t\\N\n\
 3507011508900001\t\\N\t, Z\tP\n\
\\.\n\n\
INSERT INTO public.penduduk (nama, nik) VALUES ('O''NEIL \\ ', '3507011508900003'), ('COPY x FROM stdin;', NULL);\n\
COPY public.kota FROM stdin;\n3\tBLITAR\n\\.\n";

#[test]
fn postgres_copy_known_answer() {
    use takar::nik::Reason;
    let d = detect_mapped(PG, &SniffOptions::default()).unwrap().unwrap();
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("public.penduduk.nik"));
    assert_eq!(d.details.columns[Role::Kk].as_deref(), Some("public.penduduk.nkk"));
    assert_eq!(d.details.columns[Role::Gender].as_deref(), Some("public.penduduk.jk"));
    let (records, nik, kk, cons, _, nik_unique, _, kk_unique, warnings) = check_splits(PG, &SniffOptions::default());
    // 5 COPY lines + 2 INSERT tuples of `penduduk`.
    assert_eq!(records, 7);
    assert_eq!((nik.valid, nik_unique), (4, 3));
    assert_eq!(nik.missing, 2);
    assert_eq!(reason(&nik, Reason::Length), 1);
    assert_eq!((kk.valid, kk_unique, kk.missing), (2, 1, 5));
    assert_eq!((cons.gender_checked, cons.gender_mismatch), (3, 1));
    assert!(warnings.is_empty());
}

/// A dump with only positional columns (no CREATE TABLE, no column lists): the NIK column is
/// found by content; `--nik-column` by position and by name override it.
#[test]
fn columns_by_content_position_and_name() {
    let mut dump = b"INSERT INTO `t` VALUES ".to_vec();
    for i in 0..40 {
        if i > 0 {
            dump.push(b',');
        }
        dump.extend_from_slice(format!("({i},'x{i}','35070115089{:05}','3507010101100001')", i + 1).as_bytes());
    }
    dump.extend_from_slice(b";\n");
    let d = detect_mapped(&dump, &SniffOptions::default()).unwrap().unwrap();
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("t.column 3"));
    assert_eq!(d.details.columns[Role::Kk].as_deref(), Some("t.column 4"));
    let (records, nik, ..) = check_splits(&dump, &SniffOptions::default());
    assert_eq!((records, nik.valid), (40, 40));

    let by_pos = SniffOptions::default().with_column(Role::Nik, ColumnChoice::Position(2));
    let d = detect_mapped(&dump, &by_pos).unwrap().unwrap();
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("t.column 2"));
    assert_eq!(check_splits(&dump, &by_pos).1.valid, 0);

    let named = [b"CREATE TABLE t (id int, a text, b text, c text);\n".to_vec(), dump.clone()].concat();
    let by_name = SniffOptions::default().with_column(Role::Nik, ColumnChoice::Name("B".into())).with_column(Role::Kk, ColumnChoice::Name("c".into()));
    let d = detect_mapped(&named, &by_name).unwrap().unwrap();
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("t.b"));
    assert_eq!(d.details.columns[Role::Kk].as_deref(), Some("t.c"));
    let v = check_splits(&named, &by_name);
    assert_eq!((v.0, v.1.valid, v.2.valid), (40, 40, 40));

    let err = detect_mapped(&named, &SniffOptions::default().with_column(Role::Nik, ColumnChoice::Name("nope".into()))).err().unwrap();
    assert!(err.contains("\"nope\"") && err.contains("t (id, a, b, c)"), "{err}");
}

/// The NIK table is defined beyond the first MiB: a mapped file finds it through the whole
/// file; rows of the big first table are parsed past, never counted.
#[test]
fn nik_table_after_the_first_mib() {
    let mut dump = b"CREATE TABLE `log` (`id` int, `msg` text);\n".to_vec();
    while dump.len() < SAMPLE + 1000 {
        dump.extend_from_slice(b"INSERT INTO `log` VALUES (1,'a ),( b; 3507011508900001'),(2,'c');\n");
    }
    dump.extend_from_slice(b"CREATE TABLE `pemilih` (`nama` text, `nik_pemilih` char(16));\n");
    dump.extend_from_slice(b"INSERT INTO `pemilih` VALUES ('a','3507011508900001'),('b','3507015508900002');\n");
    let d = detect_mapped(&dump, &SniffOptions::default()).unwrap().unwrap();
    assert_eq!(d.details.columns[Role::Nik].as_deref(), Some("pemilih.nik_pemilih"));
    let whole = scan_mapped(&dump, &d, usize::MAX);
    assert_eq!((whole.0, whole.1.valid), (2, 2));
    assert_eq!(scan_mapped(&dump, &d, 4096), whole);
    assert_eq!(scan_mapped(&dump, &d, 333), whole);
}

#[test]
fn bad_dumps_fail_clearly_without_raw_niks() {
    let err = detect_mapped(b"this is not sql at all; just words\n", &SniffOptions::default()).err().unwrap();
    assert!(err.contains("no CREATE TABLE, INSERT or COPY"), "{err}");

    let no_nik = b"CREATE TABLE `t` (`a` int, `3507011508900001` text);\nINSERT INTO `t` VALUES (1,'hello'),(2,'3507011508900001x');\n";
    let err = detect_mapped(no_nik, &SniffOptions::default()).err().unwrap();
    assert!(err.contains("cannot find the NIK column") && err.contains("t (a, 350701**********)"), "{err}");
    assert!(!err.contains("3507011508900001"), "{err}");
}

/// A dump cut inside an `INSERT` (inside a string, and between values): the tuples read are
/// counted, the scan warns with the offset of the open string or tuple, nothing panics.
#[test]
fn insert_cut_at_the_end_warns_with_the_offset() {
    let full = MYSQL;
    let cut_at = memchr::memmem::find(full, b"SITI").unwrap() + 3;
    let cut = &full[..cut_at];
    let quote = cut_at - 4;
    let d = detect_mapped(cut, &SniffOptions::default()).unwrap().unwrap();
    let v = check_splits(cut, &SniffOptions::default());
    assert_eq!(v.0, 2);
    assert_eq!(v.8, vec![quote as u64]);

    let cut_at = memchr::memmem::find(full, b",'P','1990").unwrap() + 1;
    let cut = &full[..cut_at];
    let tuple = memchr::memmem::find(full, b"(2,3507015508900002").unwrap();
    let v = check_splits(cut, &SniffOptions::default());
    assert_eq!((v.0, v.1.valid), (2, 2));
    assert_eq!(v.8, vec![tuple as u64]);
    drop(d);

    // Every prefix parses without a panic, at two chunk sizes.
    for end in (0..full.len()).step_by(7) {
        let p = &full[..end];
        if let Ok(Some(d)) = detect_mapped(p, &SniffOptions::default()) {
            assert_eq!(scan_mapped(p, &d, 16), scan_mapped(p, &d, usize::MAX), "prefix {end}");
        }
    }
    for end in (0..PG.len()).step_by(5) {
        let p = &PG[..end];
        if let Ok(Some(d)) = detect_mapped(p, &SniffOptions::default()) {
            assert_eq!(scan_mapped(p, &d, 16), scan_mapped(p, &d, usize::MAX), "prefix {end}");
        }
    }

    let env = Env::new();
    let cut_at = memchr::memmem::find(full, b"SITI").unwrap() + 3;
    let p = env.write("cut.sql", &full[..cut_at]);
    let out = takar(&["scan", "--json", "--reference-date", "2026-11-24", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["inputs"][0]["warnings"][0].as_str().unwrap();
    assert!(w.starts_with(&format!("byte {quote}:")) && w.contains("INSERT statement cut short"), "{w}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("3507015508900002"));
}

fn generate(env: &Env, name: &str, records: u64, format: &str, seed: u64) -> (std::path::PathBuf, serde_json::Value) {
    let p = env.path(name);
    let out = takar(&["generate", "--records", &records.to_string(), "--format", format, "--seed", &seed.to_string(), "-o", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer = std::fs::read(env.path(&format!("{name}.answer.json"))).unwrap();
    (p, serde_json::from_slice(&answer).unwrap())
}

/// Generated mysqldump: the scan matches the answer file and the CSV of the same people,
/// mapped, streamed from stdin, gzipped, and at small chunks.
#[test]
fn generated_sql_matches_its_answer_and_the_csv() {
    let env = Env::new();
    let (sql, answer) = generate(&env, "dpt.sql", 30_000, "sql", 7);
    let (csv, _) = generate(&env, "dpt.csv", 30_000, "csv", 7);
    let expected = serde_json::json!({ "records": answer["records"], "nik": answer["nik"], "kk": answer["kk"], "consistency": answer["consistency"] });
    let s = sql.to_str().unwrap();
    let from_sql = scan_json(&[s]);
    assert_eq!(counts(&from_sql), expected);
    assert_eq!(counts(&scan_json(&[csv.to_str().unwrap()])), expected);
    assert_eq!(from_sql["inputs"][0]["format"], "sql");
    assert_eq!(from_sql["inputs"][0]["nik_column"], "dpt.nik");
    assert_eq!(counts(&scan_json(&["--chunk-size", "1000", s])), expected);
    assert_eq!(counts(&scan_json(&["--mmap", "never", "--chunk-size", "5000", s])), expected);

    let bytes = std::fs::read(&sql).unwrap();
    let args = ["scan", "--json", "--reference-date", "2026-11-24", "--format", "sql", "--chunk-size", "20000", "-"];
    let out = takar_stdin(&args, Some(&bytes));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(counts(&serde_json::from_slice(&out.stdout).unwrap()), expected);
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gzp = env.write("dpt.sql.gz", &gz.finish().unwrap());
    assert_eq!(counts(&scan_json(&["--chunk-size", "3000", gzp.to_str().unwrap()])), expected);

    // Per-district records too: the SQL and the CSV of the same people, library level.
    let csv_bytes = std::fs::read(&csv).unwrap();
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let dc = detect(&csv_bytes[..csv_bytes.len().min(SAMPLE)], csv_bytes.len() <= SAMPLE, Some(&csv_bytes), Format::Auto, &SniffOptions::default(), &v).unwrap().unwrap();
    let from_csv = view(scan_with(&dc.parser, &ctx, &csv_bytes[dc.data_start..], dc.data_start as u64, true, 1 << 16).0);
    let ds = detect_mapped(&bytes, &SniffOptions::default()).unwrap().unwrap();
    assert_eq!(scan_mapped(&bytes, &ds, 1 << 16), from_csv);
}

/// In an ordinary mysqldump (one statement per line) a chunk's guessed start is where the
/// chunk before it stops, so the chunker accepts every chunk and parses none
/// twice. (A statement step that stopped at the line end after its `;` once made every chunk
/// cut inside a statement be parsed again: 1.8x the work, and no test saw it, since the
/// answer stays right.)
#[test]
fn resync_guesses_where_the_chunk_before_stops_in_a_mysqldump() {
    use takar::engine::{Counter, Splittable, Step};
    use takar::format::Parser;
    let env = Env::new();
    let (sql, _) = generate(&env, "dpt.sql", 3_000, "sql", 5);
    let bytes = std::fs::read(&sql).unwrap();
    let d = detect_mapped(&bytes, &SniffOptions::default()).unwrap().unwrap();
    let Parser::Sql(p) = &d.parser else { panic!("not parsed as SQL") };
    let data = &bytes[d.data_start..];
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let (mut nik_keys, mut kk_keys) = (Vec::new(), Vec::new());
    let mut counter = Counter::new(&ctx, &mut nik_keys, &mut kk_keys);
    let mut state = Default::default();
    let mut ends = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        match p.step(data, pos, true, d.data_start as u64, &mut state, &mut (), &mut counter) {
            Step::Next(n) => pos = n,
            Step::Incomplete => panic!("incomplete at {pos} with eof"),
        }
        ends.push(pos);
    }
    assert_eq!(counter.finish().tally.records, 3_000);
    for cut in (1..data.len()).step_by(997) {
        // The chunk before the cut stops after the first step that ends at or past it.
        let before = ends[ends.partition_point(|&e| e < cut)];
        assert_eq!(p.resync(data, cut), before, "cut {cut}");
    }
}

/// A pg_dump of generated people (converted from the mysqldump), read as a stream in small
/// blocks and mapped: the same counts as the mysqldump.
#[test]
fn generated_postgres_copy_matches_the_mysqldump() {
    let env = Env::new();
    let (sql, answer) = generate(&env, "dpt.sql", 5_000, "sql", 11);
    let bytes = std::fs::read(&sql).unwrap();
    let pg = to_copy(&bytes);
    let p = env.write("dpt.pg.sql", &pg);
    let expected = serde_json::json!({ "records": answer["records"], "nik": answer["nik"], "kk": answer["kk"], "consistency": answer["consistency"] });
    let got = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(counts(&got), expected);
    assert_eq!(got["inputs"][0]["nik_column"], "public.dpt.nik");
    assert_eq!(counts(&scan_json(&["--chunk-size", "777", p.to_str().unwrap()])), expected);
    let out = takar_stdin(&["scan", "--json", "--reference-date", "2026-11-24", "--chunk-size", "5000", "-"], Some(&pg));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(counts(&serde_json::from_slice(&out.stdout).unwrap()), expected);
    let whole = scan_mapped(&pg, &detect_mapped(&pg, &SniffOptions::default()).unwrap().unwrap(), usize::MAX);
    for block in [4096, 100_000] {
        assert_eq!(scan_blocks(&pg, &SniffOptions::default(), block, 1500), whole, "block {block}");
    }
}

/// Rewrites the generator's mysqldump as a pg_dump `COPY` block (slow, test-only parser of the
/// generator's own simple output: quoted strings with backslash escapes, or NULL).
fn to_copy(mysql: &[u8]) -> Vec<u8> {
    let mut out = b"--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.dpt (\n".to_vec();
    let cols = ["nik", "nkk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin", "alamat", "rt", "rw", "kelurahan", "kecamatan", "kabupaten", "tps"];
    out.extend_from_slice(cols.iter().map(|c| format!("    {c} text")).collect::<Vec<_>>().join(",\n").as_bytes());
    out.extend_from_slice(b"\n);\n\nCOPY public.dpt (");
    out.extend_from_slice(cols.join(", ").as_bytes());
    out.extend_from_slice(b") FROM stdin;\n");
    let mut i = memchr::memmem::find(mysql, b") VALUES ").unwrap() + 9;
    let mut field = Vec::new();
    let mut line: Vec<Vec<u8>> = Vec::new();
    while i < mysql.len() {
        match mysql[i] {
            b'\'' => {
                i += 1;
                field.clear();
                while mysql[i] != b'\'' {
                    if mysql[i] == b'\\' {
                        i += 1;
                        field.push(match mysql[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b'0' => 0,
                            c => c,
                        });
                    } else {
                        field.push(mysql[i]);
                    }
                    i += 1;
                }
                let mut esc = Vec::new();
                for &c in &field {
                    match c {
                        b'\\' => esc.extend_from_slice(b"\\\\"),
                        b'\n' => esc.extend_from_slice(b"\\n"),
                        b'\r' => esc.extend_from_slice(b"\\r"),
                        b'\t' => esc.extend_from_slice(b"\\t"),
                        _ => esc.push(c),
                    }
                }
                line.push(esc);
                i += 1;
            }
            b'N' => {
                line.push(b"\\N".to_vec());
                i += 4;
            }
            b')' => {
                out.extend_from_slice(&line.join(&b'\t'));
                out.push(b'\n');
                line.clear();
                i += 1;
                if mysql[i] == b';' {
                    match memchr::memmem::find(&mysql[i..], b") VALUES ") {
                        Some(j) => i += j + 9,
                        None => break,
                    }
                }
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(b"\\.\n\n-- PostgreSQL database dump complete\n");
    out
}

mod messy {
    use super::*;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"INSERT INTO t VALUES ".to_vec()),
            Just(b"INSERT INTO `t` (`kk`,`nik`) VALUES ".to_vec()),
            Just(b"INSERT INTO other VALUES ".to_vec()),
            Just(b"REPLACE INTO t VALUES (".to_vec()),
            Just(b"(".to_vec()),
            Just(b")".to_vec()),
            Just(b"),(".to_vec()),
            Just(b",".to_vec()),
            Just(b"'".to_vec()),
            Just(b"''".to_vec()),
            Just(b"\\'".to_vec()),
            Just(b"\\".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"`".to_vec()),
            Just(b";".to_vec()),
            Just(b";\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b" ".to_vec()),
            Just(b"NULL".to_vec()),
            Just(b"'3507011508900001'".to_vec()),
            Just(b"3507015508900002".to_vec()),
            Just(b"'3507010101100001'".to_vec()),
            Just(b"-- c\n".to_vec()),
            Just(b"--".to_vec()),
            Just(b"#".to_vec()),
            Just(b"/*".to_vec()),
            Just(b"*/".to_vec()),
            Just(b"$$".to_vec()),
            Just(b"E'".to_vec()),
            Just(b"\nCOPY t (nik, kk) FROM stdin;\n".to_vec()),
            Just(b"\nCOPY other FROM stdin;\n".to_vec()),
            Just(b"\n\\.\n".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\\N".to_vec()),
            Just(b"\nDELIMITER ;;\n".to_vec()),
            Just(b"\nDELIMITER ;\n".to_vec()),
            "[a-z0-9]{0,4}".prop_map(|s| s.into_bytes()),
        ]
    }

    fn dump() -> impl Strategy<Value = Vec<u8>> {
        (any::<bool>(), prop::collection::vec(piece(), 0..60)).prop_map(|(pg, pieces)| {
            let head: &[u8] = if pg {
                b"-- PostgreSQL database dump\nCREATE TABLE t (nik text, kk text);\n"
            } else {
                b"-- MySQL dump\nCREATE TABLE t (nik text, kk text);\n"
            };
            [head.to_vec(), pieces.concat()].concat()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

        /// Any bytes: no panic, no hang, and every chunk size and block size gives the answer
        /// of one sequential pass.
        #[test]
        fn any_split_gives_the_sequential_answer(data in dump(), chunk in 1usize..40, block in 1usize..90) {
            let opts = SniffOptions::default();
            let d = detect_mapped(&data, &opts).unwrap().unwrap();
            let whole = scan_mapped(&data, &d, usize::MAX);
            prop_assert_eq!(&scan_mapped(&data, &d, chunk), &whole);
            prop_assert_eq!(&scan_blocks(&data, &opts, block, chunk), &whole);
        }
    }
}

/// What one way of reading gives: the detection error, or the answer.
fn outcome<V>(d: Result<Option<Detected>, String>, scan: impl FnOnce(&Detected) -> V) -> Result<Option<(String, V)>, String> {
    d.map(|found| found.map(|f| (format!("{:?}", f.details.columns), scan(&f))))
}

/// The counts of one pass, without the unique counts (counting those costs a millisecond a
/// scan, which a thousand mutants feel).
type Counts = (u64, takar::engine::tally::ColumnTally, takar::engine::tally::ColumnTally, Vec<u64>);

fn counts_of(bytes: &[u8], d: &Detected, eof_at: Option<usize>) -> Counts {
    let v = validator();
    let ctx = Context { validator: &v, input: 0, districts: v.regions().districts.len(), keep: Default::default(), progress: None, budget: None };
    let data = &bytes[d.data_start..];
    let (mut h, mut used) = (takar::engine::Harvest::default(), 0);
    if let Some(cut) = eof_at.filter(|&c| c < data.len()) {
        // A stream: the first block without `eof`, then the rest with it.
        let (t, u) = scan_with(&d.parser, &ctx, &data[..cut], d.data_start as u64, false, usize::MAX);
        h.merge(t);
        used = u;
    }
    let (t, _) = scan_with(&d.parser, &ctx, &data[used..], (d.data_start + used) as u64, true, usize::MAX);
    h.merge(t);
    let t = h.tally;
    (t.records, t.nik, t.kk, t.warnings.iter().map(|w| w.0).collect())
}

/// A stray `"`, `'`, `(` or `` ` `` anywhere before the first row of a dump (`SET
/// lock_timeout" = 0;`): mapped and streamed give the same answer (in one pass; every 16th also
/// in chunks and blocks, which the proptests above cover at large), and the rows after the
/// damaged line are still counted.
#[test]
fn a_stray_quote_before_the_rows_gives_one_answer_every_way() {
    let opts = SniffOptions::default();
    let mut checked = 0;
    for (name, dump, first_row) in [("mysql", MYSQL, &b"INSERT INTO `kota`"[..]), ("postgres", PG, b"COPY public.kota")] {
        let stop = dump.windows(first_row.len()).position(|w| w == first_row).unwrap();
        for at in 0..stop {
            for q in [b'"', b'\'', b'(', b'`'] {
                let mut bytes = dump.to_vec();
                bytes.insert(at, q);
                let what = format!("{name}: {:?} at byte {at}", q as char);
                let mapped = outcome(detect_mapped(&bytes, &opts), |d| counts_of(&bytes, d, None));
                let streamed = outcome(detect_stream(&bytes, &opts), |d| counts_of(&bytes, d, Some(bytes.len() / 2)));
                assert_eq!(mapped, streamed, "{what}: stream");
                if checked % 16 == 0 {
                    let mapped = outcome(detect_mapped(&bytes, &opts), |d| scan_mapped(&bytes, d, usize::MAX));
                    let chunked = outcome(detect_mapped(&bytes, &opts), |d| scan_mapped(&bytes, d, 64));
                    let blocks = outcome(detect_stream(&bytes, &opts), |_| scan_blocks(&bytes, &opts, 200, 50));
                    assert_eq!(mapped, chunked, "{what}: chunks");
                    assert_eq!(mapped, blocks, "{what}: blocks");
                }
                checked += 1;
            }
        }
        // The issue's own example: the rows after the damaged line are read.
        let text = String::from_utf8_lossy(dump);
        let line = text.lines().find(|l| l.starts_with("SET ") || l.starts_with("DROP ")).unwrap();
        let damaged = text.replacen(line, &line.replacen(' ', "\" ", 1), 1).into_bytes();
        let (records, nik, ..) = scan_mapped(&damaged, &detect_stream(&damaged, &opts).unwrap().unwrap(), usize::MAX);
        assert_eq!((records, nik.valid), (7, 4), "{name}");
    }
    assert!(checked > 1000);
}
