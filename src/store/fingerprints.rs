//! The sled implementation of [`FingerprintIndex`].
//!
//! Two trees, every key starting with `tenant 0x00` like the rest of the
//! store (tenant ids never contain NUL, so tenants cannot see each other's
//! keys):
//!
//! - `fingerprint_postings`: `tenant 0x00 hash_be64 essay16` → empty. One key
//!   per (hash, essay), sorted by hash, so the essays holding a hash are one
//!   prefix scan of `tenant 0x00 hash_be64`, and adding or removing an essay
//!   touches only its own keys (no read-modify-write of a shared posting list,
//!   no contention between writers of different essays). The value is empty:
//!   candidates need only the essay, and positions are in the essay's record.
//!   sled compresses the common key prefix inside a node, so the tenant costs
//!   little per key.
//! - `essay_fingerprints`: `tenant 0x00 essay16` → [`Fingerprints::to_bytes`]
//!   (a version byte and the scheme, then ~9 bytes a fingerprint). Removal
//!   reads it to find the postings to delete, so it needs no text; a search
//!   reads it to verify a candidate without re-fingerprinting.
//!
//! Both trees are written in one transaction. [`insert_in`] and
//! [`remove_in`] work on transactional trees, so the store can index an
//! essay in the same transaction that inserts (or deletes) it.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use sled::{
    Transactional, Tree,
    transaction::{ConflictableTransactionError, TransactionError, TransactionalTree},
};

use crate::copies::{Candidates, CandidatesBuilder, EssayKey, FingerprintIndex, Fingerprints, IndexError};

/// Tree names.
pub const POSTINGS_TREE: &str = "fingerprint_postings";
pub const ESSAYS_TREE: &str = "essay_fingerprints";

impl From<sled::Error> for IndexError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { .. } => IndexError::Corrupt(e.to_string()),
            other => IndexError::Unavailable(other.to_string()),
        }
    }
}

fn from_tx(e: TransactionError<IndexError>) -> IndexError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => e.into(),
    }
}

/// `tenant 0x00`.
fn tenant_prefix(tenant: &str, extra: usize) -> Vec<u8> {
    let mut k = Vec::with_capacity(tenant.len() + 1 + extra);
    k.extend_from_slice(tenant.as_bytes());
    k.push(0);
    k
}

/// `tenant 0x00 hash_be64`: the prefix of a hash's postings.
pub fn postings_prefix(tenant: &str, hash: u64) -> Vec<u8> {
    let mut k = tenant_prefix(tenant, 8 + 16);
    k.extend_from_slice(&hash.to_be_bytes());
    k
}

/// `tenant 0x00 hash_be64 essay16`: one posting.
pub fn posting_key(tenant: &str, hash: u64, essay: &EssayKey) -> Vec<u8> {
    let mut k = postings_prefix(tenant, hash);
    k.extend_from_slice(essay);
    k
}

/// `tenant 0x00 essay16`: an essay's fingerprints.
pub fn essay_key(tenant: &str, essay: &EssayKey) -> Vec<u8> {
    let mut k = tenant_prefix(tenant, 16);
    k.extend_from_slice(essay);
    k
}

fn decode(bytes: &[u8]) -> Result<Fingerprints, IndexError> {
    Fingerprints::from_bytes(bytes).map_err(|e| IndexError::Corrupt(e.to_string()))
}

/// Removes an essay's postings and fingerprints inside a transaction on the
/// two trees; `false` if it had none.
pub fn remove_in(
    postings: &TransactionalTree,
    essays: &TransactionalTree,
    tenant: &str,
    essay: &EssayKey,
) -> Result<bool, ConflictableTransactionError<IndexError>> {
    let key = essay_key(tenant, essay);
    let Some(old) = essays.remove(key)? else {
        return Ok(false);
    };
    let old = decode(&old).map_err(ConflictableTransactionError::Abort)?;
    for hash in old.hashes() {
        postings.remove(posting_key(tenant, hash, essay))?;
    }
    Ok(true)
}

/// Indexes an essay (replacing what it had) inside a transaction on the two
/// trees.
pub fn insert_in(
    postings: &TransactionalTree,
    essays: &TransactionalTree,
    tenant: &str,
    essay: &EssayKey,
    fingerprints: &Fingerprints,
) -> Result<(), ConflictableTransactionError<IndexError>> {
    remove_in(postings, essays, tenant, essay)?;
    for hash in fingerprints.hashes() {
        postings.insert(posting_key(tenant, hash, essay), &[])?;
    }
    essays.insert(essay_key(tenant, essay), fingerprints.to_bytes())?;
    Ok(())
}

/// The fingerprint index in a sled database.
#[derive(Debug, Clone)]
pub struct SledFingerprintIndex {
    postings: Tree,
    essays: Tree,
    /// [`FingerprintIndex::version`]: bumped after every committed change,
    /// here and by the store's transactions that call [`insert_in`] or
    /// [`remove_in`] (through [`Self::changed`]).
    version: Arc<AtomicU64>,
}

/// Entries and bytes (keys plus values) an index holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexSize {
    pub essays: u64,
    pub postings: u64,
    pub bytes: u64,
}

impl SledFingerprintIndex {
    /// Opens (or creates) the index's trees in `db`.
    pub fn open(db: &sled::Db) -> Result<Self, IndexError> {
        Ok(Self {
            postings: db.open_tree(POSTINGS_TREE)?,
            essays: db.open_tree(ESSAYS_TREE)?,
            version: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Marks the index changed: to be called after a transaction that used
    /// [`insert_in`] or [`remove_in`] commits (snapshots read before are
    /// stale from then on).
    pub fn changed(&self) {
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts entries and the bytes of their keys and values (what sled
    /// stores before its own overhead). A full scan: for reports, not requests.
    pub fn size(&self) -> Result<IndexSize, IndexError> {
        let mut size = IndexSize::default();
        for entry in self.postings.iter() {
            let (k, v) = entry?;
            size.postings += 1;
            size.bytes += (k.len() + v.len()) as u64;
        }
        for entry in self.essays.iter() {
            let (k, v) = entry?;
            size.essays += 1;
            size.bytes += (k.len() + v.len()) as u64;
        }
        Ok(size)
    }

    /// How many postings `tenant` has. A scan: for tests and reports.
    pub fn posting_count(&self, tenant: &str) -> Result<usize, IndexError> {
        let mut n = 0;
        for entry in self.postings.scan_prefix(tenant_prefix(tenant, 0)) {
            entry?;
            n += 1;
        }
        Ok(n)
    }
}

impl FingerprintIndex for SledFingerprintIndex {
    fn insert(&self, tenant: &str, essay: &EssayKey, fingerprints: &Fingerprints) -> Result<(), IndexError> {
        let done = (&self.postings, &self.essays)
            .transaction(|(postings, essays)| insert_in(postings, essays, tenant, essay, fingerprints))
            .map_err(from_tx);
        self.changed();
        done
    }

    fn remove(&self, tenant: &str, essay: &EssayKey) -> Result<bool, IndexError> {
        let done = (&self.postings, &self.essays)
            .transaction(|(postings, essays)| remove_in(postings, essays, tenant, essay))
            .map_err(from_tx);
        self.changed();
        done
    }

    fn scan_fingerprints(
        &self,
        tenant: &str,
        visit: &mut dyn FnMut(&EssayKey, Fingerprints) -> bool,
    ) -> Result<(), IndexError> {
        let prefix = tenant_prefix(tenant, 0);
        for entry in self.essays.scan_prefix(&prefix) {
            let (key, value) = entry?;
            let essay: EssayKey = key
                .get(prefix.len()..)
                .and_then(|id| id.try_into().ok())
                .ok_or_else(|| IndexError::Corrupt("fingerprints key is not 16 bytes".into()))?;
            if !visit(&essay, decode(&value)?) {
                break;
            }
        }
        Ok(())
    }

    fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    fn fingerprints(&self, tenant: &str, essay: &EssayKey) -> Result<Option<Fingerprints>, IndexError> {
        self.essays
            .get(essay_key(tenant, essay))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    fn candidates(
        &self,
        tenant: &str,
        hashes: &[u64],
        exclude: Option<&EssayKey>,
        max_postings: usize,
    ) -> Result<Candidates, IndexError> {
        let mut built = CandidatesBuilder::default();
        let mut found: Vec<EssayKey> = Vec::with_capacity(max_postings + 1);
        // Sorted hashes visit the tree in key order, which keeps the nodes
        // of neighbouring scans in cache.
        for &hash in hashes {
            found.clear();
            let prefix = postings_prefix(tenant, hash);
            for entry in self.postings.scan_prefix(&prefix) {
                let (key, _) = entry?;
                let essay: EssayKey = key
                    .get(prefix.len()..)
                    .and_then(|id| id.try_into().ok())
                    .ok_or_else(|| IndexError::Corrupt("posting key is not 16 bytes".into()))?;
                if Some(&essay) == exclude {
                    continue;
                }
                found.push(essay);
                // One past the limit tells "too common" apart.
                if found.len() > max_postings {
                    break;
                }
            }
            built.add(hash, &found, max_postings);
        }
        Ok(built.finish())
    }
}
