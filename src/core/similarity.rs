//! Finding copied passages: the essays that share text with a stored essay
//! or an inline text, through the fingerprint index the store keeps for every
//! stored essay ([`crate::copies`]).

use std::{ops::Range, sync::Arc};

use super::{CoreError, EssayId, TenantId};
use crate::{
    copies::{self, IndexError, SearchOptions},
    store::Store,
};

/// The most matches one search returns.
pub const MAX_MATCHES: usize = 100;

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

    /// The essays sharing at least `threshold` of `text`, `exclude` aside.
    pub fn search(
        &self,
        tenant: &TenantId,
        text: &str,
        exclude: Option<&[u8; 16]>,
        threshold: f64,
        limit: usize,
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
            self.store.fingerprint_index(),
            tenant.as_str(),
            text,
            exclude,
            &options,
            |key: &[u8; 16]| -> Result<Option<String>, CoreError> {
                let text = self.store.essay_text(tenant.as_str(), key)?;
                if let Some(t) = &text {
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
