//! What the HTML report shows, read from the outputs as written: `summary.json` (kept as a
//! JSON value, so keys added later, such as `verdict` or `skipped`, reach the page without a
//! change here), the rows of `regencies.parquet` (with `population` and `coverage` when the
//! file has them) and `manifest.json` when there is one.
//!
//! A scan renders the page from the very bytes it is about to write (the summary's JSON text
//! and the regency Parquet file written into memory by the same writer), and `takar report DIR`
//! from the files on disk, through this one reader: the two pages are the same bytes.

use std::path::Path;

use arrow::array::{Array, Float64Array, Int64Array, StringArray, UInt64Array};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::{Error, Result};

/// One row of `regencies.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegencyFigures {
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    /// The successor of a historic code.
    pub current_code: Option<String>,
    pub records: u64,
    pub unique_nik: u64,
    /// The regency's official population, when the file has the column.
    pub population: Option<u64>,
    /// `unique_nik / population`, when the file has the column.
    pub coverage: Option<f64>,
}

/// Everything the page is made from.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub summary: Value,
    pub regencies: Vec<RegencyFigures>,
    pub manifest: Option<Value>,
}

impl ReportData {
    /// From the texts and bytes of the outputs; `dir` names the folder in errors.
    pub fn from_outputs(dir: &Path, summary_json: &str, regencies_parquet: Vec<u8>, manifest_json: Option<&str>) -> Result<ReportData> {
        let json = |name: &str, text: &str| -> Result<Value> {
            serde_json::from_str(text).map_err(|e| Error::Report { path: dir.join(name), message: format!("not JSON: {e}") })
        };
        let summary = json("summary.json", summary_json)?;
        if !summary.is_object() || summary.get("nik").is_none() {
            return Err(Error::Report { path: dir.join("summary.json"), message: "not a takar summary (no \"nik\" key)".into() });
        }
        let manifest = manifest_json.map(|m| json("manifest.json", m)).transpose()?;
        let regencies = read_regencies(regencies_parquet)
            .map_err(|message| Error::Report { path: dir.join("regencies.parquet"), message })?;
        Ok(ReportData { summary, regencies, manifest })
    }

    /// Reads `summary.json`, `regencies.parquet` and (if present) `manifest.json` from `dir`.
    pub fn read_dir(dir: &Path) -> Result<ReportData> {
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| Error::io(dir.join(name), e));
        let summary = read("summary.json")?;
        let summary = String::from_utf8(summary).map_err(|_| Error::Report { path: dir.join("summary.json"), message: "not UTF-8".into() })?;
        let parquet = read("regencies.parquet")?;
        let manifest = match std::fs::read_to_string(dir.join("manifest.json")) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(dir.join("manifest.json"), e)),
        };
        ReportData::from_outputs(dir, &summary, parquet, manifest.as_deref())
    }
}

/// The rows of a regency Parquet file, columns found by name.
fn read_regencies(bytes: Vec<u8>) -> std::result::Result<Vec<RegencyFigures>, String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .and_then(|b| b.build())
        .map_err(|e| format!("cannot read Parquet: {e}"))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format!("cannot read Parquet: {e}"))?;
        let text = |name: &str| -> std::result::Result<&StringArray, String> {
            column(&batch, name)?.as_any().downcast_ref::<StringArray>().ok_or_else(|| format!("column {name} is not text"))
        };
        let (code, name, pcode, pname, current) =
            (text("regency_code")?, text("regency_name")?, text("province_code")?, text("province_name")?, text("current_code")?);
        let records = counts(&batch, "records")?.ok_or("no column records")?;
        let unique = counts(&batch, "unique_nik")?.ok_or("no column unique_nik")?;
        let population = counts(&batch, "population")?;
        let coverage = match batch.column_by_name("coverage") {
            None => None,
            Some(c) => Some(c.as_any().downcast_ref::<Float64Array>().ok_or("column coverage is not float64")?),
        };
        for i in 0..batch.num_rows() {
            rows.push(RegencyFigures {
                code: code.value(i).to_string(),
                name: name.value(i).to_string(),
                province_code: pcode.value(i).to_string(),
                province_name: pname.value(i).to_string(),
                current_code: current.is_valid(i).then(|| current.value(i).to_string()),
                records: records[i].unwrap_or(0),
                unique_nik: unique[i].unwrap_or(0),
                population: population.as_ref().and_then(|p| p[i]),
                coverage: coverage.and_then(|c| c.is_valid(i).then(|| c.value(i))),
            });
        }
    }
    Ok(rows)
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> std::result::Result<&'a dyn Array, String> {
    batch.column_by_name(name).map(|c| c.as_ref()).ok_or_else(|| format!("no column {name}"))
}

/// A count column (unsigned or signed 64-bit) as optional values; `None` when there is no
/// such column.
fn counts(batch: &RecordBatch, name: &str) -> std::result::Result<Option<Vec<Option<u64>>>, String> {
    let Some(c) = batch.column_by_name(name) else { return Ok(None) };
    if let Some(u) = c.as_any().downcast_ref::<UInt64Array>() {
        return Ok(Some(u.iter().collect()));
    }
    if let Some(s) = c.as_any().downcast_ref::<Int64Array>() {
        return Ok(Some(s.iter().map(|v| v.and_then(|v| u64::try_from(v).ok())).collect()));
    }
    Err(format!("column {name} is not a 64-bit integer"))
}
