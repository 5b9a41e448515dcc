//! The map's colour scales: which class (colour) a regency's figure falls in.
//!
//! Victims are spread very unevenly (in 2021, four regencies held most of an 8.8M-record
//! sale), so equal-width classes would paint nearly every regency the palest colour. Counts
//! use *quantile* classes over the regencies that have anyone: each class holds about the same
//! number of regencies, and each break is rounded to two significant digits so the legend reads
//! `1,000 - 4,999`, not `1,013 - 4,987`. Shares of the official population (the coverage
//! layer) use fixed breaks, because a share has a meaning of its own (above 100% is impossible
//! for a real register).

/// A sequential palette, pale to dark (ColorBrewer YlOrRd, 7 classes).
pub const COUNT_COLOURS: [&str; 7] = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"];
/// The coverage palette (ColorBrewer Purples, 6 classes) and a strong red above 100%.
pub const SHARE_COLOURS: [&str; 7] = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f", "#d7301f"];
/// Fixed coverage breaks (fractions of the official population).
pub const SHARE_BREAKS: [f64; 6] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0];
/// The fill of a regency with no one in the dump (drawn, never left out).
pub const EMPTY: &str = "#f1f1f1";

/// Class breaks: a value `v` is in class `breaks.iter().filter(|b| v >= b).count()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub breaks: Vec<f64>,
}

impl Scale {
    /// The class (0-based) of `v`.
    pub fn class(&self, v: f64) -> usize {
        self.breaks.iter().filter(|b| v >= **b).count()
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.breaks.len() + 1
    }

    /// The fixed coverage scale.
    pub fn shares() -> Scale {
        Scale { breaks: SHARE_BREAKS.to_vec() }
    }

    /// Quantile classes over the non-zero `values` (at most `classes` of them).
    pub fn quantiles(values: &[u64], classes: usize) -> Scale {
        Scale { breaks: quantile_breaks(values, classes).into_iter().map(|b| b as f64).collect() }
    }
}

/// Breaks splitting the non-zero `values` into at most `classes` classes of about equal size:
/// break `i` is the value at rank `i * n / classes`, rounded to two significant digits;
/// breaks that repeat, or that would leave the lowest class empty, are dropped.
pub fn quantile_breaks(values: &[u64], classes: usize) -> Vec<u64> {
    let mut v: Vec<u64> = values.iter().copied().filter(|&x| x > 0).collect();
    v.sort_unstable();
    let n = v.len();
    let mut breaks: Vec<u64> = Vec::new();
    if n == 0 || classes < 2 {
        return breaks;
    }
    for i in 1..classes {
        let b = nice(v[i * n / classes]);
        if b > v[0] && breaks.last().is_none_or(|last| b > *last) {
            breaks.push(b);
        }
    }
    breaks
}

/// `n` rounded to two significant digits, half up: 1,013 -> 1,000; 4,987 -> 5,000; 87 -> 87.
pub fn nice(n: u64) -> u64 {
    if n < 100 {
        return n;
    }
    let mut unit = 1u64;
    while n / unit >= 100 {
        unit *= 10;
    }
    (n + unit / 2) / unit * unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_keeps_two_significant_digits() {
        assert_eq!(nice(0), 0);
        assert_eq!(nice(87), 87);
        assert_eq!(nice(1_013), 1_000);
        assert_eq!(nice(4_987), 5_000);
        assert_eq!(nice(3_165_815), 3_200_000);
        assert_eq!(nice(155), 160);
    }

    #[test]
    fn quantiles_of_an_even_spread() {
        // 1..=100 in four classes: ranks 25, 50, 75 hold 26, 51, 76.
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile_breaks(&v, 4), vec![26, 51, 76]);
        let s = Scale::quantiles(&v, 4);
        assert_eq!((s.class(1.0), s.class(25.0), s.class(26.0), s.class(75.0), s.class(76.0), s.class(100.0)), (0, 0, 1, 2, 3, 3));
    }

    #[test]
    fn quantiles_of_a_skewed_dump() {
        // Few regencies hold most people: the breaks follow the ranks, not the range.
        let v = [1, 1, 1, 2, 3, 5, 8, 1_000, 5_000, 3_165_815, 0, 0];
        // n = 10 non-zero; ranks 2, 4, 6, 8 hold 1, 3, 8, 5000 (1 is dropped: class 0 would be empty).
        assert_eq!(quantile_breaks(&v, 5), vec![3, 8, 5_000]);
        let s = Scale::quantiles(&v, 5);
        assert_eq!(s.classes(), 4);
        assert_eq!(s.class(3_165_815.0), 3);
        assert_eq!(s.class(2.0), 0);
    }

    #[test]
    fn few_or_no_values() {
        assert!(quantile_breaks(&[], 7).is_empty());
        assert!(quantile_breaks(&[0, 0], 7).is_empty());
        assert!(quantile_breaks(&[5, 5, 5], 7).is_empty());
        assert_eq!(quantile_breaks(&[5, 9], 7), vec![9]);
        assert_eq!(Scale::quantiles(&[5, 9], 7).class(9.0), 1);
    }

    #[test]
    fn shares_have_fixed_breaks() {
        let s = Scale::shares();
        assert_eq!(s.classes(), SHARE_COLOURS.len());
        assert_eq!(s.class(0.0), 0);
        assert_eq!(s.class(0.05), 2);
        assert_eq!(s.class(0.999), 5);
        assert_eq!(s.class(1.17), 6);
        assert_eq!(COUNT_COLOURS.len(), 7);
    }
}
