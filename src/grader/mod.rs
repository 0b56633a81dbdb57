//! The history-essay grader: text in, grade out.
//!
//! Pure and deterministic: no I/O, no logging, no randomness, no hash-order iteration. The
//! same essay, question and rubric always give a byte-identical [`Grade`].
//!
//! The pipeline, one module per step:
//! - [`text`]: one pass over the essay: tokens, sentences, paragraphs with byte offsets, word cues
//!   from [`lexicon`], and repeated sentences marked so that no detector counts them twice.
//! - [`argument`]: the argument's structure: thesis and its restatement, claims,
//!   counter-arguments and rebuttals, each a clause with its paragraph.
//! - [`signals`]: detectors for every signal RUBRIC.md lists: relevance to the question's key
//!   terms, judgement sentences and where they sit, specific evidence and its explanation,
//!   historians and interpretations, contrast, counter-argument and weighing.
//! - [`criteria`]: turns signals into a level, a continuous score, feedback and spans per
//!   criterion ([`criteria::thesis`], [`criteria::evidence`], [`criteria::historiography`],
//!   [`criteria::balance`]).
//! - [`flags`]: too short, not English, off topic, repetitive, keyword stuffing, prompt copied.
//! - [`rubric`]: weights, bands and thresholds; the total and the band.
//! - [`feedback`]: the teacher's sentences.

pub mod argument;
pub mod criteria;
pub mod feedback;
pub mod flags;
pub mod lexicon;
pub mod rubric;
pub mod signals;
pub mod text;

use std::fmt;

pub use flags::Flag;
pub use rubric::{Band, Criterion, Rubric, RubricError};

/// Recorded on every grade, so that an old grade can be explained by the code that made it.
pub const GRADER_VERSION: &str = "history-grader/1.1.0";

/// Texts above this size are refused rather than graded (a school essay is far smaller).
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Labels of the spans a criterion's judgement rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpanLabel {
    ThesisSentence,
    JudgementSentence,
    UnansweredQuestion,
    LineOfReasoning,
    Conclusion,
    Date,
    NamedPerson,
    Place,
    Event,
    Figure,
    Quotation,
    Explanation,
    Historian,
    VagueAttribution,
    SchoolOfInterpretation,
    EvaluativeLanguage,
    Contrast,
    CounterArgument,
    Weighing,
    Thesis,
    Claim,
    Rebuttal,
}

impl SpanLabel {
    pub const ALL: [SpanLabel; 22] = [
        SpanLabel::ThesisSentence,
        SpanLabel::JudgementSentence,
        SpanLabel::UnansweredQuestion,
        SpanLabel::LineOfReasoning,
        SpanLabel::Conclusion,
        SpanLabel::Date,
        SpanLabel::NamedPerson,
        SpanLabel::Place,
        SpanLabel::Event,
        SpanLabel::Figure,
        SpanLabel::Quotation,
        SpanLabel::Explanation,
        SpanLabel::Historian,
        SpanLabel::VagueAttribution,
        SpanLabel::SchoolOfInterpretation,
        SpanLabel::EvaluativeLanguage,
        SpanLabel::Contrast,
        SpanLabel::CounterArgument,
        SpanLabel::Weighing,
        SpanLabel::Thesis,
        SpanLabel::Claim,
        SpanLabel::Rebuttal,
    ];

    /// The label named by [`SpanLabel::as_str`].
    pub fn parse(name: &str) -> Option<SpanLabel> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SpanLabel::ThesisSentence => "thesis_sentence",
            SpanLabel::JudgementSentence => "judgement_sentence",
            SpanLabel::UnansweredQuestion => "unanswered_question",
            SpanLabel::LineOfReasoning => "line_of_reasoning",
            SpanLabel::Conclusion => "conclusion",
            SpanLabel::Date => "date",
            SpanLabel::NamedPerson => "named_person",
            SpanLabel::Place => "place",
            SpanLabel::Event => "event",
            SpanLabel::Figure => "figure",
            SpanLabel::Quotation => "quotation",
            SpanLabel::Explanation => "explanation",
            SpanLabel::Historian => "historian",
            SpanLabel::VagueAttribution => "vague_attribution",
            SpanLabel::SchoolOfInterpretation => "school_of_interpretation",
            SpanLabel::EvaluativeLanguage => "evaluative_language",
            SpanLabel::Contrast => "contrast",
            SpanLabel::CounterArgument => "counter_argument",
            SpanLabel::Weighing => "weighing",
            SpanLabel::Thesis => "thesis",
            SpanLabel::Claim => "claim",
            SpanLabel::Rebuttal => "rebuttal",
        }
    }
}

/// A labelled stretch of the essay. `start..end` are byte offsets into the graded text and
/// always fall on char boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: SpanLabel,
}

/// The judgement on one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionGrade {
    pub criterion: Criterion,
    /// 0..=5.
    pub level: u8,
    /// The continuous score behind the level, 0.0..=5.0.
    pub score: f64,
    /// One or two sentences a student can act on.
    pub feedback: String,
    /// What the judgement rests on, in text order.
    pub spans: Vec<Span>,
}

/// A graded essay.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    /// One per criterion, in [`Criterion::ALL`] order.
    pub criteria: Vec<CriterionGrade>,
    /// Weighted sum of the levels rescaled to `max_mark`.
    pub total: f64,
    pub max_mark: f64,
    pub band: String,
    /// 0..=1: how far the grader trusts this grade.
    pub confidence: f64,
    pub flags: Vec<Flag>,
    /// Low confidence or any flag: a human should confirm the mark.
    pub needs_review: bool,
    pub rubric_name: String,
    pub rubric_version: u32,
    pub grader_version: String,
    pub summary: String,
}

impl Grade {
    /// The grade on one criterion.
    pub fn criterion(&self, c: Criterion) -> Option<&CriterionGrade> {
        self.criteria.iter().find(|g| g.criterion == c)
    }

    /// The level on one criterion (0 when absent).
    pub fn level(&self, c: Criterion) -> u8 {
        self.criterion(c).map_or(0, |g| g.level)
    }

    pub fn has_flag(&self, f: Flag) -> bool {
        self.flags.contains(&f)
    }
}

/// Why an essay could not be graded.
#[derive(Debug, Clone, PartialEq)]
pub enum GradeError {
    /// The text holds no words.
    EmptyText,
    /// The text is larger than [`MAX_TEXT_BYTES`].
    TooLong { bytes: usize, max: usize },
    /// The rubric is not usable.
    InvalidRubric(RubricError),
}

impl fmt::Display for GradeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradeError::EmptyText => write!(f, "the essay has no words to grade"),
            GradeError::TooLong { bytes, max } => {
                write!(f, "the essay is {bytes} bytes, more than the {max} bytes allowed")
            }
            GradeError::InvalidRubric(e) => write!(f, "invalid rubric: {e}"),
        }
    }
}

impl std::error::Error for GradeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GradeError::InvalidRubric(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RubricError> for GradeError {
    fn from(e: RubricError) -> Self {
        GradeError::InvalidRubric(e)
    }
}

/// Grades an essay answering `question` against `rubric`.
///
/// An empty question is allowed: relevance is then not judged (no off-topic flag) and the
/// confidence is lower.
pub fn grade(text: &str, question: &str, rubric: &Rubric) -> Result<Grade, GradeError> {
    rubric.validate()?;
    if text.len() > MAX_TEXT_BYTES {
        return Err(GradeError::TooLong {
            bytes: text.len(),
            max: MAX_TEXT_BYTES,
        });
    }
    let analysis = text::Analysis::new(text);
    if analysis.total_words == 0 {
        return Err(GradeError::EmptyText);
    }
    let question_analysis = text::Analysis::new(clip_question(question));
    let signals = signals::Signals::detect(&analysis, &question_analysis);
    let flags = flags::detect(&analysis, &question_analysis, &signals);
    let criteria = criteria::assess(&analysis, &signals, &flags);

    let levels = [0, 1, 2, 3].map(|i| criteria[i].level);
    let total = round2(rubric.total(levels));
    let band = rubric.band_for(total).label.clone();
    let confidence = round2(criteria::confidence(&analysis, &signals, &criteria, &flags));
    let needs_review = confidence < rubric.review_threshold || !flags.is_empty();
    let summary = feedback::summary(&criteria, &flags, &signals);
    Ok(Grade {
        criteria,
        total,
        max_mark: rubric.max_mark,
        band,
        confidence,
        flags,
        needs_review,
        rubric_name: rubric.name.clone(),
        rubric_version: rubric.version,
        grader_version: GRADER_VERSION.to_string(),
        summary,
    })
}

/// Questions are a sentence or two; a longer one is cut (at a char boundary) so that an
/// oversized question cannot make relevance and copy checks slow.
pub const MAX_QUESTION_BYTES: usize = 1_000;

fn clip_question(q: &str) -> &str {
    if q.len() <= MAX_QUESTION_BYTES {
        return q;
    }
    let mut end = MAX_QUESTION_BYTES;
    while !q.is_char_boundary(end) {
        end -= 1;
    }
    &q[..end]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests;
