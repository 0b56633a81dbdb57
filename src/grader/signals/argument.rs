//! Balance: contrastive and concessive connectives, counter-argument frames, comparative
//! weighing, rebuttals (a counter-view raised and then answered), and how these spread through
//! the body of the essay rather than sitting in one paragraph.

use super::super::SpanLabel;
use super::super::lexicon::cue;
use super::super::text::Analysis;
use super::Structure;
use super::claims::{Claims, NONE};
use super::historians::Historiography;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Argument {
    /// Sentences with a strong contrastive or concessive connective.
    pub contrast_sentences: usize,
    /// Sentences whose only contrast is "but".
    pub weak_contrast_sentences: usize,
    /// Sentences that raise another view ("it could be argued", "others say").
    pub counter_sentences: usize,
    /// Sentences that weigh ("more significant than", "outweighs", "ultimately").
    pub weighing_sentences: usize,
    /// A contrast or counter-view answered with a judgement, in the same or the next sentence.
    pub rebuttals: usize,
    /// Share of body paragraphs with a contrast or counter-view.
    pub spread: f64,
    /// Share of body paragraphs with weighing or a rebuttal.
    pub weighing_spread: f64,
    /// Contrasts that only open a paragraph ("However, there were also failures."), the mark of
    /// two sides set out in separate blocks.
    pub block_openers: usize,
    pub spans: Vec<(usize, usize, SpanLabel)>,
    /// Contrasts between views: a contrast that names a historian, "others" or "some
    /// historians", or compares views ("a different view", "disagrees").
    pub views: usize,
    /// Verdict words of each polarity ("success", "gains" / "failure", "disaster").
    pub positive_verdicts: usize,
    pub negative_verdicts: usize,
}

pub fn detect(a: &Analysis<'_>, st: &Structure, claims: &Claims, h: &Historiography) -> Argument {
    let mut out = Argument::default();
    let n = a.sentences.len();
    let mut contrast = vec![false; n];
    let mut counter = vec![false; n];
    let mut weigh = vec![false; n];
    let mut rebut = vec![false; n];
    for (si, s) in a.live_sentences() {
        contrast[si] = s.has(cue::CONTRAST);
        counter[si] = s.has(cue::COUNTER);
        // "X is weaker than Y" weighs as much as "outweighs" does.
        weigh[si] = s.has(cue::WEIGH)
            || (s.has(cue::EVAL | cue::EVAL_COMPARATIVE)
                && (s.tok_start..s.tok_end).any(|i| a.tok_str(i).eq_ignore_ascii_case("than")));
        if contrast[si] {
            out.contrast_sentences += 1;
        } else if s.has(cue::CONTRAST_WEAK) {
            out.weak_contrast_sentences += 1;
        }
        if counter[si] {
            out.counter_sentences += 1;
        }
        if weigh[si] {
            out.weighing_sentences += 1;
        }
        for t in &a.tokens[s.tok_start..s.tok_end] {
            if t.has(cue::VERDICT_NEG) {
                out.negative_verdicts += 1;
            } else if t.has(cue::VERDICT) {
                out.positive_verdicts += 1;
            }
        }
        for i in s.tok_start..s.tok_end {
            let t = &a.tokens[i];
            // The counter-argument itself is a clause of the argument structure; its cue
            // phrase is a contrast.
            let label = if t.has(cue::COUNTER | cue::CONTRAST) {
                SpanLabel::Contrast
            } else if t.has(cue::WEIGH) {
                SpanLabel::Weighing
            } else {
                continue;
            };
            let end = if t.phrase_len > 0 {
                (i + t.phrase_len as usize).min(s.tok_end) - 1
            } else {
                i
            };
            out.spans.push((t.start, a.tokens[end].end, label));
        }
    }
    // Rebuttals: a contrast that carries a judgement or weighing, or a counter-view followed by
    // a contrast or weighing in the next sentence of the same paragraph.
    let live: Vec<usize> = a.live_sentences().map(|(i, _)| i).collect();
    for (k, &s) in live.iter().enumerate() {
        let sent = &a.sentences[s];
        let judged = weigh[s] || claims.strength[s] > NONE || sent.has(cue::EVAL);
        let answered_here = ((contrast[s] || counter[s] || sent.has(cue::CONTRAST_WEAK)) && judged)
            || (contrast[s] && negation_follows_contrast(a, s));
        let any_contrast = contrast[s] || sent.has(cue::CONTRAST_WEAK | cue::COMPARE);
        if any_contrast
            && (h.mentions_in(s) || sent.has(cue::VAGUE_ATTR | cue::COUNTER | cue::GENERIC_GROUP | cue::COMPARE))
        {
            out.views += 1;
        }
        let answered_next = (counter[s] || contrast[s])
            && live.get(k + 1).is_some_and(|&nx| {
                let ns = &a.sentences[nx];
                ns.paragraph == sent.paragraph && (weigh[nx] || ns.has(cue::CONTRAST | cue::CONTRAST_WEAK))
            });
        if answered_here || answered_next {
            rebut[s] = true;
            out.rebuttals += 1;
        }
    }
    let body = &st.body;
    if !body.is_empty() {
        let mut with_contrast = 0;
        let mut with_weigh = 0;
        for &p in body {
            let sents: Vec<usize> = a.paragraph_sentences(p).collect();
            let c: Vec<usize> = sents.iter().copied().filter(|&s| contrast[s] || counter[s]).collect();
            // A contrast that is answered, or interpretations weighed against each other
            // ("their evidence is weaker"), balances; a bare narrative "yet" does not.
            // Evaluation counts as weighing when it sets one reading against another.
            let evaluated = sents.iter().any(|&s| {
                let x = &a.sentences[s];
                let judged_reading = h.evaluations.binary_search(&s).is_ok() || x.has(cue::EVAL);
                judged_reading && (weigh[s] || x.has(cue::CONTRAST | cue::CONTRAST_WEAK | cue::EVAL_COMPARATIVE))
            });
            let weighed = sents.iter().any(|&s| rebut[s]) || evaluated;
            if c.len() == 1 && c[0] == sents[0] && !weighed {
                out.block_openers += 1;
            } else if weighed {
                with_contrast += 1;
            }
            if sents.iter().any(|&s| weigh[s] || rebut[s]) || evaluated {
                with_weigh += 1;
            }
        }
        out.spread = with_contrast as f64 / body.len() as f64;
        out.weighing_spread = with_weigh as f64 / body.len() as f64;
    }
    out
}

/// "Yet the state itself was never in danger": a contrast answered by a denial close after it.
fn negation_follows_contrast(a: &Analysis<'_>, s: usize) -> bool {
    let sent = &a.sentences[s];
    (sent.tok_start..sent.tok_end).any(|i| {
        a.tokens[i].has(cue::CONTRAST) && (i + 1..(i + 7).min(sent.tok_end)).any(|k| a.tokens[k].has(cue::NEGATION))
    })
}
