//! Where generated families live, weighted like the 2021 leak of KPU voter data.
//!
//! That leak was dominated by four regencies/cities; their record counts set the proportions
//! here, and together they hold [`BIG_SHARE`] of the families, spread evenly over their current
//! districts. Everyone else lives in any other district; a small share of those use a
//! historic code that is no longer current (Papua before the 2022 split, for instance): such
//! NIKs are valid, and a scanner that only knows the newest edition would wrongly reject them.

use rand::RngExt;

use crate::nik::{DistrictId, RegionTable};

/// Regency codes and their record counts in the 2021 leak.
const BIG_FOUR: [(u32, u64); 4] =
    [(3507, 3_165_815), (3216, 2_339_060), (3213, 1_989_263), (3271, 1_303_531)];
/// Share of families in the four big regencies.
const BIG_SHARE: f64 = 0.85;
/// Share of the other families that live in a historic (no longer current) district.
const HISTORIC_SHARE: f64 = 0.01;

pub(crate) struct DistrictPicker {
    /// Cumulative weight and current districts of each big regency.
    big: Vec<(u64, Vec<DistrictId>)>,
    others: Vec<DistrictId>,
    historic: Vec<DistrictId>,
}

impl DistrictPicker {
    pub(crate) fn new(table: &RegionTable) -> DistrictPicker {
        let mut big: Vec<(u64, Vec<DistrictId>)> = Vec::new();
        let mut total = 0;
        for (code, weight) in BIG_FOUR {
            let Some(reg) = table.regency(code) else { continue };
            let ds: Vec<DistrictId> = (0..table.districts.len() as u16)
                .map(DistrictId)
                .filter(|&d| table.regency_of(d) == reg && table.district_info(d).is_current())
                .collect();
            if !ds.is_empty() {
                total += weight;
                big.push((total, ds));
            }
        }
        let is_big = |d: DistrictId| BIG_FOUR.iter().any(|(c, _)| table.district_info(d).code / 100 == *c);
        let (mut others, mut historic) = (Vec::new(), Vec::new());
        for d in (0..table.districts.len() as u16).map(DistrictId).filter(|&d| !is_big(d)) {
            if table.district_info(d).is_current() {
                others.push(d);
            } else {
                historic.push(d);
            }
        }
        DistrictPicker { big, others, historic }
    }

    pub(crate) fn pick<R: RngExt>(&self, rng: &mut R) -> DistrictId {
        let u: f64 = rng.random();
        if u < BIG_SHARE {
            if let Some((total, _)) = self.big.last() {
                let w = rng.random_range(0..*total);
                let i = self.big.partition_point(|(cum, _)| *cum <= w);
                let ds = &self.big[i.min(self.big.len() - 1)].1;
                return ds[rng.random_range(0..ds.len())];
            }
        }
        let list = if rng.random::<f64>() < HISTORIC_SHARE && !self.historic.is_empty() {
            &self.historic
        } else {
            &self.others
        };
        list[rng.random_range(0..list.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::random::{rng, Domain};

    #[test]
    fn weights_follow_the_leak() {
        let table = RegionTable::embedded();
        let p = DistrictPicker::new(table);
        assert_eq!(p.big.len(), 4);
        assert!(p.historic.iter().any(|&d| table.district_info(d).code / 100 == 9101));
        let mut r = rng(1, Domain::Identity, 0);
        let (mut malang, mut big, mut historic) = (0, 0, 0);
        let n = 200_000;
        for _ in 0..n {
            let d = p.pick(&mut r);
            let info = table.district_info(d);
            let reg = info.code / 100;
            malang += u32::from(reg == 3507);
            big += u32::from(BIG_FOUR.iter().any(|(c, _)| *c == reg));
            historic += u32::from(!info.is_current());
        }
        let share = |k: u32| f64::from(k) / f64::from(n);
        assert!((share(big) - 0.85).abs() < 0.01);
        assert!((share(malang) - 0.85 * 3_165_815.0 / 8_797_669.0).abs() < 0.01);
        assert!((share(historic) - 0.0015).abs() < 0.001);
    }
}
