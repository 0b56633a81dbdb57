//! The sled implementation of [`Store`].
//!
//! Twenty trees, keyed as [`keys`] says:
//! - essays: `essays` (metadata records), `essay_texts` (texts, apart so that
//!   listings never read them), `essays_by_assignment` and
//!   `essays_by_external_id` (indexes), `request_ids` (AIP-155 idempotency);
//! - `assignments`; `grades` (keyed by essay, then grade id); `exemplars`;
//! - versioned named things: `rubric_versions` and `rubric_latest`,
//!   `model_versions` and `model_latest`;
//! - jobs: `jobs`, `job_essays`, `job_results` (keyed by job, then sequence);
//! - API keys: `api_keys` (by token hash) and `api_key_ids`;
//! - copy detection: the fingerprint postings and each essay's fingerprints
//!   ([`fingerprints`]);
//! - `server_secrets`: the report-link signing key.
//!
//! An essay and its index entries are written and deleted in one
//! transaction, and its grades go with it.

use std::path::Path;

use crate::copies::{FingerprintIndex, IndexError};

use sled::{
    Transactional, Tree,
    transaction::{ConflictableTransactionError, TransactionError},
};

use super::{
    ApiKeyRecord, AssignmentRecord, EssayInsert, EssayKey, EssayQuery, EssayRecord, ExemplarRecord, GradeRecord,
    InsertOutcome, JobItem, JobRecord, JobResultRecord, ModelRecord, RubricRecord, Store, StoreError, StoreFuture,
    disk_guard::DiskGuard,
    fingerprints,
    group_commit::GroupCommit,
    keys,
    records::{self, IdempotencyRecord},
};

pub struct SledStore {
    db: sled::Db,
    essays: Tree,
    texts: Tree,
    by_assignment: Tree,
    by_external_id: Tree,
    request_ids: Tree,
    assignments: Tree,
    grades: Tree,
    rubrics: Tree,
    rubric_latest: Tree,
    jobs: Tree,
    job_essays: Tree,
    job_results: Tree,
    api_keys: Tree,
    api_key_ids: Tree,
    exemplars: Tree,
    fingerprint_postings: Tree,
    essay_fingerprints: Tree,
    /// The same two trees, as the copy-detection index reads them.
    fingerprint_index: fingerprints::SledFingerprintIndex,
    models: Tree,
    model_latest: Tree,
    /// Server-wide secrets (the report-link signing key), not any tenant's.
    secrets: Tree,
    commit: GroupCommit,
    guard: DiskGuard,
}

/// Options for opening the store.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// sled's page cache, in bytes.
    pub cache_capacity: u64,
    /// Free disk space writes must leave, in bytes ([`DiskGuard`]).
    pub reserve_bytes: u64,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self {
            cache_capacity: 256 * 1024 * 1024,
            reserve_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What the disk guard assumes a small write (a record and its indexes) may
/// take on disk, log overhead included.
const SMALL_WRITE: usize = 4096;

fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

/// The entries of `tree` under `prefix`, in key order from `start` (a key at
/// or after `prefix`): the one bounded forward scan of this store.
fn entries_under<'a>(
    tree: &Tree,
    prefix: &'a [u8],
    start: &[u8],
) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + 'a {
    tree.range(start.to_vec()..)
        .map(|entry| entry.map_err(StoreError::from))
        .take_while(move |entry| match entry {
            Ok((key, _)) => key.starts_with(prefix),
            Err(_) => true,
        })
}

/// The latest version of a versioned named thing (a rubric, a model), as
/// its `*_latest` tree keeps it: 4 bytes, big-endian.
fn decode_version(what: &'static str, bytes: &[u8]) -> Result<u32, StoreError> {
    <[u8; 4]>::try_from(bytes)
        .map(u32::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            what,
            detail: "latest version is not 4 bytes".into(),
        })
}

/// Up to `limit` of a job's items (essays or results) from sequence `from`.
fn job_items<T>(
    tree: &Tree,
    tenant: &str,
    job: &[u8; 16],
    from: u32,
    limit: usize,
    decode: impl Fn(&[u8]) -> Result<T, StoreError>,
) -> Result<Vec<(u32, T)>, StoreError> {
    let prefix = keys::job(tenant, job);
    entries_under(tree, &prefix, &keys::job_item(tenant, job, from))
        .take(limit)
        .map(|entry| {
            let (key, value) = entry?;
            Ok((sequence_of(&key, prefix.len())?, decode(&value)?))
        })
        .collect()
}

fn sequence_of(key: &[u8], prefix_len: usize) -> Result<u32, StoreError> {
    key.get(prefix_len..prefix_len + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt {
            what: "job item",
            detail: "key has no sequence".into(),
        })
}

fn grade_ids(grade: &GradeRecord) -> Result<(EssayKey, [u8; 16]), StoreError> {
    let bad = |what: &str| StoreError::Corrupt {
        what: "grade",
        detail: format!("{what} is not 16 bytes"),
    };
    Ok((
        grade.essay_id.as_slice().try_into().map_err(|_| bad("essay id"))?,
        grade.id.as_slice().try_into().map_err(|_| bad("grade id"))?,
    ))
}

/// An index error inside a store transaction, as a store error.
fn index_error(e: ConflictableTransactionError<IndexError>) -> ConflictableTransactionError<StoreError> {
    match e {
        ConflictableTransactionError::Abort(e) => abort(StoreError::Unavailable(format!("fingerprint index: {e}"))),
        ConflictableTransactionError::Conflict => ConflictableTransactionError::Conflict,
        ConflictableTransactionError::Storage(e) => ConflictableTransactionError::Storage(e),
    }
}

fn from_tx(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => e.into(),
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path, options: &SledOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(options.cache_capacity)
            .open()?;
        Ok(Self {
            essays: db.open_tree("essays")?,
            texts: db.open_tree("essay_texts")?,
            by_assignment: db.open_tree("essays_by_assignment")?,
            by_external_id: db.open_tree("essays_by_external_id")?,
            request_ids: db.open_tree("request_ids")?,
            assignments: db.open_tree("assignments")?,
            grades: db.open_tree("grades")?,
            rubrics: db.open_tree("rubric_versions")?,
            rubric_latest: db.open_tree("rubric_latest")?,
            jobs: db.open_tree("jobs")?,
            job_essays: db.open_tree("job_essays")?,
            job_results: db.open_tree("job_results")?,
            api_keys: db.open_tree("api_keys")?,
            api_key_ids: db.open_tree("api_key_ids")?,
            exemplars: db.open_tree("exemplars")?,
            fingerprint_postings: db.open_tree(fingerprints::POSTINGS_TREE)?,
            essay_fingerprints: db.open_tree(fingerprints::ESSAYS_TREE)?,
            fingerprint_index: fingerprints::SledFingerprintIndex::open(&db)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            models: db.open_tree("model_versions")?,
            model_latest: db.open_tree("model_latest")?,
            secrets: db.open_tree("server_secrets")?,
            commit: GroupCommit::new(db.clone()),
            guard: DiskGuard::new(dir, options.reserve_bytes),
            db,
        })
    }

    /// Flushes everything to disk now (used at shutdown).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.commit.flush_blocking()
    }

    fn decode_essay(bytes: &[u8]) -> Result<EssayRecord, StoreError> {
        records::decode("essay", bytes)
    }
}

impl Store for SledStore {
    fn insert_essay(&self, tenant: &str, insert: EssayInsert<'_>) -> Result<InsertOutcome, StoreError> {
        // The text, its record and indexes, and its fingerprints.
        self.guard.check_write(2 * insert.text.len() + SMALL_WRITE)?;
        let record = insert.record;
        let id: EssayKey = record.id.as_slice().try_into().map_err(|_| StoreError::Corrupt {
            what: "essay",
            detail: "essay id is not 16 bytes".into(),
        })?;
        let essay_key = keys::essay(tenant, &id);
        let record_bytes = records::encode(record);
        let request = insert.request.map(|(request_id, digest)| {
            let entry = IdempotencyRecord {
                essay_id: id.to_vec(),
                request_digest: digest.to_vec(),
            };
            (keys::request_id(tenant, request_id), digest, records::encode(&entry))
        });
        let external_key = (!record.external_id.is_empty())
            .then(|| keys::external_id(tenant, &record.assignment_id, &record.external_id));
        let assignment_key =
            (!record.assignment_id.is_empty()).then(|| keys::assignment(tenant, &record.assignment_id));

        let outcome = (
            &self.essays,
            &self.texts,
            &self.by_assignment,
            &self.by_external_id,
            &self.request_ids,
            &self.assignments,
            &self.fingerprint_postings,
            &self.essay_fingerprints,
        )
            .transaction(
                |(essays, texts, by_assignment, by_external_id, request_ids, assignments, postings, prints)| {
                    if let Some((key, digest, _)) = &request
                        && let Some(seen) = request_ids.get(key)?
                    {
                        let seen: IdempotencyRecord = records::decode("request id", &seen).map_err(abort)?;
                        return Ok(if seen.request_digest == digest.as_slice() {
                            match EssayKey::try_from(seen.essay_id.as_slice()) {
                                Ok(first) => InsertOutcome::Replayed(first),
                                Err(_) => {
                                    return Err(abort(StoreError::Corrupt {
                                        what: "request id",
                                        detail: "essay id is not 16 bytes".into(),
                                    }));
                                }
                            }
                        } else {
                            InsertOutcome::RequestIdReused
                        });
                    }
                    if let Some(key) = &assignment_key
                        && assignments.get(key)?.is_none()
                    {
                        return Ok(InsertOutcome::AssignmentMissing);
                    }
                    if let Some(key) = &external_key {
                        if let Some(owner) = by_external_id.get(key)? {
                            let owner = keys::trailing_essay_id(&owner).unwrap_or_default();
                            return Ok(InsertOutcome::ExternalIdTaken(owner));
                        }
                        by_external_id.insert(key.as_slice(), id.as_slice())?;
                    }
                    if let Some((key, _, entry)) = &request {
                        request_ids.insert(key.as_slice(), entry.as_slice())?;
                    }
                    by_assignment.insert(keys::assignment_essay(tenant, &record.assignment_id, &id), &[])?;
                    texts.insert(essay_key.as_slice(), insert.text.as_bytes())?;
                    essays.insert(essay_key.as_slice(), record_bytes.as_slice())?;
                    if let Some(fp) = insert.fingerprints {
                        fingerprints::insert_in(postings, prints, tenant, &id, fp).map_err(index_error)?;
                    }
                    Ok(InsertOutcome::Inserted)
                },
            )
            .map_err(from_tx);
        if insert.fingerprints.is_some() {
            self.fingerprint_index.changed();
        }
        outcome
    }

    fn essay(&self, tenant: &str, id: &EssayKey) -> Result<Option<EssayRecord>, StoreError> {
        self.essays
            .get(keys::essay(tenant, id))?
            .map(|bytes| Self::decode_essay(&bytes))
            .transpose()
    }

    fn essay_text(&self, tenant: &str, id: &EssayKey) -> Result<Option<String>, StoreError> {
        self.texts
            .get(keys::essay(tenant, id))?
            .map(|bytes| {
                String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::Corrupt {
                    what: "essay text",
                    detail: "not UTF-8".into(),
                })
            })
            .transpose()
    }

    fn list_essays(
        &self,
        tenant: &str,
        query: &EssayQuery,
        after: Option<&EssayKey>,
        limit: usize,
    ) -> Result<Vec<EssayRecord>, StoreError> {
        let mut found = Vec::with_capacity(limit.min(1024));
        if limit == 0 {
            return Ok(found);
        }
        // With an assignment filter, walk that assignment's index; otherwise
        // the tenant's essays. Both are in essay-id order.
        let (tree, prefix) = if query.assignment_id.is_empty() {
            (&self.essays, keys::tenant_prefix(tenant))
        } else {
            (&self.by_assignment, keys::name_prefix(tenant, &query.assignment_id))
        };
        let start = match after {
            Some(id) => {
                let mut k = prefix.clone();
                k.extend_from_slice(id);
                keys::successor(&k)
            }
            None => prefix.clone(),
        };
        for entry in entries_under(tree, &prefix, &start) {
            let (key, value) = entry?;
            let record = if query.assignment_id.is_empty() {
                Self::decode_essay(&value)?
            } else {
                let Some(id) = keys::trailing_essay_id(&key) else {
                    continue;
                };
                match self.essays.get(keys::essay(tenant, &id))? {
                    Some(bytes) => Self::decode_essay(&bytes)?,
                    // Deleted between the index read and now.
                    None => continue,
                }
            };
            if query.matches(&record) {
                found.push(record);
                if found.len() == limit {
                    break;
                }
            }
        }
        Ok(found)
    }

    fn delete_essay(&self, tenant: &str, id: &EssayKey) -> Result<bool, StoreError> {
        self.guard.check_delete()?;
        let essay_key = keys::essay(tenant, id);
        let Some(bytes) = self.essays.get(&essay_key)? else {
            return Ok(false);
        };
        let record = Self::decode_essay(&bytes)?;
        let assignment_key = keys::assignment_essay(tenant, &record.assignment_id, id);
        let external_key = (!record.external_id.is_empty())
            .then(|| keys::external_id(tenant, &record.assignment_id, &record.external_id));
        let request_key = (!record.request_id.is_empty()).then(|| keys::request_id(tenant, &record.request_id));
        // Grades are keyed under the essay; collect them first (sled
        // transactions cannot scan). A grade written after this scan finds
        // the essay gone and is refused (see insert_grade).
        let grade_keys = self
            .grades
            .scan_prefix(&essay_key)
            .keys()
            .collect::<Result<Vec<_>, _>>()?;
        let deleted = (
            &self.essays,
            &self.texts,
            &self.by_assignment,
            &self.by_external_id,
            &self.request_ids,
            &self.grades,
            &self.exemplars,
            &self.fingerprint_postings,
            &self.essay_fingerprints,
        )
            .transaction(
                |(essays, texts, by_assignment, by_external_id, request_ids, grades, exemplars, postings, prints)| {
                    if essays.remove(essay_key.as_slice())?.is_none() {
                        // A concurrent delete won.
                        return Ok(false);
                    }
                    texts.remove(essay_key.as_slice())?;
                    by_assignment.remove(assignment_key.as_slice())?;
                    if let Some(key) = &external_key {
                        by_external_id.remove(key.as_slice())?;
                    }
                    if let Some(key) = &request_key {
                        request_ids.remove(key.as_slice())?;
                    }
                    for key in &grade_keys {
                        grades.remove(key)?;
                    }
                    exemplars.remove(essay_key.as_slice())?;
                    fingerprints::remove_in(postings, prints, tenant, id).map_err(index_error)?;
                    Ok(true)
                },
            )
            .map_err(from_tx);
        self.fingerprint_index.changed();
        deleted
    }

    fn insert_assignment(&self, tenant: &str, record: &AssignmentRecord) -> Result<bool, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let key = keys::assignment(tenant, &record.id);
        let inserted = self
            .assignments
            .compare_and_swap(key, None as Option<&[u8]>, Some(records::encode(record)))?;
        Ok(inserted.is_ok())
    }

    fn replace_assignment(&self, tenant: &str, record: &AssignmentRecord) -> Result<bool, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let key = keys::assignment(tenant, &record.id);
        let bytes = records::encode(record);
        let replaced = self.assignments.transaction(|tree| {
            if tree.get(&key)?.is_none() {
                return Ok(false);
            }
            tree.insert(key.as_slice(), bytes.as_slice())?;
            Ok(true)
        });
        replaced.map_err(|e: TransactionError<StoreError>| from_tx(e))
    }

    fn assignment(&self, tenant: &str, id: &str) -> Result<Option<AssignmentRecord>, StoreError> {
        self.assignments
            .get(keys::assignment(tenant, id))?
            .map(|bytes| records::decode("assignment", &bytes))
            .transpose()
    }

    fn list_assignments(
        &self,
        tenant: &str,
        course_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AssignmentRecord>, StoreError> {
        let prefix = keys::tenant_prefix(tenant);
        let start = match after {
            Some(id) => keys::successor(&keys::assignment(tenant, id)),
            None => prefix.clone(),
        };
        let mut found = Vec::new();
        for entry in entries_under(&self.assignments, &prefix, &start) {
            if found.len() >= limit {
                break;
            }
            let (_, value) = entry?;
            let record: AssignmentRecord = records::decode("assignment", &value)?;
            if course_id.is_empty() || record.course_id == course_id {
                found.push(record);
            }
        }
        Ok(found)
    }

    fn insert_grade(&self, tenant: &str, grade: &GradeRecord) -> Result<bool, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let (essay_id, grade_id) = grade_ids(grade)?;
        let essay_key = keys::essay(tenant, &essay_id);
        let grade_key = keys::grade(tenant, &essay_id, &grade_id);
        let bytes = records::encode(grade);
        (&self.essays, &self.grades)
            .transaction(|(essays, grades)| {
                if essays.get(&essay_key)?.is_none() {
                    return Ok(false);
                }
                grades.insert(grade_key.as_slice(), bytes.as_slice())?;
                Ok(true)
            })
            .map_err(from_tx)
    }

    fn replace_grade(&self, tenant: &str, grade: &GradeRecord) -> Result<bool, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let (essay_id, grade_id) = grade_ids(grade)?;
        let essay_key = keys::essay(tenant, &essay_id);
        let grade_key = keys::grade(tenant, &essay_id, &grade_id);
        let bytes = records::encode(grade);
        (&self.essays, &self.grades)
            .transaction(|(essays, grades)| {
                if essays.get(&essay_key)?.is_none() || grades.get(&grade_key)?.is_none() {
                    return Ok(false);
                }
                grades.insert(grade_key.as_slice(), bytes.as_slice())?;
                Ok(true)
            })
            .map_err(from_tx)
    }

    fn grade(&self, tenant: &str, essay: &EssayKey, grade: &[u8; 16]) -> Result<Option<GradeRecord>, StoreError> {
        self.grades
            .get(keys::grade(tenant, essay, grade))?
            .map(|bytes| records::decode("grade", &bytes))
            .transpose()
    }

    fn list_grades(
        &self,
        tenant: &str,
        essay: &EssayKey,
        before: Option<&[u8; 16]>,
        limit: usize,
    ) -> Result<Vec<GradeRecord>, StoreError> {
        let prefix = keys::essay(tenant, essay);
        let end = match before {
            Some(grade) => keys::grade(tenant, essay, grade),
            None => {
                let mut end = prefix.clone();
                end.extend_from_slice(&[0xff; 17]);
                end
            }
        };
        let mut found = Vec::new();
        for entry in self.grades.range(prefix.clone()..end).rev() {
            if found.len() >= limit {
                break;
            }
            let (_, value) = entry?;
            found.push(records::decode("grade", &value)?);
        }
        Ok(found)
    }

    fn insert_rubric(&self, tenant: &str, rubric: &RubricRecord, new_name: bool) -> Result<Option<u32>, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let latest_key = keys::rubric_latest(tenant, &rubric.name);
        (&self.rubrics, &self.rubric_latest)
            .transaction(|(rubrics, latest)| {
                let current = latest
                    .get(&latest_key)?
                    .map(|v| decode_version("rubric", &v))
                    .transpose()
                    .map_err(abort)?;
                let version = match (new_name, current) {
                    (true, None) => 1,
                    (false, Some(v)) => v + 1,
                    _ => return Ok(None),
                };
                let record = RubricRecord {
                    version,
                    ..rubric.clone()
                };
                rubrics.insert(
                    keys::rubric_version(tenant, &rubric.name, version),
                    records::encode(&record),
                )?;
                latest.insert(latest_key.as_slice(), &version.to_be_bytes())?;
                Ok(Some(version))
            })
            .map_err(from_tx)
    }

    fn rubric(&self, tenant: &str, name: &str, version: Option<u32>) -> Result<Option<RubricRecord>, StoreError> {
        let version = match version {
            Some(v) => v,
            None => match self.rubric_latest.get(keys::rubric_latest(tenant, name))? {
                Some(v) => decode_version("rubric", &v)?,
                None => return Ok(None),
            },
        };
        self.rubrics
            .get(keys::rubric_version(tenant, name, version))?
            .map(|bytes| records::decode("rubric", &bytes))
            .transpose()
    }

    fn list_rubrics(&self, tenant: &str, after: Option<&str>, limit: usize) -> Result<Vec<RubricRecord>, StoreError> {
        let prefix = keys::tenant_prefix(tenant);
        let start = match after {
            Some(name) => keys::successor(&keys::rubric_latest(tenant, name)),
            None => prefix.clone(),
        };
        let mut found = Vec::new();
        for entry in entries_under(&self.rubric_latest, &prefix, &start).take(limit) {
            let (key, _) = entry?;
            let name = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            if let Some(r) = self.rubric(tenant, &name, None)? {
                found.push(r);
            }
        }
        Ok(found)
    }

    fn insert_job(&self, tenant: &str, job: &JobRecord, essays: &[EssayKey]) -> Result<(), StoreError> {
        self.guard.check_write(SMALL_WRITE + 32 * essays.len())?;
        let id: [u8; 16] = job.id.as_slice().try_into().map_err(|_| StoreError::Corrupt {
            what: "job",
            detail: "job id is not 16 bytes".into(),
        })?;
        let mut batch = sled::Batch::default();
        for (sequence, essay) in essays.iter().enumerate() {
            batch.insert(keys::job_item(tenant, &id, sequence as u32), essay.as_slice());
        }
        // The essay list first, the job record last: a job is visible (and
        // resumable) only once its list is complete.
        self.job_essays.apply_batch(batch)?;
        self.jobs.insert(keys::job(tenant, &id), records::encode(job))?;
        Ok(())
    }

    fn job(&self, tenant: &str, id: &[u8; 16]) -> Result<Option<JobRecord>, StoreError> {
        self.jobs
            .get(keys::job(tenant, id))?
            .map(|bytes| records::decode("job", &bytes))
            .transpose()
    }

    fn update_job(
        &self,
        tenant: &str,
        id: &[u8; 16],
        change: &dyn Fn(&mut JobRecord),
    ) -> Result<Option<JobRecord>, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let key = keys::job(tenant, id);
        self.jobs
            .transaction(|tree| {
                let Some(bytes) = tree.get(&key)? else {
                    return Ok(None);
                };
                let mut job: JobRecord = records::decode("job", &bytes).map_err(abort)?;
                change(&mut job);
                tree.insert(key.as_slice(), records::encode(&job))?;
                Ok(Some(job))
            })
            .map_err(from_tx)
    }

    fn list_jobs(&self, tenant: &str, before: Option<&[u8; 16]>, limit: usize) -> Result<Vec<JobRecord>, StoreError> {
        let prefix = keys::tenant_prefix(tenant);
        let end = match before {
            Some(id) => keys::job(tenant, id),
            None => {
                let mut end = prefix.clone();
                end.extend_from_slice(&[0xff; 17]);
                end
            }
        };
        let mut found = Vec::new();
        for entry in self.jobs.range(prefix..end).rev() {
            if found.len() >= limit {
                break;
            }
            let (_, value) = entry?;
            found.push(records::decode("job", &value)?);
        }
        Ok(found)
    }

    fn job_essays(
        &self,
        tenant: &str,
        job: &[u8; 16],
        from: u32,
        limit: usize,
    ) -> Result<Vec<(u32, EssayKey)>, StoreError> {
        job_items(&self.job_essays, tenant, job, from, limit, |value| {
            value.try_into().map_err(|_| StoreError::Corrupt {
                what: "job essay",
                detail: "essay id is not 16 bytes".into(),
            })
        })
    }

    fn record_job_results(
        &self,
        tenant: &str,
        job: &[u8; 16],
        items: &[JobItem],
    ) -> Result<Option<JobRecord>, StoreError> {
        // Each result and its grade (spans, feedback).
        self.guard.check_write(SMALL_WRITE * (1 + items.len()))?;
        let job_key = keys::job(tenant, job);
        let mut prepared = Vec::with_capacity(items.len());
        for item in items {
            let grade = match &item.grade {
                Some(g) => {
                    let (essay, id) = grade_ids(&g.record)?;
                    Some((
                        keys::essay(tenant, &essay),
                        keys::grade(tenant, &essay, &id),
                        records::encode(&g.record),
                        &g.if_essay_deleted,
                    ))
                }
                None => None,
            };
            prepared.push((keys::job_item(tenant, job, item.sequence), &item.result, grade));
        }
        (&self.jobs, &self.job_results, &self.essays, &self.grades)
            .transaction(|(jobs, results, essays, grades)| {
                let Some(job_bytes) = jobs.get(&job_key)? else {
                    return Ok(None);
                };
                let mut job: JobRecord = records::decode("job", &job_bytes).map_err(abort)?;
                for (result_key, result, grade) in &prepared {
                    if results.get(result_key)?.is_some() {
                        continue;
                    }
                    let result = match grade {
                        Some((essay_key, grade_key, bytes, _)) if essays.get(essay_key)?.is_some() => {
                            grades.insert(grade_key.as_slice(), bytes.as_slice())?;
                            job.graded += 1;
                            *result
                        }
                        Some((_, _, _, if_essay_deleted)) => {
                            job.failed += 1;
                            *if_essay_deleted
                        }
                        None => {
                            job.failed += 1;
                            *result
                        }
                    };
                    results.insert(result_key.as_slice(), records::encode(result))?;
                }
                jobs.insert(job_key.as_slice(), records::encode(&job))?;
                Ok(Some(job))
            })
            .map_err(from_tx)
    }

    fn job_results(
        &self,
        tenant: &str,
        job: &[u8; 16],
        from: u32,
        limit: usize,
    ) -> Result<Vec<(u32, JobResultRecord)>, StoreError> {
        job_items(&self.job_results, tenant, job, from, limit, |value| {
            records::decode("job result", value)
        })
    }

    fn jobs_in_states(&self, states: &[i32]) -> Result<Vec<(String, JobRecord)>, StoreError> {
        let mut found = Vec::new();
        for entry in self.jobs.iter() {
            let (key, value) = entry?;
            let job: JobRecord = records::decode("job", &value)?;
            if states.contains(&job.state) {
                let tenant_len = key.iter().position(|&b| b == 0).unwrap_or(0);
                found.push((String::from_utf8_lossy(&key[..tenant_len]).into_owned(), job));
            }
        }
        Ok(found)
    }

    fn set_exemplar(&self, tenant: &str, essay: &EssayKey, exemplar: &ExemplarRecord) -> Result<bool, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let key = keys::essay(tenant, essay);
        let bytes = records::encode(exemplar);
        (&self.essays, &self.exemplars)
            .transaction(|(essays, exemplars)| {
                if essays.get(&key)?.is_none() {
                    return Ok(false);
                }
                exemplars.insert(key.as_slice(), bytes.as_slice())?;
                Ok(true)
            })
            .map_err(from_tx)
    }

    fn exemplar(&self, tenant: &str, essay: &EssayKey) -> Result<Option<ExemplarRecord>, StoreError> {
        self.exemplars
            .get(keys::essay(tenant, essay))?
            .map(|bytes| records::decode("exemplar", &bytes))
            .transpose()
    }

    fn delete_exemplar(&self, tenant: &str, essay: &EssayKey) -> Result<bool, StoreError> {
        self.guard.check_delete()?;
        Ok(self.exemplars.remove(keys::essay(tenant, essay))?.is_some())
    }

    fn insert_model(&self, tenant: &str, model: &ModelRecord) -> Result<u32, StoreError> {
        self.guard
            .check_write(SMALL_WRITE + prost::Message::encoded_len(model))?;
        let latest_key = keys::model(tenant, &model.assignment_id, &model.name);
        (&self.models, &self.model_latest)
            .transaction(|(models, latest)| {
                let current = match latest.get(&latest_key)? {
                    Some(v) => decode_version("model", &v).map_err(abort)?,
                    None => 0,
                };
                let version = current + 1;
                let record = ModelRecord {
                    version,
                    ..model.clone()
                };
                models.insert(
                    keys::model_version(tenant, &model.assignment_id, &model.name, version),
                    records::encode(&record),
                )?;
                latest.insert(latest_key.as_slice(), &version.to_be_bytes())?;
                Ok(version)
            })
            .map_err(from_tx)
    }

    fn model(
        &self,
        tenant: &str,
        assignment: &str,
        name: &str,
        version: Option<u32>,
    ) -> Result<Option<ModelRecord>, StoreError> {
        let version = match version {
            Some(v) => v,
            None => match self.model_latest.get(keys::model(tenant, assignment, name))? {
                Some(v) => decode_version("model", &v)?,
                None => return Ok(None),
            },
        };
        self.models
            .get(keys::model_version(tenant, assignment, name, version))?
            .map(|bytes| records::decode("model", &bytes))
            .transpose()
    }

    fn list_models(&self, tenant: &str, assignment: &str) -> Result<Vec<ModelRecord>, StoreError> {
        let prefix = keys::name_prefix(tenant, assignment);
        let mut found = Vec::new();
        for entry in entries_under(&self.model_latest, &prefix, &prefix) {
            let (key, _) = entry?;
            let name = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            if let Some(m) = self.model(tenant, assignment, &name, None)? {
                found.push(m);
            }
        }
        Ok(found)
    }

    fn insert_api_key(&self, token_hash: &[u8; 32], key: &ApiKeyRecord) -> Result<(), StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        let bytes = records::encode(key);
        (&self.api_keys, &self.api_key_ids)
            .transaction(|(keys_tree, ids)| {
                keys_tree.insert(token_hash.as_slice(), bytes.as_slice())?;
                ids.insert(key.key_id.as_bytes(), token_hash.as_slice())?;
                Ok(())
            })
            .map_err(from_tx)
    }

    fn api_key(&self, token_hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.api_keys
            .get(token_hash)?
            .map(|bytes| records::decode("api key", &bytes))
            .transpose()
    }

    fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.api_key_ids
            .iter()
            .values()
            .filter_map(|hash| match hash {
                Ok(hash) => self.api_keys.get(hash).transpose(),
                Err(e) => Some(Err(e)),
            })
            .map(|bytes| records::decode("api key", &bytes?))
            .collect()
    }

    fn revoke_api_key(&self, key_id: &str, when_us: i64) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.guard.check_write(SMALL_WRITE)?;
        (&self.api_keys, &self.api_key_ids)
            .transaction(|(keys_tree, ids)| {
                let Some(hash) = ids.get(key_id.as_bytes())? else {
                    return Ok(None);
                };
                let Some(bytes) = keys_tree.get(&hash)? else {
                    return Ok(None);
                };
                let mut key: ApiKeyRecord = records::decode("api key", &bytes).map_err(abort)?;
                key.revoke_time_us = key.revoke_time_us.or(Some(when_us));
                keys_tree.insert(hash, records::encode(&key))?;
                Ok(Some(key))
            })
            .map_err(from_tx)
    }

    fn report_signing_key(&self, candidate: &[u8; 32]) -> Result<[u8; 32], StoreError> {
        const KEY: &[u8] = b"report_signing_key";
        let corrupt = || StoreError::Corrupt {
            what: "report signing key",
            detail: "not 32 bytes".into(),
        };
        if let Some(stored) = self.secrets.get(KEY)? {
            return stored.as_ref().try_into().map_err(|_| corrupt());
        }
        self.guard.check_write(SMALL_WRITE)?;
        match self
            .secrets
            .compare_and_swap(KEY, None as Option<&[u8]>, Some(candidate.as_slice()))?
        {
            Ok(()) => Ok(*candidate),
            Err(lost) => lost
                .current
                .ok_or_else(corrupt)?
                .as_ref()
                .try_into()
                .map_err(|_| corrupt()),
        }
    }

    fn fingerprint_index(&self) -> &dyn FingerprintIndex {
        &self.fingerprint_index
    }

    fn sync(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.commit.sync())
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn essay(id: [u8; 16]) -> EssayRecord {
        EssayRecord {
            id: id.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn deleting_an_essay_removes_its_text_indexes_and_grades_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
        let id = [1; 16];
        let record = EssayRecord {
            external_id: "sub-1".into(),
            request_id: "req-1".into(),
            ..essay(id)
        };
        let outcome = store
            .insert_essay(
                "t",
                EssayInsert {
                    record: &record,
                    text: "text",
                    request: Some(("req-1", [0; 32])),
                    fingerprints: Some(&crate::copies::fingerprint("text")),
                },
            )
            .unwrap();
        assert_eq!(outcome, InsertOutcome::Inserted);
        let grade = GradeRecord {
            id: vec![2; 16],
            essay_id: id.to_vec(),
            ..Default::default()
        };
        assert!(store.insert_grade("t", &grade).unwrap());
        assert!(store.delete_essay("t", &id).unwrap());
        for tree in [
            &store.essays,
            &store.texts,
            &store.by_assignment,
            &store.by_external_id,
            &store.request_ids,
            &store.grades,
            &store.fingerprint_postings,
            &store.essay_fingerprints,
        ] {
            assert!(tree.is_empty(), "{:?} still holds data", tree.name());
        }
        // A grade for an essay that is gone is refused, not orphaned.
        assert!(!store.insert_grade("t", &grade).unwrap());
        assert!(store.grades.is_empty());
    }

    #[test]
    fn a_job_grade_whose_essay_was_deleted_is_recorded_as_the_cores_failure_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
        let job = JobRecord {
            id: vec![9; 16],
            total: 1,
            ..Default::default()
        };
        let gone = [3; 16];
        store.insert_job("t", &job, &[gone]).unwrap();
        let failure = JobResultRecord {
            essay_id: gone.to_vec(),
            error_code: 7,
            error_reason: "ESSAY_NOT_FOUND".into(),
            ..Default::default()
        };
        let item = JobItem {
            sequence: 0,
            result: JobResultRecord {
                essay_id: gone.to_vec(),
                grade_id: vec![4; 16],
                ..Default::default()
            },
            grade: Some(super::super::JobGrade {
                record: GradeRecord {
                    id: vec![4; 16],
                    essay_id: gone.to_vec(),
                    ..Default::default()
                },
                if_essay_deleted: failure.clone(),
            }),
        };
        let recorded = store.record_job_results("t", &[9; 16], &[item]).unwrap().unwrap();
        assert_eq!((recorded.graded, recorded.failed), (0, 1));
        assert!(store.grades.is_empty(), "no grade for an essay that is gone");
        let results = store.job_results("t", &[9; 16], 0, 10).unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].1, failure);
    }

    #[test]
    fn storing_or_deleting_an_essay_makes_a_postings_snapshot_stale() {
        use crate::copies::PostingsSnapshot;

        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let insert = |id: [u8; 16]| {
            let record = essay(id);
            let insert = EssayInsert {
                record: &record,
                text,
                request: None,
                fingerprints: Some(&crate::copies::fingerprint(text)),
            };
            store.insert_essay("t", insert).unwrap()
        };
        insert([1; 16]);
        let index = store.fingerprint_index();
        let snapshot = PostingsSnapshot::load(index, "t", 50, usize::MAX).unwrap().unwrap();
        let hashes = crate::copies::fingerprint(text).hashes();
        assert_eq!(
            snapshot.candidates(&hashes, None, 50),
            index.candidates("t", &hashes, None, 50).unwrap()
        );
        assert_eq!(snapshot.version(), index.version());
        insert([2; 16]);
        let after_insert = index.version();
        assert_ne!(snapshot.version(), after_insert);
        assert!(store.delete_essay("t", &[2; 16]).unwrap());
        assert_ne!(index.version(), after_insert);
    }

    #[test]
    fn another_tenant_sees_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
        let record = essay([3; 16]);
        store
            .insert_essay(
                "school-a",
                EssayInsert {
                    record: &record,
                    text: "text",
                    request: None,
                    fingerprints: None,
                },
            )
            .unwrap();
        assert!(store.essay("school-b", &[3; 16]).unwrap().is_none());
        let query = EssayQuery::default();
        assert!(store.list_essays("school-b", &query, None, 10).unwrap().is_empty());
        assert_eq!(store.list_essays("school-a", &query, None, 10).unwrap().len(), 1);
    }
}
