//! Historiography: does the essay engage with historians' interpretations?

use super::super::signals::Signals;
use super::super::text::Analysis;
use super::super::{Span, SpanLabel};
use super::{Judgement, span, spans};

pub fn assess(_a: &Analysis<'_>, s: &Signals) -> (Judgement, Vec<Span>) {
    let h = &s.historians;
    let n = h.historians.len();
    let evals = h.evaluations.len();
    let comps = h.comparisons.len();
    let integrated = h
        .historians
        .iter()
        .any(|x| x.sentences.iter().any(|sn| s.structure.conclusion.contains(sn)));
    let j = if n == 0 {
        if !h.schools.is_empty() {
            Judgement::new(2, 0.0)
        } else if !h.vague.is_empty() {
            Judgement::new(1, 0.3)
        } else {
            Judgement::new(0, 0.0)
        }
    } else if n == 1 {
        Judgement::new(2, 0.3 * f64::from(u8::from(evals > 0)))
    } else if comps >= 1 && evals >= 3 && h.method_evaluations >= 1 && integrated {
        Judgement::new(5, 0.0)
    } else if comps >= 1 && (evals >= 1 || comps >= 2) {
        Judgement::new(4, 0.2 * evals.min(3) as f64 + 0.2 * f64::from(u8::from(integrated)))
    } else {
        Judgement::new(
            3,
            0.2 * (n.min(4) as f64 - 2.0) + 0.3 * f64::from(u8::from(evals > 0 || comps > 0)),
        )
    };
    let mut v = Vec::new();
    for x in &h.historians {
        for &(st, en) in &x.mentions {
            v.push(span(st, en, SpanLabel::Historian));
        }
    }
    for &(st, en) in &h.vague {
        v.push(span(st, en, SpanLabel::VagueAttribution));
    }
    for &(st, en) in &h.schools {
        v.push(span(st, en, SpanLabel::SchoolOfInterpretation));
    }
    for &(st, en) in &h.evaluation_spans {
        v.push(span(st, en, SpanLabel::EvaluativeLanguage));
    }
    (j, spans(v))
}
