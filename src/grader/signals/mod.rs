//! Detectors for the signals RUBRIC.md lists, run once per essay over the [`Analysis`].
//!
//! - [`relevance`]: the question's key terms in the essay.
//! - [`claims`]: judgement sentences, unanswered questions, the line of reasoning, stance
//!   consistency between introduction and conclusion.
//! - [`specifics`]: dates, named people, places, events, figures, quotations, and whether
//!   explanation follows them.
//! - [`historians`]: named historians (by pattern, never by list), vague attributions, schools,
//!   evaluative language about interpretations, comparisons of interpretations.
//! - [`argument`]: contrast, concession, counter-argument frames, weighing, and their spread.
//! - [`style`]: the surface statistics the flags use (function-word ratio, fragments).

pub mod argument;
pub mod claims;
pub mod historians;
pub mod relevance;
pub mod specifics;
pub mod style;

use super::text::Analysis;

/// Where the introduction, body and conclusion are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Structure {
    /// Live sentence indices of the introduction.
    pub intro: Vec<usize>,
    /// Live sentence indices of the conclusion.
    pub conclusion: Vec<usize>,
    /// Live paragraphs between introduction and conclusion (all live paragraphs when the essay
    /// has fewer than three).
    pub body: Vec<usize>,
    /// The conclusion opens with a concluding marker ("In conclusion", "Overall").
    pub marked_conclusion: bool,
}

impl Structure {
    pub fn of(a: &Analysis<'_>) -> Structure {
        let live = &a.live_paragraphs;
        let mut st = Structure::default();
        match live.len() {
            0 => {}
            1 | 2 => {
                let sents: Vec<usize> = live.iter().flat_map(|&p| a.paragraph_sentences(p)).collect();
                let n = sents.len();
                if live.len() == 2 {
                    st.intro = a.paragraph_sentences(live[0]).collect();
                    st.conclusion = a.paragraph_sentences(live[1]).collect();
                    // A long last paragraph is body, not conclusion: keep its last sentences.
                    if st.conclusion.len() > 4 {
                        st.conclusion = st.conclusion[st.conclusion.len() - 2..].to_vec();
                    }
                    if st.intro.len() > 4 {
                        st.intro.truncate(3);
                    }
                } else {
                    let k = if n >= 6 { 2 } else { 1 };
                    st.intro = sents[..k.min(n)].to_vec();
                    if n > k {
                        st.conclusion = sents[n - k.min(n - k)..].to_vec();
                    }
                }
                st.body = live.clone();
            }
            n => {
                // An introduction or conclusion longer than this is body text; the thesis sits in
                // its first (the conclusion's judgement in its last) sentences.
                const FRAME: usize = 6;
                st.intro = a.paragraph_sentences(live[0]).take(FRAME).collect();
                let concl: Vec<usize> = a.paragraph_sentences(live[n - 1]).collect();
                st.conclusion = concl[concl.len().saturating_sub(FRAME)..].to_vec();
                st.body = live[1..n - 1].to_vec();
            }
        }
        st.marked_conclusion = st
            .conclusion
            .first()
            .is_some_and(|&s| a.tokens[a.sentences[s].tok_start].has(super::lexicon::cue::CONCLUDE));
        st
    }
}

/// Every signal of one essay.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub structure: Structure,
    pub question: relevance::QuestionTerms,
    pub relevance: relevance::Relevance,
    pub claims: claims::Claims,
    pub specifics: specifics::Specifics,
    pub historians: historians::Historiography,
    pub argument: argument::Argument,
    /// Thesis, claims, counter-arguments and rebuttals ([`crate::grader::argument`]).
    pub argument_structure: super::argument::ArgumentStructure,
    pub style: style::Style,
}

impl Signals {
    pub fn detect(a: &Analysis<'_>, question: &Analysis<'_>) -> Signals {
        let structure = Structure::of(a);
        let q = relevance::QuestionTerms::from_question(question);
        let relevance = relevance::detect(a, &q, &structure);
        let historians = historians::detect(a, &q);
        let claims = claims::detect(a, &q, &structure, &historians);
        let specifics = specifics::detect(a, &q, &structure, &historians, &claims);
        let argument = argument::detect(a, &structure, &claims, &historians);
        let argument_structure = super::argument::analyse(a, &structure, &claims, &historians);
        let style = style::detect(a);
        Signals {
            structure,
            question: q,
            relevance,
            claims,
            specifics,
            historians,
            argument,
            argument_structure,
            style,
        }
    }
}
