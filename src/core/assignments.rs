//! LMS assignments: the question essays answer and the rubric they are
//! graded with.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{AssignmentId, CoreError, TenantId, essays::Page, ids::parse_optional_name, rubrics::Rubrics, time_us};
use crate::store::{AssignmentRecord, Store};

const MAX_QUESTION_BYTES: usize = 16 * 1024;
const MAX_TITLE_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub id: AssignmentId,
    pub course_id: String,
    pub title: String,
    pub question: String,
    pub rubric: String,
    pub create_time: OffsetDateTime,
    pub update_time: OffsetDateTime,
}

/// The caller-settable fields of an assignment, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentFields {
    pub course_id: String,
    pub title: String,
    pub question: String,
    pub rubric: String,
}

/// Which fields an update sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentField {
    CourseId,
    Title,
    Question,
    Rubric,
}

impl AssignmentField {
    pub const ALL: [AssignmentField; 4] = [Self::CourseId, Self::Title, Self::Question, Self::Rubric];

    /// Parses an update-mask path; `field` names the mask in errors.
    pub fn parse(field: &str, path: &str) -> Result<Self, CoreError> {
        match path {
            "course_id" => Ok(Self::CourseId),
            "title" => Ok(Self::Title),
            "question" => Ok(Self::Question),
            "rubric" => Ok(Self::Rubric),
            other => Err(CoreError::invalid(
                field,
                "UNKNOWN_FIELD",
                format!("{other:?} cannot be updated; use course_id, title, question or rubric"),
            )),
        }
    }
}

impl AssignmentFields {
    /// Validates the fields; error paths are relative to the `Assignment` message.
    pub fn parse(course_id: &str, title: String, question: String, rubric: String) -> Result<Self, CoreError> {
        let course_id = parse_optional_name("course_id", course_id)?;
        if title.len() > MAX_TITLE_BYTES {
            return Err(CoreError::invalid(
                "title",
                "FIELD_TOO_LONG",
                format!("is {} bytes; the limit is {MAX_TITLE_BYTES}", title.len()),
            ));
        }
        if question.len() > MAX_QUESTION_BYTES {
            return Err(CoreError::invalid(
                "question",
                "FIELD_TOO_LONG",
                format!("is {} bytes; the limit is {MAX_QUESTION_BYTES}", question.len()),
            ));
        }
        parse_optional_name("rubric", &rubric)?;
        Ok(Self {
            course_id,
            title,
            question,
            rubric,
        })
    }
}

#[derive(Clone)]
pub struct Assignments {
    store: Arc<dyn Store>,
    rubrics: Rubrics,
}

impl Assignments {
    pub fn new(store: Arc<dyn Store>, rubrics: Rubrics) -> Self {
        Self { store, rubrics }
    }

    /// An assignment may only name a rubric that exists.
    fn check_rubric(&self, tenant: &TenantId, rubric: &str) -> Result<(), CoreError> {
        match self.rubrics.get(tenant, rubric, None) {
            Ok(_) => Ok(()),
            Err(CoreError::NotFound { .. }) => Err(CoreError::invalid(
                "assignment.rubric",
                "UNKNOWN_RUBRIC",
                format!("{rubric:?} is not a rubric; create it first or leave it empty for the default"),
            )),
            Err(e) => Err(e),
        }
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        id: AssignmentId,
        fields: AssignmentFields,
    ) -> Result<Assignment, CoreError> {
        self.check_rubric(tenant, &fields.rubric)?;
        let now = time_us::from_time(time_us::now());
        let record = AssignmentRecord {
            id: id.as_str().to_owned(),
            course_id: fields.course_id,
            title: fields.title,
            question: fields.question,
            rubric: fields.rubric,
            create_time_us: now,
            update_time_us: now,
        };
        if !self.store.insert_assignment(tenant.as_str(), &record)? {
            return Err(CoreError::AlreadyExists {
                description: format!("assignment {id} already exists"),
                reason: "ASSIGNMENT_EXISTS",
            });
        }
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), assignment_id = %id, "assignment created");
        from_record(record)
    }

    pub fn get(&self, tenant: &TenantId, id: &AssignmentId) -> Result<Assignment, CoreError> {
        let record = self
            .store
            .assignment(tenant.as_str(), id.as_str())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "assignment",
                id: id.to_string(),
            })?;
        from_record(record)
    }

    pub fn list(
        &self,
        tenant: &TenantId,
        course_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Assignment>, CoreError> {
        let mut records = self
            .store
            .list_assignments(tenant.as_str(), course_id, after, limit + 1)?;
        let more = records.len() > limit;
        records.truncate(limit);
        Ok(Page {
            items: records.into_iter().map(from_record).collect::<Result<_, _>>()?,
            more,
        })
    }

    /// Sets the `mask`ed fields of an assignment to `fields`' values.
    pub async fn update(
        &self,
        tenant: &TenantId,
        id: &AssignmentId,
        fields: AssignmentFields,
        mask: &[AssignmentField],
    ) -> Result<Assignment, CoreError> {
        let mut record = self
            .store
            .assignment(tenant.as_str(), id.as_str())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "assignment",
                id: id.to_string(),
            })?;
        if mask.contains(&AssignmentField::Rubric) {
            self.check_rubric(tenant, &fields.rubric)?;
        }
        for field in mask {
            match field {
                AssignmentField::CourseId => record.course_id = fields.course_id.clone(),
                AssignmentField::Title => record.title = fields.title.clone(),
                AssignmentField::Question => record.question = fields.question.clone(),
                AssignmentField::Rubric => record.rubric = fields.rubric.clone(),
            }
        }
        record.update_time_us = time_us::from_time(time_us::now());
        if !self.store.replace_assignment(tenant.as_str(), &record)? {
            return Err(CoreError::NotFound {
                resource: "assignment",
                id: id.to_string(),
            });
        }
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), assignment_id = %id, "assignment updated");
        from_record(record)
    }
}

fn from_record(record: AssignmentRecord) -> Result<Assignment, CoreError> {
    Ok(Assignment {
        id: AssignmentId::parse("id", &record.id)
            .map_err(|e| CoreError::Internal(format!("stored assignment id: {e}")))?,
        course_id: record.course_id,
        title: record.title,
        question: record.question,
        rubric: record.rubric,
        create_time: time_us::to_time(record.create_time_us)?,
        update_time: time_us::to_time(record.update_time_us)?,
    })
}
