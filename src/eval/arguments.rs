//! The argument-annotated essays file (Stab & Gurevych's format: `id`, `text`, `components[]`
//! with `type`, `start`/`end` in characters, `stance`) and how well the grade's argument spans
//! find its major claims, claims and counter-arguments.
//!
//! Each essay is graded with its first paragraph (the title) as the question and the rest as the
//! essay. A predicted span matches a gold component when they overlap by at least half of each.
//! The report also carries the baseline "the thesis is the last sentence of the introduction",
//! computed on the same analysis, so that a figure is always read against it.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::grader::{self, GradeError, Rubric, SpanLabel, text::Analysis};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnnotatedEssay {
    pub id: String,
    pub text: String,
    pub components: Vec<GoldComponent>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GoldComponent {
    #[serde(rename = "type")]
    pub kind: String,
    /// Character offsets into `text`.
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub stance: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgumentsError {
    Parse(String),
    Grade { essay: String, error: GradeError },
}

impl fmt::Display for ArgumentsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgumentsError::Parse(e) => write!(f, "annotated essays file is not valid: {e}"),
            ArgumentsError::Grade { essay, error } => write!(f, "grading {essay} failed: {error}"),
        }
    }
}

impl std::error::Error for ArgumentsError {}

pub fn parse(json: &str) -> Result<Vec<AnnotatedEssay>, ArgumentsError> {
    serde_json::from_str(json).map_err(|e| ArgumentsError::Parse(e.to_string()))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MajorClaim {
    /// Share of essays with a thesis span matching one of their major claims.
    pub found: f64,
    /// Share of thesis spans that match a major claim.
    pub precision: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matching {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgumentsReport {
    pub essays: usize,
    pub major_claim: MajorClaim,
    pub claims: Matching,
    pub counter_arguments: Matching,
    /// The baseline on the same essays: the last sentence of the introduction as the thesis.
    pub baseline_last_intro_sentence: MajorClaim,
}

impl ArgumentsReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { round4(n as f64 / d as f64) }
}

/// Overlap by at least half of each span.
fn matches((a0, a1): (usize, usize), (b0, b1): (usize, usize)) -> bool {
    let overlap = a1.min(b1).saturating_sub(a0.max(b0));
    overlap * 2 >= a1 - a0 && overlap * 2 >= b1 - b0 && overlap > 0
}

/// Precision/recall counts: (predicted matched, predicted, gold matched, gold).
#[derive(Default)]
struct Counts {
    pred_hit: usize,
    pred: usize,
    gold_hit: usize,
    gold: usize,
}

impl Counts {
    fn add(&mut self, pred: &[(usize, usize)], gold: &[(usize, usize)]) {
        self.pred += pred.len();
        self.gold += gold.len();
        self.pred_hit += pred.iter().filter(|&&p| gold.iter().any(|&g| matches(p, g))).count();
        self.gold_hit += gold.iter().filter(|&&g| pred.iter().any(|&p| matches(p, g))).count();
    }

    fn matching(&self) -> Matching {
        let precision = ratio(self.pred_hit, self.pred);
        let recall = ratio(self.gold_hit, self.gold);
        let f1 = if precision + recall > 0.0 {
            round4(2.0 * precision * recall / (precision + recall))
        } else {
            0.0
        };
        Matching { precision, recall, f1 }
    }
}

/// Byte offset of each char offset of `text` (and of its end).
fn byte_offsets(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    v.push(text.len());
    v
}

/// Grades every essay and matches its argument spans with the annotations.
pub fn evaluate(essays: &[AnnotatedEssay], rubric: &Rubric) -> Result<ArgumentsReport, ArgumentsError> {
    let mut found = 0;
    let mut thesis = Counts::default();
    let mut claims = Counts::default();
    let mut counters = Counts::default();
    let mut base_found = 0;
    let mut base = Counts::default();
    for e in essays {
        let bytes = byte_offsets(&e.text);
        let at = |c: usize| bytes.get(c).copied().unwrap_or(e.text.len());
        // The title is the first paragraph; the essay is what follows it.
        let title_end = e.text.find("\n\n").or_else(|| e.text.find('\n')).unwrap_or(0);
        let (title, body) = e.text.split_at(title_end);
        let g = grader::grade(body, title.trim(), rubric).map_err(|error| ArgumentsError::Grade {
            essay: e.id.clone(),
            error,
        })?;
        let gold = |f: &dyn Fn(&GoldComponent) -> bool| -> Vec<(usize, usize)> {
            e.components
                .iter()
                .filter(|c| f(c))
                .map(|c| (at(c.start), at(c.end)))
                .collect()
        };
        let gold_major = gold(&|c| c.kind == "MajorClaim");
        let gold_claims = gold(&|c| c.kind == "Claim");
        let gold_against = gold(&|c| c.kind == "Claim" && c.stance.as_deref() == Some("Against"));
        let spans_of = |label: SpanLabel| -> Vec<(usize, usize)> {
            let mut v: Vec<(usize, usize)> = g
                .criteria
                .iter()
                .flat_map(|c| c.spans.iter())
                .filter(|s| s.label == label)
                .map(|s| (s.start + title_end, s.end + title_end))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let pred_thesis = spans_of(SpanLabel::Thesis);
        if pred_thesis.iter().any(|&p| gold_major.iter().any(|&m| matches(p, m))) {
            found += 1;
        }
        thesis.add(&pred_thesis, &gold_major);
        let mut pred_claims = spans_of(SpanLabel::Claim);
        pred_claims.extend(spans_of(SpanLabel::CounterArgument));
        pred_claims.extend(spans_of(SpanLabel::Rebuttal));
        claims.add(&pred_claims, &gold_claims);
        counters.add(&spans_of(SpanLabel::CounterArgument), &gold_against);

        // Baseline: the last sentence of the first paragraph.
        let a = Analysis::new(body);
        if let Some(p) = a.paragraphs.first()
            && p.sent_end > p.sent_start
        {
            let s = &a.sentences[p.sent_end - 1];
            let span = (s.start + title_end, s.end + title_end);
            if gold_major.iter().any(|&m| matches(span, m)) {
                base_found += 1;
            }
            base.add(&[span], &gold_major);
        }
    }
    Ok(ArgumentsReport {
        essays: essays.len(),
        major_claim: MajorClaim {
            found: ratio(found, essays.len()),
            precision: ratio(thesis.pred_hit, thesis.pred),
        },
        claims: claims.matching(),
        counter_arguments: counters.matching(),
        baseline_last_intro_sentence: MajorClaim {
            found: ratio(base_found, essays.len()),
            precision: ratio(base.pred_hit, base.pred),
        },
    })
}

pub fn render_text(r: &ArgumentsReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "essays: {}", r.essays);
    let _ = writeln!(
        s,
        "major claim: found {:.3}, precision {:.3} (baseline last sentence of introduction: found {:.3}, precision {:.3})",
        r.major_claim.found,
        r.major_claim.precision,
        r.baseline_last_intro_sentence.found,
        r.baseline_last_intro_sentence.precision
    );
    for (name, m) in [("claims", &r.claims), ("counter-arguments", &r.counter_arguments)] {
        let _ = writeln!(
            s,
            "{name}: precision {:.3}, recall {:.3}, f1 {:.3}",
            m.precision, m.recall, m.f1
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_match_when_they_overlap_by_half_of_each() {
        assert!(matches((0, 10), (0, 10)));
        assert!(matches((0, 10), (2, 12)));
        assert!(!matches((0, 20), (0, 8)));
        assert!(!matches((0, 10), (10, 20)));
    }

    #[test]
    fn a_small_annotated_file_is_scored() {
        let json = r#"[{"id": "e1", "text": "Should pupils wear uniforms?\n\nSchools differ. I believe that pupils should wear uniforms at school.\n\nAdmittedly, uniforms cost parents money. However, they save money on clothes over a year.\n\nIn conclusion, pupils should wear uniforms at school.",
          "components": [
            {"type": "MajorClaim", "start": 61, "end": 98, "text": ""},
            {"type": "Claim", "stance": "Against", "start": 113, "end": 140, "text": ""}
          ]}]"#;
        let essays = parse(json).unwrap();
        let r = evaluate(&essays, &Rubric::history_default()).unwrap();
        assert_eq!(r.essays, 1, "{r:?}");
        assert_eq!(r.major_claim.found, 1.0);
        assert_eq!(r.counter_arguments.recall, 1.0);
        assert_eq!(r.baseline_last_intro_sentence.found, 1.0);
        assert!(parse("{").is_err());
    }
}
