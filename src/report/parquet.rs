//! One Parquet file per region level (`provinces`, `regencies`, `districts`.parquet): fixed
//! schemas that scripts and notebooks rely on, one batch (a few thousand rows at most), snappy.
//!
//! The arrow-rs way: one schema function per level, non-nullable code and count columns,
//! `RecordBatch::try_new` (which rejects a null in a non-nullable column), one `ArrowWriter`,
//! and `close()` (a dropped writer leaves a file without footer that nobody can read).
//! File key-value metadata records provenance only (takar version, region-table editions,
//! reference date, level), never data from the dump.

use std::io::Write;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::regions::{Level, RegionRow};

fn code(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
fn count(name: &str) -> Field {
    Field::new(name, DataType::UInt64, false)
}
fn current_code() -> Field {
    Field::new("current_code", DataType::Utf8, true)
}
/// `population` (official, null where the table has none) and `coverage` (unique NIKs
/// attributed to the region, historic codes to their successor, over its population).
fn population_and_coverage() -> [Field; 2] {
    [Field::new("population", DataType::UInt64, true), Field::new("coverage", DataType::Float64, true)]
}

/// `provinces.parquet`: `province_code`, `province_name`, `current_code` (always null today:
/// the table has no historic province codes, kept for symmetry), `records`, `unique_nik`,
/// `population`, `coverage`.
pub fn province_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        code("province_code"),
        text("province_name"),
        current_code(),
        count("records"),
        count("unique_nik"),
        population_and_coverage()[0].clone(),
        population_and_coverage()[1].clone(),
    ]))
}

/// `regencies.parquet`: province, regency code and name, `kind` (`kabupaten`/`kota`),
/// `current_code` (successor of a historic code, else null), `records`, `unique_nik`,
/// `population` and `coverage` (null for a historic code: its people count toward its successor).
pub fn regency_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        code("province_code"),
        text("province_name"),
        code("regency_code"),
        text("regency_name"),
        text("kind"),
        current_code(),
        count("records"),
        count("unique_nik"),
        population_and_coverage()[0].clone(),
        population_and_coverage()[1].clone(),
    ]))
}

/// `districts.parquet`: province, regency, district code and name, `current_code`, `records`,
/// `unique_nik`.
pub fn district_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        code("province_code"),
        text("province_name"),
        code("regency_code"),
        text("regency_name"),
        code("district_code"),
        text("district_name"),
        current_code(),
        count("records"),
        count("unique_nik"),
    ]))
}

/// The schema of `level`'s file.
pub fn schema(level: Level) -> SchemaRef {
    match level {
        Level::Province => province_schema(),
        Level::Regency => regency_schema(),
        Level::District => district_schema(),
    }
}

/// The region-table editions takar embeds, e.g. `2015,2017,2019,2022,2023,2025`.
pub fn region_editions() -> String {
    crate::nik::region::editions().collect::<Vec<_>>().join(",")
}

/// `rows` (all of `level`) as one record batch in `level`'s schema.
pub fn record_batch(rows: &[RegionRow], level: Level) -> Result<RecordBatch, ParquetError> {
    if let Some(r) = rows.iter().find(|r| r.level != level) {
        return Err(ParquetError::General(format!(
            "{} row {} in the {} file",
            r.level.as_str(),
            r.code,
            level.as_str()
        )));
    }
    let strings =
        |f: fn(&RegionRow) -> Option<&str>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<StringArray>()) };
    let counts = |f: fn(&RegionRow) -> u64| -> ArrayRef { Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))) };
    let mut columns: Vec<ArrayRef> =
        vec![strings(|r| Some(r.province_code.as_str())), strings(|r| Some(r.province_name.as_str()))];
    match level {
        Level::Province => {}
        Level::Regency => {
            columns.push(strings(|r| Some(r.code.as_str())));
            columns.push(strings(|r| Some(r.name.as_str())));
            columns.push(strings(|r| r.kind));
        }
        Level::District => {
            columns.push(strings(|r| r.regency_code.as_deref()));
            columns.push(strings(|r| r.regency_name.as_deref()));
            columns.push(strings(|r| Some(r.code.as_str())));
            columns.push(strings(|r| Some(r.name.as_str())));
        }
    }
    columns.push(strings(|r| r.current_code.as_deref()));
    columns.push(counts(|r| r.records));
    columns.push(counts(|r| r.unique_nik));
    if level != Level::District {
        columns.push(Arc::new(rows.iter().map(|r| r.population).collect::<UInt64Array>()));
        columns.push(Arc::new(rows.iter().map(|r| r.coverage).collect::<Float64Array>()));
    }
    // try_new checks lengths, types and that non-nullable columns hold no null.
    Ok(RecordBatch::try_new(schema(level), columns)?)
}

/// Writes `rows` as `level`'s Parquet file to `out`, with provenance metadata (takar version,
/// region editions, level) but no reference date; see [`write_region_parquet_with`].
pub fn write_region_parquet<W: Write + Send>(rows: &[RegionRow], level: Level, out: W) -> Result<(), ParquetError> {
    write_region_parquet_with(rows, level, None, false, out)
}

/// [`write_region_parquet`], also recording the scan's reference date (`YYYY-MM-DD`), and,
/// when `estimated` (`--approximate`), that `unique_nik` and `coverage` are estimates
/// (`takar.estimated`).
pub fn write_region_parquet_with<W: Write + Send>(
    rows: &[RegionRow],
    level: Level,
    reference_date: Option<&str>,
    estimated: bool,
    out: W,
) -> Result<(), ParquetError> {
    let batch = record_batch(rows, level)?;
    let mut meta = vec![
        KeyValue::new("takar.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        KeyValue::new("takar.region_editions".to_string(), region_editions()),
        KeyValue::new("takar.level".to_string(), level.as_str().to_string()),
    ];
    if let Some(d) = reference_date {
        meta.push(KeyValue::new("takar.reference_date".to_string(), d.to_string()));
    }
    if estimated {
        meta.push(KeyValue::new(
            "takar.estimated".to_string(),
            "unique_nik and coverage are HyperLogLog estimates (takar scan --approximate), not exact counts".to_string(),
        ));
    }
    let props =
        WriterProperties::builder().set_compression(Compression::SNAPPY).set_key_value_metadata(Some(meta)).build();
    let mut writer = ArrowWriter::try_new(out, batch.schema(), Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// The leak guard of a Parquet file, read back from `path`: does any string value or metadata
/// entry hold a NIK-like run (plain, separated or full-width, [`crate::nik::mask`]), or any
/// integer value have 16 or more digits? The raw bytes are
/// the wrong place to look: bit-packed dictionary indices of a few hundred rows are runs of
/// bytes that happen to be ASCII digits (a 200k-record dump tripped a byte-level guard).
pub fn holds_nik_like_value(path: &std::path::Path) -> Result<bool, ParquetError> {
    use arrow::array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)?;
    let text_leaks = |s: &str| crate::nik::mask::has_nik_like_run(s.as_bytes());
    if let Some(kv) = builder.metadata().file_metadata().key_value_metadata() {
        if kv.iter().any(|e| text_leaks(&e.key) || e.value.as_deref().is_some_and(text_leaks)) {
            return Ok(true);
        }
    }
    for batch in builder.build()? {
        for column in batch?.columns() {
            if let Some(strings) = column.as_any().downcast_ref::<StringArray>() {
                if strings.iter().flatten().any(text_leaks) {
                    return Ok(true);
                }
            } else if let Some(counts) = column.as_any().downcast_ref::<UInt64Array>() {
                if counts.iter().flatten().any(|n| n >= 1_000_000_000_000_000) {
                    return Ok(true);
                }
            } else if let Some(ratios) = column.as_any().downcast_ref::<Float64Array>() {
                // A ratio is small; a float as large as a 16-digit number is one in disguise.
                if ratios.iter().flatten().any(|x| !x.is_finite() || x.abs() >= 1e15) {
                    return Ok(true);
                }
            } else {
                return Err(ParquetError::General(format!("leak guard: unexpected column type {}", column.data_type())));
            }
        }
    }
    Ok(false)
}
