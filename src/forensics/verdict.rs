//! The verdict: the weights of the tripped signals added up. Nothing tripped is `consistent`;
//! some weight, up to [`LIKELY_FABRICATED_AT`] minus one, is `suspicious` (one kind of
//! evidence: a padded dump, an inflated claim, a regency over its population); from
//! [`LIKELY_FABRICATED_AT`] on it is `likely_fabricated` (two strong signals, or three and
//! more weaker ones, that real registers do not show together).

use serde::Serialize;

use super::signals::{checks, Check, Evidence};

/// The total weight from which a dump is labelled `likely_fabricated`.
pub const LIKELY_FABRICATED_AT: u32 = 5;

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    #[default]
    Consistent,
    Suspicious,
    LikelyFabricated,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Consistent => "consistent",
            Label::Suspicious => "suspicious",
            Label::LikelyFabricated => "likely_fabricated",
        }
    }
}

/// `verdict` in `summary.json`: the label and the tripped signals, heaviest first; `checks`
/// holds every signal that had enough values to be judged, tripped or not.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Verdict {
    pub label: Label,
    pub signals: Vec<Check>,
    pub checks: Vec<Check>,
}

/// The label a total weight earns.
pub fn label(weight: u32) -> Label {
    match weight {
        0 => Label::Consistent,
        w if w < LIKELY_FABRICATED_AT => Label::Suspicious,
        _ => Label::LikelyFabricated,
    }
}

/// The verdict on the evidence.
pub fn verdict(e: &Evidence) -> Verdict {
    let all = checks(e);
    let mut signals: Vec<Check> = all.iter().filter(|c| c.tripped).cloned().collect();
    // Heaviest first; equal weights keep the fixed order of `checks`.
    signals.sort_by_key(|s| std::cmp::Reverse(s.weight));
    let weight = signals.iter().map(|s| s.weight).sum();
    let checks = all.into_iter().map(|mut c| {
        c.regions = None;
        c
    });
    Verdict { label: label(weight), signals, checks: checks.collect() }
}
