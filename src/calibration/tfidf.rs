//! The assignment's own vocabulary: TF-IDF over word and character n-grams, fitted on the
//! training texts only.
//!
//! Terms are identified by a 64-bit FNV-1a hash of their bytes (with the kind of n-gram mixed
//! in), not by the string: a hash is stable across builds and platforms, needs no allocation per
//! term, and at a few hundred thousand distinct terms a collision is vanishingly rare (and would
//! only merge two features). Every vector is a list of `(term index, weight)` sorted by index.
//!
//! Weights are sublinear (`1 + ln tf`) times the square root of the smoothed idf
//! (`ln((1 + n) / (1 + df)) + 1`); the word and the character blocks are each scaled to unit
//! length and then by `1/√2`, so that a document vector has length 1 and both views count alike
//! in a dot product.
//!
//! Why the square root: idf estimated from a few dozen texts is noisy. On ASAP (`essayctl eval
//! asap`, one choice for every set, among idf to the power 0, ½, 1 and 2) the full idf gave the
//! worst models from 50 essays, and models from ~1,400 essays moved by ±0.002 whichever was
//! used. Models stored before (format 2) weighted terms by the full idf and still do.

use serde::{Deserialize, Serialize};

/// Which n-grams a vocabulary is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NgramConfig {
    /// Word n-grams of length 1..=`word_max`.
    pub word_max: u8,
    /// Character n-grams of length `char_min..=char_max` over the lowercased text with
    /// whitespace collapsed (0 disables them).
    pub char_min: u8,
    pub char_max: u8,
    /// A term must occur in at least this many training texts.
    pub min_df: u32,
}

impl Default for NgramConfig {
    fn default() -> Self {
        NgramConfig {
            word_max: 2,
            char_min: 2,
            char_max: 5,
            min_df: 2,
        }
    }
}

/// A text's terms with their counts, before a vocabulary is known.
#[derive(Debug, Clone, Default)]
pub struct TermCounts {
    /// `(hash, count)` sorted by hash; word terms and char terms are told apart by [`is_char`].
    pub terms: Vec<(u64, u32)>,
}

const WORD_TAG: u64 = 0x5752_4400_0000_0000;
const CHAR_TAG: u64 = 0x4348_5200_0000_0000;
/// Low bit of a term hash: 1 for character n-grams, 0 for word n-grams.
fn is_char(h: u64) -> bool {
    h & 1 == 1
}

fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl TermCounts {
    /// Counts the n-grams of a text; `words` are its lowercased word tokens in order.
    pub fn of(text: &str, words: &[String], cfg: &NgramConfig) -> TermCounts {
        let mut hashes: Vec<u64> = Vec::with_capacity(words.len() * 2 + text.len() * 4);
        for n in 1..=usize::from(cfg.word_max) {
            if words.len() < n {
                break;
            }
            for w in words.windows(n) {
                let mut h = WORD_TAG ^ n as u64;
                for (k, part) in w.iter().enumerate() {
                    if k > 0 {
                        h = fnv1a(h, b" ");
                    }
                    h = fnv1a(h, part.as_bytes());
                }
                hashes.push(h & !1);
            }
        }
        if cfg.char_max > 0 {
            let norm = normalized(text);
            let chars: Vec<(usize, char)> = norm.char_indices().collect();
            let lo = usize::from(cfg.char_min.max(1));
            let hi = usize::from(cfg.char_max);
            for i in 0..chars.len() {
                for n in lo..=hi {
                    if i + n > chars.len() {
                        break;
                    }
                    let end = chars.get(i + n).map_or(norm.len(), |c| c.0);
                    let h = fnv1a(CHAR_TAG ^ n as u64, &norm.as_bytes()[chars[i].0..end]);
                    hashes.push(h | 1);
                }
            }
        }
        hashes.sort_unstable();
        let mut terms: Vec<(u64, u32)> = Vec::with_capacity(hashes.len() / 2);
        for h in hashes {
            match terms.last_mut() {
                Some((last, c)) if *last == h => *c += 1,
                _ => terms.push((h, 1)),
            }
        }
        TermCounts { terms }
    }
}

/// Lowercased, with every run of whitespace turned into one space and a space at each end, so
/// that character n-grams see word boundaries.
fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// A sparse, unit-length TF-IDF vector: `(term index, weight)` sorted by index.
pub type SparseVector = Vec<(u32, f32)>;

/// The fitted vocabulary: term hashes sorted (for lookup) with their idf, and each term's
/// index in document-frequency order (most frequent first), which the kernel computation uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub config: NgramConfig,
    /// Sorted term hashes.
    hashes: Vec<u64>,
    /// Index of each term (parallel to `hashes`); indices are ranks by descending df.
    index: Vec<u32>,
    /// idf by index.
    idf: Vec<f32>,
    /// Document frequency by index (training texts containing the term); needed for training
    /// only, so not stored.
    #[serde(skip)]
    df: Vec<u32>,
    /// Training texts the vocabulary was fitted on.
    n_docs: u32,
    /// Terms are weighted by √idf (every vocabulary fitted now) rather than the idf (models
    /// stored in format 2). Not stored: the model's format version says which.
    #[serde(skip)]
    sqrt_idf: bool,
}

impl Vocabulary {
    /// Fits on the term counts of the training texts.
    pub fn fit(docs: &[&TermCounts], config: NgramConfig) -> Vocabulary {
        let mut all: Vec<u64> = Vec::with_capacity(docs.iter().map(|d| d.terms.len()).sum());
        for d in docs {
            all.extend(d.terms.iter().map(|t| t.0));
        }
        all.sort_unstable();
        let mut kept: Vec<(u64, u32)> = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let mut j = i + 1;
            while j < all.len() && all[j] == all[i] {
                j += 1;
            }
            let df = (j - i) as u32;
            if df >= config.min_df.max(1) {
                kept.push((all[i], df));
            }
            i = j;
        }
        // Rank by descending df, ties by hash, so the index order is deterministic.
        let mut by_df: Vec<usize> = (0..kept.len()).collect();
        by_df.sort_unstable_by(|&a, &b| kept[b].1.cmp(&kept[a].1).then(kept[a].0.cmp(&kept[b].0)));
        let mut index = vec![0u32; kept.len()];
        let mut df = vec![0u32; kept.len()];
        for (rank, &k) in by_df.iter().enumerate() {
            index[k] = rank as u32;
            df[rank] = kept[k].1;
        }
        let n = docs.len() as f64;
        let idf = df
            .iter()
            .map(|&d| (((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0) as f32)
            .collect();
        Vocabulary {
            config,
            hashes: kept.iter().map(|k| k.0).collect(),
            index,
            idf,
            df,
            n_docs: docs.len() as u32,
            sqrt_idf: true,
        }
    }

    /// Whether terms are weighted by √idf (see the module doc).
    pub fn sqrt_idf(&self) -> bool {
        self.sqrt_idf
    }

    /// Weights terms by √idf or, for a model stored in format 2, by the idf.
    pub fn set_sqrt_idf(&mut self, sqrt_idf: bool) {
        self.sqrt_idf = sqrt_idf;
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Training texts that contain the term of `index`.
    pub fn df(&self, index: u32) -> u32 {
        self.df[index as usize]
    }

    pub fn n_docs(&self) -> u32 {
        self.n_docs
    }

    /// Shapes that decoding alone does not guarantee (a stored model is read back).
    pub fn check(&self) -> Result<(), String> {
        let n = self.hashes.len();
        if self.index.len() != n || self.idf.len() != n {
            return Err("vocabulary tables differ in length".into());
        }
        if !self.hashes.windows(2).all(|w| w[0] < w[1]) {
            return Err("vocabulary is not sorted".into());
        }
        if self.index.iter().any(|&i| i as usize >= n) {
            return Err("vocabulary index out of range".into());
        }
        Ok(())
    }

    fn lookup(&self, h: u64) -> Option<u32> {
        self.hashes.binary_search(&h).ok().map(|k| self.index[k])
    }

    /// The unit-length TF-√IDF vector of a text's terms (empty when none is in the vocabulary).
    pub fn transform(&self, counts: &TermCounts) -> SparseVector {
        let mut word: Vec<(u32, f32)> = Vec::new();
        let mut chr: Vec<(u32, f32)> = Vec::new();
        for &(h, c) in &counts.terms {
            if let Some(ix) = self.lookup(h) {
                let idf = self.idf[ix as usize];
                let w = (1.0 + (c as f32).ln()) * if self.sqrt_idf { idf.sqrt() } else { idf };
                if is_char(h) {
                    chr.push((ix, w));
                } else {
                    word.push((ix, w));
                }
            }
        }
        let blocks = usize::from(!word.is_empty()) + usize::from(!chr.is_empty());
        let share = if blocks == 2 {
            std::f32::consts::FRAC_1_SQRT_2
        } else {
            1.0
        };
        for block in [&mut word, &mut chr] {
            let norm = block.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for x in block.iter_mut() {
                    x.1 *= share / norm;
                }
            }
        }
        let mut v = word;
        v.extend(chr);
        v.sort_unstable_by_key(|x| x.0);
        v
    }

    /// Share of a text's word tokens (unigrams) that no two training texts use, and the mean idf
    /// of those that are known: how far the text strays from the assignment's vocabulary
    /// (misspellings, rare words).
    pub fn unknown_word_share_and_rarity(&self, words: &[String]) -> (f64, f64) {
        if words.is_empty() {
            return (0.0, 0.0);
        }
        let mut unknown = 0usize;
        let mut idf_sum = 0.0f64;
        for w in words {
            let h = fnv1a(WORD_TAG ^ 1, w.as_bytes()) & !1;
            match self.lookup(h) {
                Some(ix) => idf_sum += f64::from(self.idf[ix as usize]),
                None => unknown += 1,
            }
        }
        let known = words.len() - unknown;
        let rarity = if known > 0 { idf_sum / known as f64 } else { 0.0 };
        (unknown as f64 / words.len() as f64, rarity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<String> {
        t.split_whitespace().map(str::to_lowercase).collect()
    }

    fn counts(t: &str) -> TermCounts {
        TermCounts::of(t, &words(t), &NgramConfig::default())
    }

    #[test]
    fn vectors_have_unit_length_and_sorted_indices() {
        let docs = ["the cat sat", "the dog sat", "a cat ran"].map(counts);
        let refs: Vec<&TermCounts> = docs.iter().collect();
        let v = Vocabulary::fit(&refs, NgramConfig::default());
        for d in &docs {
            let x = v.transform(d);
            let norm: f32 = x.iter().map(|e| e.1 * e.1).sum();
            assert!((norm - 1.0).abs() < 1e-5, "{norm}");
            assert!(x.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }

    #[test]
    fn terms_are_weighted_by_the_square_root_of_idf_unless_the_model_is_of_format_2() {
        let docs = ["the cat sat on the mat", "the dog sat", "a cat ran", "the cat ran"].map(counts);
        let refs: Vec<&TermCounts> = docs.iter().collect();
        let mut v = Vocabulary::fit(&refs, NgramConfig::default());
        assert!(v.sqrt_idf());
        // Each block: (1 + ln tf) × idf^power, scaled to length 1/√2.
        let expected = |v: &Vocabulary, power: f32| -> SparseVector {
            let mut blocks = [Vec::new(), Vec::new()];
            for &(h, c) in &docs[0].terms {
                if let Some(ix) = v.lookup(h) {
                    let w = (1.0 + (c as f32).ln()) * v.idf[ix as usize].powf(power);
                    blocks[usize::from(is_char(h))].push((ix, w));
                }
            }
            let mut out = Vec::new();
            for block in blocks {
                let norm = block.iter().map(|x: &(u32, f32)| x.1 * x.1).sum::<f32>().sqrt();
                out.extend(
                    block
                        .into_iter()
                        .map(|(i, w)| (i, w * std::f32::consts::FRAC_1_SQRT_2 / norm)),
                );
            }
            out.sort_unstable_by_key(|x| x.0);
            out
        };
        let close = |a: &SparseVector, b: &SparseVector| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() < 1e-6)
        };
        let now = v.transform(&docs[0]);
        assert!(close(&now, &expected(&v, 0.5)));
        v.set_sqrt_idf(false);
        let format_2 = v.transform(&docs[0]);
        assert!(close(&format_2, &expected(&v, 1.0)));
        assert!(!close(&now, &format_2));
    }

    #[test]
    fn terms_seen_in_one_training_text_are_left_out() {
        let docs = ["alpha beta", "alpha gamma"].map(counts);
        let refs: Vec<&TermCounts> = docs.iter().collect();
        let v = Vocabulary::fit(&refs, NgramConfig::default());
        let (unknown, _) = v.unknown_word_share_and_rarity(&words("alpha beta"));
        assert!((unknown - 0.5).abs() < 1e-12);
        // Index 0 is the most frequent term.
        assert_eq!(v.df(0), 2);
    }
}
