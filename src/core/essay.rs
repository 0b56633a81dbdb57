//! The essay: what the LMS sends ([`EssayDraft`]), what the core accepts
//! ([`NewEssay`], validated once), and what it returns ([`Essay`]).

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{
    AssignmentId, CoreError, EssayId,
    ids::{parse_name, parse_optional_name},
    text_metrics::TextMetrics,
};

/// Limits on what an essay may hold.
#[derive(Debug, Clone)]
pub struct EssayLimits {
    /// The largest text accepted, in UTF-8 bytes.
    pub max_text_bytes: usize,
}

impl Default for EssayLimits {
    fn default() -> Self {
        Self {
            max_text_bytes: 1024 * 1024,
        }
    }
}

const MAX_SHORT_TEXT_BYTES: usize = 1024;
const MAX_LABELS: usize = 64;

/// Who wrote an essay, as the LMS knows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Author {
    pub id: String,
    pub display_name: String,
}

/// Metadata declared by an essay's source, kept as given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclaredMetadata {
    pub views: Option<u64>,
    pub words: Option<u32>,
    pub pages: Option<u32>,
    pub source: String,
    pub extra: BTreeMap<String, String>,
}

/// An essay as a caller submits it, not yet validated. Field names follow
/// the API's `Essay` message, so errors name the caller's fields.
#[derive(Debug, Clone, Default)]
pub struct EssayDraft {
    pub title: String,
    pub author: Author,
    pub course_id: String,
    pub assignment_id: String,
    pub external_id: String,
    pub category: String,
    pub submit_time: Option<OffsetDateTime>,
    pub labels: BTreeMap<String, String>,
    pub text: String,
    pub declared: DeclaredMetadata,
}

/// A validated essay, ready to store.
#[derive(Debug, Clone)]
pub struct NewEssay {
    pub title: String,
    pub author: Author,
    pub course_id: String,
    pub assignment_id: Option<AssignmentId>,
    pub external_id: String,
    pub category: String,
    pub submit_time: Option<OffsetDateTime>,
    pub labels: BTreeMap<String, String>,
    pub text: String,
    pub declared: DeclaredMetadata,
}

fn short_text(field: &str, value: String) -> Result<String, CoreError> {
    if value.len() > MAX_SHORT_TEXT_BYTES {
        return Err(CoreError::invalid(
            field,
            "FIELD_TOO_LONG",
            format!("is {} bytes; the limit is {MAX_SHORT_TEXT_BYTES}", value.len()),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(CoreError::invalid(
            field,
            "CONTROL_CHARACTER",
            "must not contain control characters",
        ));
    }
    Ok(value)
}

impl NewEssay {
    /// Validates a draft. Field paths in errors are relative to the API's
    /// `Essay` message, e.g. `text`; callers prefix them (`essay.text`).
    pub fn parse(draft: EssayDraft, limits: &EssayLimits) -> Result<Self, CoreError> {
        if draft.text.trim().is_empty() {
            return Err(CoreError::invalid(
                "text",
                "TEXT_EMPTY",
                "must contain some text, not only whitespace",
            ));
        }
        if draft.text.len() > limits.max_text_bytes {
            return Err(CoreError::invalid(
                "text",
                "TEXT_TOO_LARGE",
                format!(
                    "is {} bytes; the limit is {} bytes",
                    draft.text.len(),
                    limits.max_text_bytes
                ),
            ));
        }
        if draft.labels.len() > MAX_LABELS {
            return Err(CoreError::invalid(
                "labels",
                "TOO_MANY_LABELS",
                format!("has {} labels; the limit is {MAX_LABELS}", draft.labels.len()),
            ));
        }
        for (key, value) in &draft.labels {
            parse_name("labels", key)?;
            short_text(&format!("labels[{key}]"), value.clone())?;
        }
        for (key, value) in &draft.declared.extra {
            short_text(&format!("declared.extra[{key}]"), key.clone())?;
            short_text(&format!("declared.extra[{key}]"), value.clone())?;
        }
        let assignment_id = if draft.assignment_id.is_empty() {
            None
        } else {
            Some(AssignmentId::parse("assignment_id", &draft.assignment_id)?)
        };
        Ok(NewEssay {
            title: short_text("title", draft.title)?,
            author: Author {
                id: parse_optional_name("author.id", &draft.author.id)?,
                display_name: short_text("author.display_name", draft.author.display_name)?,
            },
            course_id: parse_optional_name("course_id", &draft.course_id)?,
            assignment_id,
            external_id: parse_optional_name("external_id", &draft.external_id)?,
            category: short_text("category", draft.category)?,
            submit_time: draft.submit_time,
            labels: draft.labels,
            text: draft.text,
            declared: DeclaredMetadata {
                source: short_text("declared.source", draft.declared.source)?,
                ..draft.declared
            },
        })
    }
}

/// A stored essay.
#[derive(Debug, Clone, PartialEq)]
pub struct Essay {
    pub id: EssayId,
    pub title: String,
    pub author: Author,
    pub course_id: String,
    pub assignment_id: Option<AssignmentId>,
    pub external_id: String,
    pub category: String,
    pub submit_time: Option<OffsetDateTime>,
    pub labels: BTreeMap<String, String>,
    /// Present only when the caller asked for the full view.
    pub text: Option<String>,
    pub declared: DeclaredMetadata,
    pub metrics: TextMetrics,
    pub create_time: OffsetDateTime,
}

/// How much of an essay a read returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EssayView {
    Basic,
    Full,
}

/// Which essays a listing returns; `None` and empty mean any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EssayFilter {
    pub course_id: String,
    pub assignment_id: String,
    pub author_id: String,
    pub category: String,
    /// Inclusive.
    pub submitted_from: Option<OffsetDateTime>,
    /// Exclusive.
    pub submitted_before: Option<OffsetDateTime>,
}

impl EssayFilter {
    /// Checks the filter once, at the boundary.
    pub fn validate(self) -> Result<Self, CoreError> {
        if let (Some(from), Some(before)) = (self.submitted_from, self.submitted_before)
            && from > before
        {
            return Err(CoreError::invalid(
                "submit_time_end",
                "INVERTED_TIME_RANGE",
                format!("{before} is before submit_time_start {from}"),
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str) -> EssayDraft {
        EssayDraft {
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn whitespace_only_text_is_refused_with_its_field() {
        let err = NewEssay::parse(draft(" \n\t "), &EssayLimits::default()).unwrap_err();
        assert!(matches!(err, CoreError::InvalidArgument { ref field, reason: "TEXT_EMPTY", .. } if field == "text"));
    }

    #[test]
    fn text_over_the_limit_names_the_limit() {
        let limits = EssayLimits { max_text_bytes: 10 };
        let err = NewEssay::parse(draft("eleven bytes"), &limits).unwrap_err();
        assert_eq!(err.to_string(), "text: is 12 bytes; the limit is 10 bytes");
    }

    #[test]
    fn an_inverted_time_range_is_refused() {
        let now = OffsetDateTime::now_utc();
        let filter = EssayFilter {
            submitted_from: Some(now),
            submitted_before: Some(now - time::Duration::days(1)),
            ..Default::default()
        };
        assert!(filter.validate().is_err());
    }
}
