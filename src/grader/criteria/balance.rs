//! Balance: does the essay weigh more than one side before judging?

use super::super::argument::Role;
use super::super::signals::Signals;
use super::super::signals::claims::CLEAR;
use super::super::text::Analysis;
use super::super::{Span, SpanLabel};
use super::{Judgement, span, spans};

pub fn assess(_a: &Analysis<'_>, s: &Signals) -> (Judgement, Vec<Span>) {
    let g = &s.argument;
    let st = &s.argument_structure;
    let c = g.contrast_sentences + g.counter_sentences;
    // Counter-arguments answered in the argument structure are rebuttals even without a
    // signpost; paragraphs where a point is turned against with a judgement are weighed.
    let r = g.rebuttals.max(st.answered_counters());
    let weighed = if s.structure.body.is_empty() {
        0.0
    } else {
        s.structure
            .body
            .iter()
            .filter(|p| st.weighed_paragraphs.binary_search(p).is_ok())
            .count() as f64
            / s.structure.body.len() as f64
    };
    let spread = g.spread;
    let weighing_spread = g.weighing_spread.max(weighed);
    let judged_end = s.claims.conclusion_best == CLEAR;
    // Contrasts only count as balance when answered (a rebuttal); narrative "yet"s do not.
    let j = if r == 0 {
        if g.views >= 2 {
            Judgement::new(2, 0.0)
        } else if g.views == 1 || g.counter_sentences > 0 || c > 2 {
            Judgement::new(1, 0.2)
        } else {
            Judgement::new(0, 0.2 * c.min(2) as f64)
        }
    } else if r == 1 {
        Judgement::new(1, 0.5)
    } else if spread < 0.5 {
        Judgement::new(2, spread)
    } else if r >= 5 && spread >= 0.75 && weighing_spread >= 0.75 && judged_end {
        Judgement::new(5, 0.0)
    } else if r >= 4 && spread >= 0.75 && weighing_spread >= 0.75 {
        Judgement::new(4, 0.5 * f64::from(u8::from(judged_end)) + 0.1 * (r.min(8) - 4) as f64)
    } else {
        Judgement::new(3, 0.4 * spread + 0.1 * r.min(5) as f64)
    };
    let mut v: Vec<Span> = g.spans.iter().map(|&(st, en, l)| span(st, en, l)).collect();
    for x in &s.argument_structure.components {
        let label = match x.role {
            Role::CounterArgument => SpanLabel::CounterArgument,
            Role::Rebuttal => SpanLabel::Rebuttal,
            _ => continue,
        };
        v.push(span(x.start, x.end, label));
    }
    (j, spans(v))
}
