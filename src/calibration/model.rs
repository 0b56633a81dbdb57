//! The regressors: ridge regression in its dual (kernel) form, with the penalty chosen by exact
//! leave-one-out error, on two views of the essays — the TF-IDF vectors and the standardized
//! writing features — blended by least squares on their leave-one-out predictions.
//!
//! Why the dual: there are far more TF-IDF terms (10⁵) than exemplars (≤ a few thousand), so
//! the n×n Gram matrix is the small object. One eigendecomposition of it gives the fit for
//! every penalty and the exact leave-one-out predictions for free (`e_i / (1 − h_ii)`), which
//! serve three purposes: choosing the penalty, fitting the blend and the cut points on
//! predictions the model did not see the answer for, and the cross-validated kappa. The linear
//! kernel means the trained model collapses to one weight per term, so scoring an essay is a
//! sparse dot product.
//!
//! The linear algebra (Gram products, eigendecompositions, SVD, Cholesky) is faer's.

use faer::linalg::matmul::matmul;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, Par, Side};

use super::tfidf::SparseVector;

/// `K = U diag(s) Uᵀ` of a centred Gram matrix, keeping the `r` directions with a non-zero
/// eigenvalue (an intercept is fitted apart, so the constant direction is never needed).
pub struct Spectrum {
    n: usize,
    r: usize,
    /// `U` row by row (`u[i * r + k]`), the order every loop below reads it in.
    u: Vec<f64>,
    s: Vec<f64>,
}

/// A ridge fit with its penalty chosen by leave-one-out error.
pub struct RidgeFit {
    pub lambda: f64,
    /// Dual coefficients: the fit is `Σ αᵢ ⟨xᵢ − x̄, x − x̄⟩`.
    pub alpha: Vec<f64>,
    /// Leave-one-out predictions of the centred target.
    pub loo: Vec<f64>,
    /// Mean squared leave-one-out error.
    pub loo_mse: f64,
}

/// Centres a Gram matrix in place (`C K C` with `C = I − 11ᵀ/n`): the same as centring the
/// vectors, so the intercept is not penalised.
fn centre(k: &mut Mat<f64>) {
    let n = k.nrows();
    if n == 0 {
        return;
    }
    let row_means: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| k[(i, j)]).sum::<f64>() / n as f64)
        .collect();
    let grand = row_means.iter().sum::<f64>() / n as f64;
    for j in 0..n {
        for i in 0..n {
            k[(i, j)] += grand - row_means[i] - row_means[j];
        }
    }
}

/// The (uncentred) linear kernel of sparse vectors: `K[i][j] = ⟨xᵢ, xⱼ⟩`.
///
/// Terms with an index below `dense_terms` (the most frequent: indices are df ranks) go through
/// a dense matrix product; each of the rest is in few texts and is added from its postings into
/// one row at a time, so the accumulator stays in cache.
pub fn sparse_gram(xs: &[SparseVector], n_terms: usize, dense_terms: usize) -> Mat<f64> {
    let n = xs.len();
    let d = dense_terms.min(n_terms);
    let mut dense = Mat::<f64>::zeros(n, d);
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_terms.saturating_sub(d)];
    for (i, x) in xs.iter().enumerate() {
        for &(t, w) in x {
            let t = t as usize;
            if t < d {
                dense[(i, t)] = f64::from(w);
            } else {
                postings[t - d].push((i as u32, w));
            }
        }
    }
    let mut k = Mat::<f64>::zeros(n, n);
    matmul(
        k.as_mut(),
        Accum::Replace,
        dense.as_ref(),
        dense.transpose(),
        1.0,
        Par::Seq,
    );
    let mut row = vec![0.0f32; n];
    for (i, x) in xs.iter().enumerate() {
        row[..=i].fill(0.0);
        for &(t, wi) in x {
            let t = t as usize;
            if t < d {
                continue;
            }
            // Postings are in document order: stop at the current document.
            for &(j, wj) in &postings[t - d] {
                if j as usize > i {
                    break;
                }
                row[j as usize] += wi * wj;
            }
        }
        for j in 0..=i {
            let v = f64::from(row[j]);
            k[(i, j)] += v;
            if j != i {
                k[(j, i)] += v;
            }
        }
    }
    k
}

impl Spectrum {
    /// The spectrum of the centred submatrix `K[idx, idx]`.
    pub fn of_gram(gram: &Mat<f64>, idx: &[usize]) -> Spectrum {
        let n = idx.len();
        let mut k = Mat::from_fn(n, n, |a, b| gram[(idx[a], idx[b])]);
        centre(&mut k);
        match k.self_adjoint_eigen(Side::Lower) {
            Ok(evd) => {
                let s_all: Vec<f64> = (0..n).map(|i| evd.S()[i]).collect();
                let top = s_all.iter().copied().fold(0.0f64, f64::max);
                let keep: Vec<usize> = (0..n).filter(|&k| s_all[k] > top * 1e-10).collect();
                let u = evd.U();
                Spectrum::from_columns(n, &keep, |i, k| u[(i, k)], |k| s_all[k])
            }
            // Only on non-finite input: a zero kernel (predict the mean).
            Err(_) => Spectrum::from_columns(n, &[], |_, _| 0.0, |_| 0.0),
        }
    }

    /// The spectrum of the linear kernel of dense rows (`z` is n × p), centred, via a thin SVD.
    pub fn of_rows(z: &Mat<f64>) -> Spectrum {
        let (n, p) = (z.nrows(), z.ncols());
        let means: Vec<f64> = (0..p)
            .map(|j| (0..n).map(|i| z[(i, j)]).sum::<f64>() / n.max(1) as f64)
            .collect();
        let zc = Mat::from_fn(n, p, |i, j| z[(i, j)] - means[j]);
        match zc.thin_svd() {
            Ok(svd) => {
                let r = n.min(p);
                let sv: Vec<f64> = (0..r).map(|k| svd.S()[k]).collect();
                let top = sv.iter().copied().fold(0.0f64, f64::max);
                let keep: Vec<usize> = (0..r).filter(|&k| sv[k] > top * 1e-7).collect();
                let u = svd.U();
                Spectrum::from_columns(n, &keep, |i, k| u[(i, k)], |k| sv[k] * sv[k])
            }
            Err(_) => Spectrum::from_columns(n, &[], |_, _| 0.0, |_| 0.0),
        }
    }

    fn from_columns(n: usize, keep: &[usize], u: impl Fn(usize, usize) -> f64, s: impl Fn(usize) -> f64) -> Spectrum {
        let r = keep.len();
        let mut rows = vec![0.0; n * r];
        for (c, &k) in keep.iter().enumerate() {
            for i in 0..n {
                rows[i * r + c] = u(i, k);
            }
        }
        Spectrum {
            n,
            r,
            u: rows,
            s: keep.iter().map(|&k| s(k).max(0.0)).collect(),
        }
    }

    /// Ridge on the centred target `y` for each penalty (relative to the mean eigenvalue
    /// over all n directions), keeping the one with the least leave-one-out error.
    pub fn ridge(&self, y: &[f64], relative_lambdas: &[f64]) -> RidgeFit {
        let (n, r) = (self.n, self.r);
        let scale = (self.s.iter().sum::<f64>() / n.max(1) as f64).max(1e-12);
        let mut uy = vec![0.0; r];
        for (row, &yi) in self.u.chunks_exact(r.max(1)).zip(y) {
            for (acc, u) in uy.iter_mut().zip(row) {
                *acc += u * yi;
            }
        }
        let mut best: Option<(f64, f64, Vec<f64>)> = None;
        for &rel in relative_lambdas {
            let lambda = rel * scale;
            let d: Vec<f64> = self.s.iter().map(|&s| s / (s + lambda)).collect();
            let duy: Vec<f64> = d.iter().zip(&uy).map(|(a, b)| a * b).collect();
            let mut loo = vec![0.0; n];
            let mut mse = 0.0;
            for (i, out) in loo.iter_mut().enumerate() {
                let row = &self.u[i * r..(i + 1) * r];
                let mut fit = 0.0;
                // The unpenalised intercept's share of the hat matrix (11ᵀ/n): without it the
                // leave-one-out error of a near-interpolating fit looks near zero.
                let mut h = 1.0 / n as f64;
                for k in 0..r {
                    fit += row[k] * duy[k];
                    h += row[k] * row[k] * d[k];
                }
                let resid = (y[i] - fit) / (1.0 - h).max(1e-9);
                *out = y[i] - resid;
                mse += resid * resid;
            }
            mse /= n.max(1) as f64;
            if best.as_ref().is_none_or(|b| mse < b.1) {
                best = Some((lambda, mse, loo));
            }
        }
        let (lambda, loo_mse, loo) = best.unwrap_or((1.0, 0.0, vec![0.0; n]));
        let c: Vec<f64> = (0..r).map(|k| uy[k] / (self.s[k] + lambda)).collect();
        let alpha = (0..n)
            .map(|i| {
                let row = &self.u[i * r..(i + 1) * r];
                row.iter().zip(&c).map(|(u, c)| u * c).sum()
            })
            .collect();
        RidgeFit {
            lambda,
            alpha,
            loo,
            loo_mse,
        }
    }
}

/// Penalties tried, relative to the mean eigenvalue of the Gram matrix.
pub const RELATIVE_LAMBDAS: [f64; 16] = [
    1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0,
];

/// Least-squares weights (and an intercept, last) of a target on a few predictions.
pub fn blend_weights(preds: &[&[f64]], y: &[f64]) -> Vec<f64> {
    let m = preds.len();
    let n = y.len();
    let mut a = Mat::<f64>::zeros(m + 1, m + 1);
    let mut b = Mat::<f64>::zeros(m + 1, 1);
    let col = |j: usize, i: usize| if j < m { preds[j][i] } else { 1.0 };
    for (i, &yi) in y.iter().enumerate() {
        for j in 0..=m {
            b[(j, 0)] += col(j, i) * yi;
            for l in 0..=m {
                a[(j, l)] += col(j, i) * col(l, i);
            }
        }
    }
    // A whisper of ridge keeps the system solvable when two predictions coincide.
    for j in 0..m {
        a[(j, j)] += 1e-6 * n as f64;
    }
    match a.llt(Side::Lower) {
        Ok(llt) => {
            let x = llt.solve(&b);
            (0..=m).map(|j| x[(j, 0)]).collect()
        }
        Err(_) => {
            let mut w = vec![1.0 / m.max(1) as f64; m];
            w.push(0.0);
            w
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_one_out_matches_refitting_without_the_item() {
        let n = 12;
        let rows: Vec<[f64; 3]> = (0..n)
            .map(|i| {
                let x = i as f64;
                [x.sin(), (0.5 * x).cos() + 0.1 * x, (x * 0.3).sin() * 2.0]
            })
            .collect();
        let y: Vec<f64> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| r[0] - 2.0 * r[2] + 0.3 * (i as f64 * 1.7).cos())
            .collect();
        let ridge_on = |idx: &[usize], lambda: f64| -> (Vec<f64>, f64, Vec<f64>, Vec<f64>) {
            // Returns α, the target mean, the feature means and the LOO predictions.
            let z = Mat::from_fn(idx.len(), 3, |i, j| rows[idx[i]][j]);
            let sp = Spectrum::of_rows(&z);
            let scale = sp.s.iter().sum::<f64>() / idx.len() as f64;
            let ym = idx.iter().map(|&i| y[i]).sum::<f64>() / idx.len() as f64;
            let yc: Vec<f64> = idx.iter().map(|&i| y[i] - ym).collect();
            let fit = sp.ridge(&yc, &[lambda / scale]);
            let means = (0..3)
                .map(|j| idx.iter().map(|&i| rows[i][j]).sum::<f64>() / idx.len() as f64)
                .collect();
            (fit.alpha, ym, means, fit.loo.iter().map(|v| v + ym).collect())
        };
        let all: Vec<usize> = (0..n).collect();
        let lambda = 0.7;
        let (_, _, _, loo) = ridge_on(&all, lambda);
        for out in 0..n {
            let rest: Vec<usize> = (0..n).filter(|&i| i != out).collect();
            let (alpha, ym, means, _) = ridge_on(&rest, lambda);
            // f(x) = ȳ + Σ αᵢ ⟨zᵢ − z̄, x − z̄⟩
            let pred = ym
                + rest
                    .iter()
                    .zip(&alpha)
                    .map(|(&i, a)| {
                        a * (0..3)
                            .map(|j| (rows[i][j] - means[j]) * (rows[out][j] - means[j]))
                            .sum::<f64>()
                    })
                    .sum::<f64>();
            assert!((pred - loo[out]).abs() < 1e-8, "{out}: {pred} vs {}", loo[out]);
        }
    }

    #[test]
    fn blend_recovers_known_weights() {
        let p1: Vec<f64> = (0..50).map(f64::from).collect();
        let p2: Vec<f64> = (0..50).map(|i| f64::from(i * i % 7)).collect();
        let y: Vec<f64> = (0..50).map(|i| 0.3 * p1[i] + 0.7 * p2[i] + 1.0).collect();
        let w = blend_weights(&[&p1, &p2], &y);
        assert!(
            (w[0] - 0.3).abs() < 1e-3 && (w[1] - 0.7).abs() < 1e-3 && (w[2] - 1.0).abs() < 1e-2,
            "{w:?}"
        );
    }
}
