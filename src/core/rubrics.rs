//! Rubrics: the built-in default and the ones callers create. A version is
//! immutable; an update makes a new version.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{CoreError, TenantId, essays::Page, ids::parse_name, time_us};
use crate::{
    grader::{Band, Criterion, Rubric},
    store::{BandRecord, RubricRecord, Store},
};

/// The name of the built-in rubric (`../shared/RUBRIC.md`).
pub const DEFAULT_RUBRIC: &str = "history-default";

/// A rubric version as stored, with its description and creation time.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricVersion {
    pub rubric: Rubric,
    pub description: String,
    pub create_time: OffsetDateTime,
}

/// What a caller sets on a rubric; weights default to 1 per criterion.
#[derive(Debug, Clone, Default)]
pub struct RubricDraft {
    pub name: String,
    pub description: String,
    pub weights: Vec<(String, f64)>,
    pub max_mark: f64,
    pub bands: Vec<(String, f64)>,
    pub review_threshold: f64,
}

impl RubricDraft {
    /// Validates a draft into a grader rubric (version 0 until stored).
    /// Field paths are relative to the API's `Rubric` message.
    pub fn parse(self) -> Result<(Rubric, String), CoreError> {
        let name = parse_name("name", &self.name)?;
        if name == DEFAULT_RUBRIC {
            return Err(CoreError::invalid(
                "name",
                "RESERVED_NAME",
                format!("{DEFAULT_RUBRIC:?} is the built-in rubric and cannot be changed"),
            ));
        }
        let default = Rubric::history_default();
        let mut weights = [1.0; 4];
        for (i, (criterion, weight)) in self.weights.iter().enumerate() {
            let c = Criterion::parse(criterion).ok_or_else(|| {
                CoreError::invalid(
                    format!("weights[{i}].criterion"),
                    "UNKNOWN_CRITERION",
                    format!("{criterion:?} is not a criterion; use thesis, evidence, historiography or balance"),
                )
            })?;
            weights[c.index()] = *weight;
        }
        let max_mark = if self.max_mark == 0.0 {
            default.max_mark
        } else {
            self.max_mark
        };
        let bands = if self.bands.is_empty() {
            // The default bands, rescaled to this maximum mark.
            default
                .bands
                .iter()
                .map(|b| Band {
                    label: b.label.clone(),
                    min_mark: b.min_mark * max_mark / default.max_mark,
                })
                .collect()
        } else {
            self.bands
                .into_iter()
                .map(|(label, min_mark)| Band { label, min_mark })
                .collect()
        };
        let rubric = Rubric {
            name,
            version: 0,
            weights,
            max_mark,
            bands,
            review_threshold: if self.review_threshold == 0.0 {
                default.review_threshold
            } else {
                self.review_threshold
            },
            copy_threshold: default.copy_threshold,
        };
        rubric
            .validate()
            .map_err(|e| CoreError::invalid("rubric", "INVALID_RUBRIC", e.to_string()))?;
        if self.description.len() > 4096 {
            return Err(CoreError::invalid(
                "description",
                "FIELD_TOO_LONG",
                "the limit is 4096 bytes",
            ));
        }
        Ok((rubric, self.description))
    }
}

#[derive(Clone)]
pub struct Rubrics {
    store: Arc<dyn Store>,
}

impl Rubrics {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    fn built_in() -> RubricVersion {
        RubricVersion {
            rubric: Rubric::history_default(),
            description: "The default history rubric: thesis, evidence, historiography, balance; out of 20.".into(),
            create_time: OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// Creates version 1 of a new rubric, or the next version of an existing one.
    pub async fn save(
        &self,
        tenant: &TenantId,
        rubric: Rubric,
        description: String,
        new_name: bool,
    ) -> Result<RubricVersion, CoreError> {
        let record = to_record(&rubric, &description, time_us::now());
        let Some(version) = self.store.insert_rubric(tenant.as_str(), &record, new_name)? else {
            return Err(if new_name {
                CoreError::AlreadyExists {
                    description: format!("rubric {} already exists; update it to make a new version", rubric.name),
                    reason: "RUBRIC_EXISTS",
                }
            } else {
                CoreError::NotFound {
                    resource: "rubric",
                    id: rubric.name.clone(),
                }
            });
        };
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), rubric = %rubric.name, version, "rubric version stored");
        from_record(RubricRecord { version, ..record })
    }

    /// A rubric by name: a given version, or the latest. An empty name is the default.
    pub fn get(&self, tenant: &TenantId, name: &str, version: Option<u32>) -> Result<RubricVersion, CoreError> {
        if name.is_empty() || name == DEFAULT_RUBRIC {
            return match version {
                None | Some(1) => Ok(Self::built_in()),
                Some(v) => Err(CoreError::NotFound {
                    resource: "rubric",
                    id: format!("{DEFAULT_RUBRIC} version {v}"),
                }),
            };
        }
        let record = self
            .store
            .rubric(tenant.as_str(), name, version)?
            .ok_or_else(|| CoreError::NotFound {
                resource: "rubric",
                id: match version {
                    Some(v) => format!("{name} version {v}"),
                    None => name.to_owned(),
                },
            })?;
        from_record(record)
    }

    /// The latest version of each rubric, the built-in one first.
    pub fn list(&self, tenant: &TenantId, after: Option<&str>, limit: usize) -> Result<Page<RubricVersion>, CoreError> {
        let mut items = Vec::new();
        if after.is_none() && limit > 0 {
            items.push(Self::built_in());
        }
        let stored = self
            .store
            .list_rubrics(tenant.as_str(), after, limit + 1 - items.len())?;
        for record in stored {
            items.push(from_record(record)?);
        }
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(Page { items, more })
    }
}

fn to_record(rubric: &Rubric, description: &str, now: OffsetDateTime) -> RubricRecord {
    RubricRecord {
        name: rubric.name.clone(),
        version: rubric.version,
        description: description.to_owned(),
        weights: rubric.weights.to_vec(),
        max_mark: rubric.max_mark,
        bands: rubric
            .bands
            .iter()
            .map(|b| BandRecord {
                label: b.label.clone(),
                min_mark: b.min_mark,
            })
            .collect(),
        review_threshold: rubric.review_threshold,
        copy_threshold: rubric.copy_threshold,
        create_time_us: time_us::from_time(now),
    }
}

fn from_record(r: RubricRecord) -> Result<RubricVersion, CoreError> {
    let weights: [f64; 4] = r
        .weights
        .as_slice()
        .try_into()
        .map_err(|_| CoreError::Internal(format!("rubric {} has {} weights", r.name, r.weights.len())))?;
    Ok(RubricVersion {
        rubric: Rubric {
            name: r.name,
            version: r.version,
            weights,
            max_mark: r.max_mark,
            bands: r
                .bands
                .into_iter()
                .map(|b| Band {
                    label: b.label,
                    min_mark: b.min_mark,
                })
                .collect(),
            review_threshold: r.review_threshold,
            copy_threshold: r.copy_threshold,
        },
        description: r.description,
        create_time: time_us::to_time(r.create_time_us)?,
    })
}
