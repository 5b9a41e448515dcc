//! The one funnel every format feeds: [`Counter::record`] takes the values of one record,
//! validates them through the pure NIK core and counts them into the chunk's [`Tally`], so
//! every format is counted by the same rules.

use super::checks::{age_class, birth_date_matches, parse_date, parse_gender, Age};
use super::harvest::Harvest;
use super::keys::{Estimates, KeyStore};
use super::rows::{Rows, NO_KK};
use super::role::{Role, RoleMap};
use super::tally::{Tally, Warning, MAX_WARNINGS};
use crate::nik::places::{reduce, Level, Reduced};
use crate::nik::{Check, DistrictId, Nik, RegencyId, RegionTable, Validator};

/// What the counter keeps of the valid numbers besides the counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    /// Each column's keys, for the key store (`takar scan`, `takar overlap`).
    #[default]
    Keys,
    /// One row per record with a valid NIK: its NIK key and its KK key (or none), for
    /// `takar keys`; the key stores stay empty.
    Rows,
    /// HyperLogLog sketches of the keys instead of the keys (`--approximate`).
    Estimates,
}

/// Everything a worker needs, shared by reference.
pub struct Context<'a> {
    pub validator: &'a Validator<'a>,
    pub input: u32,
    pub districts: usize,
    pub keep: Keep,
    /// Told the bytes of each chunk once it is parsed (never in the record loop); the engine
    /// knows no terminal, the driver decides what progress looks like.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// The memory budget the chunks' key stores count against (none: unbounded).
    pub budget: Option<&'a std::sync::Arc<crate::engine::keys::Budget>>,
}

/// The value a record offers for each role (any may be absent).
pub type Fields<'a> = RoleMap<Option<&'a [u8]>>;

/// Counts records into a chunk's tally: validation, region counts, consistency, dedup keys.
/// Every format parser feeds its records through [`Counter::record`], so every format is
/// counted by the same rules.
pub struct Counter<'c> {
    ctx: &'c Context<'c>,
    tally: Tally,
    nik_keys: &'c mut Vec<u64>,
    kk_keys: &'c mut Vec<u64>,
    last_regency: LastPlace,
    last_district: LastPlace,
}

/// The last place name read in one column, reduced, with the last district it was checked
/// for and the answer. Dumps list their records place by place, so most records repeat the
/// previous one's names: a repeat costs one short comparison instead of a reduction (and,
/// for the same district, instead of a walk of the table's names too). Before this, the two
/// name columns took half the scan's time.
struct LastPlace {
    raw: [u8; LAST_PLACE_MAX],
    /// 0: nothing remembered.
    len: u8,
    reduced: Option<Reduced>,
    district: u16,
    /// Whether the name mismatched `district`; `None`: not a name to check.
    answer: Option<bool>,
}

/// Names longer than this are reduced every time (real ones are far shorter).
const LAST_PLACE_MAX: usize = 48;

impl Default for LastPlace {
    fn default() -> LastPlace {
        LastPlace { raw: [0; LAST_PLACE_MAX], len: 0, reduced: None, district: 0, answer: None }
    }
}

impl LastPlace {
    /// Whether `raw` mismatches `district` (`None`: no name to check), by `mismatch` on the
    /// reduced name, remembered for the next record.
    #[inline]
    fn answer(&mut self, raw: &[u8], level: Level, district: DistrictId, mismatch: impl FnOnce(&Reduced) -> bool) -> Option<bool> {
        if self.len > 0 && raw == &self.raw[..self.len as usize] {
            if self.district != district.0 {
                self.district = district.0;
                self.answer = self.reduced.as_ref().map(mismatch);
            }
            return self.answer;
        }
        let reduced = reduce(raw, level);
        let answer = reduced.as_ref().map(mismatch);
        if (1..=LAST_PLACE_MAX).contains(&raw.len()) {
            self.raw[..raw.len()].copy_from_slice(raw);
            self.len = raw.len() as u8;
            self.reduced = reduced;
            self.district = district.0;
            self.answer = answer;
        }
        answer
    }
}

impl<'c> Counter<'c> {
    pub fn new(ctx: &'c Context<'c>, nik_keys: &'c mut Vec<u64>, kk_keys: &'c mut Vec<u64>) -> Self {
        nik_keys.clear();
        kk_keys.clear();
        Counter {
            ctx,
            tally: Tally { district_records: vec![0; ctx.districts], ..Tally::default() },
            nik_keys,
            kk_keys,
            last_regency: LastPlace::default(),
            last_district: LastPlace::default(),
        }
    }

    #[inline]
    pub fn record(&mut self, f: Fields<'_>) {
        let v = self.ctx.validator;
        let t = &mut self.tally;
        t.records += 1;
        let nik = f[Role::Nik].map_or(Check::Missing, |x| v.nik(x));
        t.nik.count(&nik);
        let nik_valid = matches!(nik, Check::Valid(_));
        let mut nik_regency: Option<RegencyId> = None;
        if let Check::Valid(n) = nik {
            t.district_records[n.district().0 as usize] += 1;
            self.nik_keys.push(n.key());
            if let Some(d) = f[Role::BirthDate].and_then(parse_date) {
                let c = &mut t.consistency;
                c.birth_date_checked += 1;
                c.birth_date_mismatch += u64::from(!birth_date_matches(n, d, v.dates()));
                match age_class(d, v.dates().reference()) {
                    Age::Plausible => {}
                    Age::Implausible => c.age_implausible += 1,
                    Age::Impossible => c.age_impossible += 1,
                }
            }
            if let Some(female) = f[Role::Gender].and_then(parse_gender) {
                t.consistency.gender_checked += 1;
                t.consistency.gender_mismatch += u64::from(female != n.is_female());
            }
            if f[Role::RegencyName].is_some() || f[Role::DistrictName].is_some() {
                self.check_places(n, &f);
            }
            nik_regency = Some(v.regions().current_regency_of(n.district()));
        }
        let t = &mut self.tally;
        let kk = f[Role::Kk].map_or(Check::Missing, |x| v.kk(x));
        t.kk.count(&kk);
        if let Check::Valid(k) = kk {
            if let Some(r) = nik_regency {
                t.consistency.kk_region_checked += 1;
                t.consistency.kk_region_mismatch += u64::from(v.regions().current_regency_of(k.district()) != r);
            }
        }
        match self.ctx.keep {
            Keep::Keys | Keep::Estimates => {
                if let Check::Valid(k) = kk {
                    self.kk_keys.push(k.key());
                }
            }
            // The KK slot of every valid NIK, so `kk_keys[i]` is `nik_keys[i]`'s record's.
            Keep::Rows => {
                if nik_valid {
                    self.kk_keys.push(if let Check::Valid(k) = kk { k.key() } else { NO_KK });
                }
            }
        }
    }

    /// The regency and district name columns against the NIK's region: the regency matches
    /// when it names the NIK's regency or the current regency that one became.
    fn check_places(&mut self, n: Nik, f: &Fields<'_>) {
        let regions = self.ctx.validator.regions();
        let c = &mut self.tally.consistency;
        if let Some(raw) = f[Role::RegencyName] {
            if let Some(mismatch) = self.last_regency.answer(raw, Level::Regency, n.district(), |w| regency_mismatch(regions, n, w)) {
                c.regency_checked += 1;
                c.regency_mismatch += u64::from(mismatch);
            }
        }
        if let Some(raw) = f[Role::DistrictName] {
            if let Some(mismatch) = self.last_district.answer(raw, Level::District, n.district(), |w| district_mismatch(regions, n, w)) {
                c.district_checked += 1;
                c.district_mismatch += u64::from(mismatch);
            }
        }
    }

    /// A problem at this input offset (the record it concerns is still counted).
    #[cold]
    pub fn warn(&mut self, offset: u64, what: Warning) {
        let t = &mut self.tally;
        t.warning_count += 1;
        if t.warnings.len() < MAX_WARNINGS {
            t.warnings.push((offset, what));
        }
    }

    pub fn finish(self) -> Harvest {
        match self.ctx.keep {
            Keep::Keys => Harvest {
                tally: self.tally,
                nik_keys: KeyStore::from_keys_in(self.ctx.budget, self.ctx.input, self.nik_keys),
                kk_keys: KeyStore::from_keys_in(self.ctx.budget, self.ctx.input, self.kk_keys),
                rows: Rows::default(),
                estimates: None,
            },
            Keep::Rows => Harvest { tally: self.tally, rows: Rows::from_columns(self.nik_keys, self.kk_keys), ..Harvest::default() },
            Keep::Estimates => {
                let reference = self.ctx.validator.dates().reference();
                let estimates = Estimates::from_keys(self.ctx.input, self.ctx.districts, reference, self.nik_keys, self.kk_keys);
                Harvest { tally: self.tally, estimates: Some(estimates), ..Harvest::default() }
            }
        }
    }
}

/// Whether a reduced regency name is neither the NIK's regency nor the current regency that
/// one became.
pub fn regency_mismatch(regions: &RegionTable, n: Nik, w: &Reduced) -> bool {
    let names = regions.place_names();
    let own = regions.regency_of(n.district());
    let current = regions.current_regency_of(n.district());
    !names.regency_matches(own, w) && (current == own || !names.regency_matches(current, w))
}

/// Whether a reduced district name is not one of the NIK's district's.
pub fn district_mismatch(regions: &RegionTable, n: Nik, w: &Reduced) -> bool {
    !regions.place_names().district_matches(n.district(), w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nik::Date;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::test_config(64))]
        /// The last-name memo never changes a count: runs of repeated names and NIKs of
        /// several districts, against every record checked on its own.
        #[test]
        fn remembered_place_answers_equal_fresh_ones(picks in prop::collection::vec((0usize..4, 0usize..5, 0usize..5), 0..200)) {
            let table = RegionTable::embedded();
            let v = Validator::new(table, Date::new(2026, 11, 24).unwrap());
            // NIKs of Kota Pangkal Pinang (two districts) and Kab. Malang.
            let niks = ["1971051107850002", "1971011107850002", "3507011107850003", "3507014107850004"];
            let regencies = ["KOTA PANGKAL PINANG", "Kab. Malang", "MALANG", "", "KOTA  pangkal-pinang"];
            let districts = ["GERUNGGANG", "kec. Bukit Intan", "DONOMULYO", "-", "Gerunggang"];
            let ctx = Context { validator: &v, input: 0, districts: table.districts.len(), keep: Keep::Keys, progress: None, budget: None };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut counter = Counter::new(&ctx, &mut a, &mut b);
            let mut want = (0u64, 0u64, 0u64, 0u64);
            for &(n, r, d) in &picks {
                let mut f: Fields<'_> = RoleMap::default();
                f[Role::Nik] = Some(niks[n].as_bytes());
                f[Role::RegencyName] = Some(regencies[r].as_bytes());
                f[Role::DistrictName] = Some(districts[d].as_bytes());
                counter.record(f);
                let Check::Valid(nik) = v.nik(niks[n].as_bytes()) else { panic!("test NIKs are valid") };
                if let Some(m) = reduce(regencies[r].as_bytes(), Level::Regency).map(|w| regency_mismatch(table, nik, &w)) {
                    want.0 += 1;
                    want.1 += u64::from(m);
                }
                if let Some(m) = reduce(districts[d].as_bytes(), Level::District).map(|w| district_mismatch(table, nik, &w)) {
                    want.2 += 1;
                    want.3 += u64::from(m);
                }
            }
            let c = counter.finish().tally.consistency;
            prop_assert_eq!((c.regency_checked, c.regency_mismatch, c.district_checked, c.district_mismatch), want);
        }
    }
}
