//! The fast NIK/KK path (`Validator::nik` / `Validator::kk`) against its slow twin
//! (`takar::nik::oracle::check`) on millions of inputs: arbitrary bytes, adversarial fields
//! built from real district codes (valid NIKs and their near misses, dressed in separators,
//! quotes, Unicode whitespace and full-width digits), random reference dates, and deterministic
//! sweeps over every 6-digit region prefix and every district x many `DDMMYY`.
//!
//! Every input goes through both rule sets (NIK and KK). Counts are sized for several million
//! comparisons in well under a minute in the test profile; `NIK_ORACLE_SCALE=10` multiplies the
//! randomised parts for a longer soak.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use takar::nik::oracle::{self, Kind};
use takar::nik::{Check, Date, Reason, RegionTable, Validator};

type Outcome = Result<Option<u64>, Reason>;

fn fast(v: &Validator<'_>, raw: &[u8], kind: Kind) -> Outcome {
    fn map<T>(c: Check<T>, value: impl Fn(T) -> u64) -> Outcome {
        match c {
            Check::Valid(n) => Ok(Some(value(n))),
            Check::Missing => Ok(None),
            Check::Invalid(r) => Err(r),
        }
    }
    match kind {
        Kind::Nik => map(v.nik(raw), |n| n.value()),
        Kind::Kk => map(v.kk(raw), |k| k.value()),
    }
}

/// Both rule sets on one field; the first disagreement, described, or `None`.
fn disagreement(v: &Validator<'_>, raw: &[u8]) -> Option<String> {
    for kind in [Kind::Nik, Kind::Kk] {
        let (f, o) = (fast(v, raw, kind), oracle::check(raw, kind, v.dates().reference()));
        if f != o {
            return Some(format!(
                "{kind:?} {:?} (bytes {raw:02x?}), reference {}: fast {f:?}, oracle {o:?}",
                String::from_utf8_lossy(raw),
                v.dates().reference()
            ));
        }
    }
    None
}

fn prop_agree(v: &Validator<'_>, raw: &[u8]) -> Result<(), TestCaseError> {
    match disagreement(v, raw) {
        Some(msg) => Err(TestCaseError::fail(msg)),
        None => Ok(()),
    }
}

#[track_caller]
fn assert_agree(v: &Validator<'_>, raw: &[u8]) {
    if let Some(msg) = disagreement(v, raw) {
        panic!("{msg}");
    }
}

fn scale() -> u32 {
    std::env::var("NIK_ORACLE_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1)
}

fn config(cases: u32) -> Config {
    // No failure persistence: a failure prints its minimal input, and no file is written.
    Config { cases: cases * scale(), failure_persistence: None, ..Config::default() }
}

fn table() -> &'static RegionTable {
    RegionTable::embedded()
}

fn fixed_reference() -> Date {
    Date::new(2026, 11, 24).unwrap()
}

/// Reference dates from 1900-01-01 to 2100-12-31, with the fixed one and the edges of
/// centuries and leap days now and then.
fn reference_date() -> impl Strategy<Value = Date> {
    prop_oneof![
        3 => Just(fixed_reference()),
        6 => (-25_567i64..=47_846).prop_map(Date::from_unix_days),
        1 => prop::sample::select(vec![
            Date::new(1900, 1, 1).unwrap(),
            Date::new(1999, 12, 31).unwrap(),
            Date::new(2000, 1, 1).unwrap(),
            Date::new(2000, 2, 28).unwrap(),
            Date::new(2000, 2, 29).unwrap(),
            Date::new(2024, 2, 29).unwrap(),
            Date::new(2099, 12, 31).unwrap(),
            Date::new(2100, 12, 31).unwrap(),
        ]),
    ]
}

// ---------------------------------------------------------------- generated fields

/// Leading/trailing dressing of a field.
#[rustfmt::skip]
const WRAPPERS: &[&str] = &[
    "", "", "", "", "", "", "", "", " ", "\t", "\n", "\r\n", "\u{0b}", "\u{0c}", "\"", "'", " \"", "\"\u{a0}", "\u{a0}'",
    // Every Unicode White_Space character, and the BOM.
    "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{2001}", "\u{2002}", "\u{2003}", "\u{2004}", "\u{2005}", "\u{2006}",
    "\u{2007}", "\u{2008}", "\u{2009}", "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}",
    "\u{feff}",
    // Look-alikes that are not whitespace.
    "\u{200b}", "\u{180e}", "\u{2060}", "\u{1c}", "\u{ff10}", "x",
];

/// What replaces one digit in a `non_digit` near miss.
#[rustfmt::skip]
const INTRUDERS: &[&str] = &[
    "a", "O", "l", ".", ",", "e", "E", "+", "/", "_", "\"", "'", "\u{a0}", "\u{3000}", "\u{ff0d}", "\u{2013}", "\u{0}",
    "\u{fffd}", "\u{ff1a}", "\u{ff0f}", "\t", "\u{0660}", "\u{ff11}\u{ff12}", "  ", "--",
];

/// Missing-ish tokens (some of them are not missing).
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "", "NULL", "null", "Null", "nUlL", "\\N", "-", "--", " - ", "\"\"", "''", "N/A", "NUL", "\\n", "None", "0", "-0",
    "\"NULL\"", "'\\N'", "\u{a0}", "\u{3000}-\u{3000}",
];

/// One generated field: a real district (by table index) and date/serial digits, a mutation
/// that may break one rule, and dressing that must not change the answer (or must, for the
/// intruding kinds). Plain numbers, so proptest shrinks them and the bulk test draws them.
#[derive(Debug, Clone)]
struct Spec {
    district: usize,
    dd: u8,
    mm: u8,
    yy: u8,
    serial: u16,
    mutation: u8,
    pos: u8,
    byte: u8,
    sep_mask: u32,
    wide_mask: u16,
    lead: u8,
    trail: u8,
}

const MUTATIONS: u8 = 24;

fn digits_of(n: u64, width: usize) -> Vec<u8> {
    format!("{n:0width$}").into_bytes()
}

fn full_width(d: u8) -> [u8; 3] {
    [0xEF, 0xBC, 0x90 + (d - b'0')]
}

impl Spec {
    /// The 16 digits before any mutation.
    fn base(&self, t: &RegionTable) -> Vec<u8> {
        let code = t.districts[self.district % t.districts.len()].code;
        format!("{code:06}{:02}{:02}{:02}{:04}", self.dd % 100, self.mm % 100, self.yy % 100, self.serial % 10_000)
            .into_bytes()
    }

    fn build(&self, t: &RegionTable) -> Vec<u8> {
        let mut d = self.base(t);
        let pos = usize::from(self.pos);
        let b = self.byte;
        // Either a digit string to dress, or a finished field.
        let mut finished: Option<Vec<u8>> = None;
        match self.mutation {
            0..=6 => {}
            7 => {
                d.remove(pos % 16); // 15 digits
            }
            8 => d.insert(pos % 17, b'0' + b % 10), // 17 digits
            9 => d[12..].copy_from_slice(b"0000"),
            10 => d[0..2].copy_from_slice(&digits_of(u64::from(b % 100), 2)),
            11 => d[2..4].copy_from_slice(&digits_of(u64::from(b % 100), 2)),
            12 => d[4..6].copy_from_slice(&digits_of(u64::from(b % 100), 2)),
            13 => {
                // One digit replaced by something else.
                let intruder = INTRUDERS[usize::from(b) % INTRUDERS.len()].as_bytes();
                let at = pos % 16;
                d.splice(at..at + 1, intruder.iter().copied());
                finished = Some(self.dress(&d, false));
            }
            14 => {
                // E-notation: 3.50701E+15 and its spellings.
                let k = 1 + pos % 15;
                let mut s = vec![d[0], if b & 1 == 0 { b'.' } else { b',' }];
                s.extend_from_slice(&d[1..=k]);
                s.push(if b & 2 == 0 { b'E' } else { b'e' });
                s.extend_from_slice(match (b >> 2) % 4 {
                    0 | 1 => b"+15",
                    2 => b"15",
                    _ => b"-5",
                });
                finished = Some(self.dress(&s, self.byte & 0x80 != 0));
            }
            15 => {
                // A trailing decimal part: 3507011508909967.0 (or fewer digits and ",00").
                let keep = if b & 1 == 0 { 16 } else { 10 + pos % 7 };
                let mut s = d[..keep].to_vec();
                s.extend_from_slice(if b & 2 == 0 { b".0" } else { b",00" });
                finished = Some(self.dress(&s, self.byte & 0x80 != 0));
            }
            16 => {
                // Dummies: a repeated digit, a two-digit cycle, a run up or down.
                let (a, c) = (b % 10, (b / 10) % 10);
                d = (0..16u8)
                    .map(|i| {
                        b'0' + match pos % 4 {
                            0 => a,
                            1 => [a, c][usize::from(i % 2)],
                            2 => (a + i) % 10,
                            _ => (a + 100 - i) % 10,
                        }
                    })
                    .collect();
            }
            17 => finished = Some(self.dress(TOKENS[usize::from(b) % TOKENS.len()].as_bytes(), false)),
            18 => {
                // 29 February of the spec's year, as a man or a woman.
                d[6..10].copy_from_slice(if b & 1 == 0 { b"2902" } else { b"6902" });
            }
            19 => d.truncate(pos % 20), // short, or empty
            20 => {
                // Day 41-71 or 32-40 / 72: the +40 edges, and the same for KK.
                let day = [0u8, 31, 32, 40, 41, 60, 69, 70, 71, 72, 99][usize::from(b) % 11];
                d[6..8].copy_from_slice(&digits_of(u64::from(day), 2));
            }
            21 => {
                // Month edges.
                let month = [0u8, 1, 2, 12, 13, 20, 99][usize::from(b) % 7];
                d[8..10].copy_from_slice(&digits_of(u64::from(month), 2));
            }
            22 => {
                // A historic Papua code, or a BPS-style 94xx code.
                let code: u32 = [910101, 910401, 920101, 927101, 940101, 947101, 943601, 917101][usize::from(b) % 8];
                d[..6].copy_from_slice(&digits_of(u64::from(code), 6));
            }
            _ => {
                // Random digits anywhere.
                d[pos % 16] = b'0' + b % 10;
            }
        }
        finished.unwrap_or_else(|| self.dress(&d, true))
    }

    /// Separators (' ' or '-') between digits where `sep_mask` says, full-width digits where
    /// `wide_mask` says, and the lead/trail wrappers.
    fn dress(&self, core: &[u8], separators_and_wide: bool) -> Vec<u8> {
        let mut out = WRAPPERS[usize::from(self.lead) % WRAPPERS.len()].as_bytes().to_vec();
        for (i, &c) in core.iter().enumerate() {
            if separators_and_wide && i > 0 && i < 32 && self.sep_mask & (1 << i) != 0 {
                out.push(if self.sep_mask & (1 << (i / 2 + 16)) != 0 { b'-' } else { b' ' });
            }
            if separators_and_wide && c.is_ascii_digit() && i < 16 && self.wide_mask & (1 << i) != 0 {
                out.extend_from_slice(&full_width(c));
            } else {
                out.push(c);
            }
        }
        out.extend_from_slice(WRAPPERS[usize::from(self.trail) % WRAPPERS.len()].as_bytes());
        out
    }
}

fn day_strategy() -> impl Strategy<Value = u8> {
    prop_oneof![6 => 1u8..=28, 2 => 28u8..=31, 3 => 41u8..=71, 1 => 29u8..=32, 1 => 68u8..=72, 1 => 0u8..100]
}

fn month_strategy() -> impl Strategy<Value = u8> {
    prop_oneof![10 => 1u8..=12, 2 => Just(2u8), 1 => 0u8..100]
}

fn mask32() -> impl Strategy<Value = u32> {
    prop_oneof![4 => Just(0u32), 1 => any::<u32>(), 1 => (any::<u32>(), any::<u32>()).prop_map(|(a, b)| a & b & 0x0001_1110)]
}

fn mask16() -> impl Strategy<Value = u16> {
    prop_oneof![5 => Just(0u16), 1 => any::<u16>(), 1 => Just(u16::MAX)]
}

fn wrapper_index() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 2 => any::<u8>()]
}

fn spec_strategy() -> impl Strategy<Value = Spec> {
    let n = table().districts.len();
    (
        (0..n, day_strategy(), month_strategy(), 0u8..100, prop_oneof![8 => 1u16..10_000, 1 => Just(0u16)]),
        (0..MUTATIONS, any::<u8>(), any::<u8>()),
        (mask32(), mask16(), wrapper_index(), wrapper_index()),
    )
        .prop_map(|((district, dd, mm, yy, serial), (mutation, pos, byte), (sep_mask, wide_mask, lead, trail))| {
            Spec { district, dd, mm, yy, serial, mutation, pos, byte, sep_mask, wide_mask, lead, trail }
        })
}

/// Pieces the biased byte soup is made of.
#[rustfmt::skip]
const PIECES: &[&[u8]] = &[
    b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9", b"35", b"3507", b"350701", b"1508909967", b" ", b"-",
    b"\"", b"'", b".", b",", b"e", b"E", b"+", b"\t", b"\n", b"\x0b", b"\x0c", b"\r", b"\x1c", b"\xc2\xa0", b"\xc2\x85",
    b"\xe1\x9a\x80", b"\xe2\x80\x80", b"\xe2\x80\x8a", b"\xe2\x80\x8b", b"\xe2\x80\xa8", b"\xe2\x80\xa9",
    b"\xe2\x80\xaf", b"\xe2\x81\x9f", b"\xe3\x80\x80", b"\xef\xbb\xbf", b"\xef\xbc\x90", b"\xef\xbc\x99",
    b"\xef\xbc\x8f", b"\xef\xbc", b"\xef", b"\xbc", b"\x90", b"\xc2", b"\xe2\x80", b"\xe2", b"\x80", b"\xff", b"NULL",
    b"null", b"\\N", b"N", b"\\", b"0.0", b"E+15", b"\x00",
];

fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..24).prop_map(|v| v.concat())
}

// ---------------------------------------------------------------- property tests

proptest! {
    #![proptest_config(config(300_000))]

    /// (a) Arbitrary bytes, 0 to 40 of them.
    #[test]
    fn arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..40), reference in reference_date()) {
        let v = Validator::new(table(), reference);
        prop_agree(&v, &raw)?;
    }

    /// (a') Byte soup from the pieces the rules care about (digits, separators, quotes, Unicode
    /// spaces, full-width digits and their broken prefixes, E-notation, missing tokens).
    #[test]
    fn byte_soup(raw in soup(), reference in reference_date()) {
        let v = Validator::new(table(), reference);
        prop_agree(&v, &raw)?;
    }
}

proptest! {
    #![proptest_config(config(500_000))]

    /// (b, c) Valid NIKs from real districts and their near misses, dressed, against random
    /// reference dates: each spec checked bare, dressed and mutated.
    #[test]
    fn adversarial_fields(spec in spec_strategy(), reference in reference_date()) {
        let v = Validator::new(table(), reference);
        let t = table();
        prop_agree(&v, &spec.base(t))?;
        prop_agree(&v, &spec.build(t))?;
        let plain = Spec { sep_mask: 0, wide_mask: 0, lead: 0, trail: 0, ..spec.clone() };
        prop_agree(&v, &plain.build(t))?;
    }
}

// ---------------------------------------------------------------- bulk and deterministic

fn random_spec(r: &mut Pcg64Mcg, districts: usize) -> Spec {
    let dd = match r.random_range(0..10) {
        0..=4 => 1 + r.random_range(0..28),
        5 => 28 + r.random_range(0..4),
        6..=8 => 41 + r.random_range(0..31),
        _ => r.random_range(0..100),
    } as u8;
    let mm = if r.random_range(0..8) == 0 { r.random_range(0..100) } else { 1 + r.random_range(0..12) } as u8;
    let mask32 = |r: &mut Pcg64Mcg| if r.random_range(0..4) == 0 { r.random::<u64>() as u32 } else { 0 };
    let mask16 = |r: &mut Pcg64Mcg| if r.random_range(0..5) == 0 { r.random::<u64>() as u16 } else { 0 };
    let wrap = |r: &mut Pcg64Mcg| if r.random_range(0..2) == 0 { r.random::<u64>() as u8 } else { 0 };
    Spec {
        district: r.random_range(0..districts as u64) as usize,
        dd,
        mm,
        yy: r.random_range(0..100) as u8,
        serial: if r.random_range(0..10) == 0 { 0 } else { 1 + r.random_range(0..9999) as u16 },
        mutation: r.random_range(0..u64::from(MUTATIONS)) as u8,
        pos: r.random::<u64>() as u8,
        byte: r.random::<u64>() as u8,
        sep_mask: mask32(r),
        wide_mask: mask16(r),
        lead: wrap(r),
        trail: wrap(r),
    }
}

/// The same generator as `adversarial_fields`, driven by a seeded PRNG: three million fields
/// (six million comparisons), on 64 validators with different reference dates. The outcome
/// mix is checked too, so the generator keeps reaching every rule.
#[test]
fn bulk_generated_fields() {
    const SEED: u64 = 0x7A6A_2026_1124_0001;
    let t = table();
    let n = 3_000_000u64 * u64::from(scale());
    let mut r = Pcg64Mcg::seed_from_u64(SEED);
    let validators: Vec<Validator<'_>> = (0..64)
        .map(|i| {
            let reference =
                if i == 0 { fixed_reference() } else { Date::from_unix_days(-25_567 + r.random_range(0..73_414) as i64) };
            Validator::new(t, reference)
        })
        .collect();
    // valid, missing, then one slot per reason (NIK rules).
    let mut outcomes = [0u64; 2 + Reason::COUNT];
    for i in 0..n {
        let spec = random_spec(&mut r, t.districts.len());
        let raw = spec.build(t);
        let v = &validators[(i % 64) as usize];
        if let Some(msg) = disagreement(v, &raw) {
            panic!("field {i} of seed {SEED:#x}: {msg}\n{spec:?}");
        }
        outcomes[match v.nik(&raw) {
            Check::Valid(_) => 0,
            Check::Missing => 1,
            Check::Invalid(reason) => 2 + reason.index(),
        }] += 1;
    }
    let valid = outcomes[0];
    assert!(valid > n / 5 && valid < n * 4 / 5, "{valid} valid of {n}");
    assert!(outcomes[1] > n / 1000, "missing: {}", outcomes[1]);
    for reason in Reason::ALL {
        let seen = outcomes[2 + reason.index()];
        assert!(seen > n / 10_000, "{reason}: only {seen} of {n}");
    }
}

/// Every 6-digit region prefix 000000-999999 with a valid date and serial: the region rules
/// of both twins on every code there is and is not.
#[test]
fn every_region_prefix() {
    let v = Validator::new(table(), fixed_reference());
    let mut raw = *b"0000001508909967";
    let mut valid = 0;
    for code in 0..1_000_000u32 {
        raw[..6].copy_from_slice(format!("{code:06}").as_bytes());
        assert_agree(&v, &raw);
        valid += usize::from(matches!(v.nik(&raw), Check::Valid(_)));
    }
    // 1111111508909967 etc. are not dummies, so every district gives one valid NIK.
    assert_eq!(valid, table().districts.len());
}

/// Every district code of the table x many `DDMMYY` (all day edges, all months and then some,
/// a sweep of years), on a few reference dates.
#[test]
fn every_district_many_dates() {
    let t = table();
    let references = [
        fixed_reference(),
        Date::new(1990, 1, 1).unwrap(),
        Date::new(2000, 2, 29).unwrap(),
        Date::new(2024, 2, 28).unwrap(),
    ];
    let validators: Vec<_> = references.iter().map(|&r| Validator::new(t, r)).collect();
    const DAYS: [u8; 20] = [0, 1, 9, 15, 28, 29, 30, 31, 32, 40, 41, 55, 68, 69, 70, 71, 72, 80, 90, 99];
    const MONTHS: [u8; 15] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 99];
    let mut raw = *b"0000000000000001";
    for (i, d) in t.districts.iter().enumerate() {
        raw[..6].copy_from_slice(format!("{:06}", d.code).as_bytes());
        // Two years per district, sweeping 00-99 across the table; the leap and reference
        // years come back often.
        let years = [(i % 100) as u8, [0u8, 1, 4, 24, 26, 27, 28, 90, 96, 99][i % 10]];
        for (y, &yy) in years.iter().enumerate() {
            let v = &validators[(i + y) % validators.len()];
            for dd in DAYS {
                for mm in MONTHS {
                    raw[6..12].copy_from_slice(format!("{dd:02}{mm:02}{yy:02}").as_bytes());
                    assert_agree(v, &raw);
                }
            }
        }
    }
}

/// All 1,000,000 `DDMMYY` for one district, on references across two centuries.
#[test]
fn every_date_of_one_district() {
    let t = table();
    let mut raw = *b"3507010000000001";
    for reference in [Date::new(2026, 11, 24).unwrap(), Date::new(1999, 12, 31).unwrap()] {
        let v = Validator::new(t, reference);
        for ddmmyy in 0..1_000_000u32 {
            raw[6..12].copy_from_slice(format!("{ddmmyy:06}").as_bytes());
            assert_agree(&v, &raw);
        }
    }
}
