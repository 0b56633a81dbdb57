//! Storing, reading, listing and deleting essays.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{
    AssignmentId, CoreError, EssayId, TenantId,
    essay::{Author, DeclaredMetadata, Essay, EssayFilter, EssayLimits, EssayView, NewEssay},
    text_metrics::{self, TextMetrics},
    time_us,
};
use crate::store::{DeclaredRecord, EssayInsert, EssayQuery, EssayRecord, InsertOutcome, MetricsRecord, Store};

/// A page of results and whether more follow.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// The essay operations of one data dir.
#[derive(Clone)]
pub struct Essays {
    store: Arc<dyn Store>,
    limits: EssayLimits,
}

impl Essays {
    pub fn new(store: Arc<dyn Store>, limits: EssayLimits) -> Self {
        Self { store, limits }
    }

    pub fn limits(&self) -> &EssayLimits {
        &self.limits
    }

    /// Stores an essay and returns it (metadata view) once it is durable.
    /// With a `request_id`, a retry of the same request returns the essay
    /// the first one stored.
    pub async fn create(
        &self,
        tenant: &TenantId,
        essay: NewEssay,
        request_id: Option<String>,
    ) -> Result<Essay, CoreError> {
        // The insert is CPU work and a sled transaction, which waits on
        // sled's global transaction lock: on the blocking pool, so that a
        // waiting writer does not hold one of the runtime's threads.
        let this = self.clone();
        let owner = tenant.clone();
        let stored = tokio::task::spawn_blocking(move || this.insert(&owner, essay, request_id))
            .await
            .map_err(|e| CoreError::Internal(format!("create task failed: {e}")))??;
        self.store.sync().await?;
        Ok(stored)
    }

    /// Stores many essays with one flush for all; one result per item, in
    /// order. Items that failed validation are passed through as errors.
    pub async fn create_many(
        &self,
        tenant: &TenantId,
        items: Vec<Result<(NewEssay, Option<String>), CoreError>>,
    ) -> Vec<Result<Essay, CoreError>> {
        // On the blocking pool, as in `create`.
        let n = items.len();
        let this = self.clone();
        let owner = tenant.clone();
        let inserted = tokio::task::spawn_blocking(move || {
            items
                .into_iter()
                .map(|item| item.and_then(|(essay, request_id)| this.insert(&owner, essay, request_id)))
                .collect::<Vec<_>>()
        })
        .await;
        let mut results: Vec<Result<Essay, CoreError>> = match inserted {
            Ok(results) => results,
            Err(e) => {
                let e = CoreError::Internal(format!("create task failed: {e}"));
                return vec![Err(e); n];
            }
        };
        if let Err(e) = self.store.sync().await {
            let e = CoreError::from(e);
            for result in results.iter_mut().filter(|r| r.is_ok()) {
                *result = Err(CoreError::Unavailable(e.to_string()));
            }
        }
        results
    }

    /// Applies an insert (not yet durable).
    fn insert(&self, tenant: &TenantId, essay: NewEssay, request_id: Option<String>) -> Result<Essay, CoreError> {
        let id = EssayId::generate();
        let metrics = text_metrics::measure(&essay.text);
        let mut record = to_record(id, &essay, &metrics, time_us::now());
        let digest = request_id.as_ref().map(|_| request_digest(&record, &essay.text));
        if let Some(request_id) = &request_id {
            record.request_id = request_id.clone();
        }
        let fingerprints = crate::copies::fingerprint(&essay.text);
        let insert = EssayInsert {
            record: &record,
            text: &essay.text,
            request: request_id.as_deref().zip(digest),
            fingerprints: Some(&fingerprints),
        };
        match self.store.insert_essay(tenant.as_str(), insert)? {
            InsertOutcome::Inserted => {
                tracing::info!(tenant = tenant.as_str(), essay_id = %id, bytes = essay.text.len(), "essay created");
                from_record(record, None)
            }
            InsertOutcome::Replayed(first) => {
                let first = EssayId::from_bytes(first);
                tracing::info!(tenant = tenant.as_str(), essay_id = %first, "retried create answered with the first result");
                self.get(tenant, first, EssayView::Basic)
            }
            InsertOutcome::RequestIdReused => Err(CoreError::invalid(
                "request_id",
                "REQUEST_ID_REUSED",
                "was already used for a different essay; use a new request_id for a new request",
            )),
            InsertOutcome::AssignmentMissing => Err(CoreError::FailedPrecondition {
                field: "assignment_id".into(),
                description: format!(
                    "assignment {:?} does not exist; create it first (AssignmentService.CreateAssignment)",
                    essay
                        .assignment_id
                        .as_ref()
                        .map(AssignmentId::as_str)
                        .unwrap_or_default()
                ),
                reason: "ASSIGNMENT_NOT_FOUND",
            }),
            InsertOutcome::ExternalIdTaken(owner) => Err(CoreError::AlreadyExists {
                description: format!(
                    "essay {} already has external_id {:?} in assignment {:?}",
                    EssayId::from_bytes(owner),
                    essay.external_id,
                    essay
                        .assignment_id
                        .as_ref()
                        .map(AssignmentId::as_str)
                        .unwrap_or_default()
                ),
                reason: "EXTERNAL_ID_EXISTS",
            }),
        }
    }

    pub fn get(&self, tenant: &TenantId, id: EssayId, view: EssayView) -> Result<Essay, CoreError> {
        let not_found = || CoreError::NotFound {
            resource: "essay",
            id: id.to_string(),
        };
        let record = self
            .store
            .essay(tenant.as_str(), &id.to_bytes())?
            .ok_or_else(not_found)?;
        let text = match view {
            EssayView::Basic => None,
            EssayView::Full => Some(
                self.store
                    .essay_text(tenant.as_str(), &id.to_bytes())?
                    .ok_or_else(not_found)?,
            ),
        };
        from_record(record, text)
    }

    /// The essay's text alone.
    pub fn text(&self, tenant: &TenantId, id: EssayId) -> Result<String, CoreError> {
        self.store
            .essay_text(tenant.as_str(), &id.to_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "essay",
                id: id.to_string(),
            })
    }

    /// Up to `limit` essays after `after`, in creation order.
    pub fn list(
        &self,
        tenant: &TenantId,
        filter: &EssayFilter,
        after: Option<EssayId>,
        limit: usize,
        view: EssayView,
    ) -> Result<Page<Essay>, CoreError> {
        let query = EssayQuery {
            course_id: filter.course_id.clone(),
            assignment_id: filter.assignment_id.clone(),
            author_id: filter.author_id.clone(),
            category: filter.category.clone(),
            submitted_from_us: filter.submitted_from.map(time_us::from_time),
            submitted_before_us: filter.submitted_before.map(time_us::from_time),
        };
        let after = after.map(EssayId::to_bytes);
        let mut records = self
            .store
            .list_essays(tenant.as_str(), &query, after.as_ref(), limit + 1)?;
        let more = records.len() > limit;
        records.truncate(limit);
        let items = records
            .into_iter()
            .map(|record| {
                let text = match view {
                    EssayView::Basic => None,
                    EssayView::Full => self.store.essay_text(tenant.as_str(), &record_id(&record)?)?,
                };
                from_record(record, text)
            })
            .collect::<Result<_, _>>()?;
        Ok(Page { items, more })
    }

    /// Deletes an essay and everything attached to it, durably.
    pub async fn delete(&self, tenant: &TenantId, id: EssayId) -> Result<(), CoreError> {
        if !self.store.delete_essay(tenant.as_str(), &id.to_bytes())? {
            return Err(CoreError::NotFound {
                resource: "essay",
                id: id.to_string(),
            });
        }
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), essay_id = %id, "essay deleted");
        Ok(())
    }
}

/// What identifies a request for idempotency: everything the caller sent.
fn request_digest(record: &EssayRecord, text: &str) -> [u8; 32] {
    let caller_fields = EssayRecord {
        id: Vec::new(),
        create_time_us: 0,
        metrics: None,
        request_id: String::new(),
        ..record.clone()
    };
    let mut hasher = Sha256::new();
    hasher.update(prost::Message::encode_to_vec(&caller_fields));
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

fn record_id(record: &EssayRecord) -> Result<[u8; 16], CoreError> {
    EssayId::try_from(record.id.as_slice()).map(EssayId::to_bytes)
}

fn to_record(id: EssayId, essay: &NewEssay, metrics: &TextMetrics, now: OffsetDateTime) -> EssayRecord {
    EssayRecord {
        id: id.to_bytes().to_vec(),
        title: essay.title.clone(),
        author_id: essay.author.id.clone(),
        author_name: essay.author.display_name.clone(),
        course_id: essay.course_id.clone(),
        assignment_id: essay
            .assignment_id
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        external_id: essay.external_id.clone(),
        category: essay.category.clone(),
        submit_time_us: essay.submit_time.map(time_us::from_time),
        labels: essay.labels.clone(),
        declared: Some(DeclaredRecord {
            views: essay.declared.views,
            words: essay.declared.words,
            pages: essay.declared.pages,
            source: essay.declared.source.clone(),
            extra: essay.declared.extra.clone(),
        }),
        metrics: Some(MetricsRecord {
            words: metrics.words,
            characters: metrics.characters,
            sentences: metrics.sentences,
            paragraphs: metrics.paragraphs,
            estimated_pages: metrics.estimated_pages,
            average_sentence_words: metrics.average_sentence_words,
            flesch_kincaid_grade: metrics.flesch_kincaid_grade,
            looks_english: metrics.looks_english,
            english_score: metrics.english_score,
            content_sha256: metrics.content_sha256.clone(),
        }),
        create_time_us: time_us::from_time(now),
        request_id: String::new(),
    }
}

fn from_record(record: EssayRecord, text: Option<String>) -> Result<Essay, CoreError> {
    let id = EssayId::try_from(record.id.as_slice())?;
    let declared = record.declared.unwrap_or_default();
    let metrics = record.metrics.unwrap_or_default();
    Ok(Essay {
        id,
        title: record.title,
        author: Author {
            id: record.author_id,
            display_name: record.author_name,
        },
        course_id: record.course_id,
        assignment_id: (!record.assignment_id.is_empty())
            .then(|| AssignmentId::parse("assignment_id", &record.assignment_id))
            .transpose()
            .map_err(|e| CoreError::Internal(format!("stored assignment id: {e}")))?,
        external_id: record.external_id,
        category: record.category,
        submit_time: record.submit_time_us.map(time_us::to_time).transpose()?,
        labels: record.labels,
        text,
        declared: DeclaredMetadata {
            views: declared.views,
            words: declared.words,
            pages: declared.pages,
            source: declared.source,
            extra: declared.extra,
        },
        metrics: TextMetrics {
            words: metrics.words,
            characters: metrics.characters,
            sentences: metrics.sentences,
            paragraphs: metrics.paragraphs,
            estimated_pages: metrics.estimated_pages,
            average_sentence_words: metrics.average_sentence_words,
            flesch_kincaid_grade: metrics.flesch_kincaid_grade,
            looks_english: metrics.looks_english,
            english_score: metrics.english_score,
            content_sha256: metrics.content_sha256,
        },
        create_time: time_us::to_time(record.create_time_us)?,
    })
}
