//! Spreadsheet dumps: xlsx/xlsm, xlsb, xls and ods workbooks, read whole with calamine (a
//! workbook is never a multi-gigabyte format, so one sequential pass is enough).
//!
//! **Detection** ([`open_workbook`]) happens before [`source::open`](crate::input::source::open),
//! because a workbook is neither text nor a plain archive: an xlsx or ods file is a zip of XML
//! (`xl/workbook.xml`, `content.xml`), which the zip member reader leaves whole for us, and an
//! xls file is an OLE compound file (`D0 CF 11 E0 A1 B1 1A E1`), which the text checks would
//! refuse or transcode. `--format xlsx` insists on a workbook; `--format auto` takes one when
//! the magic bytes and, for zips, the member names say so. Stdin is read as a workbook only
//! with `--format xlsx` (it cannot be peeked at and given back).
//!
//! **Columns.** Each worksheet goes through the same sniffer as a CSV file: its first 1000
//! non-empty rows are written out as quoted CSV and handed to
//! [`sniff::sniff`], so header detection, the header name lists and the content fallback are
//! the delimited ones, and `--nik-column` and friends work unchanged. Columns are numbered
//! from the sheet's column A. Rows whose cells are all empty are not records (like blank lines
//! in CSV). A sheet with rows but no NIK column is skipped with a warning, unless no sheet at
//! all has one, which is an error like a CSV without a NIK column.
//!
//! **Cells** become the bytes the validator sees: strings as they are; empty cells missing;
//! date cells as `YYYY-MM-DD`; booleans `TRUE`/`FALSE`; error cells as Excel shows them
//! (`#N/A`). A number is never trusted as a NIK: Excel keeps 15 significant digits and
//! calamine reads numbers as `f64`, so a numeric cell of 16 or more digits is written in
//! E-notation (`3.5070115089E15`), which the validator counts as `spreadsheet_mangled` and
//! never repairs; a smaller whole number is written out in full (and counts as `length` in a
//! NIK column); other numbers as Rust prints them.
//!
//! **Damage.** A workbook calamine cannot read is an error naming it; where calamine itself
//! panics on damaged bytes (it has: an arithmetic overflow on a cell reference of many
//! letters), the panic is caught ([`guarded`]) and becomes that same error, so one bad file
//! never ends takar with a crash.
//!
//! Every record goes through [`Counter::record`], so the counting rules are those of every
//! other format. The report shows the format (`xlsx`, `xlsb`, `xls`, `ods`) and, per column,
//! the sheets it was found in (`DPT!NIK`).

use std::fmt::Write as _;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Ods, Range, Reader, SheetType, Sheets, Xls, Xlsb, Xlsx};

use crate::error::{Error, Result};
use crate::nik::Validator;
use crate::engine::{Context, Counter, Fields, Keep, Role, RoleMap};
use crate::format::layout::Details;
use crate::format::Format;
use crate::format::csv::sniff::{self, SniffOptions};
use crate::nik::mask::mask_digits;
use crate::input::source::InputRef;
use crate::engine::Harvest;

/// Rows per sheet handed to the sniffer (the same sample size as for CSV).
const SNIFF_ROWS: usize = 1000;

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Which reader a workbook needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Xls => "xls",
            Kind::Ods => "ods",
        }
    }
}

/// A workbook's bytes, read whole.
pub struct Workbook {
    pub kind: Kind,
    /// The name shown in reports and errors.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// The kind of workbook these bytes start (or, for zips, whose members say so); `None` for
/// anything else. Zip member names come from the central directory.
pub fn kind_of(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&OLE_MAGIC) {
        return Some(Kind::Xls);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    kind_of_names(zip.file_names())
}

fn kind_of_names<'a, E>(names: impl Iterator<Item = std::result::Result<std::borrow::Cow<'a, str>, E>>) -> Option<Kind> {
    let mut kind = None;
    for n in names.flatten() {
        match n.as_ref() {
            "xl/workbook.xml" => return Some(Kind::Xlsx),
            "xl/workbook.bin" => return Some(Kind::Xlsb),
            "content.xml" | "mimetype" => kind = Some(Kind::Ods),
            _ => {}
        }
    }
    kind
}

/// Reads `input` whole when it is a workbook (see the module documentation); `None` when it
/// is not, and nothing has been read from it then.
pub fn open_workbook(input: &InputRef, format: Format) -> Result<Option<Workbook>> {
    let forced = format == Format::Xlsx;
    if !forced && format != Format::Auto {
        return Ok(None);
    }
    let path = &input.path;
    let not_a_workbook = || Error::input(input.display(), 0, "--format xlsx: not an xlsx, xlsb, xls or ods workbook");
    if input.member.is_some() {
        return if forced { Err(not_a_workbook()) } else { Ok(None) };
    }
    if path.as_os_str() == "-" {
        if !forced {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
        return match kind_of(&bytes) {
            Some(kind) => Ok(Some(Workbook { kind, path: path.clone(), bytes })),
            None => Err(not_a_workbook()),
        };
    }
    let kind = match kind_of_file(path) {
        Ok(k) => k,
        // Not openable here: let the ordinary path report it.
        Err(_) if !forced => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    match kind {
        Some(kind) => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            Ok(Some(Workbook { kind, path: path.clone(), bytes }))
        }
        None if forced => Err(not_a_workbook()),
        None => Ok(None),
    }
}

/// [`kind_of`] for a file, reading only its head (and a zip's directory).
fn kind_of_file(path: &Path) -> std::io::Result<Option<Kind>> {
    let mut f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Ok(None);
    }
    let mut head = Vec::with_capacity(8);
    (&mut f).take(8).read_to_end(&mut head)?;
    if head == OLE_MAGIC {
        return Ok(Some(Kind::Xls));
    }
    if !head.starts_with(b"PK\x03\x04") {
        return Ok(None);
    }
    Ok(zip::ZipArchive::new(std::io::BufReader::new(std::fs::File::open(path)?)).ok().and_then(|z| kind_of_names(z.file_names())))
}

/// Runs one call into the workbook reader; `None` when the reader panicked (on damaged bytes),
/// without the panic's message on stderr: the caller reports the workbook as unreadable, in
/// its one error line. The quiet hook is installed once and hands every other panic to the
/// hook that was there before.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    use std::cell::Cell;
    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    QUIET.with(|q| q.set(was));
    result
}

/// What counting a workbook gave; the driver turns it into the input's report.
pub struct WorkbookCount {
    pub harvest: Harvest,
    pub details: Details,
    /// One per sheet that had rows but no NIK column.
    pub warnings: Vec<String>,
}

/// Counts every worksheet of a workbook as input number `input`.
pub fn scan_workbook(book: &Workbook, input: u32, opts: &SniffOptions, v: &Validator<'_>, districts: usize, keep: Keep) -> Result<WorkbookCount> {
    let unreadable = |what: String| {
        Error::input(&book.path, 0, format!("not a readable {} workbook: {}", book.kind.as_str(), mask_digits(&what)))
    };
    let damaged = || unreadable("damaged data the reader could not follow".to_string());
    let cursor = Cursor::new(&book.bytes[..]);
    let opened = guarded(|| match book.kind {
        Kind::Xlsx => Xlsx::new(cursor).map(Sheets::Xlsx).map_err(|e| e.to_string()),
        Kind::Xlsb => Xlsb::new(cursor).map(Sheets::Xlsb).map_err(|e| e.to_string()),
        Kind::Xls => Xls::new(cursor).map(Sheets::Xls).map_err(|e| e.to_string()),
        Kind::Ods => Ods::new(cursor).map(Sheets::Ods).map_err(|e| e.to_string()),
    });
    let mut sheets: Sheets<Cursor<&[u8]>> = opened.ok_or_else(damaged)?.map_err(unreadable)?;
    let names: Vec<String> =
        sheets.sheets_metadata().iter().filter(|s| matches!(s.typ, SheetType::WorkSheet)).map(|s| s.name.clone()).collect();

    let ctx = Context { validator: v, input, districts, keep, progress: None, budget: None };
    let (mut nik_keys, mut kk_keys) = (Vec::new(), Vec::new());
    let mut counter = Counter::new(&ctx, &mut nik_keys, &mut kk_keys);
    let mut used: Vec<SheetColumns> = Vec::new();
    let mut skipped: Vec<(String, usize, String)> = Vec::new();
    for name in &names {
        let range = guarded(|| sheets.worksheet_range(name))
            .ok_or_else(damaged)?
            .map_err(|e| unreadable(format!("sheet {:?}: {e}", mask_digits(name))))?;
        let shown_name = mask_digits(name);
        match count_sheet(&range, opts, v, &mut counter) {
            Ok(Some(cols)) => used.push(SheetColumns { sheet: shown_name, ..cols }),
            Ok(None) => {}
            Err((rows, message)) => skipped.push((shown_name, rows, message)),
        }
    }
    let harvest = counter.finish();

    if used.is_empty() {
        if let Some((sheet, _, message)) = skipped.first() {
            let others = if skipped.len() > 1 { format!(" (and {} more sheets without one)", skipped.len() - 1) } else { String::new() };
            return Err(Error::Column { path: book.path.clone(), message: format!("sheet {sheet:?}: {message}{others}") });
        }
    }
    let details = Details {
        format: book.kind.as_str(),
        delimiter: None,
        header: used.iter().any(|c| c.header),
        columns: RoleMap::from_fn(|role| describe(&used, role)),
        headers: used.iter().flat_map(|c| c.headers.iter().cloned()).collect(),
    };
    let warnings =
        skipped.into_iter().map(|(sheet, rows, message)| format!("sheet {sheet:?}: its {rows} non-empty rows were not counted: {message}")).collect();
    Ok(WorkbookCount { harvest, details, warnings })
}

/// The columns one sheet was read with, for the report.
#[derive(Debug, Default)]
struct SheetColumns {
    sheet: String,
    header: bool,
    columns: RoleMap<Option<String>>,
    /// The sheet's header names (empty without a header row), for the source fingerprint.
    headers: Vec<String>,
}

/// `DPT!NIK` for one sheet; `NIK in sheets A, B, C` for several with the same column name.
fn describe(used: &[SheetColumns], role: Role) -> Option<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in used {
        if let Some(name) = &c.columns[role] {
            match groups.iter_mut().find(|(n, _)| n == name) {
                Some((_, sheets)) => sheets.push(&c.sheet),
                None => groups.push((name, vec![&c.sheet])),
            }
        }
    }
    if groups.is_empty() {
        return None;
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(name, sheets)| match sheets.as_slice() {
            [one] => format!("{one}!{name}"),
            many if many.len() <= 4 => format!("{name} in sheets {}", many.join(", ")),
            many => format!("{name} in sheets {} and {} more", many[..3].join(", "), many.len() - 3),
        })
        .collect();
    Some(parts.join("; "))
}

/// Counts one sheet's data rows. `Ok(None)`: the sheet holds no rows. `Err`: it has rows but
/// no NIK column (how many rows, and the sniffer's message).
fn count_sheet(range: &Range<Data>, opts: &SniffOptions, v: &Validator<'_>, counter: &mut Counter<'_>) -> Result<Option<SheetColumns>, (usize, String)> {
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let rows: Vec<&[Data]> = range.rows().filter(|r| !r.iter().all(is_blank)).collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let mut cell = String::new();
    let mut sample = Vec::new();
    for row in rows.iter().take(SNIFF_ROWS) {
        // Columns left of the range are empty: numbering starts at the sheet's column A.
        for _ in 0..first_col {
            sample.extend_from_slice(b"\"\",");
        }
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                sample.push(b',');
            }
            cell.clear();
            cell_text(c, &mut cell);
            sample.push(b'"');
            sample.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
            sample.push(b'"');
        }
        sample.push(b'\n');
    }
    let opts = SniffOptions { delimiter: Some(b','), ..opts.clone() };
    let layout = sniff::sniff(&sample, &opts, v).map_err(|m| (rows.len(), m))?;
    let name = |col: Option<usize>| col.map(|c| if layout.header { layout.names.get(c).cloned().unwrap_or_default() } else { format!("column {}", c + 1) });
    let cols = layout.columns;
    let mut texts: RoleMap<String> = RoleMap::default();
    for row in &rows[usize::from(layout.header)..] {
        let mut present: RoleMap<bool> = RoleMap::default();
        for (role, col) in cols.iter() {
            texts[role].clear();
            if let Some(c) = col.and_then(|c| c.checked_sub(first_col)).and_then(|c| row.get(c)) {
                present[role] = cell_text(c, &mut texts[role]);
            }
        }
        counter.record(Fields::from_fn(|role| present[role].then(|| texts[role].as_bytes())));
    }
    Ok(Some(SheetColumns { sheet: String::new(), header: layout.header, columns: cols.map(name), headers: layout.names.clone() }))
}

fn is_blank(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Writes what the validator sees for a cell into `out`; `false` for an empty cell (missing).
pub fn cell_text(c: &Data, out: &mut String) -> bool {
    match c {
        Data::Empty => return false,
        Data::String(s) => out.push_str(s),
        Data::Float(f) => number_text(*f, out),
        Data::Int(i) => number_text(*i as f64, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, d, ..) = d.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
        Data::DateTime(d) => number_text(d.as_f64(), out),
        // ODS dates: `1990-08-15` or `1990-08-15T00:00:00`; the date part is enough.
        Data::DateTimeIso(s) => out.push_str(s.split_once('T').map_or(s.as_str(), |(date, _)| date)),
        Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
    !out.is_empty()
}

/// A number as text: whole numbers below 10^15 in full, larger ones in E-notation (digits
/// past Excel's 15 are gone, and that is what the validator should see), others as printed.
fn number_text(f: f64, out: &mut String) {
    let _ = if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        write!(out, "{}", f as i64)
    } else if f.is_finite() && f.fract() == 0.0 {
        write!(out, "{f:E}")
    } else {
        write!(out, "{f}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: Data) -> String {
        let mut s = String::new();
        cell_text(&c, &mut s);
        s
    }

    #[test]
    fn numbers_become_what_a_spreadsheet_made_of_them() {
        assert_eq!(text(Data::Float(3507011508900000.0)), "3.5070115089E15");
        assert_eq!(text(Data::Float(3507011508900001.0)), "3.507011508900001E15");
        assert_eq!(text(Data::Int(3507011508900001)), "3.507011508900001E15");
        assert_eq!(text(Data::Float(350701150890000.0)), "350701150890000");
        assert_eq!(text(Data::Float(2.0)), "2");
        assert_eq!(text(Data::Float(-1.5)), "-1.5");
        assert_eq!(text(Data::DateTimeIso("1990-08-15T00:00:00".into())), "1990-08-15");
        assert!(!cell_text(&Data::Empty, &mut String::new()));
    }

    #[test]
    fn dates_are_iso() {
        let d = calamine::ExcelDateTime::new(33100.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(d)), "1990-08-15");
        let d = calamine::ExcelDateTime::new(33100.0 - 1462.0, calamine::ExcelDateTimeType::DateTime, true);
        assert_eq!(text(Data::DateTime(d)), "1990-08-15");
    }
}
