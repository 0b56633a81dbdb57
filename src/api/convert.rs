//! Conversions between the API's messages and the core's types.

use prost_types::Timestamp;
use time::OffsetDateTime;

use crate::{
    core::{
        Assignment, Author, CoreError, DeclaredMetadata, Essay, EssayDraft, EssayView, GradeRecordView, RubricVersion,
        text_metrics::TextMetrics,
    },
    grader::{Criterion, Flag},
    proto::v1,
};

/// The earliest and latest instants a timestamp may hold (years 1–9999, as
/// `google.protobuf.Timestamp` specifies).
const MIN_SECONDS: i64 = -62_135_596_800;
const MAX_SECONDS: i64 = 253_402_300_799;

pub fn time_from_proto(field: &str, t: &Timestamp) -> Result<OffsetDateTime, CoreError> {
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&t.seconds) || !(0..1_000_000_000).contains(&t.nanos) {
        return Err(CoreError::invalid(
            field,
            "INVALID_TIMESTAMP",
            "is not a valid timestamp (years 1–9999, nanos 0–999999999)",
        ));
    }
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos))
        .map_err(|e| CoreError::invalid(field, "INVALID_TIMESTAMP", e.to_string()))
}

pub fn time_to_proto(t: OffsetDateTime) -> Timestamp {
    Timestamp {
        seconds: t.unix_timestamp(),
        nanos: t.nanosecond() as i32,
    }
}

/// An `Essay` message as a draft; field paths in errors are relative to it.
pub fn essay_draft(essay: v1::Essay) -> Result<EssayDraft, CoreError> {
    let author = essay.author.unwrap_or_default();
    let declared = essay.declared.unwrap_or_default();
    Ok(EssayDraft {
        title: essay.title,
        author: Author {
            id: author.id,
            display_name: author.display_name,
        },
        course_id: essay.course_id,
        assignment_id: essay.assignment_id,
        external_id: essay.external_id,
        category: essay.category,
        submit_time: essay
            .submit_time
            .as_ref()
            .map(|t| time_from_proto("submit_time", t))
            .transpose()?,
        labels: essay.labels.into_iter().collect(),
        text: essay.text,
        declared: DeclaredMetadata {
            views: declared.views,
            words: declared.words,
            pages: declared.pages,
            source: declared.source,
            extra: declared.extra.into_iter().collect(),
        },
    })
}

pub fn essay_to_proto(essay: Essay) -> v1::Essay {
    v1::Essay {
        id: essay.id.to_string(),
        title: essay.title,
        author: Some(v1::Author {
            id: essay.author.id,
            display_name: essay.author.display_name,
        }),
        course_id: essay.course_id,
        assignment_id: essay.assignment_id.map(|a| a.as_str().to_owned()).unwrap_or_default(),
        external_id: essay.external_id,
        category: essay.category,
        submit_time: essay.submit_time.map(time_to_proto),
        labels: essay.labels.into_iter().collect(),
        text: essay.text.unwrap_or_default(),
        declared: Some(v1::DeclaredMetadata {
            views: essay.declared.views,
            words: essay.declared.words,
            pages: essay.declared.pages,
            source: essay.declared.source,
            extra: essay.declared.extra.into_iter().collect(),
        }),
        metrics: Some(metrics_to_proto(essay.metrics)),
        create_time: Some(time_to_proto(essay.create_time)),
    }
}

fn metrics_to_proto(m: TextMetrics) -> v1::TextMetrics {
    v1::TextMetrics {
        words: m.words,
        characters: m.characters,
        sentences: m.sentences,
        paragraphs: m.paragraphs,
        estimated_pages: m.estimated_pages,
        average_sentence_words: m.average_sentence_words,
        flesch_kincaid_grade: m.flesch_kincaid_grade,
        looks_english: m.looks_english,
        english_score: m.english_score,
        content_sha256: m.content_sha256,
    }
}

/// The requested view, or `default` when unspecified.
pub fn essay_view(field: &str, raw: i32, default: EssayView) -> Result<EssayView, CoreError> {
    match v1::EssayView::try_from(raw) {
        Ok(v1::EssayView::Unspecified) => Ok(default),
        Ok(v1::EssayView::Basic) => Ok(EssayView::Basic),
        Ok(v1::EssayView::Full) => Ok(EssayView::Full),
        Err(_) => Err(CoreError::invalid(
            field,
            "UNKNOWN_VIEW",
            format!("{raw} is not an EssayView"),
        )),
    }
}

pub fn assignment_to_proto(a: Assignment) -> v1::Assignment {
    v1::Assignment {
        id: a.id.as_str().to_owned(),
        course_id: a.course_id,
        title: a.title,
        question: a.question,
        rubric: a.rubric,
        create_time: Some(time_to_proto(a.create_time)),
        update_time: Some(time_to_proto(a.update_time)),
    }
}

/// A grade as the API returns it; `text` is what its spans point into.
pub fn grade_to_proto(view: &GradeRecordView, text: &str) -> v1::Grade {
    let g = &view.grade;
    let lti = view.lti_score();
    v1::Grade {
        id: view.id.map(|i| i.to_string()).unwrap_or_default(),
        essay_id: view.essay_id.map(|i| i.to_string()).unwrap_or_default(),
        question: view.question.clone(),
        criteria: g
            .criteria
            .iter()
            .map(|c| v1::CriterionGrade {
                criterion: c.criterion.as_str().to_owned(),
                level: u32::from(c.level),
                score: c.score,
                feedback: c.feedback.clone(),
                spans: c
                    .spans
                    .iter()
                    .map(|s| v1::Span {
                        start: s.start as u32,
                        end: s.end as u32,
                        label: s.label.as_str().to_owned(),
                        text: text.get(s.start..s.end).unwrap_or_default().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        total: g.total,
        max_mark: g.max_mark,
        band: g.band.clone(),
        confidence: g.confidence,
        flags: g.flags.iter().map(|f| flag_to_proto(*f) as i32).collect(),
        needs_review: g.needs_review,
        rubric_name: g.rubric_name.clone(),
        rubric_version: g.rubric_version,
        grader_version: g.grader_version.clone(),
        summary: g.summary.clone(),
        create_time: Some(time_to_proto(view.create_time)),
        review: view.review.as_ref().map(|r| v1::TeacherReview {
            reviewer: r.reviewer.clone(),
            levels: Criterion::ALL
                .iter()
                .zip(r.levels)
                .map(|(c, l)| v1::CriterionLevel {
                    criterion: c.as_str().to_owned(),
                    level: u32::from(l),
                })
                .collect(),
            comment: r.comment.clone(),
            review_time: Some(time_to_proto(r.review_time)),
            total: r.total,
            band: r.band.clone(),
        }),
        lti_score: Some(v1::LtiScore {
            score_given: lti.score_given,
            score_maximum: lti.score_maximum,
            comment: lti.comment,
            grading_progress: lti.grading_progress.to_owned(),
            activity_progress: "Completed".into(),
            timestamp: Some(time_to_proto(lti.timestamp)),
        }),
        copied_from: view.copied_from.iter().map(ToString::to_string).collect(),
        model_score: view.model_score.as_ref().map(|m| v1::ModelScore {
            model_id: format!("{}/{}/v{}", m.assignment_id, m.name, m.version),
            r#trait: m.name.clone(),
            version: m.version,
            score: m.score,
            raw: m.raw,
            scale_min: m.scale.min,
            scale_max: m.scale.max,
        }),
    }
}

fn flag_to_proto(f: Flag) -> v1::GradeFlag {
    match f {
        Flag::TooShort => v1::GradeFlag::TooShort,
        Flag::NotEnglish => v1::GradeFlag::NotEnglish,
        Flag::OffTopic => v1::GradeFlag::OffTopic,
        Flag::Repetitive => v1::GradeFlag::Repetitive,
        Flag::KeywordStuffing => v1::GradeFlag::KeywordStuffing,
        Flag::PromptCopied => v1::GradeFlag::PromptCopied,
        Flag::Copied => v1::GradeFlag::Copied,
    }
}

pub fn rubric_to_proto(r: &RubricVersion) -> v1::Rubric {
    v1::Rubric {
        name: r.rubric.name.clone(),
        version: r.rubric.version,
        description: r.description.clone(),
        weights: Criterion::ALL
            .iter()
            .zip(r.rubric.weights)
            .map(|(c, w)| v1::CriterionWeight {
                criterion: c.as_str().to_owned(),
                weight: w,
            })
            .collect(),
        max_mark: r.rubric.max_mark,
        bands: r
            .rubric
            .bands
            .iter()
            .map(|b| v1::Band {
                label: b.label.clone(),
                min_mark: b.min_mark,
            })
            .collect(),
        review_threshold: r.rubric.review_threshold,
        create_time: Some(time_to_proto(r.create_time)),
    }
}
