//! The report for people: what was read (and how takar understood it, with the flag that
//! overrides each guess), how many records, NIKs, people and families, why numbers were
//! rejected, where the victims live, and how fast it went.
//!
//! Pure: `render` returns a `String`; printing is the caller's job. Colour is ANSI and only
//! when asked. Input paths and warnings are escaped before they reach a terminal (a file name
//! can carry escape sequences). The summary holds counts and codes only, so no NIK can appear.

use std::fmt::Write as _;

use super::regions::{region_rows, Level, RegionRow};
use crate::nik::{Reason, RegionTable};
use crate::report::summary::{ColumnSummary, InputSummary, Summary};

/// How to render the terminal report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Rows in each of the top-provinces and top-regencies tables (0 leaves them out).
    pub top: usize,
    /// Use ANSI colour and bold.
    pub color: bool,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions { top: 10, color: false }
    }
}

/// `3165815` -> `3,165,815`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `whole`, one decimal (`12.3%`), or `-` when `whole` is zero.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Decimal units, to match GB/s: `1.23 GB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut x = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if x < 1000.0 {
            break;
        }
        x /= 1000.0;
        unit = u;
    }
    format!("{x:.2} {unit}")
}

/// Control characters (escape sequences, newlines) shown escaped, everything else as is.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
}

/// The whole terminal report, ending with a newline.
pub fn render(summary: &Summary, regions: &RegionTable, opts: &TerminalOptions) -> String {
    let p = Paint(opts.color);
    let mut o = String::new();
    let total_bytes: u64 = summary.inputs.iter().map(|i| i.bytes).sum();
    let _ = writeln!(
        o,
        "{} {}",
        p.bold(&format!("takar {}", summary.takar_version)),
        p.dim(&format!(
            "- {} input{}, {} scanned, reference date {}",
            summary.inputs.len(),
            if summary.inputs.len() == 1 { "" } else { "s" },
            human_bytes(total_bytes),
            clean(&summary.reference_date)
        ))
    );

    inputs(&mut o, &p, &summary.inputs);
    warnings(&mut o, &p, &summary.inputs);
    totals(&mut o, &p, summary);
    reasons(&mut o, &p, "NIK", &summary.nik);
    reasons(&mut o, &p, "KK", &summary.kk);
    consistency(&mut o, &p, summary);
    if opts.top > 0 {
        top(&mut o, &p, "provinces", &region_rows(summary, regions, Level::Province), opts.top);
        top(&mut o, &p, "regencies/cities", &region_rows(summary, regions, Level::Regency), opts.top);
    }
    per_input(&mut o, &p, &summary.inputs);
    timing(&mut o, &p, summary, total_bytes);
    super::json::shown(o)
}

fn section(o: &mut String, p: &Paint, title: &str) {
    let _ = writeln!(o, "\n{}", p.bold(title));
}

fn inputs(o: &mut String, p: &Paint, inputs: &[InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    section(o, p, "Inputs");
    for i in inputs {
        let _ = writeln!(
            o,
            "  {}  {}",
            clean(&i.path),
            p.dim(&format!("{} ({} bytes)", human_bytes(i.bytes), thousands(i.bytes)))
        );
        let mut line = |label: &str, value: String, flag: &str| {
            let hint = if flag.is_empty() { String::new() } else { format!("  {}", p.dim(flag)) };
            let _ = writeln!(o, "{}", format!("    {label:<12} {value:<20}{hint}").trim_end());
        };
        let opt = |v: &Option<String>| v.as_deref().map(clean).unwrap_or_else(|| "none".to_string());
        line("format", clean(&i.format), "--format");
        line("compression", clean(&i.compression), "");
        if let Some(d) = &i.delimiter {
            let shown = match d.as_str() {
                "\t" | "\\t" => "\\t (tab)".to_string(),
                other => format!("\"{}\"", clean(other)),
            };
            line("delimiter", shown, "--delimiter");
        }
        line("header", if i.header { "yes" } else { "no" }.to_string(), if i.header { "--no-header" } else { "" });
        line("NIK column", opt(&i.nik_column), "--nik-column");
        line("KK column", opt(&i.kk_column), "--kk-column");
        line("birth date", opt(&i.birth_date_column), "");
        line("gender", opt(&i.gender_column), "");
    }
}

/// Warnings shown per input in the terminal; `summary.json` (and `--json`) has them all.
const WARNINGS_SHOWN: usize = 5;

fn warnings(o: &mut String, p: &Paint, inputs: &[InputSummary]) {
    if inputs.iter().all(|i| i.warnings.is_empty()) {
        return;
    }
    section(o, p, "Warnings");
    for i in inputs {
        for w in i.warnings.iter().take(WARNINGS_SHOWN) {
            let _ = writeln!(o, "  {} {}: {}", p.yellow("!"), clean(&i.path), clean(w));
        }
        let hidden = i.warnings.len().saturating_sub(WARNINGS_SHOWN);
        if hidden > 0 {
            let _ = writeln!(o, "  {} {}: {hidden} more lines of warnings in summary.json (--out) or --json", p.yellow("!"), clean(&i.path));
        }
    }
}

fn totals(o: &mut String, p: &Paint, s: &Summary) {
    section(o, p, "Totals (percentages of records)");
    let mut row = |label: &str, n: u64, note: String| {
        let note = if note.is_empty() { String::new() } else { format!("  {}", p.dim(&format!("{note:>6}"))) };
        let _ = writeln!(o, "  {label:<24} {:>15}{note}", thousands(n));
    };
    let recs = s.records;
    row("records", recs, String::new());
    let nik = &s.nik;
    row("NIK valid", nik.valid, percent(nik.valid, recs));
    row("NIK invalid", nik.invalid, percent(nik.invalid, recs));
    row("NIK missing", nik.missing, percent(nik.missing, recs));
    row("NIK placeholder", nik.placeholder, percent(nik.placeholder, recs));
    row("NIK unique (people)", nik.unique, String::new());
    row("NIK duplicate records", nik.duplicate_records, percent(nik.duplicate_records, nik.valid) + " of valid");
    let kk = &s.kk;
    row("KK valid", kk.valid, percent(kk.valid, recs));
    row("KK invalid", kk.invalid, percent(kk.invalid, recs));
    row("KK missing", kk.missing, percent(kk.missing, recs));
    row("KK unique (families)", kk.unique, String::new());
}

fn reasons(o: &mut String, p: &Paint, what: &str, c: &ColumnSummary) {
    let invalid = c.invalid_reasons.invalid_total();
    if invalid == 0 {
        return;
    }
    section(o, p, &format!("Invalid {what} by reason"));
    let _ =
        writeln!(o, "  {}", p.dim(&format!("{:<22} {:>15}  {:>7}  {:>9}", "reason", "count", "invalid", "records")));
    for r in Reason::ALL.iter().filter(|r| **r != Reason::Placeholder) {
        let n = c.invalid_reasons.get(*r);
        if n == 0 {
            continue;
        }
        let _ = writeln!(
            o,
            "  {:<22} {:>15}  {:>7}  {:>9}",
            r.as_str(),
            thousands(n),
            percent(n, invalid),
            percent(n, c.valid + c.invalid + c.missing + c.placeholder)
        );
    }
}

fn consistency(o: &mut String, p: &Paint, s: &Summary) {
    let Some(c) = &s.consistency else { return };
    section(o, p, "Consistency (NIK against other columns)");
    let mut row = |label: &str, checked: u64, mismatch: u64| {
        let m = format!("{} mismatch ({})", thousands(mismatch), percent(mismatch, checked));
        let m = if mismatch > 0 { p.red(&m) } else { m };
        let _ = writeln!(o, "  {label:<12} {:>15} checked  {m}", thousands(checked));
    };
    row("birth date", c.birth_date_checked, c.birth_date_mismatch);
    row("gender", c.gender_checked, c.gender_mismatch);
}

fn top(o: &mut String, p: &Paint, what: &str, rows: &[RegionRow], n: usize) {
    let shown = rows.len().min(n);
    section(o, p, &format!("Top {shown} of {} {what} by unique NIK", rows.len()));
    if rows.is_empty() {
        let _ = writeln!(o, "  {}", p.dim("(no valid NIK)"));
        return;
    }
    let name_w = rows[..shown].iter().map(|r| label(r).chars().count()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        o,
        "  {}",
        p.dim(&format!("{:<6} {:<name_w$}  {:>13}  {:>13}", "code", "name", "unique NIK", "records"))
    );
    for r in &rows[..shown] {
        let _ = writeln!(
            o,
            "  {:<6} {:<name_w$}  {:>13}  {:>13}",
            r.code,
            label(r),
            thousands(r.unique_nik),
            thousands(r.records)
        );
    }
}

/// The name, with the province for regencies and the current code for historic codes.
fn label(r: &RegionRow) -> String {
    let mut s = clean(&r.name);
    if r.level != Level::Province {
        s.push_str(&format!(", {}", clean(&r.province_name)));
    }
    if let Some(c) = &r.current_code {
        s.push_str(&format!(" (historic, now {c})"));
    }
    s
}

fn per_input(o: &mut String, p: &Paint, inputs: &[InputSummary]) {
    if inputs.len() < 2 {
        return;
    }
    section(o, p, "Per input");
    let path_w = inputs.iter().map(|i| clean(&i.path).chars().count()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        o,
        "  {}",
        p.dim(&format!("{:<path_w$}  {:>15}  {:>15}  {:>15}", "path", "records", "valid NIK", "new unique"))
    );
    for i in inputs {
        let _ = writeln!(
            o,
            "  {:<path_w$}  {:>15}  {:>15}  {:>15}",
            clean(&i.path),
            thousands(i.records),
            thousands(i.nik_valid),
            thousands(i.nik_new_unique)
        );
    }
}

fn timing(o: &mut String, p: &Paint, s: &Summary, total_bytes: u64) {
    let rate = if s.bytes_per_s.is_finite() && s.bytes_per_s > 0.0 {
        s.bytes_per_s
    } else if s.elapsed_s > 0.0 {
        total_bytes as f64 / s.elapsed_s
    } else {
        0.0
    };
    let elapsed = if s.elapsed_s >= 60.0 {
        format!("{} min {:.1} s", (s.elapsed_s / 60.0).floor() as u64, s.elapsed_s % 60.0)
    } else {
        format!("{:.2} s", s.elapsed_s)
    };
    // Two decimals hide a slow run (0.03 GB/s); below 1 GB/s show three.
    let gbps = rate / 1e9;
    let prec = if gbps < 1.0 { 3 } else { 2 };
    let _ = writeln!(o, "\n{} {elapsed}, {gbps:.prec$} GB/s", p.bold("Elapsed"));
}
