//! The one funnel every format feeds: [`Counter::record`] takes the values of one record,
//! validates them through the pure NIK core and counts them into the chunk's [`Tally`], so
//! every format is counted by the same rules.

use super::checks::{age_class, birth_date_matches, parse_date, parse_gender, Age};
use super::harvest::Harvest;
use super::keys::KeyStore;
use super::rows::{Rows, NO_KK};
use super::role::{Role, RoleMap};
use super::tally::{Tally, Warning, MAX_WARNINGS};
use crate::nik::places::{reduce, Level};
use crate::nik::{Check, Nik, RegencyId, Validator};

/// What the counter keeps of the valid numbers besides the counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    /// Each column's keys, for the key store (`takar scan`, `takar overlap`).
    #[default]
    Keys,
    /// One row per record with a valid NIK: its NIK key and its KK key (or none), for
    /// `takar keys`; the key stores stay empty.
    Rows,
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
}

impl<'c> Counter<'c> {
    pub fn new(ctx: &'c Context<'c>, nik_keys: &'c mut Vec<u64>, kk_keys: &'c mut Vec<u64>) -> Self {
        nik_keys.clear();
        kk_keys.clear();
        Counter { ctx, tally: Tally { district_records: vec![0; ctx.districts], ..Tally::default() }, nik_keys, kk_keys }
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
            Keep::Keys => {
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
        let names = regions.place_names();
        let c = &mut self.tally.consistency;
        if let Some(w) = f[Role::RegencyName].and_then(|x| reduce(x, Level::Regency)) {
            let own = regions.regency_of(n.district());
            let current = regions.current_regency_of(n.district());
            c.regency_checked += 1;
            c.regency_mismatch += u64::from(!names.regency_matches(own, &w) && (current == own || !names.regency_matches(current, &w)));
        }
        if let Some(w) = f[Role::DistrictName].and_then(|x| reduce(x, Level::District)) {
            c.district_checked += 1;
            c.district_mismatch += u64::from(!names.district_matches(n.district(), &w));
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
            },
            Keep::Rows => Harvest { tally: self.tally, rows: Rows::from_columns(self.nik_keys, self.kk_keys), ..Harvest::default() },
        }
    }
}
