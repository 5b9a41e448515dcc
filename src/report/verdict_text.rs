//! The verdict section of the terminal report: the label and its top signals in plain words,
//! each with its value and what a real register shows. Kept apart from `terminal.rs` so the
//! wording of the rest of the report can change (a Bahasa Indonesia mode) without touching it.

use std::fmt::Write as _;

use crate::forensics::signals::{Check, Expected};
use crate::forensics::verdict::Label;
use crate::report::summary::Summary;

/// Signals shown; `summary.json` has them all.
pub const SHOWN: usize = 5;

/// What a signal means, in a few words.
pub fn describe(name: &str) -> &'static str {
    match name {
        "placeholders" => "share of records with a dummy NIK",
        "invalid_nik" => "share of records with an invalid NIK",
        "serials" => "share of people with a serial of 0100 or more (real serials start at 0001)",
        "birth_years" => "distance of the birth decades 1940-1999 from the 2020 census",
        "january_first" => "share of people born on 1 January",
        "gender_ratio" => "share of women",
        "people_per_kk" => "people per family card (KK)",
        "kk_region_mismatch" => "share of KKs issued in another regency than the NIK",
        "birth_date_mismatch" => "share of birth dates that contradict the NIK",
        "gender_mismatch" => "share of genders that contradict the NIK",
        "regency_mismatch" => "share of regency names that are not the NIK's regency",
        "district_mismatch" => "share of district names that are not the NIK's district",
        "implausible_age" => "share of birth dates over 110 years ago or in the future",
        "duplicates" => "share of valid records that repeat a person",
        "coverage" => "highest unique NIKs over a regency's official population",
        "claim" => "unique NIKs over the seller's claimed count",
        _ => "",
    }
}

fn expected(e: &Expected) -> String {
    match (e.min, e.max) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".into(),
    }
}

fn signal_line(o: &mut String, s: &Check) {
    let _ = writeln!(o, "  - {}: {} (real registers: {}; weight {})", describe(s.name), s.value, expected(&s.expected), s.weight);
    if let Some(regions) = &s.regions {
        for r in regions.iter().take(SHOWN) {
            let _ = writeln!(o, "      {} {}: {} unique NIKs, population {} ({})", r.code, r.name.chars().filter(|c| !c.is_control()).collect::<String>(), r.unique_nik, r.population, r.coverage);
        }
        if regions.len() > SHOWN {
            let _ = writeln!(o, "      and {} more regencies (summary.json)", regions.len() - SHOWN);
        }
    }
}

/// The section, starting with a blank line; `bold` wraps the title.
pub fn render(summary: &Summary, bold: &dyn Fn(&str) -> String) -> String {
    let v = &summary.verdict;
    let mut o = String::new();
    let words = match v.label {
        Label::Consistent => "consistent: nothing here that real registers do not show",
        Label::Suspicious => "suspicious: one kind of evidence real registers do not show",
        Label::LikelyFabricated => "likely fabricated: several kinds of evidence real registers do not show",
    };
    let _ = writeln!(o, "\n{}", bold("Is it real?"));
    if v.checks.is_empty() {
        let _ = writeln!(o, "  not judged: too few records for any signal (each needs at least 100 values)");
        return o;
    }
    let _ = writeln!(o, "  {} ({} of {} checks tripped)", words, v.signals.len(), v.checks.len());
    for s in v.signals.iter().take(SHOWN) {
        signal_line(&mut o, s);
    }
    if v.signals.len() > SHOWN {
        let _ = writeln!(o, "  and {} more signals (summary.json)", v.signals.len() - SHOWN);
    }
    if let Some(guess) = &summary.source.looks_like {
        let _ = writeln!(o, "  columns look like: {guess} ({} of its columns)", summary.source.matched_columns.len());
    }
    if let Some(c) = &summary.claim {
        let _ = writeln!(o, "  claimed {} records; the dump holds {} unique NIKs ({} of the claim)", c.claimed, c.unique, c.unique_over_claimed);
    }
    o
}
