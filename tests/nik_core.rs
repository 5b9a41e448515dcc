//! Known-answer tests of the pure NIK core (`takar::nik`): every rejection reason and the
//! missing forms, the +40 rule, leap days, the century rule against a fixed reference date,
//! historic and BPS-vs-Kemendagri region codes, normalisation (full-width digits, NBSP, quotes,
//! separators), No. KK rules, the region table against its CSV, the dedup key, and the calendar
//! helpers against chrono.
//!
//! Every NIK here is synthetic: a real district code followed by a made-up date and serial.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use takar::nik::region::RegencyKind;
use takar::nik::{
    is_placeholder, normalize, Check, Date, DateRule, Kk, Nik, Normalized, Reason, RegionTable, Validator,
};

/// The reference date of these tests: "today" is 2026-11-24.
fn reference() -> Date {
    Date::new(2026, 11, 24).unwrap()
}

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), reference())
}

fn validator_at(y: u16, m: u8, d: u8) -> Validator<'static> {
    Validator::new(RegionTable::embedded(), Date::new(y, m, d).unwrap())
}

/// `Ok(Some(value))`, `Ok(None)` (missing) or `Err(reason)`, the shape of the oracle.
fn nik_at(v: &Validator<'_>, raw: &str) -> Result<Option<u64>, Reason> {
    match v.nik(raw.as_bytes()) {
        Check::Valid(n) => Ok(Some(n.value())),
        Check::Missing => Ok(None),
        Check::Invalid(r) => Err(r),
    }
}

fn kk_at(v: &Validator<'_>, raw: &str) -> Result<Option<u64>, Reason> {
    match v.kk(raw.as_bytes()) {
        Check::Valid(n) => Ok(Some(n.value())),
        Check::Missing => Ok(None),
        Check::Invalid(r) => Err(r),
    }
}

fn nik(raw: &str) -> Result<Option<u64>, Reason> {
    nik_at(&validator(), raw)
}

fn kk(raw: &str) -> Result<Option<u64>, Reason> {
    kk_at(&validator(), raw)
}

#[track_caller]
fn assert_valid(raw: &str) {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(nik(raw), Ok(Some(digits.parse().unwrap())), "{raw:?} should be a valid NIK");
}

#[track_caller]
fn assert_nik_reason(raw: &str, reason: Reason) {
    assert_eq!(nik(raw), Err(reason), "{raw:?} should be invalid as {reason}");
}

/// A valid NIK: Donomulyo, Kabupaten Malang (350701), a man born 1990-08-15, serial 9967.
const NIK: &str = "3507011508909967";
const NIK_VALUE: u64 = 3_507_011_508_909_967;

/// `350701` + `DDMMYY` + `0001`.
fn with_date(ddmmyy: &str) -> String {
    format!("350701{ddmmyy}0001")
}

// ---------------------------------------------------------------- rules 1-2: normalisation

#[test]
fn plain_valid_nik() {
    assert_eq!(nik(NIK), Ok(Some(NIK_VALUE)));
    assert_eq!(normalize(NIK.as_bytes()), Normalized::Digits(*b"3507011508909967"));
}

#[test]
fn missing_forms_are_missing_not_invalid() {
    for raw in [
        "",
        " ",
        "\t",
        "\r\n",
        "NULL",
        "null",
        "Null",
        "\\N",
        "-",
        "\"\"",
        "''",
        "\" \"",
        " NULL ",
        "\"NULL\"",
        "'\\N'",
        "\u{a0}",
        "\u{3000}",
        "\u{feff}",
        "\u{a0}-\u{a0}",
        "--",
        " - - ",
    ] {
        assert_eq!(nik(raw), Ok(None), "{raw:?}");
        assert_eq!(kk(raw), Ok(None), "{raw:?}");
        assert_eq!(normalize(raw.as_bytes()), Normalized::Missing, "{raw:?}");
    }
    // Almost-missing words are not missing.
    for raw in ["NUL", "nulls", "N/A", "\\n", "None", "0"] {
        assert!(nik(raw).is_err(), "{raw:?}");
    }
}

#[test]
fn length() {
    for raw in ["350701150890996", "35070115089099670", "3", "0", "12345678901234567890", "3507 0115 0890 996"] {
        assert_nik_reason(raw, Reason::Length);
        assert_eq!(normalize(raw.as_bytes()), Normalized::Invalid(Reason::Length), "{raw:?}");
    }
}

#[test]
fn non_digit() {
    for raw in [
        "35070115089099a7",
        "3507011508909967x",
        "350701150890996O", // letter O for zero
        "3507011508909967;",
        "35.07.01.150890.9967", // dots are not separators, and this is no spreadsheet number
        "3507011508909967 NIK",
        "350701_1508909967",
        "3507\u{a0}0115\u{a0}0890\u{a0}9967", // NBSP inside is not a separator
        "35070115089099\u{ff16}\u{ff17}x",
        "+3507011508909967",
        "1e",
        "e15",
        ".5",
        "1.",
        "\u{fffd}",
    ] {
        assert_nik_reason(raw, Reason::NonDigit);
    }
    // Invalid UTF-8 is just a non-digit.
    assert_eq!(validator().nik(b"350701150890\xff9967"), Check::Invalid(Reason::NonDigit));
    assert_eq!(validator().nik(b"\xef\xbc3507011508909967"), Check::Invalid(Reason::NonDigit));
}

#[test]
fn spreadsheet_mangled() {
    for raw in [
        "3.50701E+15",
        "3,50701E+15",
        "3.50701e+15",
        "3.50701E15",
        "3.50701150890997E+15",
        "3507011508909967.0",
        "3507011508909967,00",
        "35070115089099E2",
        "3E-5",
        "\"3.50701E+15\"",
        " 3,50701E+15\u{a0}",
    ] {
        assert_nik_reason(raw, Reason::SpreadsheetMangled);
        assert_eq!(kk(raw), Err(Reason::SpreadsheetMangled), "{raw:?}");
    }
    // Spreadsheet damage wins over length: the digits it lost are gone.
    assert_nik_reason("350701150890996.0", Reason::SpreadsheetMangled);
}

#[test]
fn whitespace_quotes_and_separators_are_normalised() {
    for raw in [
        " 3507011508909967 ",
        "\t3507011508909967\r\n",
        "\"3507011508909967\"",
        "'3507011508909967",
        "'3507011508909967'",
        "\"'3507011508909967'\"",
        "\u{a0}3507011508909967\u{a0}",
        "\u{3000}3507011508909967\u{3000}",
        "\u{feff}3507011508909967",
        "\u{2003}\"3507011508909967\"\u{202f}",
        "\u{0b}3507011508909967\u{0c}",
        "3507 0115 0890 9967",
        "35-07-01-150890-9967",
        "350701-150890-9967",
        " \"3507 0115-0890 9967\" ",
    ] {
        assert_valid(raw);
    }
}

#[test]
fn every_unicode_space_is_trimmed_and_look_alikes_are_not() {
    // The Unicode White_Space characters, and the BOM.
    for c in [
        '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}',
        '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}',
        '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{feff}',
    ] {
        assert_valid(&format!("{c}{NIK}"));
        assert_valid(&format!("{NIK}{c}"));
        assert_valid(&format!("{c}\"{NIK}\"{c}{c}"));
        assert_eq!(nik(&format!("{c}")), Ok(None), "{c:?}");
    }
    for c in ['\u{1c}', '\u{1f}', '\u{180e}', '\u{200b}', '\u{2060}', '\u{ff3f}', '\u{0}'] {
        assert_nik_reason(&format!("{c}{NIK}"), Reason::NonDigit);
        assert_nik_reason(&format!("{NIK}{c}"), Reason::NonDigit);
    }
}

#[test]
fn full_width_digits_become_ascii() {
    let full: String = NIK.chars().map(|c| char::from_u32(0xff10 + (c as u32 - '0' as u32)).unwrap()).collect();
    assert_eq!(full.len(), 48);
    assert_eq!(nik(&full), Ok(Some(NIK_VALUE)));
    assert_eq!(normalize(full.as_bytes()), Normalized::Digits(*b"3507011508909967"));
    // Mixed with ASCII digits, separators and a full-width space around it.
    assert_eq!(nik("\u{3000}３５０７０１-1508909967\u{3000}"), Ok(Some(NIK_VALUE)));
    // Full-width digits do not count for the spreadsheet rule: the '.' is then a non-digit.
    assert_nik_reason("３.５０７０１E+15", Reason::NonDigit);
}

// ---------------------------------------------------------------- rule 3: region codes

#[test]
fn province() {
    for pp in ["00", "10", "20", "22", "30", "37", "50", "54", "60", "66", "70", "77", "80", "83", "90", "97", "99"] {
        assert_nik_reason(&format!("{pp}07011508909967"), Reason::Province);
    }
}

#[test]
fn regency() {
    assert_nik_reason("3500011508909967", Reason::Regency);
    assert_nik_reason("3530011508909967", Reason::Regency); // Jawa Timur has 3501-3529 and 3571-3579
    assert_nik_reason("3580011508909967", Reason::Regency);
    assert_nik_reason("3599011508909967", Reason::Regency);
}

#[test]
fn district() {
    assert_nik_reason("3507001508909967", Reason::District);
    assert_nik_reason("3507341508909967", Reason::District); // Kabupaten Malang ends at 350733
    assert_nik_reason("3507991508909967", Reason::District);
    // The only two-digit cycles with a real province (11, 12): 1212 is a regency, 121212 is not.
    assert_nik_reason("1212121212121212", Reason::District);
}

#[test]
fn historic_codes_are_valid_and_decode_to_the_historic_district() {
    // Merauke, Papua, before the 2022 split: 9101 became 9301 (Papua Selatan).
    let v = validator();
    let t = v.regions();
    let Check::Valid(n) = v.nik(b"9101011508909967") else { panic!("910101 must be valid") };
    assert_eq!(n.region_code(), 910101);
    let d = t.district_info(n.district());
    assert_eq!((d.code, d.name.as_str()), (910101, "Merauke"));
    assert_eq!(d.successor, Some(930101));
    assert_eq!((d.first_seen, d.last_seen), (2015, 2022));
    assert!(!d.is_current());
    let r = t.regency_info(t.regency_of(n.district()));
    assert_eq!((r.code, r.successor), (9101, Some(9301)));
    assert_eq!(t.province_info(t.province_of(t.regency_of(n.district()))).code, 91);

    // Its successor is valid too, current, and a different district id.
    let Check::Valid(m) = v.nik(b"9301011508909967") else { panic!("930101 must be valid") };
    let d2 = t.district_info(m.district());
    assert_eq!((d2.code, d2.name.as_str(), d2.successor), (930101, "Merauke", None));
    assert!(d2.is_current());
    assert_ne!(n.district(), m.district());
    assert_eq!(t.district(d.successor.unwrap()), Some(m.district()));

    // Historic Papua Barat codes that moved to Papua Barat Daya in 2025 are still valid.
    assert_eq!(t.regency_info(t.regency(9201).unwrap()).successor, Some(9601));
    assert!(matches!(v.nik(b"9201011508909967"), Check::Valid(_)));
    assert!(matches!(v.nik(b"9601011508909967"), Check::Valid(_)));
}

#[test]
fn bps_codes_are_not_kemendagri_codes() {
    let v = validator();
    let t = v.regions();
    // In the Kemendagri tables, 94 is Papua Tengah (2023+) with only 9401-9408. BPS numbered
    // (old) Papua 94 with regencies 9401-9436 and Kota Jayapura 9471: those are not NIK codes.
    for kk in 1..=8 {
        assert!(t.regency(9400 + kk).is_some(), "94{kk:02}");
    }
    for kk in (9..=99).filter(|&kk| kk != 0) {
        assert_eq!(t.regency(9400 + kk), None, "94{kk:02}");
    }
    assert_nik_reason("9471011508909967", Reason::Regency); // BPS Kota Jayapura
    assert_nik_reason("9436011508909967", Reason::Regency); // BPS Kabupaten Deiyai
    assert_nik_reason("9409011508909967", Reason::Regency);
    assert!(matches!(v.nik(b"9401011508909967"), Check::Valid(_))); // Kemendagri Nabire, 2023+
                                                                    // Kemendagri Kota Jayapura is 9171 (9171 is Kota Sorong in BPS numbering).
    assert_eq!(t.regency_info(t.regency(9171).unwrap()).name, "Kota Jayapura");
    assert_eq!(t.regency_info(t.regency(9271).unwrap()).name, "Kota Sorong");

    // Jakarta: Kemendagri 3171 Pusat, 3172 Utara, 3173 Barat, 3174 Selatan, 3175 Timur (BPS has
    // 3171 Selatan, 3172 Timur, 3173 Pusat, 3174 Barat, 3175 Utara).
    let name = |code| t.regency_info(t.regency(code).unwrap()).name.as_str();
    assert_eq!(name(3171), "Kota Administrasi Jakarta Pusat");
    assert_eq!(name(3172), "Kota Administrasi Jakarta Utara");
    assert_eq!(name(3173), "Kota Administrasi Jakarta Barat");
    assert_eq!(name(3174), "Kota Administrasi Jakarta Selatan");
    assert_eq!(name(3175), "Kota Administrasi Jakarta Timur");
    assert_eq!(t.district_info(t.district(317101).unwrap()).name, "Gambir");
    // BPS Jakarta Selatan (3171) has ten kecamatan; Kemendagri 3171 (Pusat) has eight, so
    // 317109 and 317110 do not exist, while Kemendagri Jakarta Selatan 317410 does.
    assert_nik_reason("3171091508909967", Reason::District);
    assert_nik_reason("3171101508909967", Reason::District);
    assert_valid("3174101508909967");
    assert_valid("3171081508909967");
}

// ---------------------------------------------------------------- rule 4: the date

#[test]
fn plus_forty_for_women() {
    assert_valid(&with_date("410190")); // 1 Jan 1990, a woman
    assert_valid(&with_date("710190")); // 31 Jan
    assert_valid(&with_date("700490")); // 30 Apr
    assert_valid(&with_date("680290")); // 28 Feb 1990
    assert_valid(&with_date("010190"));
    assert_valid(&with_date("310190"));
    for bad in ["710490", "690290", "720190", "320190", "330190", "390190", "400190", "000190", "990190", "800190"] {
        assert_nik_reason(&with_date(bad), Reason::BirthDate);
    }
    for dd in 32..=40 {
        assert_nik_reason(&with_date(&format!("{dd:02}0190")), Reason::BirthDate);
    }
    for dd in 72..=99 {
        assert_nik_reason(&with_date(&format!("{dd:02}0190")), Reason::BirthDate);
    }
    let Check::Valid(w) = validator().nik(with_date("550890").as_bytes()) else { panic!() };
    assert!(w.is_female());
    assert_eq!((w.day_field(), w.birth_day(), w.month(), w.year2(), w.serial()), (55, 15, 8, 90, 1));
    let Check::Valid(m) = validator().nik(NIK.as_bytes()) else { panic!() };
    assert!(!m.is_female());
    assert_eq!((m.day_field(), m.birth_day()), (15, 15));
}

#[test]
fn month() {
    for bad in ["150090", "151390", "159990", "152090"] {
        assert_nik_reason(&with_date(bad), Reason::BirthDate);
    }
    for mm in 1..=12 {
        assert_valid(&with_date(&format!("28{mm:02}90")));
    }
}

#[test]
fn leap_days() {
    assert_valid(&with_date("290200")); // 2000-02-29: 2000 is a leap year (1900 is not)
    assert_valid(&with_date("690200")); // the same, a woman
    assert_valid(&with_date("290204")); // 2004-02-29
    assert_valid(&with_date("290296")); // 1996-02-29
    assert_valid(&with_date("290292")); // 1992-02-29
    assert_valid(&with_date("290100")); // 29 January 2000 (or 1900) needs no leap year
                                        // 29 Feb of YY=01: neither 1901 nor 2001 is a leap year.
    assert_nik_reason(&with_date("290201"), Reason::BirthDate);
    assert_nik_reason(&with_date("690201"), Reason::BirthDate);
    assert_nik_reason(&with_date("290297"), Reason::BirthDate);
    assert_nik_reason(&with_date("290290"), Reason::BirthDate);
    assert_nik_reason(&with_date("300200"), Reason::BirthDate); // no 30 Feb, even in a leap year
    assert_nik_reason(&with_date("700200"), Reason::BirthDate);
    assert_nik_reason(&with_date("310400"), Reason::BirthDate);
    // 1900 is not a leap year: 290200 is valid only through 2000, so a reference date before
    // 2000-02-29 makes it invalid.
    assert_eq!(nik_at(&validator_at(2000, 2, 28), &with_date("290200")), Err(Reason::BirthDate));
    assert_eq!(nik_at(&validator_at(2000, 2, 29), &with_date("290200")), Ok(Some(3_507_012_902_000_001)));
    // 2096 is in the future, 1996 is a leap year.
    assert_eq!(validator().dates().candidates(29, 2, 96).collect::<Vec<_>>(), [Date::new(1996, 2, 29).unwrap()]);
}

#[test]
fn century_rule_against_the_reference_date() {
    // Reference 2026-11-24.
    assert_valid(&with_date("241126")); // 2026-11-24 is today: valid
    assert_valid(&with_date("641126")); // the same, a woman
                                        // 2026-11-25 is in the future, so only 1926-11-25 remains, and it is valid.
    assert_valid(&with_date("251126"));
    let v = validator();
    assert_eq!(v.dates().candidates(25, 11, 26).collect::<Vec<_>>(), [Date::new(1926, 11, 25).unwrap()]);
    assert_eq!(
        v.dates().candidates(24, 11, 26).collect::<Vec<_>>(),
        [Date::new(2026, 11, 24).unwrap(), Date::new(1926, 11, 24).unwrap()]
    );
    // The reference date cuts in: 29 Feb 2028 is in the future and 1928 is a leap year (valid),
    // but 29 Feb 2027 is in the future and 1927 is not a leap year (invalid).
    assert_valid(&with_date("290228"));
    assert_nik_reason(&with_date("290227"), Reason::BirthDate);
    assert_valid(&with_date("311299")); // 1999
    assert_valid(&with_date("010127")); // 1927

    // Reference 1990-01-01: 20YY is always in the future, and 19YY must not be after it.
    let old = validator_at(1990, 1, 1);
    assert_eq!(nik_at(&old, &with_date("010190")), Ok(Some(3_507_010_101_900_001)));
    assert_eq!(nik_at(&old, &with_date("311289")), Ok(Some(3_507_013_112_890_001)));
    assert_eq!(nik_at(&old, &with_date("020190")), Err(Reason::BirthDate));
    assert_eq!(nik_at(&old, NIK), Err(Reason::BirthDate)); // 1990-08-15 is after 1990-01-01
    assert_eq!(nik_at(&old, &with_date("290200")), Err(Reason::BirthDate)); // 2000 future, 1900 not leap
    assert_eq!(nik_at(&old, &with_date("010100")), Ok(Some(3_507_010_101_000_001))); // 1900-01-01
    assert_eq!(kk_at(&old, &with_date("020190")), Err(Reason::BirthDate));
    assert!(old.dates().candidates(2, 1, 90).next().is_none());

    // Reference 2000-06-30: YY=00 may be 2000 (up to the reference) or 1900.
    let y2k = validator_at(2000, 6, 30);
    assert_eq!(nik_at(&y2k, &with_date("300600")), Ok(Some(3_507_013_006_000_001)));
    assert_eq!(nik_at(&y2k, &with_date("010700")), Ok(Some(3_507_010_107_000_001))); // 1900-07-01
    assert_eq!(nik_at(&y2k, &with_date("290200")), Ok(Some(3_507_012_902_000_001)));
    assert_eq!(nik_at(&y2k, &with_date("010701")), Ok(Some(3_507_010_107_010_001)));
    // 1901
}

#[test]
fn date_rule_candidates() {
    let rule = DateRule::new(reference());
    let c = |d, m, y| rule.candidates(d, m, y).collect::<Vec<_>>();
    let date = |y, m, d| Date::new(y, m, d).unwrap();
    assert_eq!(c(15, 8, 90), [date(1990, 8, 15)]);
    assert_eq!(c(1, 1, 10), [date(2010, 1, 1), date(1910, 1, 1)]);
    assert_eq!(c(29, 2, 0), [date(2000, 2, 29)]);
    assert_eq!(c(29, 2, 4), [date(2004, 2, 29), date(1904, 2, 29)]);
    assert_eq!(c(29, 2, 1), []);
    assert_eq!(c(29, 2, 27), []);
    assert_eq!(c(29, 2, 28), [date(1928, 2, 29)]);
    assert_eq!(c(31, 4, 90), []);
    assert_eq!(c(0, 1, 90), []);
    assert_eq!(c(1, 0, 90), []);
    assert_eq!(c(1, 13, 90), []);
    assert_eq!(c(41, 1, 90), []); // candidates take the day without the +40
    assert_eq!(rule.reference(), reference());
    // candidates agree with is_valid on every DD MM YY.
    for yy in 0..100 {
        for mm in 0..=13 {
            for dd in 0..=32 {
                assert_eq!(rule.candidates(dd, mm, yy).next().is_some(), rule.is_valid(dd, mm, yy), "{dd} {mm} {yy}");
                for d in rule.candidates(dd, mm, yy) {
                    assert!(d <= reference());
                    assert_eq!((u32::from(d.day), u32::from(d.month), u32::from(d.year) % 100), (dd, mm, yy));
                }
            }
        }
    }
}

#[test]
fn date_new_and_parse_iso() {
    assert!(Date::new(2024, 2, 29).is_some());
    assert!(Date::new(2023, 2, 29).is_none());
    assert!(Date::new(1900, 2, 29).is_none());
    assert!(Date::new(2000, 2, 29).is_some());
    assert!(Date::new(2026, 0, 1).is_none());
    assert!(Date::new(2026, 13, 1).is_none());
    assert!(Date::new(2026, 4, 31).is_none());
    assert!(Date::new(2026, 1, 0).is_none());
    assert_eq!(Date::parse_iso("2026-11-24"), Some(reference()));
    assert_eq!(Date::parse_iso("2026-11-24").unwrap().to_string(), "2026-11-24");
    for bad in ["2026-11-31", "2026/11/24", "26-11-24", "2026-11-2", "2026-1-024", "20x6-11-24", "", "2026-11-24 "] {
        assert_eq!(Date::parse_iso(bad), None, "{bad:?}");
    }
    assert!(Date::new(1999, 12, 31).unwrap() < Date::new(2000, 1, 1).unwrap());
}

#[test]
fn from_unix_days_matches_chrono() {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1).unwrap());
    assert_eq!(Date::from_unix_days(20_781), reference());
    assert_eq!(Date::from_unix_days(-1), Date::new(1969, 12, 31).unwrap());
    assert_eq!(Date::from_unix_days(11_016), Date::new(2000, 2, 29).unwrap());
    // Every day from year 1 to about year 7000, then a sparse sweep out to year 65535.
    let days = (-719_162i64..1_840_000).chain((1_840_000..23_200_000).step_by(997));
    let mut n = 0;
    for day in days {
        let c = epoch + chrono::Duration::days(day);
        let d = Date::from_unix_days(day);
        assert_eq!(
            (u32::from(d.year), u32::from(d.month), u32::from(d.day)),
            (c.year() as u32, c.month(), c.day()),
            "unix day {day}"
        );
        n += 1;
    }
    assert!(n > 2_500_000);
}

// ---------------------------------------------------------------- rules 5-6

#[test]
fn serial() {
    assert_nik_reason("3507011508900000", Reason::Serial);
    assert_eq!(kk("3507011508900000"), Err(Reason::Serial));
    assert_valid("3507011508900001");
    assert_valid("3507011508909999");
    assert_valid("3507011508901000");
}

#[test]
fn placeholder() {
    // The only dummy that passes rules 1-5 with real codes: 11 / 1111 / 111111, 11-11-(19)11.
    assert_nik_reason("1111111111111111", Reason::Placeholder);
    assert_eq!(kk("1111111111111111"), Err(Reason::Placeholder));
    assert_eq!(kk("\"1111 1111 1111 1111\""), Err(Reason::Placeholder));
    // Almost a dummy is a real number.
    assert_valid("1111111111111112");
    assert_valid("1111111111111121");
    // Earlier rules win: these are dummies, but fail the region or date rules first.
    assert_nik_reason("0000000000000000", Reason::Province);
    assert_nik_reason("1212121212121212", Reason::District);
    assert_nik_reason("0123456789012345", Reason::Province);
    assert_nik_reason("9876543210987654", Reason::Province);
    assert_nik_reason("7654321098765432", Reason::Regency); // 76 Sulawesi Barat has 7601-7606
    assert_nik_reason("3333333333333333", Reason::Regency);

    let p = |s: &str| is_placeholder(s.as_bytes().try_into().unwrap());
    for dummy in [
        "0000000000000000",
        "1111111111111111",
        "9999999999999999",
        "1212121212121212",
        "3535353535353535",
        "9090909090909090",
        "0123456789012345",
        "1234567890123456",
        "7890123456789012",
        "9876543210987654",
        "3210987654321098",
        "0987654321098765",
    ] {
        assert!(p(dummy), "{dummy}");
    }
    for real in [
        "3507011508909967",
        "1111111111111112",
        "2111111111111111",
        "1212121212121213",
        "0123456789012346",
        "0123456789012344",
        "9876543210987655",
        "0246802468024680",
        "1231231231231231",
        "0101010101010110",
        "1234567890987654",
    ] {
        assert!(!p(real), "{real}");
    }
}

// ---------------------------------------------------------------- No. KK

#[test]
fn kk_dates_have_no_plus_forty() {
    assert_eq!(kk(NIK), Ok(Some(NIK_VALUE)));
    assert_eq!(kk(&with_date("010190")), Ok(Some(3_507_010_101_900_001)));
    assert_eq!(kk(&with_date("310190")), Ok(Some(3_507_013_101_900_001)));
    for dd in ["41", "55", "71", "32", "00", "72"] {
        assert_eq!(kk(&with_date(&format!("{dd}0190"))), Err(Reason::BirthDate), "{dd}");
    }
    assert_eq!(nik(&with_date("410190")), Ok(Some(3_507_014_101_900_001)));
    assert_eq!(kk(&with_date("290200")), Ok(Some(3_507_012_902_000_001)));
    assert_eq!(kk(&with_date("290201")), Err(Reason::BirthDate));
    assert_eq!(kk(&with_date("251126")), Ok(Some(3_507_012_511_260_001))); // 1926
    assert_eq!(kk("9101011508909967"), Ok(Some(9_101_011_508_909_967)));
    assert_eq!(kk("9471011508909967"), Err(Reason::Regency));
    assert_eq!(kk("3.50701E+15"), Err(Reason::SpreadsheetMangled));
    assert_eq!(kk("３５０７０１１５０８９０９９６７"), Ok(Some(NIK_VALUE)));
    let Check::Valid(k) = validator().kk(b"3507011508909967") else { panic!() };
    assert_eq!((k.day_field(), k.month(), k.year2(), k.serial(), k.region_code()), (15, 8, 90, 9967, 350701));
}

// ---------------------------------------------------------------- Nik accessors and keys

#[test]
fn accessors_never_show_the_number() {
    let Check::Valid(n) = validator().nik(NIK.as_bytes()) else { panic!() };
    assert_eq!(n.value(), NIK_VALUE);
    assert_eq!(n.region_code(), 350701);
    assert_eq!(n.masked().to_string(), "350701**********");
    let debug = format!("{n:?}");
    assert!(!debug.contains("1508909967"), "{debug}");
    assert!(debug.contains("350701**********"));
    let Check::Valid(k) = validator().kk(NIK.as_bytes()) else { panic!() };
    let debug = format!("{k:?}");
    assert!(!debug.contains("1508909967") && debug.contains("350701**********"), "{debug}");
}

/// One valid NIK per district, day, gender and a few serials: distinct numbers give distinct
/// keys, and the key's high bits give the district back.
#[test]
fn keys_are_exact_and_carry_the_district() {
    let v = validator();
    let t = v.regions();
    let mut values = HashSet::new();
    let mut keys = HashSet::new();
    for (i, d) in t.districts.iter().enumerate() {
        for (j, ddmmyy) in ["010190", "410190", "150890", "311299", "290200", "241126"].iter().enumerate() {
            for serial in [1u32, 2, 9999, 1000 + i as u32 % 9000, (i as u32 * 7 + j as u32) % 9999 + 1] {
                let raw = format!("{:06}{ddmmyy}{serial:04}", d.code);
                let Check::Valid(n) = v.nik(raw.as_bytes()) else { panic!("{raw} should be valid") };
                assert_eq!(n.district(), t.district(d.code).unwrap());
                assert_eq!(usize::from(n.district().0), i);
                assert_eq!(Nik::key_district(n.key()), n.district());
                assert!(n.key() < 1 << 47);
                assert_eq!(n.key() & ((1 << 34) - 1), n.value() % 10_000_000_000);
                let fresh = values.insert(n.value());
                assert_eq!(keys.insert(n.key()), fresh, "{raw}");
                let Check::Valid(k) = v.kk(raw.as_bytes()) else {
                    assert!(ddmmyy.starts_with('4'));
                    continue;
                };
                assert_eq!(Kk::key_district(k.key()), k.district());
                assert_eq!(k.key(), n.key());
            }
        }
    }
    assert_eq!(keys.len(), values.len());
    assert!(keys.len() > 200_000);
}

// ---------------------------------------------------------------- the region table

struct CsvRow {
    code: u32,
    name: String,
    kind: Option<String>,
    first: u16,
    last: u16,
    successor: Option<u32>,
}

fn read_csv(file: &str) -> Vec<CsvRow> {
    let path = format!("{}/src/nik/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (c_code, c_name, c_first, c_last, c_succ) =
        (col("code"), col("name"), col("first_seen"), col("last_seen"), col("successor_code"));
    let c_kind = headers.iter().position(|h| h == "kind");
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            CsvRow {
                code: r[c_code].parse().unwrap(),
                name: r[c_name].to_string(),
                kind: c_kind.map(|c| r[c].to_string()),
                first: r[c_first].parse().unwrap(),
                last: r[c_last].parse().unwrap(),
                successor: (!r[c_succ].is_empty()).then(|| r[c_succ].parse().unwrap()),
            }
        })
        .collect()
}

/// Per code: the row of its newest meaning, and the earliest first_seen of all its rows.
fn newest_meaning(rows: &[CsvRow]) -> BTreeMap<u32, (&CsvRow, u16)> {
    let mut m: BTreeMap<u32, (&CsvRow, u16)> = BTreeMap::new();
    for r in rows {
        let e = m.entry(r.code).or_insert((r, r.first));
        if r.last > e.0.last {
            e.0 = r;
        }
        e.1 = e.1.min(r.first);
    }
    m
}

/// `editions.csv`: edition year -> (provinces, regencies, districts).
fn edition_counts() -> BTreeMap<u16, (usize, usize, usize)> {
    let path = format!("{}/src/nik/data/editions.csv", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), (r[4].parse().unwrap(), r[5].parse().unwrap(), r[6].parse().unwrap()))
        })
        .collect()
}

#[test]
fn region_table_counts_match_the_csv() {
    let t = RegionTable::embedded();
    let (p, r, d) = (read_csv("provinces.csv"), read_csv("regencies.csv"), read_csv("districts.csv"));
    assert_eq!(t.provinces.len(), 38);
    assert_eq!(t.provinces.len(), newest_meaning(&p).len());
    assert_eq!(t.regencies.len(), newest_meaning(&r).len());
    assert_eq!(t.districts.len(), newest_meaning(&d).len());
    assert_eq!((t.regencies.len(), t.districts.len()), (540, 7879));
    // Codes current in the newest edition: the counts editions.csv gives for 2025.
    let newest = edition_counts()[&takar::nik::region::NEWEST_EDITION];
    let current = |v: &[takar::nik::region::Region]| v.iter().filter(|x| x.is_current()).count();
    assert_eq!((current(&t.provinces), current(&t.regencies), current(&t.districts)), newest);
    assert_eq!(newest, (38, 514, 7285));
    // Ids are dense and sorted by code.
    for v in [&t.provinces, &t.regencies, &t.districts] {
        assert!(v.windows(2).all(|w| w[0].code < w[1].code));
    }
}

#[test]
fn every_csv_code_round_trips() {
    let t = RegionTable::embedded();
    for (code, (row, first)) in newest_meaning(&read_csv("provinces.csv")) {
        let id = t.province(code).unwrap_or_else(|| panic!("province {code}"));
        let info = t.province_info(id);
        assert_eq!((info.code, &info.name, info.first_seen, info.last_seen), (code, &row.name, first, row.last));
        assert_eq!(info.successor, row.successor);
    }
    for (code, (row, first)) in newest_meaning(&read_csv("regencies.csv")) {
        let id = t.regency(code).unwrap_or_else(|| panic!("regency {code}"));
        let info = t.regency_info(id);
        assert_eq!((info.code, &info.name, info.first_seen, info.last_seen), (code, &row.name, first, row.last));
        assert_eq!(info.successor, row.successor);
        let kind = if row.kind.as_deref() == Some("kota") { RegencyKind::Kota } else { RegencyKind::Kabupaten };
        assert_eq!(info.kind, Some(kind), "{code}");
        assert_eq!(kind == RegencyKind::Kota, code % 100 >= 71, "{code}");
        assert_eq!(t.province_info(t.province_of(id)).code, code / 100);
    }
    for (code, (row, first)) in newest_meaning(&read_csv("districts.csv")) {
        let id = t.district(code).unwrap_or_else(|| panic!("district {code}"));
        let info = t.district_info(id);
        assert_eq!((info.code, &info.name, info.first_seen, info.last_seen), (code, &row.name, first, row.last));
        assert_eq!(info.successor, row.successor);
        let reg = t.regency_of(id);
        assert_eq!(t.regency_info(reg).code, code / 100);
        assert_eq!(t.district_in(reg, code % 100), Some(id));
        if let Some(s) = info.successor {
            assert!(t.district(s).is_some(), "successor {s} of {code} is a known district");
        }
    }
}

#[test]
fn region_lookups_of_absent_codes() {
    let t = RegionTable::embedded();
    let (p, r, d) = (
        newest_meaning(&read_csv("provinces.csv")).into_keys().collect::<HashSet<_>>(),
        newest_meaning(&read_csv("regencies.csv")).into_keys().collect::<HashSet<_>>(),
        newest_meaning(&read_csv("districts.csv")).into_keys().collect::<HashSet<_>>(),
    );
    for code in 0..100 {
        assert_eq!(t.province(code).is_some(), p.contains(&code), "{code}");
    }
    for code in 0..10_000 {
        assert_eq!(t.regency(code).is_some(), r.contains(&code), "{code}");
    }
    for code in 0..1_000_000 {
        assert_eq!(t.district(code).is_some(), d.contains(&code), "{code}");
    }
    assert_eq!(t.province(100), None);
    assert_eq!(t.province(u32::MAX), None);
    assert_eq!(t.regency(10_000), None);
    assert_eq!(t.regency(u32::MAX), None);
    assert_eq!(t.district(1_000_000 + 350701), None);
    let malang = t.regency(3507).unwrap();
    assert_eq!(t.district_in(malang, 100), None);
    assert_eq!(t.district_in(malang, 101), None);
    assert_eq!(t.district_in(malang, u32::MAX), None);
}

#[test]
fn code_with_two_meanings_keeps_the_newest_name() {
    // 740813 and 740815 (Kabupaten Kolaka Utara) swapped names between 2015 and 2017.
    let t = RegionTable::embedded();
    let a = t.district_info(t.district(740813).unwrap());
    assert_eq!((a.name.as_str(), a.first_seen, a.last_seen, a.successor), ("Katoi", 2015, 2025, None));
    assert!(a.is_current());
    let b = t.district_info(t.district(740815).unwrap());
    assert_eq!((b.name.as_str(), b.first_seen, b.last_seen, b.successor), ("Tolala", 2015, 2025, None));
}

#[test]
fn from_csv_rejects_orphans_and_bad_codes() {
    let p = "code,parent_code,name,first_seen,last_seen,successor_code\n35,,Jawa Timur,2015,2025,\n";
    let r = "code,parent_code,name,kind,first_seen,last_seen,successor_code\n3507,35,Kabupaten Malang,kabupaten,2015,2025,\n";
    let d = "code,parent_code,name,first_seen,last_seen,successor_code\n350701,3507,Donomulyo,2015,2025,\n";
    let t = RegionTable::from_csv(p, r, d).unwrap();
    assert_eq!((t.provinces.len(), t.regencies.len(), t.districts.len()), (1, 1, 1));
    let v = Validator::new(&t, reference());
    assert!(matches!(v.nik(NIK.as_bytes()), Check::Valid(_)));
    assert_eq!(v.nik(b"3507021508909967"), Check::Invalid(Reason::District));
    assert_eq!(v.nik(b"3508011508909967"), Check::Invalid(Reason::Regency));
    assert_eq!(v.nik(b"3307011508909967"), Check::Invalid(Reason::Province));
    let orphan = format!("{d}350801,3508,Nowhere,2015,2025,\n");
    assert!(RegionTable::from_csv(p, r, &orphan).is_err());
    let bad = format!("{d}35070,3507,Short,2015,2025,\n");
    assert!(RegionTable::from_csv(p, r, &bad).is_err());
    assert!(RegionTable::from_csv("", r, d).is_err());
}

#[test]
fn reasons_have_their_report_names() {
    let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "length",
            "non_digit",
            "spreadsheet_mangled",
            "province",
            "regency",
            "district",
            "birth_date",
            "serial",
            "placeholder"
        ]
    );
    for (i, r) in Reason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
        assert_eq!(r.to_string(), r.as_str());
    }
}
