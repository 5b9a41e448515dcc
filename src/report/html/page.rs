//! `report.html`: one page, no network. Inline CSS, the SVG map, and a little inline JavaScript
//! (sort the regency table, show all of its rows, switch map layers); a Content-Security-Policy
//! forbids every load from elsewhere, so the page opens the same from a USB stick offline.
//!
//! Sections (their ids are stable, for tests and for people who link to them): `totals`,
//! `verdict`, `claim`, `source` (when `summary.json` has them), `map-section`, `regencies`,
//! `invalid`, `inputs`, `skipped`, `consistency` (when present), `other` (any key of
//! `summary.json` this page does not know yet, shown as a plain list, so later features are
//! never silently dropped) and `about` (version, reference date, command, map credits).
//!
//! Every figure is written with thousands separators or a few decimals, and every text from
//! the summary is escaped; the staged writer's 16-digit guard checks the page as written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::Value;

use super::data::{RegencyFigures, ReportData};
use super::map::{self, escape, Geometry, Legend, MapContent, RegencyPaint};
use super::scale::{Scale, COUNT_COLOURS, EMPTY, SHARE_BREAKS, SHARE_COLOURS};
use super::topo::Topology;
use crate::nik::{Reason, RegionTable};
use crate::report::labels::{Labels, Lang};

/// The attribution the boundary data's licence (CC BY 3.0 IGO) asks for, verbatim from the
/// data's SOURCES.md.
pub const MAP_ATTRIBUTION: &str = "Administrative boundaries: BPS \u{2013} Statistics Indonesia, WFP and OCHA ROAP (2020), \
via HDX (COD-AB Indonesia) and geoBoundaries (Runfola et al. 2020, PLoS ONE 15(4): e0231866), CC BY 3.0 IGO. \
Simplified, lakes removed, regions keyed to Kemendagri codes and provinces re-grouped to the 2025 list by takar.";

/// Top-level keys of `summary.json` that have a section of their own, or none on purpose:
/// timings and `memory` describe the run and the machine, not the dump, and would make the
/// page differ between two machines scanning the same dump.
const KNOWN_KEYS: [&str; 15] = [
    "takar_version",
    "reference_date",
    "inputs",
    "records",
    "nik",
    "kk",
    "consistency",
    "elapsed_s",
    "bytes_per_s",
    "memory",
    "approximate",
    "verdict",
    "claim",
    "source",
    "skipped",
];

/// Regency rows shown before "show all".
const TABLE_ROWS: usize = 20;
/// Caps that keep the page small (under 2 MB) for a dump of thousands of inputs or files:
/// inputs described, warnings per input, bars, skipped files, items of a list of unknown use.
/// `summary.json` has everything; the page says how many more there are.
const INPUTS_SHOWN: usize = 40;
const WARNINGS_SHOWN: usize = 5;
const BARS_SHOWN: usize = 40;
const SKIPPED_SHOWN: usize = 200;
const ITEMS_SHOWN: usize = 100;

/// The boundaries, decoded and simplified once per process.
fn geometry() -> &'static Geometry {
    static GEO: OnceLock<Geometry> = OnceLock::new();
    GEO.get_or_init(|| Geometry::new(Topology::embedded()))
}

/// One regency of the map (a current code) with everything that was counted under it,
/// historic codes included.
struct MapRegency {
    unique: u64,
    records: u64,
    population: Option<u64>,
    coverage: Option<f64>,
    /// Historic codes counted here (`9101 Kabupaten Merauke`).
    historic: Vec<String>,
}

/// The current code a row is drawn under: its successor chain followed to the end.
fn current_code(row: &RegencyFigures, regions: &RegionTable) -> String {
    let mut code: u32 = row.current_code.as_deref().unwrap_or(&row.code).parse().unwrap_or(0);
    for _ in 0..8 {
        match regions.regency(code).map(|id| regions.regency_info(id)) {
            Some(r) if !r.is_current() && r.successor.is_some() => code = r.successor.unwrap_or(code),
            _ => break,
        }
    }
    format!("{code:04}")
}

fn map_regencies(data: &ReportData) -> BTreeMap<String, MapRegency> {
    let regions = RegionTable::embedded();
    let mut out: BTreeMap<String, MapRegency> = BTreeMap::new();
    for row in &data.regencies {
        let code = current_code(row, regions);
        let m = out.entry(code.clone()).or_insert(MapRegency { unique: 0, records: 0, population: None, coverage: None, historic: Vec::new() });
        m.unique += row.unique_nik;
        m.records += row.records;
        if row.population.is_some() && (code == row.code || m.population.is_none()) {
            m.population = row.population;
        }
        if code == row.code {
            m.coverage = row.coverage;
        } else {
            m.historic.push(format!("{} {}", row.code, row.name));
        }
    }
    for m in out.values_mut() {
        // Historic codes count toward their successor: the share is recomputed over the sum.
        if let Some(p) = m.population.filter(|p| *p > 0) {
            m.coverage = Some(m.unique as f64 / p as f64);
        }
    }
    out
}

/// Whether the data has a coverage layer.
fn has_coverage(data: &ReportData) -> bool {
    data.regencies.iter().any(|r| r.coverage.is_some() || r.population.is_some())
}

/// The map's content: fills per layer, tooltips, legends.
fn map_content(data: &ReportData, lang: Lang) -> (Vec<RegencyPaint>, Vec<Legend>) {
    let l = lang.labels();
    let regions = RegionTable::embedded();
    let figures = map_regencies(data);
    let uniques: Vec<u64> = figures.values().map(|m| m.unique).collect();
    let scale = Scale::quantiles(&uniques, COUNT_COLOURS.len());
    let coverage = has_coverage(data);
    let shares = Scale::shares();
    let mut paints = Vec::new();
    for shape in &geometry().topology().regencies {
        let province = shape.code[..2].parse().ok().and_then(|p| regions.province(p)).map(|p| regions.province_info(p).name.clone()).unwrap_or_default();
        let m = figures.get(&shape.code);
        let (unique, records) = m.map_or((0, 0), |m| (m.unique, m.records));
        let mut title = format!(
            "{}, {}\n{}: {}\n{}: {}",
            shape.name,
            province,
            l.legend_unique,
            lang.thousands(unique),
            l.records,
            lang.thousands(records)
        );
        let mut fills = vec![if unique > 0 { COUNT_COLOURS[scale.class(unique as f64).min(COUNT_COLOURS.len() - 1)] } else { EMPTY }];
        if coverage {
            let share = m.and_then(|m| m.coverage);
            if let Some(c) = share {
                let _ = write!(title, "\n{}: {}", l.coverage, lang.percent(c, 1.0));
            }
            fills.push(match share {
                Some(c) if unique > 0 => SHARE_COLOURS[shares.class(c).min(SHARE_COLOURS.len() - 1)],
                _ => EMPTY,
            });
        }
        if let Some(m) = m {
            for h in &m.historic {
                let _ = write!(title, "\n+ {h} ({})", l.historic_now.split(',').next().unwrap_or(""));
            }
        }
        paints.push(RegencyPaint { code: shape.code.clone(), title, fills });
    }

    let mut legends = Vec::new();
    let mut items: Vec<(&'static str, String)> = Vec::new();
    let nonzero: Vec<u64> = uniques.iter().copied().filter(|u| *u > 0).collect();
    if let (Some(&lo), Some(&hi)) = (nonzero.iter().min(), nonzero.iter().max()) {
        let b: Vec<u64> = scale.breaks.iter().map(|b| *b as u64).collect();
        for class in 0..scale.classes() {
            let from = if class == 0 { lo } else { b[class - 1] };
            let to = if class == b.len() { hi } else { b[class] - 1 };
            let label = if from == to { lang.thousands(from) } else { format!("{} \u{2013} {}", lang.thousands(from), lang.thousands(to)) };
            items.push((COUNT_COLOURS[class], label));
        }
    }
    items.push((EMPTY, l.nobody.to_string()));
    legends.push(Legend { title: l.legend_unique.to_string(), items });
    if coverage {
        let pct = |x: f64| lang.percent(x, 1.0).replace(",0%", "%").replace(".0%", "%");
        let mut items = Vec::new();
        for class in 0..shares.classes() {
            let label = if class == 0 {
                format!("< {}", pct(SHARE_BREAKS[0]))
            } else if class == SHARE_BREAKS.len() {
                format!("\u{2265} {}", pct(SHARE_BREAKS[class - 1]))
            } else {
                format!("{} \u{2013} {}", pct(SHARE_BREAKS[class - 1]), pct(SHARE_BREAKS[class]))
            };
            items.push((SHARE_COLOURS[class], label));
        }
        items.push((EMPTY, l.nobody.to_string()));
        legends.push(Legend { title: l.legend_coverage.to_string(), items });
    }
    (paints, legends)
}

/// `map.svg`: the map alone, to drop into an article or a slide.
pub fn render_map_svg(data: &ReportData, lang: Lang) -> String {
    let (paints, legends) = map_content(data, lang);
    let l = lang.labels();
    let svg = map::render(
        geometry(),
        &MapContent { regencies: &paints, legends: &legends, inset_label: l.inset, empty_fill: EMPTY, label: l.map_title },
    );
    let credit = format!("<!-- {}: {} -->\n", l.map_data, escape(MAP_ATTRIBUTION));
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{credit}{svg}")
}

// ------------------------------------------------------------------- small helpers

fn u(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A JSON value as text for people: counts with separators, fractions with up to four
/// decimals, strings escaped.
fn value_text(v: &Value, lang: Lang) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Bool(b) => if *b { lang.labels().yes } else { lang.labels().no }.into(),
        Value::Number(n) => match n.as_u64() {
            Some(x) => lang.thousands(x),
            None => {
                let x = n.as_f64().unwrap_or(0.0);
                let t = lang.decimal(x, 4);
                let t = t.trim_end_matches('0');
                t.trim_end_matches(['.', ',']).to_string()
            }
        },
        Value::String(s) => escape(s),
        Value::Array(a) => a.iter().map(|x| value_text(x, lang)).collect::<Vec<_>>().join(", "),
        Value::Object(_) => escape(&v.to_string()),
    }
}

/// Any JSON value as nested lists (for sections this page does not know).
fn generic(o: &mut String, v: &Value, lang: Lang, depth: usize) {
    match v {
        Value::Object(m) if depth < 6 => {
            o.push_str("<dl class=\"kv\">");
            for (k, x) in m {
                let _ = write!(o, "<dt>{}</dt><dd>", escape(k));
                generic(o, x, lang, depth + 1);
                o.push_str("</dd>");
            }
            o.push_str("</dl>");
        }
        Value::Array(a) if depth < 6 && a.iter().any(|x| x.is_object() || x.is_array()) => {
            o.push_str("<ol class=\"plain\">");
            for x in a.iter().take(ITEMS_SHOWN) {
                o.push_str("<li>");
                generic(o, x, lang, depth + 1);
                o.push_str("</li>");
            }
            o.push_str("</ol>");
            more(o, a.len(), ITEMS_SHOWN, lang);
        }
        other => o.push_str(&value_text(other, lang)),
    }
}

/// "... and N more (summary.json has them all)" when `total` is over `shown`.
fn more(o: &mut String, total: usize, shown: usize, lang: Lang) {
    if total > shown {
        let _ = write!(o, "<p class=\"dim\">+ {} (summary.json)</p>", lang.thousands((total - shown) as u64));
    }
}

/// A horizontal bar chart: (label, value) rows, bars relative to the largest.
fn bars(o: &mut String, rows: &[(String, u64)], lang: Lang, of: u64) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    o.push_str("<table class=\"bars\">");
    for (label, n) in rows.iter().take(BARS_SHOWN) {
        let w = (*n as f64 * 100.0 / max as f64).max(if *n > 0 { 0.5 } else { 0.0 });
        let _ = write!(
            o,
            "<tr><th>{label}</th><td class=\"num\">{}</td><td class=\"num dim\">{}</td><td class=\"bar\"><span style=\"width:{w:.1}%\"></span></td></tr>",
            lang.thousands(*n),
            lang.percent(*n as f64, of as f64)
        );
    }
    o.push_str("</table>");
    more(o, rows.len(), BARS_SHOWN, lang);
}

fn figure(o: &mut String, value: &str, label: &str, note: &str) {
    let _ = write!(o, "<div class=\"fig\"><div class=\"v\">{value}</div><div class=\"l\">{label}</div>");
    if !note.is_empty() {
        let _ = write!(o, "<div class=\"n\">{note}</div>");
    }
    o.push_str("</div>");
}

/// A shell-like rendering of the command that made the outputs, from the manifest.
fn command(manifest: &Value) -> String {
    let quote = |s: &str| {
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-=:+,@".contains(c)) {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut c = String::from("takar scan");
    let opts = manifest.get("options").cloned().unwrap_or(Value::Null);
    let format = s(&opts, "format");
    if !format.is_empty() && format != "auto" {
        let _ = write!(c, " --format {}", quote(format));
    }
    if let Some(d) = opts.get("delimiter").and_then(Value::as_str) {
        let _ = write!(c, " --delimiter {}", if d == "\\t" { "tab".to_string() } else { quote(d) });
    }
    if opts.get("no_header").and_then(Value::as_bool) == Some(true) {
        c.push_str(" --no-header");
    }
    for col in opts.get("columns").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        let _ = write!(c, " --column {}", quote(col));
    }
    let date = s(&opts, "reference_date");
    if !date.is_empty() {
        let _ = write!(c, " --reference-date {}", quote(date));
    }
    for input in manifest.get("inputs").and_then(Value::as_array).into_iter().flatten() {
        let _ = write!(c, " {}", quote(s(input, "path")));
    }
    c.push_str(" --out DIR");
    c
}

// ------------------------------------------------------------------- the page

const CSS: &str = "\
:root{--ink:#1d1d1f;--dim:#6b6b70;--line:#e3e3e6;--accent:#b10026;--bg:#fff}\
*{box-sizing:border-box}\
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--ink);background:var(--bg)}\
main{max-width:1120px;margin:0 auto;padding:24px 20px 40px}\
h1{font-size:28px;margin:0 0 4px}h2{font-size:19px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}\
section{margin:26px 0;padding-top:6px;border-top:1px solid var(--line)}\
.sub{color:var(--dim);margin:0}.dim{color:var(--dim)}\
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px}\
.fig{background:#f7f7f8;border-radius:8px;padding:12px 14px}\
.fig .v{font-size:27px;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.15}\
.fig .l{color:var(--dim);font-size:13px}.fig .n{font-size:12px;color:var(--dim)}\
.fig.main .v{color:var(--accent)}\
table{border-collapse:collapse;font-variant-numeric:tabular-nums}\
td,th{padding:3px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}\
th{font-weight:600}.num{text-align:right;white-space:nowrap}\
table.sort th{cursor:pointer;user-select:none;white-space:nowrap}\
table.sort th:after{content:' \\2195';color:#bbb;font-size:11px}\
tr.more{display:none}table.all tr.more{display:table-row}\
table.bars{width:100%;max-width:760px}table.bars th{font-weight:normal;width:38%}\
td.bar{width:45%}td.bar span{display:block;height:12px;background:#fd8d3c;border-radius:2px}\
#map{width:100%;height:auto;display:block}\
.layers label{margin-right:16px;cursor:pointer}\
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:10px 28px}\
dl.kv{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dl.kv dt{color:var(--dim)}dl.kv dd{margin:0}\
ol.plain{margin:0;padding-left:20px}\
.estimate{color:#b35900;font-weight:600}.verdict{font-size:24px;font-weight:700}.verdict.consistent{color:#2a7a2a}.verdict.suspicious{color:#b35900}.verdict.likely_fabricated{color:var(--accent)}\
.warn{color:#8a5a00}code{font-size:13px;background:#f3f3f5;padding:1px 4px;border-radius:3px;word-break:break-all}\
footer{font-size:13px;color:var(--dim)}button{font:inherit;cursor:pointer;margin-top:6px}\
@media print{section{break-inside:avoid}.layers,button{display:none}}";

/// Sorts a table by a clicked heading (numbers by their `data-v`), shows all rows, switches map
/// layers. No network, no eval.
const JS: &str = "\
document.querySelectorAll('table.sort').forEach(function(t){\
t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){\
var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),dir=th.dataset.dir==='d'?1:-1;th.dataset.dir=dir<0?'d':'a';\
rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i],p=a.dataset.v,q=c.dataset.v;\
if(p!==undefined&&q!==undefined){return dir*(parseFloat(p)-parseFloat(q));}return dir*a.textContent.localeCompare(c.textContent);});\
rows.forEach(function(r,k){r.classList.toggle('more',k>=20);b.appendChild(r);});});});});\
document.querySelectorAll('button.all').forEach(function(btn){btn.addEventListener('click',function(){\
document.getElementById(btn.dataset.table).classList.add('all');btn.remove();});});\
document.querySelectorAll('input[name=layer]').forEach(function(r){r.addEventListener('change',function(){\
var n=r.value;document.querySelectorAll('#map [data-code]').forEach(function(p){p.setAttribute('fill',p.getAttribute('data-f'+n));});\
document.querySelectorAll('#map .legend').forEach(function(g){g.setAttribute('display',g.dataset.layer===n?'inline':'none');});});});\
document.documentElement.dataset.ready='1';";

/// The Content-Security-Policy: nothing may be loaded from anywhere; inline style and script
/// only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// `report.html`.
pub fn render_page(data: &ReportData, lang: Lang) -> String {
    let l = lang.labels();
    let sm = &data.summary;
    let mut o = String::with_capacity(600 << 10);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"takar {}\">\n<title>{} \u{2013} takar</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        lang.as_str(),
        escape(s(sm, "takar_version")),
        escape(l.title)
    );
    header(&mut o, sm, lang, l);
    if sm.get("approximate").is_some_and(Value::is_object) {
        let _ = writeln!(o, "<p class=\"estimate\" id=\"approximate\">{}</p>", escape(l.approximate_note));
    }
    totals(&mut o, sm, lang, l);
    if let Some(v) = sm.get("verdict") {
        verdict(&mut o, v, lang, l);
    }
    for (key, title) in [("claim", l.claim), ("source", l.source)] {
        if let Some(v) = sm.get(key) {
            let _ = write!(o, "<section id=\"{key}\"><h2>{}</h2>", escape(title));
            generic(&mut o, v, lang, 0);
            o.push_str("</section>\n");
        }
    }
    map_section(&mut o, data, lang, l);
    regency_table(&mut o, data, lang, l);
    invalid(&mut o, sm, lang, l);
    inputs(&mut o, sm, lang, l);
    if let Some(v) = sm.get("skipped").filter(|v| v.as_array().is_some_and(|a| !a.is_empty())) {
        skipped(&mut o, v, lang, l);
    }
    if let Some(c) = sm.get("consistency") {
        consistency(&mut o, c, lang, l);
    }
    let other: Vec<(&String, &Value)> = sm.as_object().into_iter().flatten().filter(|(k, _)| !KNOWN_KEYS.contains(&k.as_str())).collect();
    if !other.is_empty() {
        let _ = write!(o, "<section id=\"other\"><h2>{}</h2><dl class=\"kv\">", escape(l.other_figures));
        for (k, v) in other {
            let _ = write!(o, "<dt>{}</dt><dd>", escape(k));
            generic(&mut o, v, lang, 1);
            o.push_str("</dd>");
        }
        o.push_str("</dl></section>\n");
    }
    about(&mut o, data, lang, l);
    let _ = write!(o, "</main>\n<script>{JS}</script>\n</body>\n</html>\n");
    o
}

fn header(o: &mut String, sm: &Value, lang: Lang, l: &Labels) {
    let n = sm.get("inputs").and_then(Value::as_array).map_or(0, Vec::len);
    let bytes: u64 = sm.get("inputs").and_then(Value::as_array).into_iter().flatten().map(|i| u(i, "bytes")).sum();
    let _ = writeln!(
        o,
        "<header><h1>{}</h1><p class=\"sub\">{}</p><p class=\"sub\">{} {}, {} {} \u{b7} {} {} \u{b7} takar {}</p></header>",
        escape(l.title),
        escape(l.subtitle),
        n,
        if n == 1 { l.input_one } else { l.input_many },
        crate::report::terminal::human_bytes(bytes),
        l.scanned,
        l.reference_date,
        escape(s(sm, "reference_date")),
        escape(s(sm, "takar_version")),
    );
    let _ = lang;
}

fn totals(o: &mut String, sm: &Value, lang: Lang, l: &Labels) {
    let records = u(sm, "records");
    let nik = sm.get("nik").cloned().unwrap_or(Value::Null);
    let kk = sm.get("kk").cloned().unwrap_or(Value::Null);
    let t = |n: u64| lang.thousands(n);
    o.push_str("<section id=\"totals\"><div class=\"figs\">");
    let _ = write!(o, "<div class=\"fig main\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>", t(u(&nik, "unique")), escape(l.people));
    figure(o, &t(records), l.records, "");
    figure(o, &t(u(&nik, "valid")), l.nik_valid, &lang.percent(u(&nik, "valid") as f64, records as f64));
    figure(o, &t(u(&kk, "unique")), l.families, "");
    figure(o, &t(u(&nik, "duplicate_records")), l.duplicates, &format!("{} {}", lang.percent(u(&nik, "duplicate_records") as f64, u(&nik, "valid") as f64), l.of_valid));
    figure(o, &t(u(&nik, "invalid")), l.invalid_nik, &lang.percent(u(&nik, "invalid") as f64, records as f64));
    figure(o, &t(u(&nik, "missing")), l.nik_missing, "");
    figure(o, &t(u(&nik, "placeholder")), l.nik_placeholder, "");
    o.push_str("</div></section>\n");
}

fn verdict(o: &mut String, v: &Value, lang: Lang, l: &Labels) {
    let label = s(v, "label");
    let _ = write!(o, "<section id=\"verdict\"><h2>{}</h2><div class=\"verdict {1}\">{2}</div>", escape(l.verdict), escape(&label), escape(&label.replace('_', " ")));
    if let Some(signals) = v.get("signals").and_then(Value::as_array).filter(|a| !a.is_empty()) {
        let _ = write!(o, "<h3>{}</h3>", escape(l.signals));
        signal_table(o, signals, lang, l);
    }
    // Every judged check, tripped or not, folded away: the signals above are what matters.
    if let Some(checks) = v.get("checks").and_then(Value::as_array).filter(|a| !a.is_empty()) {
        let _ = write!(o, "<details><summary>{} ({})</summary>", escape(l.all_checks), checks.len());
        signal_table(o, checks, lang, l);
        o.push_str("</details>");
    }
    let rest: serde_json::Map<String, Value> = v
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !matches!(k.as_str(), "label" | "signals" | "checks"))
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    if !rest.is_empty() {
        generic(o, &Value::Object(rest), lang, 1);
    }
    o.push_str("</section>\n");
}

/// One row per signal: name, value, the range a real register shows, weight, regions.
fn signal_table(o: &mut String, signals: &[Value], lang: Lang, l: &Labels) {
    let _ = write!(
        o,
        "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        escape(l.name),
        escape(l.value),
        escape(l.expected),
        escape(l.weight),
        escape(l.regencies)
    );
    for sig in signals {
        let regions = sig.get("regions").map_or(String::new(), |r| value_text(r, lang));
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&s(sig, "name").replace('_', " ")),
            sig.get("value").map_or(String::new(), |x| value_text(x, lang)),
            sig.get("expected").map_or(String::new(), |x| expected_text(x, lang)),
            sig.get("weight").map_or(String::new(), |x| value_text(x, lang)),
            regions
        );
    }
    o.push_str("</tbody></table>");
}

/// `{min, max}` as a range ("0.4 – 0.6", "≤ 0.05", "≥ 1.2"); anything else as it is.
fn expected_text(x: &Value, lang: Lang) -> String {
    let bound = |k: &str| x.get(k).filter(|b| !b.is_null()).map(|b| value_text(b, lang));
    match (bound("min"), bound("max")) {
        (Some(lo), Some(hi)) => format!("{lo} – {hi}"),
        (None, Some(hi)) => format!("≤ {hi}"),
        (Some(lo), None) => format!("≥ {lo}"),
        (None, None) => value_text(x, lang),
    }
}

fn map_section(o: &mut String, data: &ReportData, lang: Lang, l: &Labels) {
    let (paints, legends) = map_content(data, lang);
    let _ = write!(o, "<section id=\"map-section\"><h2>{}</h2>", escape(l.map_title));
    if legends.len() > 1 {
        let _ = write!(
            o,
            "<div class=\"layers\"><label><input type=\"radio\" name=\"layer\" value=\"0\" checked> {}</label><label><input type=\"radio\" name=\"layer\" value=\"1\"> {}</label></div>",
            escape(l.layer_unique),
            escape(l.layer_coverage)
        );
    }
    o.push_str(&map::render(
        geometry(),
        &MapContent { regencies: &paints, legends: &legends, inset_label: l.inset, empty_fill: EMPTY, label: l.map_title },
    ));
    let _ = writeln!(o, "<p class=\"dim\">{}</p></section>", escape(l.map_note));
}

fn regency_table(o: &mut String, data: &ReportData, lang: Lang, l: &Labels) {
    let coverage = has_coverage(data);
    let _ = write!(
        o,
        "<section id=\"regencies\"><h2>{}</h2><p class=\"dim\">{}</p><table class=\"sort\" id=\"regency-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>",
        escape(l.top_regencies),
        escape(l.sort_hint),
        escape(l.rank),
        escape(l.code),
        escape(l.name),
        escape(l.province),
        escape(l.legend_unique),
        escape(l.records)
    );
    if coverage {
        let _ = write!(o, "<th class=\"num\">{}</th><th class=\"num\">{}</th>", escape(l.population), escape(l.coverage));
    }
    o.push_str("</tr></thead><tbody>");
    for (i, r) in data.regencies.iter().enumerate() {
        let more = if i >= TABLE_ROWS { " class=\"more\"" } else { "" };
        let mut name = escape(&r.name);
        if let Some(c) = &r.current_code {
            let _ = write!(name, " <span class=\"dim\">({} {})</span>", escape(l.historic_now), escape(c));
        }
        let _ = write!(
            o,
            "<tr{more}><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td><td>{name}</td><td>{}</td><td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>",
            i + 1,
            i + 1,
            escape(&r.code),
            escape(&r.province_name),
            r.unique_nik,
            lang.thousands(r.unique_nik),
            r.records,
            lang.thousands(r.records)
        );
        if coverage {
            let pop = r.population.map_or("-".to_string(), |p| lang.thousands(p));
            let cov = r.coverage.map_or("-".to_string(), |c| lang.percent(c, 1.0));
            let _ = write!(
                o,
                "<td class=\"num\" data-v=\"{}\">{pop}</td><td class=\"num\" data-v=\"{:.4}\">{cov}</td>",
                r.population.unwrap_or(0),
                r.coverage.unwrap_or(0.0)
            );
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    if data.regencies.len() > TABLE_ROWS {
        let _ = write!(o, "<button class=\"all\" data-table=\"regency-table\">{} ({})</button>", escape(l.show_all), lang.thousands(data.regencies.len() as u64));
    }
    o.push_str("</section>\n");
}

fn reason_rows(c: &Value, lang: Lang) -> Vec<(String, u64)> {
    let reasons = c.get("invalid_reasons").cloned().unwrap_or(Value::Null);
    let mut rows: Vec<(String, u64)> = Reason::ALL
        .iter()
        .filter(|r| **r != Reason::Placeholder)
        .map(|r| (format!("{} <span class=\"dim\">{}</span>", escape(lang.reason(*r)), r.as_str()), u(&reasons, r.as_str())))
        .filter(|(_, n)| *n > 0)
        .collect();
    // Reasons added later, not known to this build, still show.
    for (k, v) in reasons.as_object().into_iter().flatten() {
        if !Reason::ALL.iter().any(|r| r.as_str() == k) && v.as_u64().unwrap_or(0) > 0 {
            rows.push((escape(k), v.as_u64().unwrap_or(0)));
        }
    }
    rows
}

fn invalid(o: &mut String, sm: &Value, lang: Lang, l: &Labels) {
    let _ = write!(o, "<section id=\"invalid\"><div class=\"cols\">");
    for (what, key) in [("NIK", "nik"), ("KK", "kk")] {
        let c = sm.get(key).cloned().unwrap_or(Value::Null);
        let _ = write!(o, "<div><h2>{}</h2>", escape(&l.invalid_by_reason.replace("{what}", what)));
        let rows = reason_rows(&c, lang);
        if rows.is_empty() {
            o.push_str("<p class=\"dim\">0</p>");
        } else {
            bars(o, &rows, lang, u(&c, "invalid"));
        }
        o.push_str("</div>");
    }
    o.push_str("</div></section>\n");
}

fn inputs(o: &mut String, sm: &Value, lang: Lang, l: &Labels) {
    let list: Vec<Value> = sm.get("inputs").and_then(Value::as_array).cloned().unwrap_or_default();
    let _ = write!(o, "<section id=\"inputs\"><h2>{}</h2>", escape(l.what_was_read));
    if list.len() > 1 {
        let _ = write!(o, "<h3>{}</h3>", escape(l.per_input));
        let rows: Vec<(String, u64)> = list.iter().map(|i| (format!("<code>{}</code>", escape(s(i, "path"))), u(i, "records"))).collect();
        bars(o, &rows, lang, u(sm, "records"));
    }
    o.push_str("<div class=\"cols\">");
    for i in list.iter().take(INPUTS_SHOWN) {
        let opt = |k: &str| i.get(k).and_then(Value::as_str).map_or_else(|| escape(l.none), escape);
        let delimiter = match i.get("delimiter").and_then(Value::as_str) {
            Some("\t") | Some("\\t") => l.tab.to_string(),
            Some(d) => format!("<code>{}</code>", escape(d)),
            None => "-".into(),
        };
        let _ = write!(
            o,
            "<div><h3><code>{}</code></h3><dl class=\"kv\">\
             <dt>{}</dt><dd>{} ({} {})</dd><dt>{}</dt><dd>{} <span class=\"dim\">--format</span></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
             <dt>{}</dt><dd>{delimiter} <span class=\"dim\">--delimiter</span></dd><dt>{}</dt><dd>{}</dd>\
             <dt>{}</dt><dd>{} <span class=\"dim\">--column nik=</span></dd><dt>{}</dt><dd>{} <span class=\"dim\">--column kk=</span></dd>\
             <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
             <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
            escape(s(i, "path")),
            escape(l.bytes),
            crate::report::terminal::human_bytes(u(i, "bytes")),
            lang.thousands(u(i, "bytes")),
            escape(l.bytes),
            escape(l.format),
            escape(s(i, "format")),
            escape(l.compression),
            escape(s(i, "compression")),
            escape(l.encoding),
            escape(s(i, "encoding")),
            escape(l.delimiter),
            escape(l.header),
            if i.get("header").and_then(Value::as_bool) == Some(true) { l.yes } else { l.no },
            escape(l.nik_column),
            opt("nik_column"),
            escape(l.kk_column),
            opt("kk_column"),
            escape(l.birth_date),
            opt("birth_date_column"),
            escape(l.gender),
            opt("gender_column"),
            escape(l.records),
            lang.thousands(u(i, "records")),
            escape(l.valid_nik),
            lang.thousands(u(i, "nik_valid")),
            escape(l.new_unique),
            lang.thousands(u(i, "nik_new_unique")),
        );
        let warnings: Vec<&str> = i.get("warnings").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if warnings.is_empty() {
            let _ = write!(o, "<p class=\"dim\">{}</p>", escape(l.no_warnings));
        } else {
            let _ = write!(o, "<h3>{}</h3><ul>", escape(l.warnings));
            for w in warnings.iter().take(WARNINGS_SHOWN) {
                let _ = write!(o, "<li class=\"warn\">{}</li>", escape(w));
            }
            o.push_str("</ul>");
        }
        more(o, warnings.len(), WARNINGS_SHOWN, lang);
        o.push_str("</div>");
    }
    o.push_str("</div>");
    more(o, list.len(), INPUTS_SHOWN, lang);
    o.push_str("</section>\n");
}

fn skipped(o: &mut String, v: &Value, lang: Lang, l: &Labels) {
    let _ = write!(o, "<section id=\"skipped\"><h2>{}</h2><table><tbody>", escape(l.skipped));
    let all = v.as_array().cloned().unwrap_or_default();
    for item in all.iter().take(SKIPPED_SHOWN) {
        if item.get("path").is_some() {
            let _ = write!(o, "<tr><td><code>{}</code></td><td>{}</td></tr>", escape(s(item, "path")), escape(s(item, "reason")));
        } else {
            let _ = write!(o, "<tr><td colspan=\"2\">{}</td></tr>", value_text(item, lang));
        }
    }
    o.push_str("</tbody></table>");
    more(o, all.len(), SKIPPED_SHOWN, lang);
    o.push_str("</section>\n");
}

fn consistency(o: &mut String, c: &Value, lang: Lang, l: &Labels) {
    let _ = write!(o, "<section id=\"consistency\"><h2>{}</h2><table><tbody>", escape(l.consistency));
    let Some(map) = c.as_object() else {
        o.push_str("</tbody></table></section>\n");
        return;
    };
    for (k, v) in map {
        if let Some(what) = k.strip_suffix("_checked") {
            let checked = v.as_u64().unwrap_or(0);
            let mismatch = u(c, &format!("{what}_mismatch"));
            let name = match what {
                "birth_date" => l.birth_date.to_string(),
                "gender" => l.gender.to_string(),
                other => other.replace('_', " "),
            };
            let _ = write!(
                o,
                "<tr><th>{}</th><td class=\"num\">{} {}</td><td class=\"num\">{} {} ({})</td></tr>",
                escape(&name),
                lang.thousands(checked),
                escape(l.checked),
                lang.thousands(mismatch),
                escape(l.mismatch),
                lang.percent(mismatch as f64, checked as f64)
            );
        } else if !(k.ends_with("_mismatch") && map.contains_key(&k.replace("_mismatch", "_checked"))) {
            let _ = write!(o, "<tr><th>{}</th><td class=\"num\" colspan=\"2\">{}</td></tr>", escape(&k.replace('_', " ")), value_text(v, lang));
        }
    }
    o.push_str("</tbody></table></section>\n");
}

fn about(o: &mut String, data: &ReportData, lang: Lang, l: &Labels) {
    let sm = &data.summary;
    let _ = write!(
        o,
        "<footer id=\"about\"><section><h2>{}</h2><dl class=\"kv\"><dt>takar</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>",
        escape(l.about),
        escape(s(sm, "takar_version")),
        escape(l.reference_date),
        escape(s(sm, "reference_date"))
    );
    if let Some(m) = &data.manifest {
        let _ = write!(o, "<dt>{}</dt><dd><code>{}</code></dd>", escape(l.command), escape(&command(m)));
    }
    // No elapsed time: the same inputs give the same page, byte for byte, like the other
    // outputs (the summary's timings aside).
    o.push_str("</dl>");
    let _ = lang;
    let _ = writeln!(
        o,
        "<p>{}</p><p>{}: {} <a href=\"https://creativecommons.org/licenses/by/3.0/igo/\">CC BY 3.0 IGO</a></p></section></footer>",
        escape(l.privacy),
        escape(l.map_data),
        escape(MAP_ATTRIBUTION)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_from_a_manifest() {
        let m: Value = serde_json::from_str(
            r#"{"options":{"format":"csv","delimiter":"\\t","no_header":true,"columns":["kk=nkk"],"reference_date":"2026-11-24"},
               "inputs":[{"path":"dumps/a b.csv"},{"path":"x.csv"}]}"#,
        )
        .unwrap();
        assert_eq!(command(&m), "takar scan --format csv --delimiter tab --no-header --column kk=nkk --reference-date 2026-11-24 'dumps/a b.csv' x.csv --out DIR");
    }

    #[test]
    fn historic_codes_follow_their_successor() {
        let row = |code: &str, current: Option<&str>| RegencyFigures {
            code: code.into(),
            name: String::new(),
            province_code: code[..2].into(),
            province_name: String::new(),
            current_code: current.map(str::to_string),
            records: 1,
            unique_nik: 1,
            population: None,
            coverage: None,
        };
        let t = RegionTable::embedded();
        assert_eq!(current_code(&row("9101", Some("9301")), t), "9301");
        assert_eq!(current_code(&row("9201", Some("9601")), t), "9601");
        assert_eq!(current_code(&row("3507", None), t), "3507");
    }

    /// The largest page a dump can make: every regency code (historic ones too) with people,
    /// a population layer, thousands of inputs with a hundred warnings each, thousands of
    /// skipped files, and a long list under a key of a later takar. Under 2 MB, and clean.
    #[test]
    fn the_page_stays_under_two_megabytes() {
        let t = RegionTable::embedded();
        let regencies: Vec<RegencyFigures> = t
            .regencies
            .iter()
            .enumerate()
            .map(|(i, r)| RegencyFigures {
                code: format!("{:04}", r.code),
                name: r.name.clone(),
                province_code: format!("{:02}", r.code / 100),
                province_name: t.province_info(t.province_of(crate::nik::RegencyId(i as u16))).name.clone(),
                current_code: r.successor.filter(|_| !r.is_current()).map(|c| format!("{c:04}")),
                records: 123_456_789,
                unique_nik: 98_765_432 - i as u64,
                population: Some(2_700_000),
                coverage: Some(1.172_345),
            })
            .collect();
        let warning = "byte 123456789012: a quoted field is still open at the end of the file; the rest is one record";
        let input = serde_json::json!({"path": "leak/part-00001/warga_kabupaten_malang_2021.csv.gz", "bytes": 987_654_321u64,
            "format": "csv", "compression": "gzip", "encoding": "utf-8", "delimiter": ";", "header": true, "nik_column": "nik",
            "kk_column": "no_kk", "birth_date_column": "tgl_lahir", "gender_column": "jk", "records": 3_165_815u64,
            "nik_valid": 3_000_000u64, "nik_new_unique": 2_000_000u64, "warnings": vec![warning; 101]});
        let summary = serde_json::json!({"takar_version": "0.1.0", "reference_date": "2026-11-24", "records": 999_999_999u64,
            "nik": {"valid": 1u64, "unique": 1u64, "invalid_reasons": {"length": 5}}, "kk": {},
            "inputs": vec![input; 5000],
            "skipped": vec![serde_json::json!({"path": "leak.7z:photos/IMG_20210520_123456.jpg", "reason": "image"}); 20_000],
            "later_feature": {"items": vec![serde_json::json!({"name": "x", "value": 0.123_456}); 50_000]}});
        let data = ReportData { summary, regencies, manifest: None };
        for lang in [Lang::En, Lang::Id] {
            let page = render_page(&data, lang);
            assert!(page.len() < 2 << 20, "{} bytes", page.len());
            eprintln!("largest page ({lang:?}): {} bytes", page.len());
            assert!(!crate::report::guard::has_adjacent_digit_run(page.as_bytes()), "the drawn page is held to adjacent runs (its path data reads as separated digits)");
            assert!(page.contains("+ 4"), "the page says how many inputs it leaves out");
        }
    }

    #[test]
    fn values_for_people() {
        assert_eq!(value_text(&serde_json::json!(3165815), Lang::En), "3,165,815");
        assert_eq!(value_text(&serde_json::json!(0.125), Lang::Id), "0,125");
        assert_eq!(value_text(&serde_json::json!(1.0), Lang::En), "1");
        assert_eq!(value_text(&serde_json::json!("<b>"), Lang::En), "&lt;b&gt;");
    }
}
