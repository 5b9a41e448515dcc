//! Exact overlap figures of several sets of NIK pseudonyms (one set per dump, read from each
//! dump's keys file): how many people each dump has that no other has, and for every pair of
//! dumps how many they share, overall and by province.
//!
//! Exact, not estimated: the sets are sorted and unique (that is how keys files hold them), so
//! every figure comes from linear merges, with no hashing and no memory beyond a few cursors.
//! A pair's intersection is one two-pointer merge, O(|A| + |B|); "only here" is one k-way merge
//! over all the sets, O(k * total) by taking the minimum over k cursors each step, which beats
//! a heap for the handful of dumps compared at once.
//!
//! Pure: slices in, figures out; the caller reads the files and renders the result.

/// One dump's NIK pseudonyms: `nik` sorted ascending and unique, `province` the province code
/// of each, parallel to it.
#[derive(Debug, Clone, Copy)]
pub struct Set<'a> {
    pub nik: &'a [u64],
    pub province: &'a [u8],
}

/// One set's own figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SetFigures {
    /// Pseudonyms in the set.
    pub unique: u64,
    /// Pseudonyms in no other set.
    pub only_here: u64,
}

/// The figures of sets `a` and `b` (indices into the input, `a < b`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairFigures {
    pub a: usize,
    pub b: usize,
    /// |A ∩ B|.
    pub intersection: u64,
    /// |A ∩ B| / |A ∪ B|; 0 for two empty sets.
    pub jaccard: f64,
    /// |A ∩ B| / |B|: the share of B already in A; 0 when B is empty.
    pub b_in_a: f64,
    /// |A ∩ B| / |A|: the share of A already in B; 0 when A is empty.
    pub a_in_b: f64,
    /// The intersection by province code, ascending, nonzero counts only.
    pub per_province: Vec<(u8, u64)>,
}

/// All figures: `sets` in input order, `pairs` for every `(i, j)` with `i < j`, ordered by `i`
/// then `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    pub sets: Vec<SetFigures>,
    pub pairs: Vec<PairFigures>,
}

/// The overlap figures of `sets`.
///
/// # Panics
///
/// When a set's `province` is not as long as its `nik` (a caller bug: a keys file read back
/// always has them parallel). Unsorted input is not checked here (the keys-file reader checks
/// it); it gives wrong figures, not a panic.
pub fn overlap(sets: &[Set<'_>]) -> Overlap {
    for (index, set) in sets.iter().enumerate() {
        assert_eq!(set.nik.len(), set.province.len(), "set {index}: province codes must be parallel to the pseudonyms");
    }
    let only = only_here(sets);
    let figures = sets
        .iter()
        .zip(only)
        .map(|(set, only_here)| SetFigures { unique: set.nik.len() as u64, only_here })
        .collect();
    let mut pairs = Vec::with_capacity(sets.len() * sets.len().saturating_sub(1) / 2);
    for a in 0..sets.len() {
        for b in a + 1..sets.len() {
            pairs.push(pair(a, &sets[a], b, &sets[b]));
        }
    }
    Overlap { sets: figures, pairs }
}

/// Per set, how many of its pseudonyms are in no other set: a k-way merge. Each step takes the
/// smallest value under the k cursors, counts the sets that hold it and moves all of them past
/// it; a value held by exactly one set is that set's own.
fn only_here(sets: &[Set<'_>]) -> Vec<u64> {
    let mut cursors = vec![0usize; sets.len()];
    let mut only = vec![0u64; sets.len()];
    loop {
        let mut smallest: Option<u64> = None;
        for (set, &at) in sets.iter().zip(&cursors) {
            if let Some(&value) = set.nik.get(at) {
                smallest = Some(smallest.map_or(value, |s| s.min(value)));
            }
        }
        let Some(smallest) = smallest else { break };
        let mut holders = 0;
        let mut holder = 0;
        for (index, (set, at)) in sets.iter().zip(cursors.iter_mut()).enumerate() {
            if set.nik.get(*at) == Some(&smallest) {
                *at += 1;
                holders += 1;
                holder = index;
            }
        }
        if holders == 1 {
            only[holder] += 1;
        }
    }
    only
}

/// The figures of one pair: a two-pointer merge counting the shared pseudonyms by province.
fn pair(a: usize, set_a: &Set<'_>, b: usize, set_b: &Set<'_>) -> PairFigures {
    // Indexed by province code; a code is a byte, so every one has a slot (valid codes are
    // 11..=99, but a wrong one must not panic here).
    let mut by_province = [0u64; 256];
    let (mut i, mut j) = (0, 0);
    while i < set_a.nik.len() && j < set_b.nik.len() {
        let (x, y) = (set_a.nik[i], set_b.nik[j]);
        if x < y {
            i += 1;
        } else if y < x {
            j += 1;
        } else {
            // One pseudonym is one NIK under one key, so both sets give it the same province;
            // A's is counted.
            by_province[usize::from(set_a.province[i])] += 1;
            i += 1;
            j += 1;
        }
    }
    let intersection: u64 = by_province.iter().sum();
    let (len_a, len_b) = (set_a.nik.len() as u64, set_b.nik.len() as u64);
    let union = len_a + len_b - intersection;
    PairFigures {
        a,
        b,
        intersection,
        jaccard: ratio(intersection, union),
        b_in_a: ratio(intersection, len_b),
        a_in_b: ratio(intersection, len_a),
        per_province: (0..=u8::MAX).zip(by_province).filter(|&(_, count)| count > 0).collect(),
    }
}

/// `part / whole`, 0 for an empty whole.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A province code that depends only on the pseudonym, as it does in real files.
    fn province_of(value: u64) -> u8 {
        11 + (value % 89) as u8
    }

    fn provinces(nik: &[u64]) -> Vec<u8> {
        nik.iter().map(|&v| province_of(v)).collect()
    }

    fn run(sets: &[Vec<u64>]) -> Overlap {
        let codes: Vec<Vec<u8>> = sets.iter().map(|s| provinces(s)).collect();
        let views: Vec<Set<'_>> = sets.iter().zip(&codes).map(|(nik, province)| Set { nik, province }).collect();
        overlap(&views)
    }

    #[test]
    fn hand_example() {
        let result = run(&[vec![1, 2, 3, 4], vec![3, 4, 5], vec![4, 9]]);
        assert_eq!(result.sets, vec![
            SetFigures { unique: 4, only_here: 2 },
            SetFigures { unique: 3, only_here: 1 },
            SetFigures { unique: 2, only_here: 1 },
        ]);
        let figures: Vec<(usize, usize, u64, f64, f64, f64)> =
            result.pairs.iter().map(|p| (p.a, p.b, p.intersection, p.jaccard, p.b_in_a, p.a_in_b)).collect();
        assert_eq!(figures, vec![
            (0, 1, 2, 2.0 / 5.0, 2.0 / 3.0, 2.0 / 4.0),
            (0, 2, 1, 1.0 / 5.0, 1.0 / 2.0, 1.0 / 4.0),
            (1, 2, 1, 1.0 / 4.0, 1.0 / 2.0, 1.0 / 3.0),
        ]);
        // {3, 4} by province 14 and 15; {4} by 15.
        assert_eq!(result.pairs[0].per_province, vec![(14, 1), (15, 1)]);
        assert_eq!(result.pairs[1].per_province, vec![(15, 1)]);
        assert_eq!(result.pairs[2].per_province, vec![(15, 1)]);
    }

    #[test]
    fn per_province_counts_by_code() {
        let a = [10, 20, 30, 40];
        let b = [20, 30, 40, 50];
        let sets = [Set { nik: &a, province: &[32, 51, 32, 11] }, Set { nik: &b, province: &[32, 51, 32, 11] }];
        let result = overlap(&sets);
        assert_eq!(result.pairs[0].per_province, vec![(11, 1), (32, 1), (51, 1)]);
    }

    #[test]
    fn empty_sets() {
        assert_eq!(run(&[]), Overlap { sets: vec![], pairs: vec![] });
        let one = run(&[vec![]]);
        assert_eq!(one.sets, vec![SetFigures { unique: 0, only_here: 0 }]);
        assert!(one.pairs.is_empty());
        let result = run(&[vec![], vec![]]);
        assert_eq!(result.pairs, vec![PairFigures {
            a: 0,
            b: 1,
            intersection: 0,
            jaccard: 0.0,
            b_in_a: 0.0,
            a_in_b: 0.0,
            per_province: vec![],
        }]);
        let result = run(&[vec![1, 2], vec![]]);
        assert_eq!(result.sets[0], SetFigures { unique: 2, only_here: 2 });
        let p = &result.pairs[0];
        assert_eq!((p.intersection, p.jaccard, p.b_in_a, p.a_in_b), (0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn a_set_against_itself() {
        let result = run(&[vec![5, 6, 7], vec![5, 6, 7]]);
        assert_eq!(result.sets[0].only_here, 0);
        let p = &result.pairs[0];
        assert_eq!((p.intersection, p.jaccard, p.b_in_a, p.a_in_b), (3, 1.0, 1.0, 1.0));
    }

    /// 1 to 5 sets, each drawn from a small shared part (0..300, so sets meet often) and a
    /// part spread over the whole 48-bit domain (so the merges also step over big gaps).
    fn sets() -> impl Strategy<Value = Vec<Vec<u64>>> {
        let set = (
            proptest::collection::btree_set(0u64..300, 0..120),
            proptest::collection::btree_set(0u64..1 << 48, 0..40),
        )
            .prop_map(|(shared, spread)| shared.into_iter().chain(spread).collect::<BTreeSet<u64>>().into_iter().collect());
        proptest::collection::vec(set, 1..=5)
    }

    proptest! {
        #![proptest_config(crate::test_config(256))]

        #[test]
        fn matches_a_set_oracle(sets in sets()) {
            let result = run(&sets);
            let as_sets: Vec<BTreeSet<u64>> = sets.iter().map(|s| s.iter().copied().collect()).collect();
            prop_assert_eq!(result.sets.len(), sets.len());
            for (i, figures) in result.sets.iter().enumerate() {
                let others: BTreeSet<u64> = as_sets.iter().enumerate().filter(|&(j, _)| j != i).flat_map(|(_, s)| s.iter().copied()).collect();
                prop_assert_eq!(figures.unique, as_sets[i].len() as u64);
                prop_assert_eq!(figures.only_here, as_sets[i].difference(&others).count() as u64);
            }
            let mut expected_pairs = vec![];
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    expected_pairs.push((a, b));
                }
            }
            prop_assert_eq!(result.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(), expected_pairs);
            for p in &result.pairs {
                let (set_a, set_b) = (&as_sets[p.a], &as_sets[p.b]);
                let shared: Vec<u64> = set_a.intersection(set_b).copied().collect();
                let union = set_a.union(set_b).count();
                prop_assert_eq!(p.intersection, shared.len() as u64);
                let jaccard = if union == 0 { 0.0 } else { shared.len() as f64 / union as f64 };
                let b_in_a = if set_b.is_empty() { 0.0 } else { shared.len() as f64 / set_b.len() as f64 };
                let a_in_b = if set_a.is_empty() { 0.0 } else { shared.len() as f64 / set_a.len() as f64 };
                prop_assert_eq!(p.jaccard, jaccard);
                prop_assert_eq!(p.b_in_a, b_in_a);
                prop_assert_eq!(p.a_in_b, a_in_b);
                let mut by_province = BTreeMap::new();
                for v in shared {
                    *by_province.entry(province_of(v)).or_insert(0u64) += 1;
                }
                prop_assert_eq!(&p.per_province, &by_province.into_iter().collect::<Vec<_>>());
            }
        }
    }
}
