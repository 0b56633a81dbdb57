//! The fingerprint index: for each tenant, which essays hold each fingerprint
//! hash (postings), and each essay's own fingerprints, so that an essay can
//! be removed without its text and verified without re-fingerprinting.
//!
//! The trait keeps storage types out of the copy-detection core; the sled
//! implementation is `store_fingerprints::SledFingerprintIndex`, and
//! [`MemoryFingerprintIndex`] serves unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{
    RwLock,
    atomic::{AtomicU64, Ordering},
};

use rustc_hash::FxHashMap;

use super::{CandidatesBuilder, Fingerprints};

/// An essay id as an index (and the store) sees it: 16 bytes that sort by
/// creation time.
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
    /// Visits the fingerprints of every essay of `tenant`, in essay order,
    /// until `visit` returns `false`. An essay's postings are exactly its
    /// fingerprints' hashes (both are written together), so this is also a
    /// way to read all the postings: see [`PostingsSnapshot`].
    fn scan_fingerprints(
        &self,
        tenant: &str,
        visit: &mut dyn FnMut(&EssayKey, Fingerprints) -> bool,
    ) -> Result<(), IndexError>;
    /// A number that changes whenever an essay of any tenant is indexed or
    /// removed: a [`PostingsSnapshot`] taken at one version is current while
    /// the version has not changed.
    fn version(&self) -> u64;
}

/// A tenant's postings read into memory at one [`FingerprintIndex::version`],
/// for many searches in a row (a grading job): a hash's holders are one
/// binary search away instead of one index scan each. [`Self::candidates`]
/// gives what the index's own `candidates` gave at that version.
#[derive(Debug, Clone)]
pub struct PostingsSnapshot {
    tenant: String,
    version: u64,
    /// Up to this many holders are kept per hash, enough to tell "more than
    /// `max_postings` other than the query" apart.
    max_postings: usize,
    /// For each hash, the range of `holders` that holds its essays (as
    /// indexes into `essays`), in essay order. A hash map rather than a
    /// binary search: ~100 lookups per essay into ~400,000 hashes miss the
    /// cache at every step of a search.
    spans: FxHashMap<u64, (u32, u32)>,
    holders: Vec<u32>,
    essays: Vec<EssayKey>,
    /// Each essay's fingerprints, in `essays` order: a search verifies its
    /// candidates against them without reading the index.
    prints: Vec<Fingerprints>,
    numbers: FxHashMap<EssayKey, u32>,
}

impl PostingsSnapshot {
    /// Reads `tenant`'s postings, or `None` when it holds more than `budget`
    /// postings (the caller searches the index itself). Searches of the
    /// snapshot must use at most this `max_postings`.
    pub fn load<I: FingerprintIndex + ?Sized>(
        index: &I,
        tenant: &str,
        max_postings: usize,
        budget: usize,
    ) -> Result<Option<Self>, IndexError> {
        // The version first: a change made during the scan makes the
        // snapshot stale at once rather than silently missing.
        let version = index.version();
        let mut essays = Vec::new();
        let mut prints = Vec::new();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        let mut over = false;
        index.scan_fingerprints(tenant, &mut |essay, fp| {
            let n = essays.len() as u32;
            essays.push(*essay);
            pairs.extend(fp.hashes().into_iter().map(|h| (h, n)));
            prints.push(fp);
            over = pairs.len() > budget || essays.len() >= u32::MAX as usize;
            !over
        })?;
        if over {
            return Ok(None);
        }
        // Essays were visited in key order, so sorting by (hash, essay
        // number) orders each hash's holders as the index does.
        pairs.sort_unstable();
        let keep = max_postings + 2;
        let mut spans = FxHashMap::default();
        let mut holders = Vec::with_capacity(pairs.len());
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            let start = holders.len() as u32;
            holders.extend(run.iter().take(keep).map(|&(_, essay)| essay));
            spans.insert(run[0].0, (start, holders.len() as u32));
        }
        holders.shrink_to_fit();
        let numbers = essays.iter().enumerate().map(|(n, e)| (*e, n as u32)).collect();
        Ok(Some(Self {
            tenant: tenant.to_owned(),
            version,
            max_postings,
            spans,
            holders,
            essays,
            prints,
            numbers,
        }))
    }

    /// An essay's fingerprints as the index held them at the snapshot's
    /// version (`None`: it had none).
    pub fn fingerprints(&self, essay: &EssayKey) -> Option<&Fingerprints> {
        self.numbers.get(essay).map(|&n| &self.prints[n as usize])
    }

    /// The index version the snapshot was read at.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// Postings held in memory.
    pub fn len(&self) -> usize {
        self.holders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    /// As [`FingerprintIndex::candidates`] on the index the snapshot was read
    /// from, at its version.
    pub fn candidates(&self, hashes: &[u64], exclude: Option<&EssayKey>, max_postings: usize) -> Candidates {
        let max_postings = max_postings.min(self.max_postings);
        let mut built = CandidatesBuilder::default();
        let mut found: Vec<EssayKey> = Vec::with_capacity(max_postings + 2);
        for &hash in hashes {
            let Some(&(start, end)) = self.spans.get(&hash) else {
                continue;
            };
            let all = &self.holders[start as usize..end as usize];
            found.clear();
            found.extend(
                all.iter()
                    .map(|&e| self.essays[e as usize])
                    .filter(|e| Some(e) != exclude)
                    .take(max_postings + 1),
            );
            built.add(hash, &found, max_postings);
        }
        built.finish()
    }

    /// The index as searches see it: candidates and their fingerprints from
    /// the snapshot, the rest (other tenants, writes) from `index`.
    pub fn over<'a>(&'a self, index: &'a dyn FingerprintIndex) -> SnapshotIndex<'a> {
        SnapshotIndex { snapshot: self, index }
    }
}

/// A [`PostingsSnapshot`] in front of the index it was read from; see
/// [`PostingsSnapshot::over`]. Read-only: writes go to the index.
pub struct SnapshotIndex<'a> {
    snapshot: &'a PostingsSnapshot,
    index: &'a dyn FingerprintIndex,
}

impl FingerprintIndex for SnapshotIndex<'_> {
    fn insert(&self, tenant: &str, essay: &EssayKey, fingerprints: &Fingerprints) -> Result<(), IndexError> {
        self.index.insert(tenant, essay, fingerprints)
    }

    fn remove(&self, tenant: &str, essay: &EssayKey) -> Result<bool, IndexError> {
        self.index.remove(tenant, essay)
    }

    fn fingerprints(&self, tenant: &str, essay: &EssayKey) -> Result<Option<Fingerprints>, IndexError> {
        if tenant == self.snapshot.tenant {
            Ok(self.snapshot.fingerprints(essay).cloned())
        } else {
            self.index.fingerprints(tenant, essay)
        }
    }

    fn candidates(
        &self,
        tenant: &str,
        hashes: &[u64],
        exclude: Option<&EssayKey>,
        max_postings: usize,
    ) -> Result<Candidates, IndexError> {
        if tenant == self.snapshot.tenant && max_postings <= self.snapshot.max_postings {
            Ok(self.snapshot.candidates(hashes, exclude, max_postings))
        } else {
            self.index.candidates(tenant, hashes, exclude, max_postings)
        }
    }

    fn scan_fingerprints(
        &self,
        tenant: &str,
        visit: &mut dyn FnMut(&EssayKey, Fingerprints) -> bool,
    ) -> Result<(), IndexError> {
        self.index.scan_fingerprints(tenant, visit)
    }

    fn version(&self) -> u64 {
        self.index.version()
    }
}

/// An index in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryFingerprintIndex {
    inner: RwLock<Memory>,
    version: AtomicU64,
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
        self.version.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn remove(&self, tenant: &str, essay: &EssayKey) -> Result<bool, IndexError> {
        let mut m = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let removed = m.remove(tenant, essay);
        self.version.fetch_add(1, Ordering::SeqCst);
        Ok(removed)
    }

    fn scan_fingerprints(
        &self,
        tenant: &str,
        visit: &mut dyn FnMut(&EssayKey, Fingerprints) -> bool,
    ) -> Result<(), IndexError> {
        let m = self.inner.read().unwrap_or_else(|e| e.into_inner());
        for ((t, essay), fp) in &m.essays {
            if t == tenant && !visit(essay, fp.clone()) {
                break;
            }
        }
        Ok(())
    }

    fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
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
        let mut built = CandidatesBuilder::default();
        let mut found: Vec<EssayKey> = Vec::with_capacity(max_postings + 1);
        for &hash in hashes {
            let Some(set) = m.postings.get(&(tenant.to_owned(), hash)) else {
                continue;
            };
            found.clear();
            found.extend(set.iter().filter(|e| Some(*e) != exclude).take(max_postings + 1));
            built.add(hash, &found, max_postings);
        }
        Ok(built.finish())
    }
}
