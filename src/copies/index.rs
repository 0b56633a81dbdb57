//! The fingerprint index: for each tenant, which essays hold each fingerprint
//! hash (postings), and each essay's own fingerprints, so that an essay can
//! be removed without its text and verified without re-fingerprinting.
//!
//! The trait keeps storage types out of the copy-detection core; the sled
//! implementation is `store_fingerprints::SledFingerprintIndex`, and
//! [`MemoryFingerprintIndex`] serves unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::RwLock;

use rustc_hash::FxHashMap;

use super::{Fingerprints, tally};

/// An essay id as the store sees it: 16 bytes that sort by creation time.
pub type EssayKey = [u8; 16];

/// Errors of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexError {
    /// The disk or the database failed.
    Unavailable(String),
    /// A stored entry could not be decoded.
    Corrupt(String),
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexError::Unavailable(e) => write!(f, "fingerprint index unavailable: {e}"),
            IndexError::Corrupt(e) => write!(f, "corrupt fingerprint index: {e}"),
        }
    }
}

impl std::error::Error for IndexError {}

/// An essay sharing fingerprints with a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub essay: EssayKey,
    /// Distinct query hashes the essay holds (common hashes not counted).
    pub shared: u32,
}

/// The result of [`FingerprintIndex::candidates`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// In no particular order.
    pub essays: Vec<Candidate>,
    /// For each query hash that other essays hold, how many hold it. A
    /// count above `max_postings` means the scan stopped there: a stock
    /// phrase or a shared source, counted for no candidate in `essays`.
    pub holders: Vec<(u64, u32)>,
}

/// Tenant-scoped postings from fingerprint hashes to essays.
pub trait FingerprintIndex: Send + Sync {
    /// Indexes an essay's fingerprints, replacing any it had.
    fn insert(&self, tenant: &str, essay: &EssayKey, fingerprints: &Fingerprints) -> Result<(), IndexError>;
    /// Removes an essay's fingerprints and postings; `false` if it had none.
    fn remove(&self, tenant: &str, essay: &EssayKey) -> Result<bool, IndexError>;
    /// An essay's stored fingerprints.
    fn fingerprints(&self, tenant: &str, essay: &EssayKey) -> Result<Option<Fingerprints>, IndexError>;
    /// The essays of `tenant` (other than `exclude`) holding the query's
    /// `hashes` (distinct, sorted), with how many of them each holds.
    fn candidates(
        &self,
        tenant: &str,
        hashes: &[u64],
        exclude: Option<&EssayKey>,
        max_postings: usize,
    ) -> Result<Candidates, IndexError>;
}

/// An index in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryFingerprintIndex {
    inner: RwLock<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    postings: BTreeMap<(String, u64), BTreeSet<EssayKey>>,
    essays: BTreeMap<(String, EssayKey), Fingerprints>,
}

impl MemoryFingerprintIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Postings held for `tenant`, all hashes together.
    pub fn posting_count(&self, tenant: &str) -> usize {
        let m = self.inner.read().unwrap_or_else(|e| e.into_inner());
        m.postings
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .map(|(_, essays)| essays.len())
            .sum()
    }
}

impl Memory {
    fn remove(&mut self, tenant: &str, essay: &EssayKey) -> bool {
        let Some(old) = self.essays.remove(&(tenant.to_owned(), *essay)) else {
            return false;
        };
        for hash in old.hashes() {
            let key = (tenant.to_owned(), hash);
            if let Some(set) = self.postings.get_mut(&key) {
                set.remove(essay);
                if set.is_empty() {
                    self.postings.remove(&key);
                }
            }
        }
        true
    }
}

impl FingerprintIndex for MemoryFingerprintIndex {
    fn insert(&self, tenant: &str, essay: &EssayKey, fingerprints: &Fingerprints) -> Result<(), IndexError> {
        let mut m = self.inner.write().unwrap_or_else(|e| e.into_inner());
        m.remove(tenant, essay);
        for hash in fingerprints.hashes() {
            m.postings.entry((tenant.to_owned(), hash)).or_default().insert(*essay);
        }
        m.essays.insert((tenant.to_owned(), *essay), fingerprints.clone());
        Ok(())
    }

    fn remove(&self, tenant: &str, essay: &EssayKey) -> Result<bool, IndexError> {
        let mut m = self.inner.write().unwrap_or_else(|e| e.into_inner());
        Ok(m.remove(tenant, essay))
    }

    fn fingerprints(&self, tenant: &str, essay: &EssayKey) -> Result<Option<Fingerprints>, IndexError> {
        let m = self.inner.read().unwrap_or_else(|e| e.into_inner());
        Ok(m.essays.get(&(tenant.to_owned(), *essay)).cloned())
    }

    fn candidates(
        &self,
        tenant: &str,
        hashes: &[u64],
        exclude: Option<&EssayKey>,
        max_postings: usize,
    ) -> Result<Candidates, IndexError> {
        let m = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut counts = FxHashMap::default();
        let mut holders = Vec::new();
        for &hash in hashes {
            let Some(set) = m.postings.get(&(tenant.to_owned(), hash)) else {
                continue;
            };
            let others = set.iter().filter(|e| Some(*e) != exclude);
            let n = others.clone().take(max_postings + 1).count();
            if n == 0 {
                continue;
            }
            holders.push((hash, n as u32));
            if n <= max_postings {
                tally(others.copied(), &mut counts);
            }
        }
        Ok(Candidates {
            essays: counts
                .into_iter()
                .map(|(essay, shared)| Candidate { essay, shared })
                .collect(),
            holders,
        })
    }
}
