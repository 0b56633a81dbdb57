//! Storage: the [`Store`] trait the core talks to, and its sled implementation.
//!
//! Every key starts with the tenant, so that one data dir can hold many
//! schools without a change of layout. Records are prost messages behind a
//! format version ([`records`]). Writes are applied in one sled transaction
//! with their secondary indexes, and made durable by [`Store::sync`], which
//! shares one flush among all the writers waiting at the same time
//! ([`group_commit`]). No sled type appears in this module's interface.

mod disk_guard;
pub mod fingerprints;
mod group_commit;
mod keys;
pub mod records;
mod sled_store;

use std::{future::Future, pin::Pin};

pub use records::{
    ApiKeyRecord, ExemplarRecord, JobRecord, JobResultRecord, ModelRecord, ModelScoreRecord, TraitScoreRecord,
};
pub use records::{
    AssignmentRecord, BandRecord, CriterionRecord, DeclaredRecord, EssayRecord, GradeRecord, MetricsRecord,
    ReviewRecord, RubricRecord, SpanRecord,
};
pub use sled_store::{SledOptions, SledStore};

/// A boxed future, so that [`Store`] stays object-safe.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// An essay id as the store sees it: 16 bytes that sort by creation time
/// (defined once, by the copy-detection library the store indexes for).
pub use crate::copies::EssayKey;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk or the database failed (an I/O error).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A write was refused: it would leave less than the reserve free.
    #[error(
        "the data dir's disk is full: {available_bytes} bytes free, {reserve_bytes} kept in reserve; writes resume when space is freed"
    )]
    Full { available_bytes: u64, reserve_bytes: u64 },
    /// A write was refused: the data dir's file system is read-only.
    #[error("the data dir is on a read-only file system; writes resume when it is writable again")]
    ReadOnly,
    /// A stored record could not be decoded.
    #[error("corrupt {what} record: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { .. } => StoreError::Corrupt {
                what: "database",
                detail: e.to_string(),
            },
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

/// A new essay to insert, with the checks that must be made atomically with it.
#[derive(Debug, Clone)]
pub struct EssayInsert<'a> {
    pub record: &'a EssayRecord,
    pub text: &'a str,
    /// The AIP-155 request id and the digest of the request, if any.
    pub request: Option<(&'a str, [u8; 32])>,
    /// The essay's fingerprints, indexed in the same transaction.
    pub fingerprints: Option<&'a crate::copies::Fingerprints>,
}

/// What became of an [`EssayInsert`].
#[derive(Debug, Clone, PartialEq)]
pub enum InsertOutcome {
    Inserted,
    /// The request id was seen before with the same request: nothing was
    /// written, and this is the essay the first request created.
    Replayed(EssayKey),
    /// The request id was used before for a different request.
    RequestIdReused,
    /// The assignment named by the record does not exist.
    AssignmentMissing,
    /// Another essay of the assignment has the same external id.
    ExternalIdTaken(EssayKey),
}

/// The outcome of one essay of a job, to record.
#[derive(Debug, Clone)]
pub struct JobItem {
    pub sequence: u32,
    pub result: JobResultRecord,
    pub grade: Option<JobGrade>,
}

/// A job item's grade, and what to record instead if its essay is gone by
/// the time the grade is recorded (deleted while the job ran).
#[derive(Debug, Clone)]
pub struct JobGrade {
    pub record: GradeRecord,
    pub if_essay_deleted: JobResultRecord,
}

/// Which essays a listing returns. Empty strings and `None` match anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EssayQuery {
    pub course_id: String,
    pub assignment_id: String,
    pub author_id: String,
    pub category: String,
    /// Inclusive, unix microseconds.
    pub submitted_from_us: Option<i64>,
    /// Exclusive, unix microseconds.
    pub submitted_before_us: Option<i64>,
}

impl EssayQuery {
    fn matches(&self, r: &EssayRecord) -> bool {
        let eq = |want: &str, have: &str| want.is_empty() || want == have;
        eq(&self.course_id, &r.course_id)
            && eq(&self.assignment_id, &r.assignment_id)
            && eq(&self.author_id, &r.author_id)
            && eq(&self.category, &r.category)
            && match (self.submitted_from_us, r.submit_time_us) {
                (Some(from), Some(t)) => t >= from,
                (Some(_), None) => false,
                (None, _) => true,
            }
            && match (self.submitted_before_us, r.submit_time_us) {
                (Some(before), Some(t)) => t < before,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }
}

/// The storage the core needs. Methods that write apply their change at once
/// (visible to reads) but make it durable only with [`Store::sync`].
pub trait Store: Send + Sync + 'static {
    /// Inserts an essay, its text and its indexes in one transaction, unless
    /// one of the checks of [`InsertOutcome`] says otherwise.
    fn insert_essay(&self, tenant: &str, insert: EssayInsert<'_>) -> Result<InsertOutcome, StoreError>;
    fn essay(&self, tenant: &str, id: &EssayKey) -> Result<Option<EssayRecord>, StoreError>;
    fn essay_text(&self, tenant: &str, id: &EssayKey) -> Result<Option<String>, StoreError>;
    /// Up to `limit` essays matching `query`, in id order, after `after`.
    fn list_essays(
        &self,
        tenant: &str,
        query: &EssayQuery,
        after: Option<&EssayKey>,
        limit: usize,
    ) -> Result<Vec<EssayRecord>, StoreError>;
    /// Deletes an essay and everything keyed by it (text, indexes, grades,
    /// exemplar).
    /// `false` if there was none.
    fn delete_essay(&self, tenant: &str, id: &EssayKey) -> Result<bool, StoreError>;

    /// Inserts an assignment; `false` if one with that id exists.
    fn insert_assignment(&self, tenant: &str, record: &AssignmentRecord) -> Result<bool, StoreError>;
    /// Replaces an existing assignment; `false` if there is none.
    fn replace_assignment(&self, tenant: &str, record: &AssignmentRecord) -> Result<bool, StoreError>;
    fn assignment(&self, tenant: &str, id: &str) -> Result<Option<AssignmentRecord>, StoreError>;
    /// Up to `limit` assignments in id order after `after`, of one course if given.
    fn list_assignments(
        &self,
        tenant: &str,
        course_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AssignmentRecord>, StoreError>;

    /// Stores a grade of an essay; `false` (nothing written) if the essay is gone.
    fn insert_grade(&self, tenant: &str, grade: &GradeRecord) -> Result<bool, StoreError>;
    /// Replaces a stored grade (to add a review); `false` if there is none.
    fn replace_grade(&self, tenant: &str, grade: &GradeRecord) -> Result<bool, StoreError>;
    fn grade(&self, tenant: &str, essay: &EssayKey, grade: &[u8; 16]) -> Result<Option<GradeRecord>, StoreError>;
    /// Up to `limit` grades of an essay, the latest first, older than `before`.
    fn list_grades(
        &self,
        tenant: &str,
        essay: &EssayKey,
        before: Option<&[u8; 16]>,
        limit: usize,
    ) -> Result<Vec<GradeRecord>, StoreError>;

    /// Stores a rubric version. With `version == 1` the name must be new
    /// (else `Ok(None)`); otherwise the version is the latest plus one and
    /// the name must exist (else `Ok(None)`). Returns the version written.
    fn insert_rubric(&self, tenant: &str, rubric: &RubricRecord, new_name: bool) -> Result<Option<u32>, StoreError>;
    /// A rubric version, or the latest with `version == None`.
    fn rubric(&self, tenant: &str, name: &str, version: Option<u32>) -> Result<Option<RubricRecord>, StoreError>;
    /// The latest version of up to `limit` rubrics in name order after `after`.
    fn list_rubrics(&self, tenant: &str, after: Option<&str>, limit: usize) -> Result<Vec<RubricRecord>, StoreError>;

    /// Stores a new job and the essays it will grade, in order.
    fn insert_job(&self, tenant: &str, job: &JobRecord, essays: &[EssayKey]) -> Result<(), StoreError>;
    fn job(&self, tenant: &str, id: &[u8; 16]) -> Result<Option<JobRecord>, StoreError>;
    /// Changes a job's record in one transaction (so a state change never
    /// overwrites counts recorded meanwhile); `None` if there is no such job.
    fn update_job(
        &self,
        tenant: &str,
        id: &[u8; 16],
        change: &dyn Fn(&mut JobRecord),
    ) -> Result<Option<JobRecord>, StoreError>;
    /// Up to `limit` jobs, the newest first, older than `before`.
    fn list_jobs(&self, tenant: &str, before: Option<&[u8; 16]>, limit: usize) -> Result<Vec<JobRecord>, StoreError>;
    /// Up to `limit` of a job's essays from sequence `from`, with their sequences.
    fn job_essays(
        &self,
        tenant: &str,
        job: &[u8; 16],
        from: u32,
        limit: usize,
    ) -> Result<Vec<(u32, EssayKey)>, StoreError>;
    /// Records the outcomes of some essays of a job in one transaction: the
    /// grades (each only while its essay exists: else its result becomes a
    /// failure), the results, and the job's counts. A sequence that already
    /// has a result is left as it is, so a job resumed after a crash gives
    /// each essay exactly one grade. Returns the job's record after.
    fn record_job_results(
        &self,
        tenant: &str,
        job: &[u8; 16],
        items: &[JobItem],
    ) -> Result<Option<JobRecord>, StoreError>;
    /// Up to `limit` of a job's results from sequence `from`, with their sequences.
    fn job_results(
        &self,
        tenant: &str,
        job: &[u8; 16],
        from: u32,
        limit: usize,
    ) -> Result<Vec<(u32, JobResultRecord)>, StoreError>;
    /// Every job of every tenant in `states` (to resume them at start-up).
    fn jobs_in_states(&self, states: &[i32]) -> Result<Vec<(String, JobRecord)>, StoreError>;

    /// Sets an essay's exemplar scores; `false` (nothing written) if the essay is gone.
    fn set_exemplar(&self, tenant: &str, essay: &EssayKey, exemplar: &ExemplarRecord) -> Result<bool, StoreError>;
    fn exemplar(&self, tenant: &str, essay: &EssayKey) -> Result<Option<ExemplarRecord>, StoreError>;
    fn delete_exemplar(&self, tenant: &str, essay: &EssayKey) -> Result<bool, StoreError>;
    /// Stores a model as the next version of its assignment's trait; returns the version.
    fn insert_model(&self, tenant: &str, model: &ModelRecord) -> Result<u32, StoreError>;
    /// A model version, or the latest with `version == None`.
    fn model(
        &self,
        tenant: &str,
        assignment: &str,
        name: &str,
        version: Option<u32>,
    ) -> Result<Option<ModelRecord>, StoreError>;
    /// The latest version of each of an assignment's models.
    fn list_models(&self, tenant: &str, assignment: &str) -> Result<Vec<ModelRecord>, StoreError>;

    /// Stores a new API key under the hash of its token.
    fn insert_api_key(&self, token_hash: &[u8; 32], key: &ApiKeyRecord) -> Result<(), StoreError>;
    fn api_key(&self, token_hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError>;
    fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Marks a key revoked; `None` if there is no key with that id.
    fn revoke_api_key(&self, key_id: &str, when_us: i64) -> Result<Option<ApiKeyRecord>, StoreError>;

    /// The server's key for signing report links: the one stored, or else
    /// `candidate`, stored now. Atomic, so that servers starting at once on
    /// one database agree on a single key. Durable after [`Store::sync`].
    fn report_signing_key(&self, candidate: &[u8; 32]) -> Result<[u8; 32], StoreError>;

    /// The copy-detection index of stored essays' fingerprints.
    fn fingerprint_index(&self) -> &dyn crate::copies::FingerprintIndex;

    /// Resolves once every write applied before the call is on disk. Writers
    /// that wait at the same time share one flush.
    fn sync(&self) -> StoreFuture<'_, ()>;
    /// Bytes the database takes on disk.
    fn size_on_disk(&self) -> Result<u64, StoreError>;
}
