//! Matching two fingerprinted texts: the passages they share, as byte ranges
//! in both, and the fraction of the query's words those passages cover.
//!
//! 1. Seeds: every query fingerprint whose hash the candidate also has gives
//!    a pair of word positions, with a weight: 1 for a hash few essays hold,
//!    less for one held by many (a stock phrase, a sentence of the reading
//!    that many students copy without quotation marks), down to 0 for one
//!    held by too many to count. Weak seeds help passages form but are
//!    little evidence of copying.
//! 2. Chains: seeds are linked, in query order, into passages that advance in
//!    both texts together — each step at most `max_gap` words, and the two
//!    texts' steps differing by at most `max_shift` words (a word inserted or
//!    dropped). A reordered or dropped sentence starts a new passage, so each
//!    passage is one contiguous stretch of both texts.
//! 3. Extension: each passage is grown word by word, backwards and forwards,
//!    while the two texts' words agree — across one replaced, inserted or
//!    dropped word when the next `confirm` words agree again. This recovers
//!    the words winnowing did not select and reaches the true passage ends.
//! 4. Clusters: passages next to each other in the query whose candidate
//!    stretches lie near each other (a copied chunk with a sentence dropped
//!    or two swapped) form a cluster. A cluster needs `min_evidence` and
//!    `min_words` words in all, else it is dropped: one
//!    shared stock phrase is not a copied passage, but a copied chunk cut
//!    into short sentences still is. The evidence of a cluster is the sum of
//!    its seeds' weights, so a sentence many essays share counts for little
//!    while a long passage of a text many essays copied still adds up.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::normalize::Word;
use super::winnow::Fingerprint;

/// Tunables of [`match_words`]; the defaults were chosen on the planted-copy
/// evaluation (see `eval::copies`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchParams {
    /// The most words between two consecutive shared fingerprints of one
    /// passage. Light rewording (a word replaced every dozen) leaves gaps of
    /// about `12 + w` words; much more means two different passages.
    pub max_gap: u32,
    /// How much the two texts' steps between consecutive fingerprints may
    /// differ, in words (an inserted or dropped word or two).
    pub max_shift: u32,
    /// The evidence (seed weights summed) a cluster needs: 2 is two
    /// fingerprints that no more than a few essays hold.
    pub min_evidence: f64,
    /// Words a cluster needs, all its passages together.
    pub min_words: usize,
    /// The most query words between two passages of one cluster.
    pub cluster_gap: usize,
    /// How far (in candidate words) a passage may start from the candidate
    /// stretch of its cluster: a dropped sentence or two swapped ones.
    pub cluster_reach: usize,
    /// Agreeing words needed after a mismatch to extend a passage across it.
    pub confirm: usize,
}

impl Default for MatchParams {
    fn default() -> Self {
        Self {
            max_gap: 24,
            max_shift: 3,
            min_evidence: 2.0,
            min_words: 10,
            cluster_gap: 10,
            cluster_reach: 60,
            confirm: 2,
        }
    }
}

/// A passage the two texts share: byte ranges in the query and in the
/// candidate, each from the start of its first word to the end of its last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPassage {
    pub query: Range<usize>,
    pub candidate: Range<usize>,
}

/// What a query shares with one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The fraction of the query's words (outside quotations) inside a shared
    /// passage, 0–1.
    pub coverage: f64,
    /// In query order.
    pub passages: Vec<SharedPassage>,
}

/// A hash occurring this often in the candidate is a repeated phrase; more
/// pairs from it only slow chaining down.
const MAX_REPEATS: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Chain {
    q0: u32,
    c0: u32,
    q1: u32,
    c1: u32,
    evidence: f64,
}

/// Word ranges `[q0, q1)` and `[c0, c1)` of one passage, and the evidence
/// of its seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    q0: usize,
    q1: usize,
    c0: usize,
    c1: usize,
    evidence: f64,
}

impl Span {
    fn words(&self) -> usize {
        self.q1 - self.q0
    }
}

/// An upper bound of the seed evidence [`match_words`] finds between a query
/// of `query_words` words and a candidate, from the candidate's fingerprints
/// alone (no text): the same seeds, but without dropping those that do not
/// fit the candidate's words (which only a stale record has). When it is
/// below `params.min_evidence`, `match_words` returns `None`, so a search can
/// skip reading and normalising that candidate's text.
pub fn evidence_bound(
    query_words: usize,
    query_fps: &[Fingerprint],
    candidate_fps: &[Fingerprint],
    k: usize,
    weights: &FxHashMap<u64, f64>,
) -> f64 {
    let mut by_hash: Vec<u64> = candidate_fps.iter().map(|f| f.hash).collect();
    by_hash.sort_unstable();
    let mut evidence = 0.0;
    // The same terms, in the same order, as `match_words` adds up (plus the
    // ones it drops): with weights ≥ 0 the float sum can only be larger.
    for f in query_fps {
        if (f.word as usize) + k > query_words {
            continue;
        }
        let lo = by_hash.partition_point(|&h| h < f.hash);
        let repeats = by_hash[lo..]
            .iter()
            .take_while(|&&h| h == f.hash)
            .take(MAX_REPEATS)
            .count();
        if repeats > 0 {
            let weight = weights.get(&f.hash).copied().unwrap_or(1.0);
            for _ in 0..repeats {
                evidence += weight;
            }
        }
    }
    evidence
}

/// The passages the query (`query_words`, `query_fps`) shares with the
/// candidate; `None` if none passes the filters. `weights` holds the seed
/// weight of hashes held by several essays (absent: 1). Fingerprints whose
/// positions do not fit their words (a stale record) are ignored.
pub fn match_words(
    query_words: &[Word],
    query_fps: &[Fingerprint],
    candidate_words: &[Word],
    candidate_fps: &[Fingerprint],
    k: usize,
    weights: &FxHashMap<u64, f64>,
    params: &MatchParams,
) -> Option<Match> {
    if query_words.is_empty() {
        return None;
    }
    let fits = |f: &Fingerprint, words: &[Word]| (f.word as usize) + k <= words.len();
    let mut by_hash: Vec<(u64, u32)> = candidate_fps
        .iter()
        .filter(|f| fits(f, candidate_words))
        .map(|f| (f.hash, f.word))
        .collect();
    by_hash.sort_unstable();

    // (query word, candidate word, weight)
    let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
    let mut evidence = 0.0;
    for f in query_fps {
        if !fits(f, query_words) {
            continue;
        }
        let weight = weights.get(&f.hash).copied().unwrap_or(1.0);
        let lo = by_hash.partition_point(|&(h, _)| h < f.hash);
        for &(_, c) in by_hash[lo..]
            .iter()
            .take_while(|&&(h, _)| h == f.hash)
            .take(MAX_REPEATS)
        {
            pairs.push((f.word, c, weight));
            evidence += weight;
        }
    }
    if evidence < params.min_evidence {
        return None;
    }
    pairs.sort_unstable_by_key(|&(q, c, _)| (q, c));

    let spans: Vec<Span> = chain(&pairs, params)
        .iter()
        .map(|ch| {
            extend(
                Span {
                    q0: ch.q0 as usize,
                    q1: ch.q1 as usize + k,
                    c0: ch.c0 as usize,
                    c1: ch.c1 as usize + k,
                    evidence: ch.evidence,
                },
                query_words,
                candidate_words,
                params.confirm.max(1),
            )
        })
        .collect();
    let spans = clusters(best_alignments(merge(spans)), params);
    if spans.is_empty() {
        return None;
    }

    let mut covered = 0;
    let mut reached = 0;
    for s in &spans {
        let from = s.q0.max(reached);
        if s.q1 > from {
            covered += s.q1 - from;
        }
        reached = reached.max(s.q1);
    }
    Some(Match {
        coverage: covered as f64 / query_words.len() as f64,
        passages: spans
            .iter()
            .map(|s| SharedPassage {
                query: query_words[s.q0].start..query_words[s.q1 - 1].end,
                candidate: candidate_words[s.c0].start..candidate_words[s.c1 - 1].end,
            })
            .collect(),
    })
}

/// Links seeds (sorted by query position) into chains.
fn chain(pairs: &[(u32, u32, f64)], params: &MatchParams) -> Vec<Chain> {
    let mut open: Vec<Chain> = Vec::new();
    let mut done: Vec<Chain> = Vec::new();
    for &(q, c, weight) in pairs {
        let mut i = 0;
        while i < open.len() {
            if open[i].q1.saturating_add(params.max_gap) < q {
                done.push(open.swap_remove(i));
            } else {
                i += 1;
            }
        }
        let mut best: Option<(usize, (u32, u32))> = None;
        for (i, ch) in open.iter().enumerate() {
            if q <= ch.q1 || c <= ch.c1 {
                continue;
            }
            let (dq, dc) = (q - ch.q1, c - ch.c1);
            let shift = dq.abs_diff(dc);
            if dc > params.max_gap || shift > params.max_shift {
                continue;
            }
            if best.is_none_or(|(_, key)| (shift, dq) < key) {
                best = Some((i, (shift, dq)));
            }
        }
        match best {
            Some((i, _)) => {
                let ch = &mut open[i];
                ch.q1 = q;
                ch.c1 = c;
                ch.evidence += weight;
            }
            None => open.push(Chain {
                q0: q,
                c0: c,
                q1: q,
                c1: c,
                evidence: weight,
            }),
        }
    }
    done.extend(open);
    done
}

/// Whether `n` words agree from `q[i]` and `c[j]` on (all within bounds).
fn agree(q: &[Word], i: usize, c: &[Word], j: usize, n: usize) -> bool {
    i + n <= q.len() && j + n <= c.len() && (0..n).all(|d| q[i + d].hash == c[j + d].hash)
}

/// Whether `n` words agree ending just before `q[i]` and `c[j]`.
fn agree_back(q: &[Word], i: usize, c: &[Word], j: usize, n: usize) -> bool {
    i >= n && j >= n && (1..=n).all(|d| q[i - d].hash == c[j - d].hash)
}

/// Grows a passage while the words on both sides agree, across one replaced,
/// inserted or dropped word that `confirm` agreeing words follow.
fn extend(mut s: Span, q: &[Word], c: &[Word], confirm: usize) -> Span {
    loop {
        if agree(q, s.q1, c, s.c1, 1) {
            s.q1 += 1;
            s.c1 += 1;
            continue;
        }
        // Replaced, inserted into the query, dropped from the query.
        let step = [(1, 1), (1, 0), (0, 1)]
            .into_iter()
            .find(|&(dq, dc)| agree(q, s.q1 + dq, c, s.c1 + dc, confirm));
        match step {
            Some((dq, dc)) => {
                s.q1 += dq + confirm;
                s.c1 += dc + confirm;
            }
            None => break,
        }
    }
    loop {
        if agree_back(q, s.q0, c, s.c0, 1) {
            s.q0 -= 1;
            s.c0 -= 1;
            continue;
        }
        let step = [(1, 1), (1, 0), (0, 1)]
            .into_iter()
            .find(|&(dq, dc)| s.q0 >= dq && s.c0 >= dc && agree_back(q, s.q0 - dq, c, s.c0 - dc, confirm));
        match step {
            Some((dq, dc)) => {
                s.q0 -= dq + confirm;
                s.c0 -= dc + confirm;
            }
            None => break,
        }
    }
    s
}

/// Merges passages that overlap in both texts with the same alignment (two
/// chains of one passage, joined by extension).
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable_by_key(|s| (s.q0, s.c0));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(last) = out.iter_mut().rev().take_while(|l| l.q0 + l.words() >= s.q0).find(|l| {
            s.q0 <= l.q1
                && s.c0 <= l.c1
                && s.c1 >= l.c0
                && (s.c0 as isize - s.q0 as isize).abs_diff(l.c0 as isize - l.q0 as isize) <= 3
        }) {
            last.q1 = last.q1.max(s.q1);
            last.c0 = last.c0.min(s.c0);
            last.c1 = last.c1.max(s.c1);
            last.evidence += s.evidence;
            continue;
        }
        out.push(s);
    }
    out
}

/// Of passages that cover mostly the same query words (a phrase the
/// candidate repeats, aligned to each occurrence), keeps the longest.
fn best_alignments(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable_by(|a, b| b.words().cmp(&a.words()).then(a.q0.cmp(&b.q0)));
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        let redundant = kept.iter().any(|k| {
            let overlap = s.q1.min(k.q1).saturating_sub(s.q0.max(k.q0));
            overlap * 2 > s.words()
        });
        if !redundant {
            kept.push(s);
        }
    }
    kept.sort_unstable_by_key(|s| (s.q0, s.c0));
    kept
}

/// Groups passages (sorted by query start) into clusters and keeps the
/// passages of the clusters that pass the filters.
fn clusters(spans: Vec<Span>, params: &MatchParams) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    let mut cluster: Vec<Span> = Vec::new();
    let flush = |cluster: &mut Vec<Span>, out: &mut Vec<Span>| {
        let evidence: f64 = cluster.iter().map(|s| s.evidence).sum();
        let words: usize = cluster.iter().map(Span::words).sum();
        // A little slack: weights below 1 need not add up exactly.
        if evidence >= params.min_evidence - 1e-9 && words >= params.min_words {
            out.append(cluster);
        }
        cluster.clear();
    };
    for s in spans {
        let joins = !cluster.is_empty() && {
            let q1 = cluster.iter().map(|c| c.q1).max().unwrap_or(0);
            let c0 = cluster.iter().map(|c| c.c0).min().unwrap_or(0);
            let c1 = cluster.iter().map(|c| c.c1).max().unwrap_or(0);
            s.q0 <= q1 + params.cluster_gap && s.c0 + params.cluster_reach >= c0 && s.c0 <= c1 + params.cluster_reach
        };
        if !joins {
            flush(&mut cluster, &mut out);
        }
        cluster.push(s);
    }
    flush(&mut cluster, &mut out);
    out
}
