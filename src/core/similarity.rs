//! Finding copied passages: the essays that share text with a stored essay
//! or an inline text, through the fingerprint index the store keeps for every
//! stored essay ([`crate::copies`]).

use std::{ops::Range, sync::Arc};

use super::{CoreError, EssayId, TenantId};
use crate::{
    copies::{self, FingerprintIndex, IndexError, PostingsSnapshot, SearchOptions},
    store::Store,
};

/// The most matches one search returns.
pub const MAX_MATCHES: usize = 100;

/// The most postings a [`Similarity::snapshot`] holds in memory (~36 bytes
/// each with the essays' fingerprints, ~52 while it is built: at most
/// ~104 MB): a tenant with more (about 28,000 ASAP-length essays) is
/// searched in the store instead.
pub const MAX_SNAPSHOT_POSTINGS: usize = 2_000_000;

/// What to search with.
#[derive(Debug, Clone)]
pub enum SimilarityQuery {
    Essay(EssayId),
    Text(String),
}

/// A stored essay that shares passages with the query.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarEssay {
    pub essay_id: EssayId,
    pub coverage: f64,
    /// Byte ranges in the query's text and in the match's text.
    pub passages: Vec<(Range<usize>, Range<usize>)>,
    pub match_text: String,
}

impl From<IndexError> for CoreError {
    fn from(e: IndexError) -> Self {
        CoreError::Unavailable(format!("fingerprint index: {e}"))
    }
}

#[derive(Clone)]
pub struct Similarity {
    store: Arc<dyn Store>,
}

impl Similarity {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The query's text and its matches, the largest coverage first.
    pub fn find(
        &self,
        tenant: &TenantId,
        query: SimilarityQuery,
        threshold: f64,
        limit: usize,
    ) -> Result<(String, Vec<SimilarEssay>), CoreError> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(CoreError::invalid(
                "threshold",
                "THRESHOLD_OUT_OF_RANGE",
                format!("is {threshold}; use 0..1"),
            ));
        }
        let (text, exclude) = match query {
            SimilarityQuery::Essay(id) => {
                let text =
                    self.store
                        .essay_text(tenant.as_str(), &id.to_bytes())?
                        .ok_or_else(|| CoreError::NotFound {
                            resource: "essay",
                            id: id.to_string(),
                        })?;
                (text, Some(id.to_bytes()))
            }
            SimilarityQuery::Text(text) => {
                if text.trim().is_empty() {
                    return Err(CoreError::invalid("text", "TEXT_EMPTY", "must contain some text"));
                }
                (text, None)
            }
        };
        let matches = self.search(tenant, &text, exclude.as_ref(), threshold, limit)?;
        Ok((text, matches))
    }

    /// The passages `text` shares with stored essay `other`, for showing a
    /// copy side by side; `None` when `other` is gone or shares nothing now.
    pub fn shared_with(
        &self,
        tenant: &TenantId,
        text: &str,
        other: EssayId,
    ) -> Result<Option<SimilarEssay>, CoreError> {
        let Some(other_text) = self.store.essay_text(tenant.as_str(), &other.to_bytes())? else {
            return Ok(None);
        };
        let found = copies::compare(text, &other_text, &copies::fingerprint(&other_text));
        Ok(found.map(|m| SimilarEssay {
            essay_id: other,
            coverage: m.coverage,
            passages: m.passages.into_iter().map(|p| (p.query, p.candidate)).collect(),
            match_text: other_text,
        }))
    }

    /// The essays sharing at least `threshold` of `text`, `exclude` aside.
    pub fn search(
        &self,
        tenant: &TenantId,
        text: &str,
        exclude: Option<&[u8; 16]>,
        threshold: f64,
        limit: usize,
    ) -> Result<Vec<SimilarEssay>, CoreError> {
        self.search_in(
            self.store.fingerprint_index(),
            tenant,
            text,
            exclude,
            threshold,
            limit,
            true,
        )
    }

    /// `tenant`'s postings in memory, for many searches in a row (see
    /// [`Self::copied_from`]); `None` when the tenant has more than
    /// [`MAX_SNAPSHOT_POSTINGS`].
    pub fn snapshot(&self, tenant: &TenantId) -> Result<Option<PostingsSnapshot>, CoreError> {
        Ok(PostingsSnapshot::load(
            self.store.fingerprint_index(),
            tenant.as_str(),
            copies::DEFAULT_MAX_POSTINGS,
            MAX_SNAPSHOT_POSTINGS,
        )?)
    }

    /// The fingerprint index's version: it changes whenever an essay is
    /// stored or deleted.
    pub fn index_version(&self) -> u64 {
        self.store.fingerprint_index().version()
    }

    /// Whether no essay was stored or deleted since `snapshot` was read.
    pub fn is_current(&self, snapshot: &PostingsSnapshot) -> bool {
        snapshot.version() == self.store.fingerprint_index().version()
    }

    /// The essays sharing at least `threshold` of `text` (as [`Self::search`]
    /// finds them), without their passages or texts. With a current
    /// `snapshot` of the tenant the candidates come from memory; a stale one
    /// is not used.
    pub fn copied_from(
        &self,
        tenant: &TenantId,
        text: &str,
        exclude: Option<&[u8; 16]>,
        threshold: f64,
        limit: usize,
        snapshot: Option<&PostingsSnapshot>,
    ) -> Result<Vec<EssayId>, CoreError> {
        let index = self.store.fingerprint_index();
        let found = match snapshot {
            Some(s) if s.tenant() == tenant.as_str() && self.is_current(s) => {
                self.search_in(&s.over(index), tenant, text, exclude, threshold, limit, false)?
            }
            _ => self.search_in(index, tenant, text, exclude, threshold, limit, false)?,
        };
        Ok(found.into_iter().map(|m| m.essay_id).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn search_in(
        &self,
        index: &dyn FingerprintIndex,
        tenant: &TenantId,
        text: &str,
        exclude: Option<&[u8; 16]>,
        threshold: f64,
        limit: usize,
        keep_texts: bool,
    ) -> Result<Vec<SimilarEssay>, CoreError> {
        let options = SearchOptions {
            threshold: if threshold > 0.0 {
                threshold
            } else {
                copies::DEFAULT_THRESHOLD
            },
            limit: limit.clamp(1, MAX_MATCHES),
            ..SearchOptions::default()
        };
        let mut texts = std::collections::BTreeMap::new();
        let found = copies::find_similar(
            index,
            tenant.as_str(),
            text,
            exclude,
            &options,
            |key: &[u8; 16]| -> Result<Option<String>, CoreError> {
                let text = self.store.essay_text(tenant.as_str(), key)?;
                if keep_texts && let Some(t) = &text {
                    texts.insert(*key, t.clone());
                }
                Ok(text)
            },
        )?;
        Ok(found
            .into_iter()
            .map(|m| SimilarEssay {
                essay_id: EssayId::from_bytes(m.essay),
                coverage: m.coverage,
                passages: m.passages.into_iter().map(|p| (p.query, p.candidate)).collect(),
                match_text: texts.remove(&m.essay).unwrap_or_default(),
            })
            .collect())
    }
}
