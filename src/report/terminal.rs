//! The report for people: what was read (and how takar understood it, with the flag that
//! overrides each guess), how many records, NIKs, people and families, why numbers were
//! rejected, where the victims live, and how fast it went.
//!
//! Pure: `render` returns a `String`; printing is the caller's job. Colour is ANSI and only
//! when asked. Input paths and warnings are escaped before they reach a terminal (a file name
//! can carry escape sequences). The summary holds counts and codes only, so no NIK can appear.

use std::fmt::Write as _;

use super::labels::{Labels, Lang};
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
    render_lang(summary, regions, opts, Lang::En)
}

/// [`render`] with the labels of `lang` (`--lang`).
pub fn render_lang(summary: &Summary, regions: &RegionTable, opts: &TerminalOptions, lang: Lang) -> String {
    let l = lang.labels();
    let p = Paint(opts.color);
    let mut o = String::new();
    let total_bytes: u64 = summary.inputs.iter().map(|i| i.bytes).sum();
    let _ = writeln!(
        o,
        "{} {}",
        p.bold(&format!("takar {}", summary.takar_version)),
        p.dim(&format!(
            "- {} {}, {} {}, {} {}",
            summary.inputs.len(),
            if summary.inputs.len() == 1 { l.input_one } else { l.input_many },
            human_bytes(total_bytes),
            l.scanned,
            l.reference_date,
            clean(&summary.reference_date)
        ))
    );

    if summary.approximate.is_some() {
        let _ = writeln!(o, "{}", p.yellow(l.approximate_note));
    }
    inputs(&mut o, &p, l, &summary.inputs);
    skipped(&mut o, &p, summary);
    warnings(&mut o, &p, l, &summary.inputs);
    totals(&mut o, &p, l, summary);
    reasons(&mut o, &p, l, "NIK", &summary.nik);
    reasons(&mut o, &p, l, "KK", &summary.kk);
    consistency(&mut o, &p, l, summary);
    o.push_str(&super::verdict_text::render(summary, &|s| p.bold(s)));
    if opts.top > 0 {
        top(&mut o, &p, l, l.provinces, &region_rows(summary, regions, Level::Province), opts.top);
        top(&mut o, &p, l, l.regencies, &region_rows(summary, regions, Level::Regency), opts.top);
    }
    per_input(&mut o, &p, l, &summary.inputs);
    timing(&mut o, &p, l, summary, total_bytes);
    super::json::shown(o)
}

fn section(o: &mut String, p: &Paint, title: &str) {
    let _ = writeln!(o, "\n{}", p.bold(title));
}

fn inputs(o: &mut String, p: &Paint, l: &Labels, inputs: &[InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    section(o, p, l.inputs);
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
        let opt = |v: &Option<String>| v.as_deref().map(clean).unwrap_or_else(|| l.none.to_string());
        line(l.format, clean(&i.format), "--format");
        line(l.compression, clean(&i.compression), "");
        if let Some(d) = &i.delimiter {
            let shown = match d.as_str() {
                "\t" | "\\t" => format!("\\t ({})", l.tab),
                other => format!("\"{}\"", clean(other)),
            };
            line(l.delimiter, shown, "--delimiter");
        }
        line(l.header, if i.header { l.yes } else { l.no }.to_string(), if i.header { "--no-header" } else { "" });
        line(l.nik_column, opt(&i.nik_column), "--nik-column");
        line(l.kk_column, opt(&i.kk_column), "--kk-column");
        line(l.birth_date, opt(&i.birth_date_column), "");
        line(l.gender, opt(&i.gender_column), "");
    }
}

/// Warnings shown per input in the terminal; `summary.json` (and `--json`) has them all.
const WARNINGS_SHOWN: usize = 5;

fn warnings(o: &mut String, p: &Paint, l: &Labels, inputs: &[InputSummary]) {
    if inputs.iter().all(|i| i.warnings.is_empty()) {
        return;
    }
    section(o, p, l.warnings);
    for i in inputs {
        for w in i.warnings.iter().take(WARNINGS_SHOWN) {
            let _ = writeln!(o, "  {} {}: {}", p.yellow("!"), clean(&i.path), clean(w));
        }
        let hidden = i.warnings.len().saturating_sub(WARNINGS_SHOWN);
        if hidden > 0 {
            let _ = writeln!(o, "  {} {}: {hidden} {}", p.yellow("!"), clean(&i.path), l.more_warnings);
        }
    }
}

fn totals(o: &mut String, p: &Paint, l: &Labels, s: &Summary) {
    section(o, p, l.totals);
    let mut row = |label: &str, n: u64, note: String| {
        let note = if note.is_empty() { String::new() } else { format!("  {}", p.dim(&format!("{note:>6}"))) };
        let _ = writeln!(o, "  {label:<24} {:>15}{note}", thousands(n));
    };
    let recs = s.records;
    row(l.records, recs, String::new());
    let nik = &s.nik;
    row(l.nik_valid, nik.valid, percent(nik.valid, recs));
    row(l.nik_invalid, nik.invalid, percent(nik.invalid, recs));
    row(l.nik_missing, nik.missing, percent(nik.missing, recs));
    row(l.nik_placeholder, nik.placeholder, percent(nik.placeholder, recs));
    // Under --approximate the unique counts (and what is derived from them) are estimates.
    let est = if s.approximate.is_some() { format!(" ({})", l.estimate) } else { String::new() };
    row(l.nik_unique, nik.unique, est.trim_start().to_string());
    row(l.nik_duplicates, nik.duplicate_records, percent(nik.duplicate_records, nik.valid) + " " + l.of_valid + &est);
    let kk = &s.kk;
    row(l.kk_valid, kk.valid, percent(kk.valid, recs));
    row(l.kk_invalid, kk.invalid, percent(kk.invalid, recs));
    row(l.kk_missing, kk.missing, percent(kk.missing, recs));
    row(l.kk_unique, kk.unique, est.trim_start().to_string());
}

fn reasons(o: &mut String, p: &Paint, l: &Labels, what: &str, c: &ColumnSummary) {
    let invalid = c.invalid_reasons.invalid_total();
    if invalid == 0 {
        return;
    }
    section(o, p, &l.invalid_by_reason.replace("{what}", what));
    let _ =
        writeln!(o, "  {}", p.dim(&format!("{:<22} {:>15}  {:>7}  {:>9}", l.reason, l.count, l.invalid, l.records)));
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

fn consistency(o: &mut String, p: &Paint, l: &Labels, s: &Summary) {
    let Some(c) = &s.consistency else { return };
    section(o, p, l.consistency);
    let mut row = |label: &str, checked: u64, mismatch: u64| {
        let m = format!("{} {} ({})", thousands(mismatch), l.mismatch, percent(mismatch, checked));
        let m = if mismatch > 0 { p.red(&m) } else { m };
        let _ = writeln!(o, "  {label:<12} {:>15} {}  {m}", thousands(checked), l.checked);
    };
    row(l.birth_date, c.birth_date_checked, c.birth_date_mismatch);
    row(l.gender, c.gender_checked, c.gender_mismatch);
}

fn top(o: &mut String, p: &Paint, l: &Labels, what: &str, rows: &[RegionRow], n: usize) {
    let shown = rows.len().min(n);
    section(o, p, format!("{} {shown} {} {} {what} {}", l.top, l.of, rows.len(), l.by_unique_nik).trim_start());
    if rows.is_empty() {
        let _ = writeln!(o, "  {}", p.dim(l.no_valid_nik));
        return;
    }
    let name_w = rows[..shown].iter().map(|r| label(r, l).chars().count()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        o,
        "  {}",
        p.dim(&format!("{:<6} {:<name_w$}  {:>13}  {:>13}", l.code, l.name, l.unique_nik, l.records))
    );
    for r in &rows[..shown] {
        let _ = writeln!(
            o,
            "  {:<6} {:<name_w$}  {:>13}  {:>13}",
            r.code,
            label(r, l),
            thousands(r.unique_nik),
            thousands(r.records)
        );
    }
}

/// The name, with the province for regencies and the current code for historic codes.
fn label(r: &RegionRow, l: &Labels) -> String {
    let mut s = clean(&r.name);
    if r.level != Level::Province {
        s.push_str(&format!(", {}", clean(&r.province_name)));
    }
    if let Some(c) = &r.current_code {
        s.push_str(&format!(" ({} {c})", l.historic_now));
    }
    s
}

fn per_input(o: &mut String, p: &Paint, l: &Labels, inputs: &[InputSummary]) {
    if inputs.len() < 2 {
        return;
    }
    section(o, p, l.per_input);
    let path_w = inputs.iter().map(|i| clean(&i.path).chars().count()).max().unwrap_or(0).max(4);
    let _ = writeln!(
        o,
        "  {}",
        p.dim(&format!("{:<path_w$}  {:>15}  {:>15}  {:>15}", l.path, l.records, l.valid_nik, l.new_unique))
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

fn timing(o: &mut String, p: &Paint, l: &Labels, s: &Summary, total_bytes: u64) {
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
    o.push('\n');
    if let Some(m) = &s.memory {
        let mut line = format!("{} {} {}, {} {}", p.bold(l.memory), l.budget, human_bytes(m.max_memory_bytes), l.keys_peak, human_bytes(m.peak_key_bytes));
        if m.spill_runs > 0 {
            line += &format!("; {} {} ({} {})", human_bytes(m.spilled_bytes), l.spilled, m.spill_runs, l.runs);
        }
        let _ = writeln!(o, "{line}");
    }
    // The time stays the last line: what a reader's eye and a script's `tail -1` look for.
    let _ = writeln!(o, "{} {elapsed}, {gbps:.prec$} GB/s", p.bold(l.elapsed));
}

/// Files and members a collection left out: not counted anywhere above.
fn skipped(o: &mut String, p: &Paint, summary: &Summary) {
    if summary.skipped.is_empty() {
        return;
    }
    let n = summary.skipped.len();
    section(o, p, &format!("Skipped: {n} file{} not read as dumps (not counted; --strict makes this an error)", if n == 1 { "" } else { "s" }));
    for s in &summary.skipped {
        let _ = writeln!(o, "  {} {}: {}", p.yellow("-"), clean(&s.path), clean(&s.reason));
    }
    if summary.skipped.iter().any(|s| s.reason.starts_with("corrupt") || s.reason.starts_with("could not be read")) {
        let _ = writeln!(o, "  {}", p.red("part of the input could not be read: the counts above leave it out"));
    }
}
