//! Evidence: is the argument supported by specific, accurate, relevant knowledge?

use super::super::signals::Signals;
use super::super::text::Analysis;
use super::super::{Span, SpanLabel};
use super::{Judgement, span, spans};

pub fn assess(_a: &Analysis<'_>, s: &Signals) -> (Judgement, Vec<Span>) {
    let e = &s.specifics;
    // Specificity: precise items (full dates, figures, multi-word names of events and people,
    // quotations) per 100 words. Evidence that sits in argued prose is integrated; a list of
    // facts is not.
    let pd = e.precise_density;
    let spec = if pd < 0.5 {
        if e.points < 0.5 { 0.5 * e.points } else { 1.0 + pd }
    } else if pd < 1.5 {
        1.5 + (pd - 0.5) * 0.5
    } else if pd < 3.0 {
        2.0 + (pd - 1.5) * 2.0 / 3.0
    } else if pd < 5.0 {
        3.0 + (pd - 3.0) * 0.5
    } else {
        4.0 + ((pd - 5.0) * 0.25).min(1.0)
    };
    let integration = if spec >= 2.5 {
        ((e.argued_share - 0.45) * 7.0).clamp(-0.5, 1.3)
    } else {
        0.0
    };
    let raw = (spec + integration).clamp(0.0, 5.0);
    let level = raw.floor() as u8;
    let j = Judgement::new(level, raw - f64::from(level));
    let mut v: Vec<Span> = e.items.iter().map(|it| span(it.start, it.end, it.label)).collect();
    for &(st, en) in &e.explanation_spans {
        v.push(span(st, en, SpanLabel::Explanation));
    }
    (j, spans(v))
}
