//! takar's default outputs: `summary.json`, then one Parquet file per region level, and, when
//! the scan made pseudonyms, `keys.takar`; written together through [`write_staged`] (all or
//! nothing, leak-guarded).

use std::io::Write;
use std::path::Path;

use super::guard::Guard;
use super::regions::{region_rows, Level};
use super::staged::{write_staged, write_staged_then, Output};
use super::manifest::{self, Manifest};
use super::html::{self, ReportData};
use super::labels::Lang;
use super::{json, keys_file, parquet};
use crate::nik::RegionTable;
use crate::report::summary::Summary;
use crate::{Error, Result};

/// The name of the JSON summary in the output directory.
pub const SUMMARY_JSON: &str = "summary.json";
/// The name of the run's manifest.
pub const MANIFEST_JSON: &str = "manifest.json";

/// The files [`write_outputs`] creates, in order.
pub const OUTPUT_FILES: [&str; 4] =
    [SUMMARY_JSON, Level::Province.file_name(), Level::Regency.file_name(), Level::District.file_name()];

/// Writes `summary.json`, `provinces.parquet`, `regencies.parquet` and `districts.parquet`
/// into `dir` (created if missing). All four are written to temporary names, closed, checked by
/// the leak guard and only then renamed into place; on any failure no output or temporary file
/// is left behind. A file that trips the guard fails the run with [`Error::LeakGuard`].
pub fn write_outputs(dir: &Path, summary: &Summary, regions: &RegionTable) -> Result<()> {
    write_outputs_with_keys(dir, summary, regions, None, None, &mut || Ok(()))
}

/// [`write_outputs`], plus `keys.takar` when `keys` is given and `manifest.json` when
/// `manifest` is, in the same all-or-nothing set; `before_commit` runs when all are written
/// and checked, before any is renamed into place, and its failure leaves none behind
/// ([`write_staged_then`]).
pub fn write_outputs_with_keys(
    dir: &Path,
    summary: &Summary,
    regions: &RegionTable,
    keys: Option<&KeysOutput<'_>>,
    manifest: Option<&Manifest>,
    before_commit: &mut dyn FnMut() -> Result<()>,
) -> Result<()> {
    write_set(dir, summary, regions, keys, manifest, None, before_commit)
}

/// Everything `takar scan --out` writes: [`write_outputs_with_keys`]'s files, and
/// `report.html` and `map.svg` in `lang`.
pub fn write_scan_outputs(
    dir: &Path,
    summary: &Summary,
    regions: &RegionTable,
    keys: Option<&KeysOutput<'_>>,
    manifest: Option<&Manifest>,
    lang: Lang,
    before_commit: &mut dyn FnMut() -> Result<()>,
) -> Result<()> {
    write_set(dir, summary, regions, keys, manifest, Some(lang), before_commit)
}

fn write_set(
    dir: &Path,
    summary: &Summary,
    regions: &RegionTable,
    keys: Option<&KeysOutput<'_>>,
    manifest: Option<&Manifest>,
    report: Option<Lang>,
    before_commit: &mut dyn FnMut() -> Result<()>,
) -> Result<()> {
    let json = TextFile { name: SUMMARY_JSON, text: json::render(summary), drawn: false };
    let [p, r, d] = Level::ALL.map(|level| RegionParquet { summary, regions, level });
    let manifest = manifest.map(|m| TextFile { name: MANIFEST_JSON, text: manifest::render(m), drawn: false });
    // The page is rendered from the bytes the summary and the regency file will hold, through
    // the reader `takar report DIR` uses: both give the same page.
    let pages = match report {
        None => None,
        Some(lang) => {
            let mut regencies = Vec::new();
            r.write(&mut regencies, &dir.join(r.name()))?;
            let data = ReportData::from_outputs(dir, &json.text, regencies, manifest.as_ref().map(|m| m.text.as_str()))?;
            Some(report_files(&data, lang))
        }
    };
    let mut outputs: Vec<&dyn Output> = vec![&json, &p, &r, &d];
    if let Some(k) = keys {
        outputs.push(k);
    }
    if let Some(m) = &manifest {
        outputs.push(m);
    }
    for page in pages.iter().flatten() {
        outputs.push(page);
    }
    write_staged_then(dir, &outputs, before_commit)
}

/// The name of the HTML report and of its map alone.
pub const REPORT_HTML: &str = "report.html";
pub const MAP_SVG: &str = "map.svg";

fn report_files(data: &ReportData, lang: Lang) -> [TextFile; 2] {
    [
        TextFile { name: REPORT_HTML, text: html::render_page(data, lang), drawn: true },
        TextFile { name: MAP_SVG, text: html::render_map_svg(data, lang), drawn: true },
    ]
}

/// `takar report DIR`: `report.html` and `map.svg` rendered again from the outputs in `dir`,
/// written like every output (staged, leak-guarded). Returns what they were made from.
pub fn write_report(dir: &Path, lang: Lang) -> Result<ReportData> {
    let data = ReportData::read_dir(dir)?;
    let [page, map] = report_files(&data, lang);
    write_staged(dir, &[&page, &map])?;
    Ok(data)
}

/// `keys.takar`: the keyed pseudonyms of the dump's unique valid NIKs (with their province)
/// and KKs, sorted. Binary, so it brings its own leak guard: no 16-digit text, and no 8-byte
/// window that reads as one of the dump's own numbers.
pub struct KeysOutput<'a> {
    key_fingerprint: &'a str,
    nik_packed: &'a [u64],
    kk: &'a [u64],
    check: Box<KeysGuard<'a>>,
}

/// The keys file's leak check, holding the dump's own question "is this one of my numbers?".
type KeysGuard<'a> = dyn Fn(&Path) -> Result<bool> + Sync + 'a;

impl<'a> KeysOutput<'a> {
    /// `nik_packed`: `pseudonym << 8 | province`, sorted; `is_input_number`: whether a
    /// 16-digit value is a NIK or KK of the dump.
    pub fn new(key_fingerprint: &'a str, nik_packed: &'a [u64], kk: &'a [u64], is_input_number: &'a (dyn Fn(u64) -> bool + Sync)) -> KeysOutput<'a> {
        KeysOutput { key_fingerprint, nik_packed, kk, check: Box::new(move |tmp| keys_file::leaks(tmp, is_input_number)) }
    }
}

impl Output for KeysOutput<'_> {
    fn name(&self) -> &str {
        keys_file::FILE_NAME
    }
    fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> Result<()> {
        keys_file::write_packed(out, self.key_fingerprint, self.nik_packed, self.kk).map_err(|e| Error::io(path, e))
    }
    fn guard(&self) -> Guard<'_> {
        Guard::Custom(&*self.check)
    }
}

/// A text output rendered beforehand (`summary.json`, `manifest.json`, `report.html`,
/// `map.svg`), under the 16-digit guard.
struct TextFile {
    name: &'static str,
    text: String,
    /// A drawn page (coordinates in its path data): checked for adjacent digit runs only.
    drawn: bool,
}

impl Output for TextFile {
    fn name(&self) -> &str {
        self.name
    }
    fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> Result<()> {
        out.write_all(self.text.as_bytes()).map_err(|e| Error::io(path, e))
    }
    fn guard(&self) -> Guard<'_> {
        if self.drawn {
            Guard::DrawnNoDigitRun
        } else {
            Guard::TextNoDigitRun
        }
    }
}

/// One region level's Parquet file.
struct RegionParquet<'a> {
    summary: &'a Summary,
    regions: &'a RegionTable,
    level: Level,
}

impl Output for RegionParquet<'_> {
    fn name(&self) -> &str {
        self.level.file_name()
    }
    fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> Result<()> {
        let rows = region_rows(self.summary, self.regions, self.level);
        parquet::write_region_parquet_with(&rows, self.level, Some(&self.summary.reference_date), self.summary.approximate.is_some(), out)
            .map_err(|source| Error::Parquet { path: path.to_path_buf(), source })
    }
    fn guard(&self) -> Guard<'_> {
        Guard::ParquetValues
    }
}
