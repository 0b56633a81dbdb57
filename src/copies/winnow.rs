//! Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003) over word k-grams.
//!
//! Every k consecutive normalised words of one run form a k-gram; its hash is
//! xxh3 of the k word hashes. Of every window of `w` consecutive k-grams the
//! minimum hash is selected, with the paper's *robust* rule: on a tie the
//! earlier selection is kept while it stays in the window, and otherwise the
//! rightmost minimum is taken, so a run of equal hashes (a phrase repeated
//! over and over) yields one fingerprint per `w` k-grams rather than one per
//! window. The guarantee: any shared passage of at least `w + k - 1` words
//! yields at least one shared fingerprint, and an expected `2 / (w + 1)` of
//! the k-grams are kept.
//!
//! Words, not characters: essays are copied and lightly reworded word by word,
//! and word k-grams make a fingerprint per ~2.5 words instead of per ~12
//! characters, which keeps the index small. The choice of `k` and `w` was
//! measured; see [`super::K`] and [`super::W`]. Only stored essays are
//! winnowed; a query keeps all its k-grams (see [`super::Query`]).

use xxhash_rust::xxh3::xxh3_64;

use super::normalize::Word;

/// A selected k-gram: its hash, and the index (among the normalised words) of
/// its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint {
    pub hash: u64,
    pub word: u32,
}

/// The hash of every k-gram that lies within one run, with its first word.
pub fn kgrams(words: &[Word], k: usize) -> Vec<Fingerprint> {
    let k = k.max(1);
    let mut out = Vec::with_capacity(words.len());
    let mut bytes = Vec::with_capacity(8 * k);
    for (i, gram) in words.windows(k).enumerate() {
        if gram[0].run != gram[k - 1].run {
            continue;
        }
        bytes.clear();
        for w in gram {
            bytes.extend_from_slice(&w.hash.to_le_bytes());
        }
        out.push(Fingerprint {
            hash: xxh3_64(&bytes),
            word: u32::try_from(i).unwrap_or(u32::MAX),
        });
    }
    out
}

/// Robust winnowing of `grams` with window `w`: the selected fingerprints in
/// position order, each once. Fewer than `w` k-grams make one window.
pub fn winnow(grams: &[Fingerprint], w: usize) -> Vec<Fingerprint> {
    let w = w.max(1);
    let mut out = Vec::with_capacity(grams.len() * 2 / (w + 1) + 1);
    if grams.is_empty() {
        return out;
    }
    let rightmost_min = |window: &[Fingerprint], offset: usize| {
        let mut best = 0;
        for (j, g) in window.iter().enumerate() {
            if g.hash <= window[best].hash {
                best = j;
            }
        }
        offset + best
    };
    if grams.len() <= w {
        out.push(grams[rightmost_min(grams, 0)]);
        return out;
    }
    let mut min = rightmost_min(&grams[..w], 0);
    out.push(grams[min]);
    for start in 1..=grams.len() - w {
        let last = start + w - 1;
        if min < start {
            min = rightmost_min(&grams[start..=last], start);
            out.push(grams[min]);
        } else if grams[last].hash < grams[min].hash {
            min = last;
            out.push(grams[min]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(hashes: &[u64]) -> Vec<Fingerprint> {
        hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| Fingerprint { hash, word: i as u32 })
            .collect()
    }

    fn selected(hashes: &[u64], w: usize) -> Vec<u32> {
        winnow(&grams(hashes), w).iter().map(|f| f.word).collect()
    }

    #[test]
    fn every_window_holds_a_selected_fingerprint() {
        let hashes: Vec<u64> = (0..200u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7)
            .collect();
        for w in 1..8 {
            let picked = selected(&hashes, w);
            for start in 0..=hashes.len() - w {
                let end = (start + w) as u32;
                assert!(
                    picked.iter().any(|&p| p >= start as u32 && p < end),
                    "window {start} of width {w}"
                );
            }
        }
    }

    #[test]
    fn the_paper_example_is_reproduced() {
        // Schleimer et al. 2003, figure 2: windows of 4 over these hashes
        // select 17 17 8 39 17.
        let hashes = [77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98];
        let picked: Vec<u64> = winnow(&grams(&hashes), 4).iter().map(|f| f.hash).collect();
        assert_eq!(picked, [17, 17, 8, 39, 17]);
    }

    #[test]
    fn a_run_of_equal_hashes_yields_one_fingerprint_per_window_width() {
        // Rightmost-minimum winnowing without the robust rule would select
        // every one of the 17 windows' last k-gram.
        assert_eq!(selected(&[5; 20], 4), [3, 7, 11, 15, 19]);
    }

    #[test]
    fn short_inputs_make_one_window() {
        assert_eq!(selected(&[9, 3, 7], 4), [1]);
        assert!(selected(&[], 4).is_empty());
    }
}
