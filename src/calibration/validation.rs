//! How well a trained model agrees with the teacher, measured on exemplars it did not learn
//! from: the cross-validated QWK (from leave-one-out predictions, with the cut points of each
//! fold fitted on the other folds) and the learning curve (QWK on held-out exemplars after
//! training on fewer of them).

use super::cutpoints::{CutPoints, qwk};

/// A small deterministic generator (SplitMix64). Its stream is fixed by this code, not by a
/// crate version, so a model trained twice from the same exemplars is the same byte for byte.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniformly random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            p.swap(i, j);
        }
        p
    }
}

/// Fold of each item: a seeded permutation dealt round-robin, so fold sizes differ by at most
/// one.
pub fn fold_assignment(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0; n];
    for (rank, i) in SplitMix64::new(seed).permutation(n).into_iter().enumerate() {
        fold[i] = rank % folds.max(1);
    }
    fold
}

/// QWK of out-of-sample predictions `raw` against `scores`, where the cut points applied to
/// each fold are fitted on the other folds only.
pub fn cross_validated_qwk(raw: &[f64], scores: &[i32], min: i32, max: i32, folds: usize, seed: u64) -> f64 {
    let n = raw.len();
    let fold = fold_assignment(n, folds, seed);
    let mut pred = vec![min; n];
    for f in 0..folds {
        let (train_raw, train_gold): (Vec<f64>, Vec<i32>) =
            (0..n).filter(|&i| fold[i] != f).map(|i| (raw[i], scores[i])).unzip();
        let cuts = CutPoints::fit(&train_raw, &train_gold, min, max);
        for i in (0..n).filter(|&i| fold[i] == f) {
            pred[i] = cuts.apply(raw[i]);
        }
    }
    qwk(&pred, scores, min, max)
}

/// Training-set sizes for the learning curve: doubling from `start` while at least a fifth of
/// the exemplars stay out for testing.
pub fn learning_curve_sizes(n: usize, start: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut m = start.max(2);
    while m * 5 <= n * 4 && n - m >= 10 {
        sizes.push(m);
        m *= 2;
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let f = fold_assignment(23, 5, 7);
        for k in 0..5 {
            let c = f.iter().filter(|&&x| x == k).count();
            assert!(c == 4 || c == 5, "{c}");
        }
        assert_eq!(f, fold_assignment(23, 5, 7));
        assert_ne!(f, fold_assignment(23, 5, 8));
    }

    #[test]
    fn learning_curve_keeps_a_test_share() {
        assert_eq!(learning_curve_sizes(1400, 20), vec![20, 40, 80, 160, 320, 640]);
        assert_eq!(learning_curve_sizes(30, 20), vec![20]);
        assert_eq!(learning_curve_sizes(25, 20), Vec::<usize>::new());
        assert_eq!(learning_curve_sizes(50, 20), vec![20, 40]);
    }
}
