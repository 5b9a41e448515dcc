//! A [`Summary`] read back from an output folder (`summary.json` and `districts.parquet`), so
//! `takar report DIR` prints the terminal report of a scan without scanning again.
//!
//! The summary's keys are read by name, and per-district counts come back from the district
//! file (district code -> dense id of the embedded table), which is what the terminal's region
//! tables sum. Keys this build does not know are ignored here (the HTML page shows them).

use std::path::Path;

use arrow::array::{Array, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::nik::{Reason, RegionTable};
use crate::forensics::schemas::SourceGuess;
use crate::forensics::signals::{Check, Expected, FlaggedRegion};
use crate::forensics::verdict::{Label, Verdict};
use crate::report::summary::{Approximate, Claim, ColumnSummary, Consistency, InputSummary, MemoryUse, Summary};
use crate::{Error, Result};

/// The summary of the scan that wrote `dir`.
pub fn summary_from_dir(dir: &Path, regions: &RegionTable) -> Result<Summary> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| Error::Report { path: path.clone(), message: format!("not JSON: {e}") })?;
    let mut s = summary_from_json(&v);
    let districts = dir.join("districts.parquet");
    let file = std::fs::File::open(&districts).map_err(|e| Error::io(&districts, e))?;
    let bad = |message: String| Error::Report { path: districts.clone(), message };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()).map_err(|e| bad(format!("cannot read Parquet: {e}")))?;
    s.regions.records = vec![0; regions.districts.len()];
    s.regions.unique_nik = vec![0; regions.districts.len()];
    for batch in reader {
        let batch = batch.map_err(|e| bad(format!("cannot read Parquet: {e}")))?;
        let col = |name: &str| batch.column_by_name(name).ok_or_else(|| bad(format!("no column {name}")));
        let codes = col("district_code")?.as_any().downcast_ref::<StringArray>().cloned().ok_or_else(|| bad("district_code is not text".into()))?;
        let records = col("records")?.as_any().downcast_ref::<UInt64Array>().cloned().ok_or_else(|| bad("records is not uint64".into()))?;
        let unique = col("unique_nik")?.as_any().downcast_ref::<UInt64Array>().cloned().ok_or_else(|| bad("unique_nik is not uint64".into()))?;
        for i in 0..batch.num_rows() {
            let id = codes.value(i).parse().ok().and_then(|c| regions.district(c)).ok_or_else(|| bad(format!("unknown district code {}", codes.value(i))))?;
            s.regions.records[id.0 as usize] += records.value(i);
            s.regions.unique_nik[id.0 as usize] += unique.value(i);
        }
    }
    Ok(s)
}

fn u(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn column(v: &Value) -> ColumnSummary {
    let mut c = ColumnSummary {
        valid: u(v, "valid"),
        invalid: u(v, "invalid"),
        missing: u(v, "missing"),
        placeholder: u(v, "placeholder"),
        unique: u(v, "unique"),
        duplicate_records: u(v, "duplicate_records"),
        ..ColumnSummary::default()
    };
    let reasons = v.get("invalid_reasons").cloned().unwrap_or(Value::Null);
    for r in Reason::ALL.iter().filter(|r| **r != Reason::Placeholder) {
        c.invalid_reasons.0[r.index()] = u(&reasons, r.as_str());
    }
    // Placeholders are kept beside the reasons (the summary's `placeholder`).
    c.invalid_reasons.0[Reason::Placeholder.index()] = c.placeholder;
    c
}

/// The summary's keys known to this build, from `summary.json` as a value.
pub fn summary_from_json(v: &Value) -> Summary {
    let version = v.get("takar_version").and_then(Value::as_str).unwrap_or("");
    // The version is a `&'static str` in the model; an older or newer takar's is kept for the
    // life of the process (a few bytes, once per run).
    let takar_version: &'static str = if version == env!("CARGO_PKG_VERSION") { env!("CARGO_PKG_VERSION") } else { Box::leak(version.to_string().into_boxed_str()) };
    let inputs = v
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| InputSummary {
            path: text(i, "path").unwrap_or_default(),
            bytes: u(i, "bytes"),
            format: text(i, "format").unwrap_or_default(),
            compression: text(i, "compression").unwrap_or_default(),
            encoding: text(i, "encoding").unwrap_or_default(),
            delimiter: text(i, "delimiter"),
            header: i.get("header").and_then(Value::as_bool).unwrap_or(false),
            nik_column: text(i, "nik_column"),
            kk_column: text(i, "kk_column"),
            birth_date_column: text(i, "birth_date_column"),
            gender_column: text(i, "gender_column"),
            regency_name_column: text(i, "regency_name_column"),
            district_name_column: text(i, "district_name_column"),
            headers: i.get("headers").and_then(Value::as_array).into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string)).collect(),
            records: u(i, "records"),
            nik_valid: u(i, "nik_valid"),
            nik_new_unique: u(i, "nik_new_unique"),
            warnings: i.get("warnings").and_then(Value::as_array).into_iter().flatten().filter_map(|w| w.as_str().map(str::to_string)).collect(),
        })
        .collect();
    // The struct update leaves room for checks added later (they read as zero here).
    #[allow(clippy::needless_update)]
    let consistency = v.get("consistency").map(|c| Consistency {
        birth_date_checked: u(c, "birth_date_checked"),
        birth_date_mismatch: u(c, "birth_date_mismatch"),
        gender_checked: u(c, "gender_checked"),
        gender_mismatch: u(c, "gender_mismatch"),
        regency_checked: u(c, "regency_checked"),
        regency_mismatch: u(c, "regency_mismatch"),
        district_checked: u(c, "district_checked"),
        district_mismatch: u(c, "district_mismatch"),
        kk_region_checked: u(c, "kk_region_checked"),
        kk_region_mismatch: u(c, "kk_region_mismatch"),
        age_implausible: u(c, "age_implausible"),
        age_impossible: u(c, "age_impossible"),
        ..Consistency::default()
    });
    Summary {
        takar_version,
        reference_date: text(v, "reference_date").unwrap_or_default(),
        inputs,
        records: u(v, "records"),
        nik: column(v.get("nik").unwrap_or(&Value::Null)),
        kk: column(v.get("kk").unwrap_or(&Value::Null)),
        consistency,
        claim: v.get("claim").filter(|c| c.is_object()).map(|c| Claim {
            claimed: u(c, "claimed"),
            records: u(c, "records"),
            valid: u(c, "valid"),
            unique: u(c, "unique"),
            unique_over_claimed: f(c, "unique_over_claimed"),
        }),
        source: v.get("source").map(source_guess).unwrap_or_default(),
        verdict: v.get("verdict").map(verdict).unwrap_or_default(),
        elapsed_s: v.get("elapsed_s").and_then(Value::as_f64).unwrap_or(0.0),
        bytes_per_s: v.get("bytes_per_s").and_then(Value::as_f64).unwrap_or(0.0),
        memory: v.get("memory").filter(|m| m.is_object()).map(|m| MemoryUse {
            max_memory_bytes: u(m, "max_memory_bytes"),
            key_limit_bytes: u(m, "key_limit_bytes"),
            peak_key_bytes: u(m, "peak_key_bytes"),
            spilled_bytes: u(m, "spilled_bytes"),
            spill_runs: u(m, "spill_runs"),
        }),
        approximate: v.get("approximate").filter(|a| a.is_object()).map(|a| Approximate {
            method: text(a, "method").unwrap_or_default(),
            standard_error: f(a, "standard_error"),
            estimates: a.get("estimates").and_then(Value::as_array).into_iter().flatten().filter_map(|e| e.as_str().map(String::from)).collect(),
        }),
        ..Summary::default()
    }
}

fn f(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn source_guess(v: &Value) -> SourceGuess {
    SourceGuess {
        looks_like: text(v, "looks_like"),
        matched_columns: v.get("matched_columns").and_then(Value::as_array).into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect(),
        score: f(v, "score"),
    }
}

/// The verdict as written: a check is tripped when `signals` lists it too.
fn verdict(v: &Value) -> Verdict {
    let label = match v.get("label").and_then(Value::as_str) {
        Some("likely_fabricated") => Label::LikelyFabricated,
        Some("suspicious") => Label::Suspicious,
        _ => Label::Consistent,
    };
    let tripped: Vec<&str> = v.get("signals").and_then(Value::as_array).into_iter().flatten().filter_map(|s| s.get("name").and_then(Value::as_str)).collect();
    let check = |c: &Value| {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        let expected = c.get("expected").unwrap_or(&Value::Null);
        let regions = c.get("regions").and_then(Value::as_array).map(|rs| {
            rs.iter()
                .map(|r| FlaggedRegion {
                    code: text(r, "code").unwrap_or_default(),
                    name: text(r, "name").unwrap_or_default(),
                    unique_nik: u(r, "unique_nik"),
                    population: u(r, "population"),
                    coverage: f(r, "coverage"),
                })
                .collect()
        });
        Check {
            // Names are a handful of short words, kept for the life of the process as the version is.
            name: Box::leak(name.to_string().into_boxed_str()),
            value: f(c, "value"),
            expected: Expected { min: expected.get("min").and_then(Value::as_f64), max: expected.get("max").and_then(Value::as_f64) },
            weight: u(c, "weight") as u32,
            regions,
            tripped: tripped.contains(&name),
        }
    };
    let list = |key: &str| v.get(key).and_then(Value::as_array).into_iter().flatten().map(check).collect::<Vec<_>>();
    Verdict { label, signals: list("signals"), checks: list("checks") }
}
