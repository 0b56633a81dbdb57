//! Conversions between the API's messages and the core's types.

use prost_types::Timestamp;
use time::OffsetDateTime;

use crate::{
    core::{
        Assignment, Author, CoreError, DeclaredMetadata, Essay, EssayDraft, EssayView,
        text_metrics::TextMetrics,
    },
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
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos),
    )
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
        assignment_id: essay
            .assignment_id
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
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
