//! Every signal on both sides of its threshold, with exact values, from an evidence set that
//! looks like a real register and trips nothing.

use super::signals::*;
use super::verdict::{label, verdict, Label};

fn real() -> Evidence {
    let fine = Pair { checked: 10_000, mismatch: 0 };
    Evidence {
        records: 10_000,
        nik_valid: 9_500,
        nik_invalid: 200,
        nik_placeholder: 10,
        nik_unique: 9_000,
        kk_unique: Some(3_000),
        birth_date: fine,
        gender: fine,
        regency: fine,
        district: fine,
        kk_region: fine,
        age_odd: 0,
        people: 9_000,
        female: 4_500,
        january_first: 50,
        serial_100_up: 0,
        birth_decades: [566, 923, 1500, 2077, 2418, 2516],
        over_covered: vec![],
        max_coverage: 0.5,
        unique_over_claimed: None,
    }
}

fn tripped(e: &Evidence) -> Vec<&'static str> {
    checks(e).into_iter().filter(|c| c.tripped).map(|c| c.name).collect()
}

/// `edit` at the threshold trips nothing; `over` just past it trips `name` alone, with `value`.
fn both_sides(name: &str, at: impl Fn(&mut Evidence), over: impl Fn(&mut Evidence), value: f64, weight: u32) {
    let mut e = real();
    at(&mut e);
    assert_eq!(tripped(&e), Vec::<&str>::new(), "{name} at its threshold");
    assert!(checks(&e).iter().any(|c| c.name == name), "{name} is measured");
    let mut e = real();
    over(&mut e);
    assert_eq!(tripped(&e), [name], "{name} past its threshold");
    let c = checks(&e).into_iter().find(|c| c.name == name).unwrap();
    assert_eq!((c.value, c.weight), (value, weight), "{name}");
    let v = verdict(&e);
    assert_eq!(v.signals.len(), 1);
    assert_eq!(v.label, label(weight));
}

#[test]
fn a_real_register_trips_nothing() {
    let v = verdict(&real());
    assert_eq!(v.label, Label::Consistent);
    assert!(v.signals.is_empty());
    assert_eq!(v.checks.len(), 15, "{:?}", v.checks.iter().map(|c| c.name).collect::<Vec<_>>());
}

#[test]
fn each_signal_on_both_sides_of_its_threshold() {
    both_sides("placeholders", |e| e.nik_placeholder = 500, |e| e.nik_placeholder = 501, 0.0501, 2);
    both_sides("invalid_nik", |e| e.nik_invalid = 1_000, |e| e.nik_invalid = 1_001, 0.1001, 1);
    both_sides("serials", |e| e.serial_100_up = 2_250, |e| e.serial_100_up = 2_251, 0.2501, 3);
    both_sides("january_first", |e| e.january_first = 900, |e| e.january_first = 901, 0.1001, 2);
    both_sides("gender_ratio", |e| e.female = 3_600, |e| e.female = 3_599, 0.3999, 1);
    both_sides("gender_ratio", |e| e.female = 5_400, |e| e.female = 5_401, 0.6001, 1);
    both_sides(
        "birth_years",
        |e| e.birth_decades = [1766, 923, 1500, 2077, 2418, 1316],
        |e| e.birth_decades = [1767, 923, 1500, 2077, 2418, 1315],
        0.1201,
        2,
    );
    both_sides("people_per_kk", |e| e.kk_unique = Some(7_500), |e| e.kk_unique = Some(7_501), 1.1998, 1);
    both_sides("kk_region_mismatch", |e| e.kk_region.mismatch = 3_000, |e| e.kk_region.mismatch = 3_001, 0.3001, 3);
    both_sides("birth_date_mismatch", |e| e.birth_date.mismatch = 500, |e| e.birth_date.mismatch = 501, 0.0501, 3);
    both_sides("gender_mismatch", |e| e.gender.mismatch = 500, |e| e.gender.mismatch = 501, 0.0501, 3);
    both_sides("regency_mismatch", |e| e.regency.mismatch = 2_000, |e| e.regency.mismatch = 2_001, 0.2001, 2);
    both_sides("district_mismatch", |e| e.district.mismatch = 3_000, |e| e.district.mismatch = 3_001, 0.3001, 1);
    both_sides("implausible_age", |e| e.age_odd = 100, |e| e.age_odd = 101, 0.0101, 1);
    both_sides("duplicates", |e| e.nik_unique = 4_750, |e| e.nik_unique = 4_749, 0.5001, 1);
    both_sides("coverage", |e| e.max_coverage = 1.1, |e| e.max_coverage = 1.1001, 1.1001, 3);
    both_sides("claim", |e| e.unique_over_claimed = Some(0.8), |e| e.unique_over_claimed = Some(0.7999), 0.7999, 1);
}

#[test]
fn the_coverage_signal_names_its_regencies() {
    let mut e = real();
    let malang = FlaggedRegion { code: "3507".into(), name: "Kabupaten Malang".into(), unique_nik: 4_101_935, population: 2_734_623, coverage: 1.5 };
    e.over_covered = vec![malang.clone()];
    e.max_coverage = 1.5;
    let v = verdict(&e);
    assert_eq!(v.label, Label::Suspicious);
    assert_eq!(v.signals[0].regions.as_deref(), Some(&[malang][..]));
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["signals"][0]["regions"][0]["code"], "3507");
    assert_eq!(json["signals"][0]["expected"]["max"], 1.1);
    assert!(json["checks"][0].get("regions").is_none());
}

#[test]
fn too_few_values_are_not_judged() {
    let mut e = real();
    e.records = MIN_SAMPLE - 1;
    e.nik_placeholder = 99;
    e.people = MIN_SAMPLE - 1;
    e.serial_100_up = 99;
    e.birth_decades = [999, 0, 0, 0, 0, 0];
    e.kk_unique = Some(MIN_SAMPLE - 1);
    e.kk_region = Pair { checked: MIN_SAMPLE - 1, mismatch: 99 };
    let names: Vec<&str> = checks(&e).iter().map(|c| c.name).collect();
    for absent in ["placeholders", "serials", "birth_years", "people_per_kk", "kk_region_mismatch"] {
        assert!(!names.contains(&absent), "{absent} judged on too few values");
    }
}

#[test]
fn weights_add_up_to_the_label() {
    assert_eq!(label(0), Label::Consistent);
    assert_eq!(label(1), Label::Suspicious);
    assert_eq!(label(4), Label::Suspicious);
    assert_eq!(label(5), Label::LikelyFabricated);
    // Two strong signals: serials (3) and the KK region (3).
    let mut e = real();
    e.serial_100_up = 8_000;
    e.kk_region.mismatch = 9_000;
    let v = verdict(&e);
    assert_eq!(v.label, Label::LikelyFabricated);
    assert_eq!(v.signals.iter().map(|s| s.name).collect::<Vec<_>>(), ["serials", "kk_region_mismatch"]);
    assert_eq!(serde_json::to_value(v.label).unwrap(), "likely_fabricated");
}
