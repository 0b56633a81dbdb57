//! What the model sees of an essay: general writing features (length, lexical diversity,
//! sentence structure, punctuation, capitalisation) and the rubric analysis' signals, from one
//! pass of [`crate::grader::text::Analysis`]; plus the terms for [`super::tfidf`].
//!
//! Everything here depends on the text (and the question) alone, so it is computed once per
//! essay and shared by every model trained on the same essays (the overall score and each
//! trait). The two features that depend on the training texts (unknown-word share and rarity)
//! are added by the caller once a vocabulary is fitted.

use crate::grader::criteria;
use crate::grader::flags;
use crate::grader::lexicon::cue;
use crate::grader::signals::Signals;
use crate::grader::text::{Analysis, TokenKind};

use super::tfidf::{NgramConfig, TermCounts};

/// Names of the text features, in the order of [`EssayFeatures::writing`], followed by the two
/// vocabulary features (see [`VOCABULARY_FEATURES`]).
pub const WRITING_FEATURES: [&str; 52] = [
    "log_chars",
    "log_words",
    "log_distinct_words",
    "log_sentences",
    "log_paragraphs",
    "mean_word_length",
    "sd_word_length",
    "share_words_6plus",
    "share_words_8plus",
    "mean_sentence_words",
    "sd_sentence_words",
    "log_max_sentence_words",
    "type_token_ratio",
    "guiraud",
    "hapax_share",
    "commas_per_word",
    "full_stops_per_word",
    "questions_per_word",
    "exclamations_per_word",
    "quotes_per_word",
    "apostrophes_per_word",
    "colons_per_word",
    "brackets_per_word",
    "dashes_per_word",
    "lowercase_sentence_starts",
    "lowercase_i_per_word",
    "digits_per_word",
    "stop_ratio",
    "english_ratio",
    "fragment_ratio",
    "repeated_ratio",
    "capital_ratio",
    "contrast_cues_per_word",
    "reason_cues_per_word",
    "explain_cues_per_word",
    "conclude_cues_per_word",
    "compare_cues_per_word",
    "log_reasoning_sentences",
    "claims_sustained",
    "specifics_points",
    "specifics_density",
    "log_evidence_sentences",
    "log_explained_sentences",
    "argued_share",
    "log_contrast_sentences",
    "log_counter_sentences",
    "argument_spread",
    "marked_conclusion",
    "criterion_thesis",
    "criterion_evidence",
    "criterion_historiography",
    "criterion_balance",
];

/// Names of the features computed against the fitted vocabulary.
pub const VOCABULARY_FEATURES: [&str; 2] = ["unknown_word_share", "mean_idf"];

/// Total number of dense features a model uses.
pub const N_FEATURES: usize = WRITING_FEATURES.len() + VOCABULARY_FEATURES.len();

/// One essay, analysed once.
#[derive(Debug, Clone)]
pub struct EssayFeatures {
    /// Lowercased word tokens, in order.
    pub words: Vec<String>,
    /// Values of [`WRITING_FEATURES`].
    pub writing: [f64; WRITING_FEATURES.len()],
    /// Word and character n-gram counts.
    pub terms: TermCounts,
}

/// The question, analysed once for all essays answering it.
pub struct QuestionContext<'q> {
    analysis: Analysis<'q>,
}

impl<'q> QuestionContext<'q> {
    pub fn new(question: &'q str) -> Self {
        QuestionContext {
            analysis: Analysis::new(question),
        }
    }
}

fn mean_sd(xs: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = xs.clone().count();
    if n == 0 {
        return (0.0, 0.0);
    }
    let m = xs.clone().sum::<f64>() / n as f64;
    let v = xs.map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
    (m, v.sqrt())
}

impl EssayFeatures {
    pub fn of(text: &str, question: &QuestionContext<'_>, ngrams: &NgramConfig) -> EssayFeatures {
        let a = Analysis::new(text);
        let signals = Signals::detect(&a, &question.analysis);
        let flags = flags::detect(&a, &question.analysis, &signals);
        let grades = criteria::assess(&a, &signals, &flags);

        let mut words: Vec<String> = Vec::with_capacity(a.tokens.len());
        let mut word_lens: Vec<f64> = Vec::with_capacity(a.tokens.len());
        let mut punct = [0usize; 9];
        let mut lowercase_i = 0usize;
        let mut digits = 0usize;
        let mut cues = [0usize; 5];
        for (i, t) in a.tokens.iter().enumerate() {
            match t.kind {
                TokenKind::Word | TokenKind::Number => {
                    let s = a.tok_str(i);
                    if t.kind == TokenKind::Number {
                        digits += 1;
                    }
                    if s == "i" {
                        lowercase_i += 1;
                    }
                    word_lens.push(s.chars().count() as f64);
                    words.push(s.to_lowercase());
                    for (k, c) in [
                        cue::CONTRAST | cue::CONTRAST_WEAK,
                        cue::REASON,
                        cue::EXPLAIN,
                        cue::CONCLUDE,
                        cue::COMPARE,
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        if t.has(c) {
                            cues[k] += 1;
                        }
                    }
                }
                TokenKind::Punct => {
                    let k = match t.ch {
                        ',' => 0,
                        '.' => 1,
                        '?' => 2,
                        '!' => 3,
                        '"' | '“' | '”' => 4,
                        '\'' | '’' | '‘' => 5,
                        ':' | ';' => 6,
                        '(' | ')' | '[' | ']' => 7,
                        '-' | '–' | '—' => 8,
                        _ => continue,
                    };
                    punct[k] += 1;
                }
            }
        }
        let n_words = words.len();
        let per_word = |c: usize| c as f64 / n_words.max(1) as f64;
        let mut sorted = words.clone();
        sorted.sort_unstable();
        let mut distinct = 0usize;
        let mut hapax = 0usize;
        let mut i = 0;
        while i < sorted.len() {
            let mut j = i + 1;
            while j < sorted.len() && sorted[j] == sorted[i] {
                j += 1;
            }
            distinct += 1;
            if j - i == 1 {
                hapax += 1;
            }
            i = j;
        }
        let (mean_wl, sd_wl) = mean_sd(word_lens.iter().copied());
        let long6 = word_lens.iter().filter(|&&l| l >= 6.0).count();
        let long8 = word_lens.iter().filter(|&&l| l >= 8.0).count();
        let sent_words = a.sentences.iter().map(|s| s.words as f64);
        let (mean_sw, sd_sw) = mean_sd(sent_words.clone());
        let max_sw = sent_words.fold(0.0f64, f64::max);
        let lowercase_starts = a
            .sentences
            .iter()
            .filter(|s| {
                a.text[s.start..s.end]
                    .chars()
                    .find(|c| c.is_alphabetic())
                    .is_some_and(char::is_lowercase)
            })
            .count();
        let n_sent = a.sentences.len();
        let style = &signals.style;
        let level = |k: usize| grades.get(k).map_or(0.0, |g| g.score);
        let ln1 = |x: usize| (1.0 + x as f64).ln();
        let writing = [
            ln1(text.chars().count()),
            ln1(n_words),
            ln1(distinct),
            ln1(n_sent),
            ln1(a.live_paragraphs.len()),
            mean_wl,
            sd_wl,
            per_word(long6),
            per_word(long8),
            mean_sw,
            sd_sw,
            (1.0 + max_sw).ln(),
            per_word(distinct),
            distinct as f64 / (n_words.max(1) as f64).sqrt(),
            hapax as f64 / distinct.max(1) as f64,
            per_word(punct[0]),
            per_word(punct[1]),
            per_word(punct[2]),
            per_word(punct[3]),
            per_word(punct[4]),
            per_word(punct[5]),
            per_word(punct[6]),
            per_word(punct[7]),
            per_word(punct[8]),
            lowercase_starts as f64 / n_sent.max(1) as f64,
            per_word(lowercase_i),
            per_word(digits),
            style.stop_ratio,
            style.english_ratio,
            style.fragment_ratio,
            style.repeated_ratio,
            style.capital_ratio,
            per_word(cues[0]),
            per_word(cues[1]),
            per_word(cues[2]),
            per_word(cues[3]),
            per_word(cues[4]),
            ln1(signals.claims.reasoning),
            signals.claims.sustained,
            signals.specifics.points,
            signals.specifics.density,
            ln1(signals.specifics.evidence_sentences),
            ln1(signals.specifics.explained_sentences),
            signals.specifics.argued_share,
            ln1(signals.argument.contrast_sentences),
            ln1(signals.argument.counter_sentences),
            signals.argument.spread,
            f64::from(u8::from(signals.structure.marked_conclusion)),
            level(0),
            level(1),
            level(2),
            level(3),
        ];
        let writing = writing.map(|x| if x.is_finite() { x } else { 0.0 });
        let terms = TermCounts::of(text, &words, ngrams);
        EssayFeatures { words, writing, terms }
    }
}
