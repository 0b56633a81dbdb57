//! The sled implementation of [`Store`].
//!
//! Trees: `essays` (metadata records), `essay_texts` (texts, apart so that
//! listings never read them), `essays_by_assignment` and
//! `essays_by_external_id` (indexes), `request_ids` (AIP-155 idempotency)
//! and `assignments`. An essay and its index entries are written and deleted
//! in one transaction.

use std::path::Path;

use sled::{
    Transactional, Tree,
    transaction::{ConflictableTransactionError, TransactionError},
};

use super::{
    AssignmentRecord, EssayInsert, EssayKey, EssayQuery, EssayRecord, InsertOutcome, Store,
    StoreError, StoreFuture,
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
    commit: GroupCommit,
}

/// Options for opening the store.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// sled's page cache, in bytes.
    pub cache_capacity: u64,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self {
            cache_capacity: 256 * 1024 * 1024,
        }
    }
}

fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
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
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
        })?;
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
            commit: GroupCommit::new(db.clone()),
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
    fn insert_essay(
        &self,
        tenant: &str,
        insert: EssayInsert<'_>,
    ) -> Result<InsertOutcome, StoreError> {
        let record = insert.record;
        let id: EssayKey = record
            .id
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt {
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
            (
                keys::request_id(tenant, request_id),
                digest,
                records::encode(&entry),
            )
        });
        let external_key = (!record.external_id.is_empty())
            .then(|| keys::external_id(tenant, &record.assignment_id, &record.external_id));
        let assignment_key = (!record.assignment_id.is_empty())
            .then(|| keys::assignment(tenant, &record.assignment_id));

        (
            &self.essays,
            &self.texts,
            &self.by_assignment,
            &self.by_external_id,
            &self.request_ids,
            &self.assignments,
        )
            .transaction(
                |(essays, texts, by_assignment, by_external_id, request_ids, assignments)| {
                    if let Some((key, digest, _)) = &request
                        && let Some(seen) = request_ids.get(key)?
                    {
                        let seen: IdempotencyRecord =
                            records::decode("request id", &seen).map_err(abort)?;
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
                    by_assignment.insert(
                        keys::assignment_essay(tenant, &record.assignment_id, &id),
                        &[],
                    )?;
                    texts.insert(essay_key.as_slice(), insert.text.as_bytes())?;
                    essays.insert(essay_key.as_slice(), record_bytes.as_slice())?;
                    Ok(InsertOutcome::Inserted)
                },
            )
            .map_err(from_tx)
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
            (
                &self.by_assignment,
                keys::assignment_essays_prefix(tenant, &query.assignment_id),
            )
        };
        let start = match after {
            Some(id) => {
                let mut k = prefix.clone();
                k.extend_from_slice(id);
                keys::successor(&k)
            }
            None => prefix.clone(),
        };
        for entry in tree.range(start..) {
            let (key, value) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
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
        let essay_key = keys::essay(tenant, id);
        let Some(bytes) = self.essays.get(&essay_key)? else {
            return Ok(false);
        };
        let record = Self::decode_essay(&bytes)?;
        let assignment_key = keys::assignment_essay(tenant, &record.assignment_id, id);
        let external_key = (!record.external_id.is_empty())
            .then(|| keys::external_id(tenant, &record.assignment_id, &record.external_id));
        let request_key =
            (!record.request_id.is_empty()).then(|| keys::request_id(tenant, &record.request_id));
        (
            &self.essays,
            &self.texts,
            &self.by_assignment,
            &self.by_external_id,
            &self.request_ids,
        )
            .transaction(
                |(essays, texts, by_assignment, by_external_id, request_ids)| {
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
                    Ok(true)
                },
            )
            .map_err(from_tx)
    }

    fn insert_assignment(
        &self,
        tenant: &str,
        record: &AssignmentRecord,
    ) -> Result<bool, StoreError> {
        let key = keys::assignment(tenant, &record.id);
        let inserted = self.assignments.compare_and_swap(
            key,
            None as Option<&[u8]>,
            Some(records::encode(record)),
        )?;
        Ok(inserted.is_ok())
    }

    fn replace_assignment(
        &self,
        tenant: &str,
        record: &AssignmentRecord,
    ) -> Result<bool, StoreError> {
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
        for entry in self.assignments.range(start..) {
            if found.len() >= limit {
                break;
            }
            let (key, value) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
            let record: AssignmentRecord = records::decode("assignment", &value)?;
            if course_id.is_empty() || record.course_id == course_id {
                found.push(record);
            }
        }
        Ok(found)
    }

    fn sync(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.commit.sync())
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}
