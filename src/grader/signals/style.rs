//! Surface statistics for the flags: how much of the text is English function words, how much
//! is written in sentences rather than comma-separated fragments, how varied the vocabulary is.

use super::super::lexicon::cue;
use super::super::text::{Analysis, TokenKind};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Style {
    /// Share of words that are English function words.
    pub stop_ratio: f64,
    /// Share of words that are distinctively English.
    pub english_ratio: f64,
    /// Share of letters outside the Latin script.
    pub non_latin_ratio: f64,
    /// Share of comma/full-stop separated segments of three words or fewer.
    pub fragment_ratio: f64,
    /// Distinct words / words (over at most the first 5,000 words).
    pub type_token_ratio: f64,
    /// Share of words in repeated sentences.
    pub repeated_ratio: f64,
    /// Share of words that are capitalised (excluding sentence starts).
    pub capital_ratio: f64,
}

pub fn detect(a: &Analysis<'_>) -> Style {
    let mut words = 0usize;
    let mut stop = 0usize;
    let mut english = 0usize;
    let mut caps = 0usize;
    let mut letters = 0usize;
    let mut non_latin = 0usize;
    let mut segments = 0usize;
    let mut short_segments = 0usize;
    let mut seg_words = 0usize;
    let mut vocab: Vec<u64> = Vec::new();
    for (i, t) in a.tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Word => {
                words += 1;
                seg_words += 1;
                if t.has(cue::STOP) {
                    stop += 1;
                }
                if t.has(cue::ENGLISH) {
                    english += 1;
                }
                if t.flags & super::super::text::tf::CAP != 0 && t.flags & super::super::text::tf::SENT_START == 0 {
                    caps += 1;
                }
                let w = a.tok_str(i);
                if w.is_ascii() {
                    letters += w.len();
                } else {
                    for c in w.chars() {
                        if c.is_alphabetic() {
                            letters += 1;
                            if !is_latin(c) {
                                non_latin += 1;
                            }
                        }
                    }
                }
                if vocab.len() < 5_000 {
                    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                    if w.is_ascii() {
                        for &b in w.as_bytes() {
                            h ^= u64::from(b.to_ascii_lowercase());
                            h = h.wrapping_mul(0x0100_0000_01b3);
                        }
                    } else {
                        for c in w.chars().flat_map(char::to_lowercase) {
                            h ^= c as u64;
                            h = h.wrapping_mul(0x0100_0000_01b3);
                        }
                    }
                    vocab.push(h);
                }
            }
            TokenKind::Number => seg_words += 1,
            TokenKind::Punct => {
                if matches!(t.ch, ',' | '.' | ';' | ':' | '!' | '?') && seg_words > 0 {
                    segments += 1;
                    if seg_words <= 3 {
                        short_segments += 1;
                    }
                    seg_words = 0;
                }
            }
        }
    }
    if seg_words > 0 {
        segments += 1;
        if seg_words <= 3 {
            short_segments += 1;
        }
    }
    let sampled = vocab.len();
    vocab.sort_unstable();
    vocab.dedup();
    let ratio = |x: usize, y: usize| if y == 0 { 0.0 } else { x as f64 / y as f64 };
    let repeated_words: usize = a.sentences.iter().filter(|s| s.duplicate).map(|s| s.words).sum();
    Style {
        stop_ratio: ratio(stop, words),
        english_ratio: ratio(english, words),
        non_latin_ratio: ratio(non_latin, letters),
        fragment_ratio: ratio(short_segments, segments),
        type_token_ratio: ratio(vocab.len(), sampled),
        repeated_ratio: ratio(repeated_words, words),
        capital_ratio: ratio(caps, words),
    }
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}
