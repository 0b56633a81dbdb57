//! Agreement between predicted and expected levels: exact and adjacent agreement, quadratic
//! weighted kappa (on the 0–5 level scale), and Spearman's rank correlation.

/// Share of pairs that agree exactly (0 for no pairs).
pub fn exact(pred: &[u8], gold: &[u8]) -> f64 {
    share(pred, gold, |p, g| p == g)
}

/// Share of pairs within one level of each other.
pub fn adjacent(pred: &[u8], gold: &[u8]) -> f64 {
    share(pred, gold, |p, g| p.abs_diff(g) <= 1)
}

fn share(pred: &[u8], gold: &[u8], ok: impl Fn(u8, u8) -> bool) -> f64 {
    let n = pred.len().min(gold.len());
    if n == 0 {
        return 0.0;
    }
    pred.iter().zip(gold).filter(|(p, g)| ok(**p, **g)).count() as f64 / n as f64
}

/// Quadratic weighted kappa over ratings `min..=max`. When both raters give one and the same
/// rating throughout, agreement is perfect and the result is 1; when the expected disagreement is
/// zero otherwise, 0.
pub fn quadratic_weighted_kappa(pred: &[u8], gold: &[u8], min: u8, max: u8) -> f64 {
    let n = pred.len().min(gold.len());
    if n == 0 || max < min {
        return 0.0;
    }
    let k = usize::from(max - min) + 1;
    let idx = |x: u8| usize::from(x.clamp(min, max) - min);
    let mut observed = vec![vec![0.0f64; k]; k];
    let mut hist_p = vec![0.0f64; k];
    let mut hist_g = vec![0.0f64; k];
    for (&p, &g) in pred.iter().zip(gold).take(n) {
        observed[idx(p)][idx(g)] += 1.0;
        hist_p[idx(p)] += 1.0;
        hist_g[idx(g)] += 1.0;
    }
    let denom_w = ((k - 1) * (k - 1)).max(1) as f64;
    let mut num = 0.0;
    let mut den = 0.0;
    for i in 0..k {
        for j in 0..k {
            let w = ((i as f64 - j as f64).powi(2)) / denom_w;
            let expected = hist_p[i] * hist_g[j] / n as f64;
            num += w * observed[i][j];
            den += w * expected;
        }
    }
    if den == 0.0 {
        return if num == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - num / den
}

/// Spearman's rank correlation with average ranks for ties (0 when undefined).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return 0.0;
    }
    let rx = ranks(&x[..n]);
    let ry = ranks(&y[..n]);
    pearson(&rx, &ry)
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    let mut syy = 0.0;
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return 0.0;
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_agreement_scores_one() {
        let a = [0, 1, 2, 3, 4, 5];
        assert_eq!(exact(&a, &a), 1.0);
        assert_eq!(adjacent(&a, &a), 1.0);
        assert!((quadratic_weighted_kappa(&a, &a, 0, 5) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn adjacent_counts_off_by_one() {
        assert_eq!(exact(&[1, 2, 3, 5], &[1, 3, 3, 3]), 0.5);
        assert_eq!(adjacent(&[1, 2, 3, 5], &[1, 3, 3, 3]), 0.75);
    }

    #[test]
    fn kappa_matches_a_hand_computed_value() {
        // Ratings 0..=2; observed [[1,1,0],[0,1,0],[0,0,1]], hist_p = [2,1,1], hist_g = [1,2,1].
        // Weighted observed = 0.25; weighted expected = 1.25; kappa = 1 - 0.25 / 1.25 = 0.8.
        let k = quadratic_weighted_kappa(&[0, 0, 1, 2], &[0, 1, 1, 2], 0, 2);
        assert!((k - 0.8).abs() < 1e-12, "{k}");
    }

    #[test]
    fn constant_ratings_are_handled() {
        assert_eq!(quadratic_weighted_kappa(&[3, 3], &[3, 3], 0, 5), 1.0);
        assert_eq!(quadratic_weighted_kappa(&[], &[], 0, 5), 0.0);
    }

    #[test]
    fn spearman_uses_ranks_and_ties() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 300.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        let r = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 2.0, 3.0]);
        assert!(r > 0.9 && r < 1.0, "{r}");
        assert_eq!(spearman(&[1.0, 2.0], &[5.0, 5.0]), 0.0);
    }
}
