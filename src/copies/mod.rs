//! Copy detection: fingerprints of essays, the passages two essays share, and
//! the search for the stored essays that share passages with a text.
//!
//! - [`normalize`]: the words fingerprinting sees (lowercased, punctuation and
//!   spacing ignored, quotations left out), each mapped to its byte range.
//! - [`winnow`]: word k-grams and robust winnowing (Schleimer et al. 2003, the
//!   algorithm of MOSS).
//! - [`matching`]: the passages two fingerprinted texts share, and coverage.
//! - [`index`]: the [`FingerprintIndex`] trait (tenant-scoped postings from
//!   fingerprint to essays), an in-memory implementation for tests, and
//!   [`PostingsSnapshot`], a tenant's postings read into memory for many
//!   searches in a row (a grading job); the sled index is
//!   `store::fingerprints`.
//! - [`find_similar`]: candidates from the index, verified by [`Query::compare`].
//!
//! Everything here is pure: no I/O but through the index trait and the text
//! loader the caller passes.

pub mod index;
pub mod matching;
pub mod normalize;
pub mod winnow;

use std::fmt;

use rustc_hash::FxHashMap;

pub use index::{
    Candidate, Candidates, EssayKey, FingerprintIndex, IndexError, MemoryFingerprintIndex, PostingsSnapshot,
    SnapshotIndex,
};
pub use matching::{Match, MatchParams, SharedPassage};
pub use normalize::{Normalized, normalize};
pub use winnow::Fingerprint;

/// Words per k-gram. Measured on the planted-copy evaluation (five seeds,
/// `copies-eval --sweep`): with w = 4, 3-grams find no more copies but make
/// every lookup scan longer posting lists; 5-grams lose recall (0.96 → 0.95)
/// because a word replaced every 12 words leaves `12 - k` intact k-grams per
/// stretch, and 6- and 7-grams lose more (0.93, 0.91).
pub const K: usize = 4;

/// Winnowing window, in k-grams: a passage of `K + W - 1` = 7 words always
/// yields a shared fingerprint, and 2 / (W + 1) = 40% of k-grams are kept
/// (about 70 fingerprints for an ASAP essay). Measured with K = 4: W = 3 finds
/// 0.5 points more copies for 25% more index; W = 5 and 6 lose 1 and 3 points.
pub const W: usize = 4;

/// Coverage from which a match is reported and a grade is flagged as copied,
/// unless the rubric says otherwise. Low on purpose: a 30-word passage
/// copied into a 900-word essay is 3%, and the passage filters (length and
/// evidence, see [`MatchParams`]), not the coverage, are what keep stock
/// phrases and shared sources out. On the evaluation 1% and 2% give the same
/// recall and false positives; 3% misses 1% of the planted copies.
pub const DEFAULT_THRESHOLD: f64 = 0.02;

/// How many similar essays a search returns by default.
pub const DEFAULT_LIMIT: usize = 10;

/// A fingerprint whose hash occurs in more than this many of a tenant's
/// essays is a stock phrase or the text of a common source (the prompt, the
/// reading), not evidence of copying, as in MOSS; its postings are not read
/// past this many, which bounds a search's cost.
pub const DEFAULT_MAX_POSTINGS: usize = 50;

/// A shared hash that at most this many other essays hold is full evidence
/// of copying; one held by `n` more essays counts `DEFAULT_RARE_POSTINGS / n`.
/// 2 rather than 3 halves the false positives between ASAP originals (mostly
/// sentences of the set's reading copied without quotation marks) for 0.5
/// points of recall.
pub const DEFAULT_RARE_POSTINGS: u32 = 2;

/// The format version at the start of [`Fingerprints::to_bytes`].
const FORMAT_VERSION: u8 = 1;

/// The k-gram length and window of a fingerprinting scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    pub k: usize,
    pub w: usize,
}

impl Scheme {
    pub const DEFAULT: Scheme = Scheme { k: K, w: W };
}

impl Default for Scheme {
    fn default() -> Self {
        Scheme::DEFAULT
    }
}

/// The fingerprints of one text: winnowed k-gram hashes, each with the index
/// of its first word among the text's normalised words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    k: u8,
    w: u8,
    words: u32,
    quoted_words: u32,
    marks: Vec<Fingerprint>,
}

/// Why stored fingerprints could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(&'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid fingerprints: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

impl Fingerprints {
    /// The selected fingerprints, in word order.
    pub fn marks(&self) -> &[Fingerprint] {
        &self.marks
    }

    /// Words outside quotations: the denominator of coverage.
    pub fn words(&self) -> u32 {
        self.words
    }

    /// Words left out because they were quoted. An essay made mostly of
    /// quotations is worth a look even when it matches nothing.
    pub fn quoted_words(&self) -> u32 {
        self.quoted_words
    }

    pub fn scheme(&self) -> Scheme {
        Scheme {
            k: self.k.into(),
            w: self.w.into(),
        }
    }

    /// Whether these were made with the current [`Scheme::DEFAULT`]; stored
    /// fingerprints of another scheme must be recomputed from the text.
    pub fn is_current(&self) -> bool {
        self.scheme() == Scheme::DEFAULT
    }

    /// The distinct hashes, sorted.
    pub fn hashes(&self) -> Vec<u64> {
        let mut h: Vec<u64> = self.marks.iter().map(|m| m.hash).collect();
        h.sort_unstable();
        h.dedup();
        h
    }

    /// `[version, k, w] varint(words) varint(quoted) varint(n)` then, per
    /// fingerprint, `varint(word - previous word) hash_le64`: about 9.2 bytes
    /// a fingerprint.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.marks.len() * 10);
        out.extend_from_slice(&[FORMAT_VERSION, self.k, self.w]);
        put_varint(&mut out, self.words.into());
        put_varint(&mut out, self.quoted_words.into());
        put_varint(&mut out, self.marks.len() as u64);
        let mut previous = 0u32;
        for m in &self.marks {
            put_varint(&mut out, (m.word - previous).into());
            out.extend_from_slice(&m.hash.to_le_bytes());
            previous = m.word;
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader(bytes);
        let [version, k, w] = r.take::<3>()?;
        if version != FORMAT_VERSION {
            return Err(DecodeError("unsupported format version"));
        }
        let words = r.varint_u32()?;
        let quoted_words = r.varint_u32()?;
        let n = r.varint()?;
        // Each fingerprint takes at least 9 bytes: refuse a count the input
        // cannot hold before allocating for it.
        if n > (r.0.len() / 9) as u64 {
            return Err(DecodeError("truncated"));
        }
        let mut marks = Vec::with_capacity(n as usize);
        let mut word = 0u32;
        for _ in 0..n {
            word = word
                .checked_add(r.varint_u32()?)
                .ok_or(DecodeError("position overflow"))?;
            let hash = u64::from_le_bytes(r.take::<8>()?);
            marks.push(Fingerprint { hash, word });
        }
        if !r.0.is_empty() {
            return Err(DecodeError("trailing bytes"));
        }
        Ok(Self {
            k,
            w,
            words,
            quoted_words,
            marks,
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(DecodeError("truncated"))?;
        self.0 = rest;
        Ok(*head)
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let [b] = self.take::<1>()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(DecodeError("varint too long"))
    }

    fn varint_u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.varint()?).map_err(|_| DecodeError("value out of range"))
    }
}

/// Fingerprints `text` with the default scheme.
pub fn fingerprint(text: &str) -> Fingerprints {
    fingerprint_with(text, Scheme::DEFAULT)
}

/// Fingerprints `text` with another scheme (for measuring schemes).
pub fn fingerprint_with(text: &str, scheme: Scheme) -> Fingerprints {
    fingerprint_normalized(&normalize(text), scheme)
}

fn fingerprint_normalized(n: &Normalized, scheme: Scheme) -> Fingerprints {
    let k = scheme.k.clamp(1, 255);
    let w = scheme.w.clamp(1, 255);
    Fingerprints {
        k: k as u8,
        w: w as u8,
        words: u32::try_from(n.words.len()).unwrap_or(u32::MAX),
        quoted_words: u32::try_from(n.quoted_words).unwrap_or(u32::MAX),
        marks: winnow::winnow(&winnow::kgrams(&n.words, k), w),
    }
}

/// The passages `query_text` shares with `candidate_text`, and the fraction of
/// the query they cover. `None` when nothing passes the passage filters, or
/// when the candidate was fingerprinted with another k-gram length.
///
/// Only the candidate's fingerprints are winnowed: the query side takes every
/// k-gram of its text (see [`Query`]), so no fingerprint is needed for it.
pub fn compare(query_text: &str, candidate_text: &str, candidate_fp: &Fingerprints) -> Option<Match> {
    Query::new(query_text).compare(candidate_text, candidate_fp)
}

/// A query prepared for comparison with many candidates: its text is
/// normalised and its k-grams hashed once.
///
/// The query side is winnowed far less than stored essays (by default with a
/// window of 2, keeping 2/3 of its k-grams; [`Query::with_scheme`] keeps them
/// all). Stored essays are winnowed to keep the index small, but two
/// winnowed texts share a fingerprint only where both selected it — near a
/// passage's ends, or in a passage cut short by an edit, often neither does
/// — whereas a stored fingerprint inside a shared passage is almost always
/// among a dense query's k-grams. On the planted copies this raised recall by
/// about a point (5-seed mean 0.964 → 0.972) at 2–4x the postings scans of a
/// fully winnowed query; a window of 2 keeps that recall for 2/3 of the scans
/// of keeping every k-gram.
#[derive(Debug, Clone)]
pub struct Query {
    normalized: Normalized,
    kgrams: Vec<Fingerprint>,
    k: usize,
    weights: FxHashMap<u64, f64>,
    params: MatchParams,
}

impl Query {
    pub fn new(text: &str) -> Self {
        Self::with_scheme(text, Scheme::DEFAULT)
    }

    /// A query for essays fingerprinted with `scheme` (only its `k` matters).
    pub fn with_scheme(text: &str, scheme: Scheme) -> Self {
        Self::winnowed(text, scheme, 1)
    }

    /// A query whose k-grams are winnowed with `window` (1: all of them):
    /// fewer postings to scan per search, fewer seeds per shared passage.
    pub fn winnowed(text: &str, scheme: Scheme, window: usize) -> Self {
        let normalized = normalize(text);
        let k = scheme.k.clamp(1, 255);
        let all = winnow::kgrams(&normalized.words, k);
        Self {
            kgrams: if window > 1 { winnow::winnow(&all, window) } else { all },
            normalized,
            k,
            weights: FxHashMap::default(),
            params: MatchParams::default(),
        }
    }

    /// The distinct k-gram hashes of the query, sorted: what to look up.
    pub fn hashes(&self) -> Vec<u64> {
        let mut h: Vec<u64> = self.kgrams.iter().map(|m| m.hash).collect();
        h.sort_unstable();
        h.dedup();
        h
    }

    /// Words outside quotations: the denominator of coverage.
    pub fn words(&self) -> usize {
        self.normalized.words.len()
    }

    /// Weighs each hash by how many other essays hold it (as counted by
    /// [`FingerprintIndex::candidates`]): 1 up to `rare` holders, `rare / n`
    /// for `n` holders, 0 above `max` (too common to count at all).
    pub fn with_holders(mut self, holders: &[(u64, u32)], rare: u32, max: usize) -> Self {
        for &(hash, n) in holders {
            let weight = if n as usize > max {
                0.0
            } else if n <= rare {
                1.0
            } else {
                f64::from(rare) / f64::from(n)
            };
            self.weights.insert(hash, weight);
        }
        self
    }

    pub fn with_params(mut self, params: MatchParams) -> Self {
        self.params = params;
        self
    }

    /// Whether [`Self::compare`] can find anything in a candidate with these
    /// fingerprints: `false` when its shared fingerprints, weighed as
    /// `compare` weighs them, cannot reach the evidence a passage needs. A
    /// cheap test (no text) that never rejects a candidate `compare` would
    /// match.
    pub fn can_match(&self, candidate_fp: &Fingerprints) -> bool {
        usize::from(candidate_fp.k) == self.k
            && matching::evidence_bound(
                self.normalized.words.len(),
                &self.kgrams,
                &candidate_fp.marks,
                self.k,
                &self.weights,
            ) >= self.params.min_evidence
    }

    pub fn compare(&self, candidate_text: &str, candidate_fp: &Fingerprints) -> Option<Match> {
        if usize::from(candidate_fp.k) != self.k {
            return None;
        }
        let candidate = normalize(candidate_text);
        matching::match_words(
            &self.normalized.words,
            &self.kgrams,
            &candidate.words,
            &candidate_fp.marks,
            self.k,
            &self.weights,
            &self.params,
        )
    }
}

/// How a search for similar essays runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchOptions {
    /// The least coverage reported.
    pub threshold: f64,
    /// The most essays returned.
    pub limit: usize,
    /// See [`DEFAULT_MAX_POSTINGS`].
    pub max_postings: usize,
    /// Holders up to which a shared hash is full evidence; see
    /// [`Query::with_holders`] and [`DEFAULT_RARE_POSTINGS`].
    pub rare_postings: u32,
    /// The most candidates (by shared fingerprints) verified with
    /// [`Query::compare`]; bounds a search's cost (each one verified costs
    /// two reads and a normalisation of its text, ~50 µs).
    pub max_compared: usize,
    /// Shared fingerprints a candidate needs to be verified at all.
    pub min_shared: u32,
    pub params: MatchParams,
    /// The scheme the stored essays were fingerprinted with.
    pub scheme: Scheme,
    /// The winnowing window of the query's k-grams; 1 keeps them all (see
    /// [`Query`]).
    pub query_window: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            limit: DEFAULT_LIMIT,
            max_postings: DEFAULT_MAX_POSTINGS,
            rare_postings: DEFAULT_RARE_POSTINGS,
            max_compared: 20,
            min_shared: 2,
            params: MatchParams::default(),
            scheme: Scheme::DEFAULT,
            query_window: 2,
        }
    }
}

/// A stored essay that shares passages with the query.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarEssay {
    pub essay: EssayKey,
    /// The fraction of the query covered by passages shared with this essay.
    pub coverage: f64,
    pub passages: Vec<SharedPassage>,
}

/// The stored essays of `tenant` sharing passages with the query, by
/// coverage (highest first), at most `options.limit`. `exclude` is the query's
/// own id when it is a stored essay. `text_of` loads a candidate's text
/// (`None` if it was deleted meanwhile: skipped).
pub fn find_similar<I, E>(
    index: &I,
    tenant: &str,
    query_text: &str,
    exclude: Option<&EssayKey>,
    options: &SearchOptions,
    mut text_of: impl FnMut(&EssayKey) -> Result<Option<String>, E>,
) -> Result<Vec<SimilarEssay>, E>
where
    I: FingerprintIndex + ?Sized,
    E: From<IndexError>,
{
    let query = Query::winnowed(query_text, options.scheme, options.query_window);
    let Candidates { mut essays, holders } =
        index.candidates(tenant, &query.hashes(), exclude, options.max_postings)?;
    essays.retain(|c| c.shared >= options.min_shared);
    essays.sort_unstable_by(|a, b| b.shared.cmp(&a.shared).then(a.essay.cmp(&b.essay)));
    essays.truncate(options.max_compared);
    if essays.is_empty() {
        return Ok(Vec::new());
    }
    let query = query
        .with_holders(&holders, options.rare_postings, options.max_postings)
        .with_params(options.params);
    let mut found = Vec::new();
    for c in essays {
        let Some(fp) = index.fingerprints(tenant, &c.essay)? else {
            continue;
        };
        // Most candidates share only phrases many essays hold: skip them
        // before reading and normalising their text.
        if !query.can_match(&fp) {
            continue;
        }
        let Some(text) = text_of(&c.essay)? else {
            continue;
        };
        if let Some(m) = query.compare(&text, &fp)
            && m.coverage >= options.threshold
        {
            found.push(SimilarEssay {
                essay: c.essay,
                coverage: m.coverage,
                passages: m.passages,
            });
        }
    }
    found.sort_by(|a, b| b.coverage.total_cmp(&a.coverage).then(a.essay.cmp(&b.essay)));
    found.truncate(options.limit);
    Ok(found)
}

/// [`Candidates`] built hash by hash: the one place the index
/// implementations' `candidates` count holders and shared hashes.
#[derive(Default)]
pub(crate) struct CandidatesBuilder {
    counts: FxHashMap<EssayKey, u32>,
    holders: Vec<(u64, u32)>,
}

impl CandidatesBuilder {
    /// `others`: the essays other than the query that hold `hash`, at most
    /// `max_postings + 1` of them. More than `max_postings` counts the hash
    /// as too common and for no candidate; none leaves it out.
    pub(crate) fn add(&mut self, hash: u64, others: &[EssayKey], max_postings: usize) {
        if others.len() > max_postings {
            self.holders.push((hash, max_postings as u32 + 1));
        } else if !others.is_empty() {
            self.holders.push((hash, others.len() as u32));
            for essay in others {
                *self.counts.entry(*essay).or_default() += 1;
            }
        }
    }

    pub(crate) fn finish(self) -> Candidates {
        Candidates {
            essays: self
                .counts
                .into_iter()
                .map(|(essay, shared)| Candidate { essay, shared })
                .collect(),
            holders: self.holders,
        }
    }
}

#[cfg(test)]
mod tests;
