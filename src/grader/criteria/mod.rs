//! From signals to judgements: a level, a continuous score, feedback and spans per criterion,
//! then the confidence of the whole grade.
//!
//! Each criterion module maps its signals onto the level descriptors of RUBRIC.md. Levels rest
//! on densities, shares of paragraphs and distinct items, never on raw counts, so that length
//! alone (or an essay pasted twice) cannot raise them.

pub mod balance;
pub mod evidence;
pub mod historiography;
pub mod thesis;

use super::flags::Flag;
use super::signals::Signals;
use super::text::Analysis;
use super::{Criterion, CriterionGrade, Span, SpanLabel};

/// Most spans reported per criterion (a teacher reads the first ones; huge inputs stay small).
pub const MAX_SPANS: usize = 200;

/// A criterion's level and the continuous score behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    pub level: u8,
    pub score: f64,
}

impl Judgement {
    /// `level` plus progress (0..1) towards the next level.
    pub fn new(level: u8, progress: f64) -> Judgement {
        let level = level.min(5);
        let score = if level == 5 {
            5.0
        } else {
            f64::from(level) + progress.clamp(0.0, 0.95)
        };
        Judgement { level, score }
    }

    /// Caps the level (and the score with it).
    pub fn cap(self, max: u8) -> Judgement {
        if self.level <= max {
            self
        } else {
            Judgement {
                level: max,
                score: f64::from(max),
            }
        }
    }
}

pub fn spans(mut v: Vec<Span>) -> Vec<Span> {
    v.sort_by_key(|a| (a.start, a.end, a.label));
    v.dedup();
    v.truncate(MAX_SPANS);
    v
}

pub fn span(start: usize, end: usize, label: SpanLabel) -> Span {
    Span { start, end, label }
}

/// Grades the four criteria, in [`Criterion::ALL`] order, applying the caps that flags impose.
pub fn assess(a: &Analysis<'_>, s: &Signals, flags: &[Flag]) -> Vec<CriterionGrade> {
    let off_topic = flags.contains(&Flag::OffTopic);
    let stuffed = flags.contains(&Flag::KeywordStuffing);
    let copied = flags.contains(&Flag::PromptCopied);
    let mut out = Vec::with_capacity(4);
    for c in Criterion::ALL {
        let (mut j, spans) = match c {
            Criterion::Thesis => thesis::assess(a, s),
            Criterion::Evidence => evidence::assess(a, s),
            Criterion::Historiography => historiography::assess(a, s),
            Criterion::Balance => balance::assess(a, s),
        };
        // Another question's essay earns nothing for this one; a keyword list makes no argument
        // and names things at best; a pasted prompt is not a thesis.
        if off_topic {
            j = j.cap(0);
        }
        if stuffed {
            j = match c {
                Criterion::Thesis | Criterion::Balance => j.cap(0),
                _ => j.cap(1),
            };
        }
        if copied && c == Criterion::Thesis {
            j = j.cap(1);
        }
        let feedback = super::feedback::criterion(c, j, a, s, flags);
        out.push(CriterionGrade {
            criterion: c,
            level: j.level,
            score: (j.score * 100.0).round() / 100.0,
            feedback,
            spans,
        });
    }
    out
}

/// How far the grader trusts its grade: long enough to judge, clearly on the question, and
/// scores away from level boundaries. Any flag caps it low.
pub fn confidence(a: &Analysis<'_>, s: &Signals, criteria: &[CriterionGrade], flags: &[Flag]) -> f64 {
    let length = (a.live_words as f64 / 300.0).min(1.0);
    let margin: f64 = criteria
        .iter()
        .map(|g| {
            if g.level == 5 {
                1.0
            } else {
                let frac = g.score - f64::from(g.level);
                // Progress in the middle of a level is safest.
                1.0 - (frac - 0.5).abs() * 2.0
            }
        })
        .sum::<f64>()
        / criteria.len().max(1) as f64;
    let relevance = if s.relevance.judged {
        ((s.relevance.score - 0.4) / 0.3).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let structure = if a.live_paragraphs.len() >= 3 { 1.0 } else { 0.6 };
    let mut c = 0.3 + 0.3 * length + 0.15 * margin + 0.15 * relevance + 0.1 * structure;
    if !flags.is_empty() {
        c = c.min(0.4);
    }
    c.clamp(0.0, 1.0)
}
