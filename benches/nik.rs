//! NIK/KK validation throughput on a realistic mix of fields, fast path against the oracle.
//!
//! The mix: 70% valid numbers from random real districts of the embedded table (most as bare
//! 16-byte fields, some quoted, padded, separated or behind an NBSP), 30% not valid for every
//! reason there is, plus a few missing fields. The NIK column has women's (+40) days in half of
//! its valid numbers; the KK column has plain issue dates. Each field's label comes from how it
//! was built and is confirmed by the oracle and the fast path once, before timing; every timed
//! loop counts the valid results and asserts the count, so a broken fast path cannot post a
//! good time. Reported as fields per second (`ItemsCount`): `cargo bench --bench nik`; the
//! oracle's row on the same NIK mix gives the fast/oracle ratio.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use takar::nik::oracle::{self, Kind};
use takar::nik::{Check, Date, RegionTable, Validator};

fn main() {
    divan::main();
}

const FIELDS: usize = 1 << 16;

fn reference() -> Date {
    Date::new(2026, 11, 24).unwrap()
}

fn validator() -> Validator<'static> {
    Validator::new(RegionTable::embedded(), reference())
}

/// The fields of the mix in one buffer, and how many of them are valid under the mix's rules.
struct Mix {
    buf: Vec<u8>,
    ends: Vec<usize>,
    valid: usize,
}

impl Mix {
    fn fields(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let f = &self.buf[start..end];
                start = end;
                f
            })
            .collect()
    }
}

/// A valid NIK (for a man also a valid KK) in a random real district, born 1940-2019.
fn valid_digits(r: &mut Pcg64Mcg, t: &RegionTable, female: bool) -> String {
    let code = t.districts[r.random_range(0..t.districts.len() as u64) as usize].code;
    let month = 1 + r.random_range(0..12);
    let day = 1 + r.random_range(0..28) + if female { 40 } else { 0 };
    let year = (40 + r.random_range(0..80)) % 100;
    let serial = 1 + r.random_range(0..9999);
    format!("{code:06}{day:02}{month:02}{year:02}{serial:04}")
}

/// A column of NIKs (half of them women's, day + 40) or of No. KKs (plain issue dates).
fn mix(kind: Kind) -> Mix {
    let t = RegionTable::embedded();
    let v = validator();
    let mut r = Pcg64Mcg::seed_from_u64(0x6E69_6B5F_6265_6E63);
    let (mut buf, mut ends) = (Vec::with_capacity(FIELDS * 18), Vec::with_capacity(FIELDS));
    let mut expect = 0;
    for _ in 0..FIELDS {
        let female = kind == Kind::Nik && r.random_range(0..2) == 0;
        let good = valid_digits(&mut r, t, female);
        let roll = r.random_range(0..100);
        let field = match roll {
            // 70% valid: 62% bare 16 bytes, 8% dressed.
            0..=61 => good.clone(),
            62..=64 => format!("\"{good}\""),
            65..=66 => format!(" {good} "),
            67 => format!("'{good}"),
            68 => format!("{} {} {} {}", &good[..4], &good[4..8], &good[8..12], &good[12..]),
            69 => format!("\u{a0}{good}"),
            // 30% not valid.
            70..=73 => good[..15].to_string(),                        // length
            74 => format!("{good}7"),                                 // length
            75..=76 => format!("{}O{}", &good[..10], &good[11..]),    // non_digit
            77..=78 => format!("{}.{}E+15", &good[..1], &good[1..6]), // spreadsheet_mangled
            79 => format!("{good}.0"),                                // spreadsheet_mangled
            80..=81 => format!("99{}", &good[2..]),                   // province
            82..=83 => format!("{}98{}", &good[..2], &good[4..]),     // regency
            84..=85 => format!("{}99{}", &good[..4], &good[6..]),     // district
            86..=88 => format!("{}32{}", &good[..6], &good[8..]),     // birth_date (day)
            89..=90 => format!("{}13{}", &good[..8], &good[10..]),    // birth_date (month)
            91 => format!("{}290201{}", &good[..6], &good[12..]),     // birth_date (no 29 Feb 1901/2001)
            92..=93 => format!("{}0000", &good[..12]),                // serial
            94 => "1111111111111111".to_string(),                     // placeholder
            95 => "0000000000000000".to_string(),                     // province
            96..=97 => String::new(),                                 // missing
            98 => "NULL".to_string(),                                 // missing
            _ => "3.50701E+15".to_string(),                           // spreadsheet_mangled
        };
        // The label comes from the construction, not from the code under test, and the oracle
        // and the fast path confirm it once, outside the timed loops.
        let ok = roll < 70;
        let oracle_ok = oracle::check(field.as_bytes(), kind, reference()).is_ok_and(|x| x.is_some());
        let fast_ok = match kind {
            Kind::Nik => matches!(v.nik(field.as_bytes()), Check::Valid(_)),
            Kind::Kk => matches!(v.kk(field.as_bytes()), Check::Valid(_)),
        };
        assert_eq!((oracle_ok, fast_ok), (ok, ok), "{field:?}");
        expect += usize::from(ok);
        buf.extend_from_slice(field.as_bytes());
        ends.push(buf.len());
    }
    assert!((FIELDS * 69 / 100..FIELDS * 71 / 100).contains(&expect));
    Mix { buf, ends, valid: expect }
}

/// The fast path on the mix, as NIKs.
#[divan::bench]
fn fast_nik(bencher: Bencher) {
    let (mix, v) = (mix(Kind::Nik), validator());
    let fields = mix.fields();
    bencher.counter(ItemsCount::new(fields.len())).bench_local(|| {
        let mut valid = 0usize;
        for f in black_box(&fields) {
            valid += usize::from(matches!(v.nik(f), Check::Valid(_)));
        }
        assert_eq!(valid, mix.valid);
        valid
    });
}

/// The fast path on the same kind of mix for a No. KK column (issue dates, no + 40).
#[divan::bench]
fn fast_kk(bencher: Bencher) {
    let (mix, v) = (mix(Kind::Kk), validator());
    let fields = mix.fields();
    bencher.counter(ItemsCount::new(fields.len())).bench_local(|| {
        let mut valid = 0usize;
        for f in black_box(&fields) {
            valid += usize::from(matches!(v.kk(f), Check::Valid(_)));
        }
        assert_eq!(valid, mix.valid);
        valid
    });
}

/// The oracle on the same mix, for the fast/oracle ratio.
#[divan::bench(sample_count = 20)]
fn oracle_nik(bencher: Bencher) {
    let mix = mix(Kind::Nik);
    let fields = mix.fields();
    bencher.counter(ItemsCount::new(fields.len())).bench_local(|| {
        let mut valid = 0usize;
        for f in black_box(&fields) {
            valid += usize::from(matches!(oracle::check(f, Kind::Nik, reference()), Ok(Some(_))));
        }
        assert_eq!(valid, mix.valid);
        valid
    });
}
