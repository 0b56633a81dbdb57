//! `eval copies`: planted copies among the ASAP essays.
//!
//! The protocol, deterministic for a given seed and data directory:
//!
//! 1. Every essay of `fold_0..4.tsv` is an *original*.
//! 2. 500 *planted* essays: for a random pair (A, B) of distinct originals of
//!    at least 150 words, a contiguous chunk of 25–40% of B's words is lightly
//!    edited — one sentence dropped, two adjacent sentences swapped, then
//!    every 12th word replaced by a word drawn from the corpus — and inserted
//!    into A at a sentence boundary. A chunk with fewer than three sentences
//!    (some essays are unpunctuated) is cut into 15-word pieces that stand in
//!    for sentences. The truth is the fraction of the planted essay's
//!    normalised words that lie inside the inserted chunk.
//! 3. Originals and planted essays are stored (text and fingerprints) in a
//!    sled database in a temporary directory, as the service stores them.
//! 4. Recall: a planted essay counts as found when a search with the default
//!    options returns B with coverage within 10 points of the truth.
//! 5. False positives: every original is searched with the default
//!    threshold and no limit; each other original returned is a false
//!    positive. The rate is over ordered pairs of distinct originals, n(n-1).
//! 6. Latency: 500 planted and 500 original texts searched with the default
//!    options, timed from text in hand (fingerprinting included) to result.
//! 7. Scale: the store is topped up to `total_essays` (100,000 by default)
//!    with perturbed replicas of the originals — each an original with its
//!    sentences shuffled and every word replaced, with probability 0.2, by a
//!    word drawn from the essays of the same set — so that stock phrases and
//!    source phrases grow as common as in a large same-prompt corpus while no
//!    two essays are identical. After 1,000 warm-up searches of other
//!    originals (a serving index has its hot part cached; the warm-up is
//!    timed too, as the cold figure), the same 1,000 searches are timed
//!    again; the JSON reports this latency, and the index size per essay at
//!    this scale.

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::copies::{
    self, EssayKey, FingerprintIndex, Fingerprints, IndexError, MemoryFingerprintIndex, Scheme, SearchOptions,
};
use crate::eval::asap;
use crate::store::fingerprints::{SledFingerprintIndex, essay_key};

/// The tenant every essay of the evaluation belongs to.
const TENANT: &str = "eval";

/// Planted essays' words in A and B, at least.
const MIN_WORDS: usize = 150;

/// Every this-many-th word of a planted chunk is replaced.
const REPLACE_EVERY: usize = 12;

/// A planted essay is found only if its coverage by B is this close to the
/// truth.
const COVERAGE_TOLERANCE: f64 = 0.10;

/// Latency searches of each kind (planted, original).
const LATENCY_QUERIES: usize = 500;

/// What the evaluation needs.
#[derive(Debug, Clone)]
pub struct CopiesEvalOptions {
    /// A directory with `fold_0.tsv` … `fold_4.tsv`.
    pub data: PathBuf,
    pub planted: usize,
    pub seed: u64,
    /// Essays stored for the latency measurement at scale; no scale step if
    /// not more than the originals and planted essays.
    pub total_essays: usize,
    pub scheme: Scheme,
    pub search: SearchOptions,
    /// Builds the store in this directory (which must not hold one) and
    /// leaves it there, instead of a temporary directory.
    pub keep: Option<PathBuf>,
}

impl CopiesEvalOptions {
    pub fn new(data: PathBuf) -> Self {
        Self {
            data,
            planted: 500,
            seed: 0x5EED_C0B1E5,
            total_essays: 100_000,
            scheme: Scheme::DEFAULT,
            search: SearchOptions::default(),
            keep: None,
        }
    }
}

#[derive(Debug)]
pub enum CopiesEvalError {
    Data(String),
    Index(IndexError),
    Io(String),
}

impl fmt::Display for CopiesEvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopiesEvalError::Data(e) => write!(f, "ASAP data: {e}"),
            CopiesEvalError::Index(e) => write!(f, "{e}"),
            CopiesEvalError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CopiesEvalError {}

impl From<IndexError> for CopiesEvalError {
    fn from(e: IndexError) -> Self {
        CopiesEvalError::Index(e)
    }
}

impl From<sled::Error> for CopiesEvalError {
    fn from(e: sled::Error) -> Self {
        CopiesEvalError::Index(e.into())
    }
}

/// The figures the project tracks; serializes to exactly
/// `{"planted", "recall", "false_positive_rate", "lookup_ms_p50",
/// "lookup_ms_p99", "index_bytes_per_essay"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopiesReport {
    pub planted: usize,
    pub recall: f64,
    pub false_positive_rate: f64,
    pub lookup_ms_p50: f64,
    pub lookup_ms_p99: f64,
    pub index_bytes_per_essay: f64,
    #[serde(skip)]
    pub details: CopiesDetails,
}

impl CopiesReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Everything else the text rendering shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CopiesDetails {
    pub scheme: Option<Scheme>,
    pub threshold: f64,
    pub originals: usize,
    /// Planted essays whose B was returned at all.
    pub b_returned: usize,
    /// Mean and largest |coverage − truth| where B was returned.
    pub coverage_error_mean: f64,
    pub coverage_error_max: f64,
    /// Truth coverage of the planted essays: smallest, median, largest.
    pub truth_range: (f64, f64, f64),
    pub misses: Vec<Miss>,
    /// Ordered pairs of originals reported, and the originals with any.
    pub false_positive_pairs: usize,
    pub originals_flagged: usize,
    /// The highest-coverage false positives: (query, match, coverage), ASAP ids.
    pub worst_false_positives: Vec<(u32, u32, f64)>,
    /// Latency with the originals and planted essays stored.
    pub small: Latency,
    /// Latency with `total_essays` stored (when a scale step ran), after a
    /// warm-up of other searches.
    pub full: Option<Latency>,
    /// The warm-up searches themselves: the first searches after the bulk
    /// load, on a cold cache.
    pub full_cold: Option<Latency>,
    pub fingerprints_per_essay: f64,
    pub index_bytes_on_disk: Option<u64>,
    pub seconds: Timings,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latency {
    pub essays_stored: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    pub load: f64,
    pub store: f64,
    pub recall: f64,
    pub false_positives: f64,
    pub scale: f64,
    pub total: f64,
}

/// A planted essay that was not found.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub planted: usize,
    pub a: u32,
    pub b: u32,
    pub truth: f64,
    /// B's coverage, if B was returned at all.
    pub coverage: Option<f64>,
}

/// One ASAP essay.
#[derive(Debug, Clone, PartialEq)]
pub struct AsapEssay {
    pub id: u32,
    pub set: u8,
    pub text: String,
}

/// Reads the essays of `fold_0.tsv` … `fold_4.tsv` in `dir`.
pub fn load_asap(dir: &Path) -> Result<Vec<AsapEssay>, CopiesEvalError> {
    let mut essays = Vec::new();
    for fold in 0..5 {
        let name = format!("fold_{fold}.tsv");
        let path = dir.join(&name);
        let raw = std::fs::read_to_string(&path)
            .map_err(|e| CopiesEvalError::Data(format!("cannot read {}: {e}", path.display())))?;
        for e in asap::parse_fold(&name, &raw).map_err(|e| CopiesEvalError::Data(e.to_string()))? {
            let bad = |what: &str| {
                CopiesEvalError::Data(format!("{}: essay {} has an out-of-range {what}", path.display(), e.id))
            };
            essays.push(AsapEssay {
                id: u32::try_from(e.id).map_err(|_| bad("essay_id"))?,
                set: u8::try_from(e.set).map_err(|_| bad("essay_set"))?,
                text: e.text,
            });
        }
    }
    if essays.is_empty() {
        return Err(CopiesEvalError::Data(format!("no essays in {}", dir.display())));
    }
    essays.sort_by_key(|e| e.id);
    Ok(essays)
}

/// SplitMix64: a fixed, dependency-free generator, so the test built from a
/// seed never changes with a library upgrade.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by rejection: no modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Uniform in `[lo, hi)`.
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Whitespace-separated tokens of `text`, as byte ranges.
fn tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

fn ends_sentence(token: &str) -> bool {
    token
        .trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}'])
        .ends_with(['.', '!', '?'])
}

/// Groups tokens into sentences; fewer than three become 15-token pieces.
fn sentences<T: Clone>(tokens: Vec<T>, text: impl Fn(&T) -> &str) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current = Vec::new();
    for t in &tokens {
        current.push(t.clone());
        if ends_sentence(text(t)) {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.len() < 3 {
        out = tokens.chunks(15).map(<[T]>::to_vec).collect();
    }
    out
}

/// Which whitespace tokens of `text` hold a word outside quotations.
fn unquoted_tokens(text: &str, toks: &[Range<usize>]) -> Vec<bool> {
    let mut out = vec![false; toks.len()];
    for w in copies::normalize(text).words {
        let i = toks.partition_point(|t| t.end <= w.start);
        if let Some(flag) = out.get_mut(i) {
            *flag = true;
        }
    }
    out
}

/// A word for replacing: a token of a random essay, letters and digits only.
fn random_word(essays: &[AsapEssay], pool: &[usize], rng: &mut Rng) -> String {
    loop {
        let text = &essays[pool[rng.below(pool.len())]].text;
        let toks = tokens(text);
        if toks.is_empty() {
            continue;
        }
        let word: String = text[toks[rng.below(toks.len())].clone()]
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if !word.is_empty() {
            return word.to_lowercase();
        }
    }
}

/// A planted copy: B's edited chunk inside A.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    /// Indices into the originals.
    pub a: usize,
    pub b: usize,
    pub text: String,
    /// The inserted chunk, in bytes of `text`.
    pub chunk: Range<usize>,
    /// The fraction of `text`'s normalised words that come from B's words
    /// outside quotations (a replaced word counts as the word it replaced).
    /// A chunk cut through one of B's quotations may leave text quoted in B
    /// unquoted in the planted essay: that is B's quotation, not B's words.
    pub truth: f64,
}

/// Builds `n` planted essays (see the module doc).
pub fn plant(essays: &[AsapEssay], n: usize, rng: &mut Rng) -> Vec<Planted> {
    let eligible: Vec<usize> = (0..essays.len())
        .filter(|&i| tokens(&essays[i].text).len() >= MIN_WORDS)
        .collect();
    let all: Vec<usize> = (0..essays.len()).collect();
    let mut out = Vec::with_capacity(n);
    if eligible.len() < 2 {
        return out;
    }
    while out.len() < n {
        let a = eligible[rng.below(eligible.len())];
        let b = eligible[rng.below(eligible.len())];
        if a == b {
            continue;
        }
        let (a_text, b_text) = (&essays[a].text, &essays[b].text);
        let b_tokens = tokens(b_text);
        let len = ((b_tokens.len() as f64) * rng.between(0.25, 0.40)).round() as usize;
        let start = rng.below(b_tokens.len() - len + 1);
        // (token, index of the B token it comes from)
        let chunk: Vec<(String, usize)> = (start..start + len)
            .map(|i| (b_text[b_tokens[i].clone()].to_owned(), i))
            .collect();
        let mut parts = sentences(chunk, |t| t.0.as_str());
        parts.remove(rng.below(parts.len()));
        let swap = rng.below(parts.len() - 1);
        parts.swap(swap, swap + 1);
        let mut words: Vec<(String, usize)> = parts.into_iter().flatten().collect();
        for i in (REPLACE_EVERY - 1..words.len()).step_by(REPLACE_EVERY) {
            let tail: String = words[i]
                .0
                .chars()
                .rev()
                .take_while(|c| !c.is_alphanumeric())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            words[i].0 = random_word(essays, &all, rng) + &tail;
        }

        // Sentence boundaries outside A's quotations: text inserted inside a
        // quotation would be a quotation.
        let a_tokens = tokens(a_text);
        let a_quotations = copies::normalize(a_text).quotations;
        let mut boundaries = vec![0];
        boundaries.extend(
            a_tokens
                .iter()
                .filter(|r| ends_sentence(&a_text[(*r).clone()]))
                .map(|r| r.end)
                .filter(|&at| !a_quotations.iter().any(|q| q.start < at && at < q.end)),
        );
        let at = boundaries[rng.below(boundaries.len())];
        let mut text = String::with_capacity(a_text.len() + 2 * len * 8);
        text.push_str(&a_text[..at]);
        text.push(' ');
        let chunk_start = text.len();
        // (byte range in the planted text, B token)
        let mut placed: Vec<(Range<usize>, usize)> = Vec::with_capacity(words.len());
        for (i, (word, origin)) in words.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            placed.push((text.len()..text.len() + word.len(), *origin));
            text.push_str(word);
        }
        let chunk_range = chunk_start..text.len();
        text.push(' ');
        text.push_str(&a_text[at..]);

        let b_unquoted = unquoted_tokens(b_text, &b_tokens);
        let normalized = copies::normalize(&text);
        let copied = normalized
            .words
            .iter()
            .filter(|w| {
                let i = placed.partition_point(|(r, _)| r.end <= w.start);
                placed
                    .get(i)
                    .is_some_and(|(r, origin)| r.start <= w.start && b_unquoted[*origin])
            })
            .count();
        let truth = copied as f64 / normalized.words.len().max(1) as f64;
        out.push(Planted {
            a,
            b,
            text,
            chunk: chunk_range,
            truth,
        });
    }
    out
}

/// A perturbed replica of `text` (see the module doc).
fn replica(text: &str, same_set: &[usize], essays: &[AsapEssay], rng: &mut Rng) -> String {
    let toks: Vec<String> = tokens(text).into_iter().map(|r| text[r].to_owned()).collect();
    let mut parts = sentences(toks, String::as_str);
    rng.shuffle(&mut parts);
    let mut words: Vec<String> = parts.into_iter().flatten().collect();
    for w in &mut words {
        if rng.below(5) == 0 {
            *w = random_word(essays, same_set, rng);
        }
    }
    words.join(" ")
}

/// The essay key of the `n`th stored essay.
pub fn key(n: usize) -> EssayKey {
    let mut k = [0u8; 16];
    k[8..].copy_from_slice(&(n as u64).to_be_bytes());
    k
}

fn number(key: &EssayKey) -> usize {
    let mut n = [0u8; 8];
    n.copy_from_slice(&key[8..]);
    u64::from_be_bytes(n) as usize
}

/// Where the evaluation keeps texts: a sled tree laid out like the store's
/// `essay_texts`, or memory (for quick measurements of schemes).
pub trait TextStore {
    fn put(&mut self, id: &EssayKey, text: &str) -> Result<(), CopiesEvalError>;
    fn get(&self, id: &EssayKey) -> Result<Option<String>, CopiesEvalError>;
}

impl TextStore for sled::Tree {
    fn put(&mut self, id: &EssayKey, text: &str) -> Result<(), CopiesEvalError> {
        self.insert(essay_key(TENANT, id), text.as_bytes())?;
        Ok(())
    }

    fn get(&self, id: &EssayKey) -> Result<Option<String>, CopiesEvalError> {
        Ok(sled::Tree::get(self, essay_key(TENANT, id))?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }
}

impl TextStore for Vec<String> {
    fn put(&mut self, id: &EssayKey, text: &str) -> Result<(), CopiesEvalError> {
        let n = number(id);
        if self.len() <= n {
            self.resize(n + 1, String::new());
        }
        self[n] = text.to_owned();
        Ok(())
    }

    fn get(&self, id: &EssayKey) -> Result<Option<String>, CopiesEvalError> {
        Ok(self.as_slice().get(number(id)).cloned())
    }
}

fn store<I: FingerprintIndex, T: TextStore>(
    index: &I,
    texts: &mut T,
    n: usize,
    text: &str,
    scheme: Scheme,
) -> Result<Fingerprints, CopiesEvalError> {
    let fp = copies::fingerprint_with(text, scheme);
    texts.put(&key(n), text)?;
    index.insert(TENANT, &key(n), &fp)?;
    Ok(fp)
}

fn search<I: FingerprintIndex, T: TextStore>(
    index: &I,
    texts: &T,
    text: &str,
    exclude: Option<usize>,
    options: &SearchOptions,
    scheme: Scheme,
) -> Result<Vec<copies::SimilarEssay>, CopiesEvalError> {
    let exclude = exclude.map(key);
    let options = SearchOptions { scheme, ..*options };
    copies::find_similar(index, TENANT, text, exclude.as_ref(), &options, |id| texts.get(id))
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_ms.len() as f64).ceil() as usize;
    sorted_ms[rank.clamp(1, sorted_ms.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The 1,000 latency queries: (stored number to exclude, text).
fn latency_queries<'a>(originals: &'a [AsapEssay], planted: &'a [Planted], rng: &mut Rng) -> Vec<(usize, &'a str)> {
    let n = originals.len();
    let mut queries: Vec<(usize, &str)> = planted
        .iter()
        .take(LATENCY_QUERIES)
        .enumerate()
        .map(|(i, p)| (n + i, p.text.as_str()))
        .collect();
    for _ in 0..LATENCY_QUERIES.min(n) {
        let i = rng.below(n);
        queries.push((i, originals[i].text.as_str()));
    }
    queries
}

fn time_queries<I: FingerprintIndex, T: TextStore>(
    index: &I,
    texts: &T,
    queries: &[(usize, &str)],
    options: &SearchOptions,
    scheme: Scheme,
    essays_stored: usize,
) -> Result<Latency, CopiesEvalError> {
    let mut times = Vec::with_capacity(queries.len());
    for &(exclude, text) in queries {
        let t = Instant::now();
        let found = search(index, texts, text, Some(exclude), options, scheme)?;
        times.push(ms(t.elapsed()));
        std::hint::black_box(found);
    }
    times.sort_by(f64::total_cmp);
    Ok(Latency {
        essays_stored,
        p50_ms: percentile(&times, 50.0),
        p99_ms: percentile(&times, 99.0),
        max_ms: times.last().copied().unwrap_or(0.0),
    })
}

/// Recall and false positives over one index holding the originals
/// (numbered `0..n`) and the planted essays (`n..`): the part of the
/// evaluation that [`sweep`] repeats for many schemes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quality {
    pub recall: f64,
    pub false_positive_rate: f64,
    pub details: CopiesDetails,
}

pub fn quality<I: FingerprintIndex, T: TextStore>(
    index: &I,
    texts: &T,
    originals: &[AsapEssay],
    planted: &[Planted],
    options: &SearchOptions,
    scheme: Scheme,
) -> Result<Quality, CopiesEvalError> {
    let n = originals.len();
    let mut d = CopiesDetails {
        scheme: Some(scheme),
        threshold: options.threshold,
        originals: n,
        ..CopiesDetails::default()
    };
    let t = Instant::now();
    let mut found = 0;
    let mut errors = Vec::new();
    for (i, p) in planted.iter().enumerate() {
        let results = search(index, texts, &p.text, Some(n + i), options, scheme)?;
        let b = results.iter().find(|r| r.essay == key(p.b));
        if let Some(b) = b {
            let error = (b.coverage - p.truth).abs();
            errors.push(error);
            if error <= COVERAGE_TOLERANCE {
                found += 1;
                continue;
            }
        }
        d.misses.push(Miss {
            planted: i,
            a: originals[p.a].id,
            b: originals[p.b].id,
            truth: p.truth,
            coverage: b.map(|b| b.coverage),
        });
    }
    d.b_returned = errors.len();
    d.coverage_error_mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
    d.coverage_error_max = errors.iter().copied().fold(0.0, f64::max);
    let mut truths: Vec<f64> = planted.iter().map(|p| p.truth).collect();
    truths.sort_by(f64::total_cmp);
    if !truths.is_empty() {
        d.truth_range = (truths[0], truths[truths.len() / 2], truths[truths.len() - 1]);
    }
    d.seconds.recall = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let unlimited = SearchOptions {
        limit: usize::MAX,
        max_compared: usize::MAX,
        ..*options
    };
    let mut worst = Vec::new();
    for (i, essay) in originals.iter().enumerate() {
        let results = search(index, texts, &essay.text, Some(i), &unlimited, scheme)?;
        let mut flagged = false;
        for r in results.iter().filter(|r| number(&r.essay) < n) {
            d.false_positive_pairs += 1;
            flagged = true;
            worst.push((essay.id, originals[number(&r.essay)].id, r.coverage));
        }
        d.originals_flagged += usize::from(flagged);
    }
    worst.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    worst.truncate(10);
    d.worst_false_positives = worst;
    d.seconds.false_positives = t.elapsed().as_secs_f64();

    let pairs = (n as f64) * (n.saturating_sub(1) as f64);
    Ok(Quality {
        recall: found as f64 / planted.len().max(1) as f64,
        false_positive_rate: d.false_positive_pairs as f64 / pairs.max(1.0),
        details: d,
    })
}

/// Runs the whole evaluation (see the module doc) in a temporary directory.
pub fn evaluate(options: &CopiesEvalOptions) -> Result<CopiesReport, CopiesEvalError> {
    let started = Instant::now();
    let originals = load_asap(&options.data)?;
    let mut rng = Rng::new(options.seed);
    let planted = plant(&originals, options.planted, &mut rng);
    let load_seconds = started.elapsed().as_secs_f64();

    let temp = tempfile::tempdir().map_err(|e| CopiesEvalError::Io(e.to_string()))?;
    let dir = options.keep.as_deref().unwrap_or(temp.path());
    let db = sled::Config::new().path(dir).cache_capacity(256 * 1024 * 1024).open()?;
    let index = SledFingerprintIndex::open(&db)?;
    let mut texts = db.open_tree("essay_texts")?;
    let scheme = options.scheme;

    let t = Instant::now();
    let mut marks = 0usize;
    for (i, e) in originals.iter().enumerate() {
        marks += store(&index, &mut texts, i, &e.text, scheme)?.marks().len();
    }
    for (i, p) in planted.iter().enumerate() {
        marks += store(&index, &mut texts, originals.len() + i, &p.text, scheme)?
            .marks()
            .len();
    }
    let store_seconds = t.elapsed().as_secs_f64();
    let stored = originals.len() + planted.len();

    let q = quality(&index, &texts, &originals, &planted, &options.search, scheme)?;
    let mut d = q.details;
    d.seconds.load = load_seconds;
    d.seconds.store = store_seconds;

    let queries = latency_queries(&originals, &planted, &mut rng);
    d.small = time_queries(&index, &texts, &queries, &options.search, scheme, stored)?;

    let t = Instant::now();
    let mut total = stored;
    if options.total_essays > stored {
        let mut by_set: std::collections::BTreeMap<u8, Vec<usize>> = Default::default();
        for (i, e) in originals.iter().enumerate() {
            by_set.entry(e.set).or_default().push(i);
        }
        while total < options.total_essays {
            let i = (total - stored) % originals.len();
            let same_set = &by_set[&originals[i].set];
            let text = replica(&originals[i].text, same_set, &originals, &mut rng);
            marks += store(&index, &mut texts, total, &text, scheme)?.marks().len();
            total += 1;
        }
        db.flush()?;
        // A service that has been serving has the hot part of the index in
        // its cache: warm it with 1,000 searches of originals that are not
        // among the timed ones (timed too: the cold figure).
        let timed: std::collections::BTreeSet<usize> = queries.iter().map(|q| q.0).collect();
        let mut warm = Vec::new();
        while warm.len() < LATENCY_QUERIES * 2 && timed.len() + warm.len() < originals.len() {
            let i = rng.below(originals.len());
            if !timed.contains(&i) && !warm.iter().any(|&(j, _)| j == i) {
                warm.push((i, originals[i].text.as_str()));
            }
        }
        d.full_cold = Some(time_queries(&index, &texts, &warm, &options.search, scheme, total)?);
        d.full = Some(time_queries(&index, &texts, &queries, &options.search, scheme, total)?);
    }
    d.seconds.scale = t.elapsed().as_secs_f64();

    let size = index.size()?;
    db.flush()?;
    let on_disk = db.size_on_disk()?;
    let text_bytes: u64 = texts
        .iter()
        .values()
        .map(|v| v.map(|v| v.len() as u64))
        .sum::<Result<u64, _>>()?;
    d.index_bytes_on_disk = Some(on_disk.saturating_sub(text_bytes));
    d.fingerprints_per_essay = marks as f64 / total as f64;
    d.seconds.total = started.elapsed().as_secs_f64();
    let latency = d.full.clone().unwrap_or_else(|| d.small.clone());
    Ok(CopiesReport {
        planted: planted.len(),
        recall: round(q.recall, 4),
        false_positive_rate: round(q.false_positive_rate, 7),
        lookup_ms_p50: round(latency.p50_ms, 3),
        lookup_ms_p99: round(latency.p99_ms, 3),
        index_bytes_per_essay: round(size.bytes as f64 / size.essays.max(1) as f64, 1),
        details: d,
    })
}

/// Recall and false positives of each scheme and passage filter, over an
/// in-memory index (no scale step): how `K`, `W` and the filters were chosen.
pub fn sweep(
    data: &Path,
    seed: u64,
    configs: &[(Scheme, SearchOptions)],
) -> Result<Vec<(Scheme, SearchOptions, Quality, f64)>, CopiesEvalError> {
    let originals = load_asap(data)?;
    let mut rng = Rng::new(seed);
    let planted = plant(&originals, 500, &mut rng);
    let mut out = Vec::new();
    for (scheme, options) in configs {
        let index = MemoryFingerprintIndex::new();
        let mut texts: Vec<String> = Vec::new();
        let mut marks = 0;
        for (i, e) in originals.iter().enumerate() {
            marks += store(&index, &mut texts, i, &e.text, *scheme)?.marks().len();
        }
        for (i, p) in planted.iter().enumerate() {
            store(&index, &mut texts, originals.len() + i, &p.text, *scheme)?;
        }
        let q = quality(&index, &texts, &originals, &planted, options, *scheme)?;
        out.push((*scheme, *options, q, marks as f64 / originals.len() as f64));
    }
    Ok(out)
}

/// The report for people.
pub fn render_text(r: &CopiesReport) -> String {
    let d = &r.details;
    let mut s = String::new();
    let scheme = d.scheme.unwrap_or_default();
    let _ = writeln!(
        s,
        "copies: {} originals, {} planted; k = {}, w = {}, threshold {:.2}",
        d.originals, r.planted, scheme.k, scheme.w, d.threshold
    );
    let _ = writeln!(
        s,
        "recall            {:.4}  (B returned for {} of {}; |coverage - truth| mean {:.3}, max {:.3}; truth min/median/max {:.3}/{:.3}/{:.3})",
        r.recall,
        d.b_returned,
        r.planted,
        d.coverage_error_mean,
        d.coverage_error_max,
        d.truth_range.0,
        d.truth_range.1,
        d.truth_range.2
    );
    let _ = writeln!(
        s,
        "false positives   {:.7}  ({} ordered pairs of originals; {} originals with any match)",
        r.false_positive_rate, d.false_positive_pairs, d.originals_flagged
    );
    for (q, m, c) in &d.worst_false_positives {
        let _ = writeln!(s, "  essay {q} -> essay {m}: coverage {c:.3}");
    }
    let _ = writeln!(
        s,
        "lookup            p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms with {} essays stored",
        d.small.p50_ms, d.small.p99_ms, d.small.max_ms, d.small.essays_stored
    );
    if let Some(f) = &d.full_cold {
        let _ = writeln!(
            s,
            "lookup at scale   p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms with {} essays stored, cold (first 1,000 searches after the bulk load)",
            f.p50_ms, f.p99_ms, f.max_ms, f.essays_stored
        );
    }
    if let Some(f) = &d.full {
        let _ = writeln!(
            s,
            "lookup at scale   p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms with {} essays stored, warm (the JSON figures)",
            f.p50_ms, f.p99_ms, f.max_ms, f.essays_stored
        );
    }
    let _ = writeln!(
        s,
        "index             {:.0} bytes per essay (keys + values), {:.1} fingerprints per essay{}",
        r.index_bytes_per_essay,
        d.fingerprints_per_essay,
        d.index_bytes_on_disk
            .map(|b| format!(", sled on disk without texts {b} bytes"))
            .unwrap_or_default()
    );
    for m in d.misses.iter().take(10) {
        let _ = writeln!(
            s,
            "  missed planted {} (A {}, B {}): truth {:.3}, coverage {}",
            m.planted,
            m.a,
            m.b,
            m.truth,
            m.coverage.map(|c| format!("{c:.3}")).unwrap_or_else(|| "none".into())
        );
    }
    let t = &d.seconds;
    let _ = writeln!(
        s,
        "seconds           load {:.1}, store {:.1}, recall {:.1}, false positives {:.1}, scale {:.1}, total {:.1}",
        t.load, t.store, t.recall, t.false_positives, t.scale, t.total
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_fields_keep_quotes_tabs_and_crlf_apart() {
        // The shared ASAP reader, as load_asap uses it.
        let raw =
            "essay_id\tessay_set\tessay\tdomain1_score\r\n1\t3\t\"He said \"\"hi\"\"\tthere\"\t7\r\n2\t5\t\"x\"\t1\n";
        let rows = asap::parse_fold("f", raw).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].id, rows[0].set, rows[0].text.as_str()),
            (1, 3, "He said \"hi\"\tthere")
        );
        assert_eq!((rows[1].id, rows[1].set, rows[1].text.as_str()), (2, 5, "x"));
    }

    #[test]
    fn the_generator_is_fixed() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<usize> = (0..5).map(|_| a.below(100)).collect();
        let ys: Vec<usize> = (0..5).map(|_| b.below(100)).collect();
        assert_eq!(xs, ys);
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
    }

    #[test]
    fn the_report_serializes_to_exactly_the_tracked_keys() {
        let r = CopiesReport {
            planted: 1,
            recall: 1.0,
            false_positive_rate: 0.0,
            lookup_ms_p50: 0.1,
            lookup_ms_p99: 0.2,
            index_bytes_per_essay: 3.0,
            details: CopiesDetails::default(),
        };
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "false_positive_rate",
                "index_bytes_per_essay",
                "lookup_ms_p50",
                "lookup_ms_p99",
                "planted",
                "recall"
            ]
        );
    }
}
