//! The Parquet files of `takar keys`: one row per valid record, as keyed pseudonyms and region
//! codes, bucketed by the high bits of the NIK pseudonym so that every engine can count
//! distinct people bucket by bucket, in bounded memory, and add the results exactly.
//!
//! Layout (hive-partitioned): `DIR/bucket=NNN/part-SOURCE.parquet`, `NNN` the [`BUCKET_BITS`]
//! high bits of the 48-bit NIK pseudonym (000 to 255), so one person (one NIK, one key) lands
//! in the same bucket whichever file and whichever run wrote them; `SOURCE` a safe name made
//! from the input ([`part_name`]), the same on every run, so a rerun replaces its own files
//! and many processes, one per input, can fill one folder side by side.
//!
//! Columns ([`schema`]): `nik_pseudonym` (uint64, never null), `kk_pseudonym` (uint64, null
//! when the record has no valid KK), `province_code`, `regency_code`, `district_code`
//! (zero-padded strings of 2, 4 and 6 digits, the NIK's own codes, historic ones included) and
//! `source`. No number of the dump and no birth date: a pseudonym is below 2^48, fifteen digits
//! at most, so the Parquet leak guard ([`Guard::ParquetValues`]) passes every honest file and
//! still catches a 16-digit value. Rows are sorted by pseudonym (the bytes of a file depend on
//! its rows only, never on threads or chunking), the NIK column delta-encoded (sorted
//! pseudonyms cost about half their 8 bytes).
//!
//! Why 256 buckets: the key store's own shard count, small enough that a source of a few
//! thousand records still fills most buckets, large enough that a billion rows make buckets
//! of about four million, which any engine deduplicates in memory. A fixed count, because
//! files bucketed differently would not meet bucket by bucket; each file records it in its
//! metadata (`takar.buckets`), with the key's fingerprint, so a reader can check that every
//! file of a folder was made alike.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::guard::Guard;
use super::staged::Output;
use crate::engine::keys::pseudonym::DOMAIN_BITS;
use crate::nik::{DistrictId, RegionTable};
use crate::{Error, Result};

/// High bits of the NIK pseudonym that choose the bucket.
pub const BUCKET_BITS: u32 = 8;

/// Buckets: `bucket=000` to `bucket=255`.
pub const BUCKETS: usize = 1 << BUCKET_BITS;

/// Rows per record batch handed to the Parquet writer: bounds the Arrow arrays a bucket
/// builds at once, whatever its size.
const BATCH_ROWS: usize = 1 << 16;

/// The bucket of a NIK pseudonym (below 2^48): its high [`BUCKET_BITS`] bits.
#[inline]
pub fn bucket_of(nik_pseudonym: u64) -> usize {
    (nik_pseudonym >> (DOMAIN_BITS - BUCKET_BITS)) as usize
}

/// The folder of bucket `b`: `bucket=007`.
pub fn bucket_folder(b: usize) -> String {
    format!("bucket={b:03}")
}

/// The schema of every `takar keys` file.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("nik_pseudonym", DataType::UInt64, false),
        Field::new("kk_pseudonym", DataType::UInt64, true),
        Field::new("province_code", DataType::Utf8, false),
        Field::new("regency_code", DataType::Utf8, false),
        Field::new("district_code", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
    ]))
}

/// The file name of a source's part in each bucket: `part-NAME-HASH.parquet`, NAME the last
/// path component of `source` with everything but ASCII letters, digits, `.`, `_` and `-`
/// turned into `_` (at most 64 characters, and a run of more than 15 digits cut to its first
/// six), HASH eight hex digits of the BLAKE3 hash of the whole `source`, so two inputs of the
/// same file name in different folders do not meet. Never holds a run of 16 digits, never
/// starts with `.` or `_` (names readers skip).
pub fn part_name(source: &str) -> String {
    let base = source.rsplit(['/', '\\']).find(|s| !s.is_empty()).unwrap_or("stdin");
    let safe: Vec<char> = base.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect();
    let mut name = String::new();
    let mut i = 0;
    while i < safe.len() {
        let run = safe[i..].iter().take_while(|c| c.is_ascii_digit()).count().max(1);
        let keep = if run >= 16 { 6 } else { run };
        name.extend(&safe[i..i + keep]);
        i += run;
    }
    name.truncate(64);
    let hash = blake3::hash(source.as_bytes());
    let hex: String = hash.as_bytes()[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("part-{name}-{hex}.parquet")
}

/// A row as `takar keys` holds it before writing, two words: the NIK pseudonym, and the
/// district id, whether there is a KK and the KK pseudonym packed as
/// `district << 49 | has_kk << 48 | kk_pseudonym`. Sorting rows as pairs sorts them by NIK
/// pseudonym (a NIK's district follows from it), hence by bucket.
pub type PackedRow = [u64; 2];

/// Packs a row; `kk_pseudonym` below 2^48.
#[inline]
pub fn pack(nik_pseudonym: u64, district: DistrictId, kk_pseudonym: Option<u64>) -> PackedRow {
    let kk = kk_pseudonym.map_or(0, |k| 1 << DOMAIN_BITS | k);
    [nik_pseudonym, u64::from(district.0) << (DOMAIN_BITS + 1) | kk]
}

/// The district id and KK pseudonym of a packed row.
#[inline]
pub fn unpack(row: &PackedRow) -> (DistrictId, Option<u64>) {
    let district = DistrictId((row[1] >> (DOMAIN_BITS + 1)) as u16);
    let kk = (row[1] >> DOMAIN_BITS & 1 == 1).then_some(row[1] & ((1 << DOMAIN_BITS) - 1));
    (district, kk)
}

/// The three zero-padded codes of every district of the table, indexed by district id.
pub struct RegionCodes {
    codes: Vec<[String; 3]>,
}

impl RegionCodes {
    pub fn new(table: &RegionTable) -> RegionCodes {
        let codes = (0..table.districts.len())
            .map(|d| {
                let d = DistrictId(d as u16);
                let regency = table.regency_of(d);
                let province = table.province_of(regency);
                [
                    format!("{:02}", table.province_info(province).code),
                    format!("{:04}", table.regency_info(regency).code),
                    format!("{:06}", table.district_info(d).code),
                ]
            })
            .collect();
        RegionCodes { codes }
    }

    fn get(&self, d: DistrictId, level: usize) -> &str {
        &self.codes[d.0 as usize][level]
    }
}

/// What every file of one run records in its metadata besides its bucket.
pub struct RunInfo<'a> {
    pub key_fingerprint: &'a str,
    pub reference_date: String,
    pub codes: &'a RegionCodes,
}

/// One source's file in one bucket: its rows are gathered from sorted chunks (`ranges[i]` the
/// bucket's part of `chunks[i]`) when it is written, so only the buckets being written hold a
/// copy.
pub struct BucketFile<'a> {
    pub name: String,
    pub bucket: usize,
    pub source: &'a str,
    pub chunks: &'a [Vec<PackedRow>],
    pub ranges: Vec<(usize, usize)>,
    pub run: &'a RunInfo<'a>,
}

impl BucketFile<'_> {
    /// Rows in this file.
    pub fn rows(&self) -> usize {
        self.ranges.iter().map(|(a, b)| b - a).sum()
    }

    fn properties(&self) -> WriterProperties {
        let meta = vec![
            KeyValue::new("takar.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
            KeyValue::new("takar.region_editions".to_string(), super::parquet::region_editions()),
            KeyValue::new("takar.reference_date".to_string(), self.run.reference_date.clone()),
            KeyValue::new("takar.key_fingerprint".to_string(), self.run.key_fingerprint.to_string()),
            KeyValue::new("takar.buckets".to_string(), BUCKETS.to_string()),
            KeyValue::new("takar.bucket".to_string(), format!("{:03}", self.bucket)),
        ];
        let nik = ColumnPath::from("nik_pseudonym");
        let kk = ColumnPath::from("kk_pseudonym");
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_key_value_metadata(Some(meta))
            // Sorted pseudonyms: small deltas. Random ones (the KKs): nothing to gain from a
            // dictionary.
            .set_column_dictionary_enabled(nik.clone(), false)
            .set_column_encoding(nik, Encoding::DELTA_BINARY_PACKED)
            .set_column_dictionary_enabled(kk, false)
            .build()
    }

    fn batch(&self, rows: &[PackedRow]) -> Result<RecordBatch> {
        let codes = self.run.codes;
        let level = |l: usize| -> ArrayRef { Arc::new(rows.iter().map(|r| Some(codes.get(unpack(r).0, l))).collect::<StringArray>()) };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r[0]))),
            Arc::new(rows.iter().map(|r| unpack(r).1).collect::<UInt64Array>()),
            level(0),
            level(1),
            level(2),
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(self.source, rows.len()))),
        ];
        RecordBatch::try_new(schema(), columns).map_err(|e| Error::Parquet { path: self.name.clone().into(), source: e.into() })
    }
}

impl Output for BucketFile<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> Result<()> {
        let parquet = |source: parquet::errors::ParquetError| Error::Parquet { path: path.to_path_buf(), source };
        let mut rows: Vec<PackedRow> = Vec::with_capacity(self.rows());
        for (chunk, &(a, b)) in self.chunks.iter().zip(&self.ranges) {
            rows.extend_from_slice(&chunk[a..b]);
        }
        rows.sort_unstable();
        let mut writer = ArrowWriter::try_new(out, schema(), Some(self.properties())).map_err(parquet)?;
        for part in rows.chunks(BATCH_ROWS) {
            writer.write(&self.batch(part)?).map_err(parquet)?;
        }
        writer.close().map_err(parquet)?;
        Ok(())
    }

    fn guard(&self) -> Guard<'_> {
        Guard::ParquetValues
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nik::mask::has_nik_like_run;

    #[test]
    fn part_names_are_safe_and_deterministic() {
        let a = part_name("dumps/kpu 2023.csv");
        assert_eq!(a, part_name("dumps/kpu 2023.csv"));
        assert!(a.starts_with("part-kpu_2023.csv-") && a.ends_with(".parquet"), "{a}");
        assert_ne!(a, part_name("other/kpu 2023.csv"));
        let long = part_name("/data/3507011204900001-and-1234567890123456789.csv");
        assert!(!has_nik_like_run(long.as_bytes()), "{long}");
        assert!(long.starts_with("part-350701-and-123456.csv-"), "{long}");
        // Fifteen digits stay whole; a name of digits only is cut too.
        assert!(part_name("x/123456789012345.csv").starts_with("part-123456789012345.csv-"));
        assert!(!has_nik_like_run(part_name("12345678901234567890").as_bytes()));
        assert!(part_name("/").starts_with("part-stdin-"));
        assert!(part_name(&"é".repeat(200)).len() < 100);
    }

    #[test]
    fn packed_rows_round_trip_and_sort_by_pseudonym() {
        let top = (1 << DOMAIN_BITS) - 1;
        for (nik, d, kk) in [(0, 0, None), (top, 8_000, Some(top)), (12345, 7, Some(0))] {
            let row = pack(nik, DistrictId(d), kk);
            assert_eq!(row[0], nik);
            assert_eq!(unpack(&row), (DistrictId(d), kk));
        }
        assert_eq!(bucket_of(top), BUCKETS - 1);
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_folder(7), "bucket=007");
    }
}
