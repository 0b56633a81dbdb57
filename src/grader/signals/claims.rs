//! Judgement sentences and where they sit: does the introduction or conclusion take a position
//! on the question, how clearly, is a line of reasoning previewed, is the position qualified and
//! held to the end, or is a question asked and left unanswered?

use super::super::lexicon::cue;
use super::super::text::{Analysis, TokenKind, tf};
use super::Structure;
use super::historians::Historiography;
use super::relevance::QuestionTerms;

/// Strength of a sentence as a judgement on the question.
pub const NONE: u8 = 0;
pub const VAGUE: u8 = 1;
pub const CLEAR: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Positive,
    Negative,
    Mixed,
    Neutral,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Judgement strength per sentence (repeats are 0).
    pub strength: Vec<u8>,
    pub intro_best: u8,
    pub intro_sentence: Option<usize>,
    pub conclusion_best: u8,
    pub conclusion_sentence: Option<usize>,
    /// The sentence the thesis rests on (intro preferred at equal strength).
    pub thesis_sentence: Option<usize>,
    /// Questions asked in the introduction or conclusion.
    pub unanswered: Vec<usize>,
    /// "It is hard to say", "historians will probably continue to debate".
    pub non_answer: bool,
    /// Markers of a line of reasoning in the thesis paragraph.
    pub reasoning: usize,
    /// Sentences that carry that reasoning.
    pub reasoning_sentences: Vec<usize>,
    /// The thesis is qualified ("though not solely", "although", "but").
    pub qualified: bool,
    /// Introduction and conclusion take the same clear position.
    pub consistent: bool,
    /// Share of body paragraphs holding a judgement sentence.
    pub sustained: f64,
    /// The introduction uses the question's key terms.
    pub topic_stated: bool,
}

fn polarity(a: &Analysis<'_>, s: usize) -> Polarity {
    let sent = &a.sentences[s];
    let mut pos = false;
    let mut neg = false;
    for t in &a.tokens[sent.tok_start..sent.tok_end] {
        if t.has(cue::VERDICT) {
            if t.has(cue::VERDICT_NEG) {
                neg = true;
            } else {
                pos = true;
            }
        }
    }
    match (pos, neg) {
        (true, true) => Polarity::Mixed,
        (true, false) => Polarity::Positive,
        (false, true) => Polarity::Negative,
        (false, false) => Polarity::Neutral,
    }
}

/// How strongly a sentence judges the question.
pub fn judge(a: &Analysis<'_>, s: usize, q: &QuestionTerms, h: &Historiography) -> u8 {
    let sent = &a.sentences[s];
    if sent.duplicate || sent.question || sent.has(cue::NONANSWER) {
        return NONE;
    }
    let stance = sent.has(cue::STANCE);
    let toks = &a.tokens[sent.tok_start..sent.tok_end];
    let mut verdict = false;
    let mut subject = false;
    let mut predicate = false;
    let mut debate_words = false;
    let mut focus = false;
    for (k, t) in toks.iter().enumerate() {
        if !t.is_word() {
            continue;
        }
        let i = sent.tok_start + k;
        let term = q.term_of_token(a, i);
        let is_judgement_term = term.is_some_and(|x| q.terms[x].judgement);
        if term.is_some_and(|x| q.terms[x].proper) {
            subject = true;
        }
        if term.is_some_and(|x| !q.terms[x].generic) {
            focus = true;
        }
        if t.has(cue::CAUSAL) {
            // A causal verb predicates by itself: "the war destroyed the government".
            verdict = true;
            predicate = true;
        }
        if t.has(cue::VERDICT) || is_judgement_term {
            verdict = true;
            // A verdict predicated by a copula: "was a failure", "bears responsibility".
            let lo = k.saturating_sub(3);
            if toks[lo..k].iter().any(|p| p.has(cue::COPULA)) {
                predicate = true;
            }
        }
        let w = a.tok_str(i);
        if ["views", "debate", "debated", "interpretations", "opinions"]
            .iter()
            .any(|d| w.eq_ignore_ascii_case(d))
        {
            debate_words = true;
        }
    }
    let attributed = sent.has(cue::HIST_NOUN | cue::VAGUE_ATTR | cue::SCHOOL) || h.mentions_in(s) || debate_words;
    if attributed && !stance {
        return NONE;
    }
    if sent.has(cue::TOPIC_ONLY) && !stance {
        return NONE;
    }
    let strong = sent.has(cue::DEGREE_STRONG);
    let weak = sent.has(cue::DEGREE_WEAK);
    if !verdict {
        return if stance && (strong || weak) {
            if weak { VAGUE } else { CLEAR }
        } else if stance {
            VAGUE
        } else {
            NONE
        };
    }
    if weak {
        return VAGUE;
    }
    if polarity(a, s) == Polarity::Mixed && !strong {
        return VAGUE;
    }
    // A clear judgement is about the question's own focus, not only its period or topic words.
    if !focus && q.has_specific_terms() && !stance {
        return VAGUE;
    }
    if strong || stance {
        return CLEAR;
    }
    if predicate && subject { CLEAR } else { VAGUE }
}

pub fn detect(a: &Analysis<'_>, q: &QuestionTerms, st: &Structure, h: &Historiography) -> Claims {
    let strength: Vec<u8> = (0..a.sentences.len()).map(|s| judge(a, s, q, h)).collect();
    let best_of = |sents: &[usize]| -> (u8, Option<usize>) {
        let mut best = (NONE, None);
        for &s in sents {
            if strength[s] > best.0 {
                best = (strength[s], Some(s));
            }
        }
        best
    };
    let (intro_best, intro_sentence) = best_of(&st.intro);
    let (conclusion_best, conclusion_sentence) = best_of(&st.conclusion);
    let thesis_sentence = if intro_best >= conclusion_best && intro_best > NONE {
        intro_sentence
    } else if conclusion_best > NONE {
        conclusion_sentence
    } else {
        None
    };
    let unanswered: Vec<usize> = st
        .intro
        .iter()
        .chain(st.conclusion.iter())
        .copied()
        .filter(|&s| a.sentences[s].question)
        .collect();
    let non_answer = st
        .intro
        .iter()
        .chain(st.conclusion.iter())
        .any(|&s| a.sentences[s].has(cue::NONANSWER));

    // Line of reasoning: markers in the paragraph of the thesis, and further argued sentences.
    let mut reasoning = 0;
    let mut reasoning_sentences = Vec::new();
    let mut qualified = false;
    if let Some(ts) = thesis_sentence {
        let region: &[usize] = if st.intro.contains(&ts) {
            &st.intro
        } else {
            &st.conclusion
        };
        for &s in region {
            let sent = &a.sentences[s];
            let mut markers = 0;
            for i in sent.tok_start..sent.tok_end {
                let t = &a.tokens[i];
                let lowercase_or_initial = !t.flag(tf::CAP) || t.flag(tf::SENT_START);
                if t.is_word()
                    && lowercase_or_initial
                    && (t.has(cue::REASON | cue::CRITERIA)
                        || (t.has(cue::ORDINAL) && !a.tok_str(i).eq_ignore_ascii_case("then")))
                {
                    markers += 1;
                }
                if t.kind == TokenKind::Punct && matches!(t.ch, ':' | ';') {
                    markers += 1;
                }
            }
            let argued_after = s > ts && strength[s] > NONE;
            if argued_after {
                markers += 1;
            }
            if markers > 0 && (s >= ts || sent.has(cue::CRITERIA)) {
                reasoning += markers;
                reasoning_sentences.push(s);
            }
            if s >= ts && (strength[s] > NONE || s == ts) && sent.has(cue::QUALIFY) {
                qualified = true;
            }
        }
    }
    let consistent = intro_best == CLEAR
        && conclusion_best == CLEAR
        && match (intro_sentence, conclusion_sentence) {
            (Some(i), Some(c)) => {
                let (pi, pc) = (polarity(a, i), polarity(a, c));
                pi == pc || pi == Polarity::Mixed || pc == Polarity::Mixed
            }
            _ => false,
        };
    let body_with_judgement = st
        .body
        .iter()
        .filter(|&&p| {
            a.paragraph_sentences(p)
                .any(|s| strength[s] > NONE || a.sentences[s].has(cue::WEIGH))
        })
        .count();
    let sustained = if st.body.is_empty() {
        0.0
    } else {
        body_with_judgement as f64 / st.body.len() as f64
    };
    let topic_stated = st.intro.iter().any(|&s| {
        let sent = &a.sentences[s];
        (sent.tok_start..sent.tok_end).any(|i| q.term_of_token(a, i).is_some())
    }) || q.terms.is_empty();
    Claims {
        strength,
        intro_best,
        intro_sentence,
        conclusion_best,
        conclusion_sentence,
        thesis_sentence,
        unanswered,
        non_answer,
        reasoning,
        reasoning_sentences,
        qualified,
        consistent,
        sustained,
        topic_stated,
    }
}
