//! `takar nik`: what one number says, for a person or a script. The number itself is shown
//! masked to its 6-digit region prefix unless the caller asks to reveal it.

use serde::Serialize;

use crate::nik::{Check, Date, Normalized, RegionTable, Validator};

/// Names and editions of a region code, as far as the table knows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegionInfo {
    pub code: String,
    pub name: Option<String>,
    pub first_seen: Option<u16>,
    pub last_seen: Option<u16>,
    /// The code of the same place in the next edition, when this code is no longer current.
    pub successor_code: Option<String>,
}

/// The decoded view of one input, one JSON object of `takar nik --json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NikReport {
    /// The input, masked (`350701**********`) unless revealed; non-digit input is never echoed.
    pub input: String,
    pub valid: bool,
    /// `null` when valid; `missing`, a rule name, or `placeholder`.
    pub reason: Option<&'static str>,
    pub province_code: Option<String>,
    pub province_name: Option<String>,
    pub regency_code: Option<String>,
    pub regency_name: Option<String>,
    /// `kabupaten` or `kota`.
    pub regency_kind: Option<&'static str>,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
    /// Editions in which the district code appears, e.g. `2015-2022`, and its successor.
    pub district_editions: Option<String>,
    pub district_successor_code: Option<String>,
    /// The most plausible birth date (20YY when possible), and every possible reading.
    pub birth_date: Option<String>,
    pub birth_date_candidates: Vec<String>,
    /// `M` or `F`.
    pub gender: Option<&'static str>,
    pub serial: Option<u32>,
}

fn region(r: &crate::nik::region::Region, digits: usize) -> RegionInfo {
    RegionInfo {
        code: format!("{:0digits$}", r.code),
        name: Some(r.name.clone()),
        first_seen: Some(r.first_seen),
        last_seen: Some(r.last_seen),
        successor_code: r.successor.map(|s| format!("{s:0digits$}")),
    }
}

/// Decodes one raw input.
pub fn describe(raw: &[u8], v: &Validator<'_>, reveal: bool) -> NikReport {
    let t: &RegionTable = v.regions();
    let mut rep = NikReport {
        input: String::new(),
        valid: false,
        reason: None,
        province_code: None,
        province_name: None,
        regency_code: None,
        regency_name: None,
        regency_kind: None,
        district_code: None,
        district_name: None,
        district_editions: None,
        district_successor_code: None,
        birth_date: None,
        birth_date_candidates: Vec::new(),
        gender: None,
        serial: None,
    };
    let digits = match crate::nik::normalize(raw) {
        Normalized::Digits(d) => d,
        Normalized::Missing => {
            rep.reason = Some("missing");
            rep.input = "(empty)".into();
            return rep;
        }
        Normalized::Invalid(r) => {
            rep.reason = Some(r.as_str());
            rep.input = format!("({} bytes, not 16 digits)", raw.len());
            return rep;
        }
    };
    let text = std::str::from_utf8(&digits).unwrap_or_default();
    rep.input = if reveal { text.to_string() } else { format!("{}**********", &text[..6]) };
    let num = |a: usize, b: usize| text[a..b].parse::<u32>().unwrap_or(0);
    rep.province_code = Some(text[..2].into());
    if let Some(p) = t.province(num(0, 2)) {
        rep.province_name = Some(t.province_info(p).name.clone());
        rep.regency_code = Some(text[..4].into());
    }
    if let Some(r) = t.regency(num(0, 4)) {
        let info = region(t.regency_info(r), 4);
        rep.regency_name = info.name;
        rep.regency_kind = t.regency_info(r).kind.map(|k| k.as_str());
        rep.district_code = Some(text[..6].into());
        if let Some(d) = t.district_in(r, num(4, 6)) {
            let info = region(t.district_info(d), 6);
            rep.district_name = info.name;
            rep.district_editions = Some(match (info.first_seen, info.last_seen) {
                (Some(a), Some(b)) if a == b => a.to_string(),
                (Some(a), Some(b)) => format!("{a}-{b}"),
                _ => String::new(),
            });
            rep.district_successor_code = info.successor_code;
        }
    }
    let check = v.nik(&digits);
    match check {
        Check::Valid(_) => rep.valid = true,
        Check::Invalid(r) => rep.reason = Some(r.as_str()),
        Check::Missing => rep.reason = Some("missing"),
    }
    let day_field = num(6, 8);
    let (day, female) = if day_field > 40 { (day_field - 40, true) } else { (day_field, false) };
    let candidates: Vec<Date> = v.dates().candidates(day, num(8, 10), num(10, 12)).collect();
    if rep.valid || rep.reason == Some("placeholder") || rep.reason == Some("serial") {
        rep.birth_date = candidates.first().map(|d| d.to_string());
        rep.birth_date_candidates = candidates.iter().map(|d| d.to_string()).collect();
        rep.gender = Some(if female { "F" } else { "M" });
    }
    if rep.valid || rep.reason == Some("placeholder") {
        rep.serial = Some(num(12, 16));
    }
    rep
}

/// A few readable lines for a person.
pub fn render_text(r: &NikReport) -> String {
    let mut s = format!("{}  {}\n", r.input, if r.valid { "VALID".to_string() } else { format!("INVALID ({})", r.reason.unwrap_or("?")) });
    let line = |label: &str, code: &Option<String>, name: &Option<String>| -> String {
        match (code, name) {
            (Some(c), Some(n)) => format!("  {label:<10} {c}  {n}\n"),
            (Some(c), None) => format!("  {label:<10} {c}  (unknown code)\n"),
            _ => String::new(),
        }
    };
    s += &line("province", &r.province_code, &r.province_name);
    s += &line("regency", &r.regency_code, &r.regency_name);
    s += &line("district", &r.district_code, &r.district_name);
    if let Some(e) = &r.district_editions {
        s += &format!("  {:<10} {e}", "editions");
        if let Some(succ) = &r.district_successor_code {
            s += &format!(" (now {succ})");
        }
        s += "\n";
    }
    if let Some(b) = &r.birth_date {
        let others: Vec<&String> = r.birth_date_candidates.iter().skip(1).collect();
        s += &format!("  {:<10} {b}", "born");
        if !others.is_empty() {
            s += &format!(" (or {})", others.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "));
        }
        s += "\n";
    }
    if let Some(g) = r.gender {
        s += &format!("  {:<10} {}\n", "gender", if g == "F" { "female" } else { "male" });
    }
    s
}
