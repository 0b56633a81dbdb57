//! Thesis: does the essay answer the question with an argued position?

use super::super::argument::Role;
use super::super::signals::Signals;
use super::super::signals::claims::{CLEAR, NONE, VAGUE};
use super::super::text::Analysis;
use super::super::{Span, SpanLabel};
use super::{Judgement, span, spans};

pub fn assess(a: &Analysis<'_>, s: &Signals) -> (Judgement, Vec<Span>) {
    let c = &s.claims;
    let best = c.intro_best.max(c.conclusion_best);
    let asked = !c.unanswered.is_empty();
    let j = match best {
        NONE => {
            let level = u8::from(asked || c.topic_stated);
            Judgement::new(
                level,
                if level == 1 {
                    0.3
                } else {
                    0.5 * f64::from(u8::from(c.topic_stated))
                },
            )
        }
        VAGUE => {
            if asked {
                Judgement::new(1, 0.7)
            } else {
                Judgement::new(
                    2,
                    0.3 + 0.3 * f64::from(u8::from(c.intro_best == VAGUE && c.conclusion_best == VAGUE)),
                )
            }
        }
        _ => {
            let r = c.reasoning;
            if r >= 3 && c.qualified && c.consistent && c.sustained >= 0.5 {
                Judgement::new(5, 0.0)
            } else if r >= 2 {
                let progress = 0.25 * f64::from(u8::from(r >= 3))
                    + 0.25 * f64::from(u8::from(c.qualified))
                    + 0.25 * f64::from(u8::from(c.consistent))
                    + 0.2 * c.sustained.min(1.0);
                Judgement::new(4, progress)
            } else {
                let progress =
                    0.4 * r as f64 + 0.2 * f64::from(u8::from(c.qualified)) + 0.2 * f64::from(u8::from(c.consistent));
                Judgement::new(3, progress)
            }
        }
    };
    // "But which was the most important? It is hard to say": a conclusion that declines to
    // answer leaves only the question standing, whatever the sentences before it claim.
    let declined = c.non_answer && s.structure.conclusion.iter().any(|x| c.unanswered.contains(x));
    let j = if declined { j.cap(1) } else { j };
    let mut v = Vec::new();
    if let Some(t) = c.thesis_sentence {
        let sent = &a.sentences[t];
        v.push(span(sent.start, sent.end, SpanLabel::ThesisSentence));
    }
    for &x in s.structure.intro.iter().chain(s.structure.conclusion.iter()) {
        if Some(x) != c.thesis_sentence && c.strength[x] >= VAGUE {
            let sent = &a.sentences[x];
            v.push(span(sent.start, sent.end, SpanLabel::JudgementSentence));
        }
    }
    for x in &s.argument_structure.components {
        let label = match x.role {
            Role::Thesis => SpanLabel::Thesis,
            Role::Claim => SpanLabel::Claim,
            _ => continue,
        };
        v.push(span(x.start, x.end, label));
    }
    for &q in &c.unanswered {
        let sent = &a.sentences[q];
        v.push(span(sent.start, sent.end, SpanLabel::UnansweredQuestion));
    }
    for &r in &c.reasoning_sentences {
        if Some(r) != c.thesis_sentence {
            let sent = &a.sentences[r];
            v.push(span(sent.start, sent.end, SpanLabel::LineOfReasoning));
        }
    }
    if let Some(cs) = c.conclusion_sentence
        && c.conclusion_best == CLEAR
        && Some(cs) != c.thesis_sentence
    {
        let sent = &a.sentences[cs];
        v.push(span(sent.start, sent.end, SpanLabel::Conclusion));
    }
    (j, spans(v))
}
