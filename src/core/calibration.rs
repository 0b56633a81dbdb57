//! Learning a teacher's standard: exemplars (a teacher's scores on stored
//! essays) and the per-assignment scoring models trained from them with the
//! [`crate::calibration`] library. Training runs on the blocking pool; trained
//! models are stored as versions and kept decoded in a small cache for grading.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use time::OffsetDateTime;

use super::{AssignmentId, Assignments, CoreError, EssayFilter, EssayId, EssayView, Essays, TenantId, ids, time_us};
use crate::{
    calibration::{self, Exemplar as Marked, ScoreScale, ScoringModel, TrainError, TrainOptions},
    store::{ExemplarRecord, ModelRecord, Store, TraitScoreRecord},
};

/// The trait a model is trained for when none is named.
pub const HOLISTIC: &str = "holistic";

#[derive(Debug, Clone, PartialEq)]
pub struct TraitScore {
    pub name: String,
    pub score: i32,
    pub scale: ScoreScale,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExemplarScores {
    pub essay_id: EssayId,
    pub scores: Vec<TraitScore>,
    pub marked_by: String,
    pub mark_time: OffsetDateTime,
}

/// A trained model's description (not the model itself).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub assignment_id: AssignmentId,
    pub name: String,
    pub version: u32,
    pub scale: ScoreScale,
    pub exemplars: u32,
    pub cv_qwk: f64,
    pub learning_curve: Vec<(u32, f64)>,
    pub create_time: OffsetDateTime,
    pub train_seconds: f64,
}

impl ModelInfo {
    pub fn id(&self) -> String {
        format!("{}/{}/v{}", self.assignment_id, self.name, self.version)
    }
}

/// A model's score for one essay.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelScore {
    pub assignment_id: String,
    pub name: String,
    pub version: u32,
    pub score: i32,
    pub raw: f64,
    pub scale: ScoreScale,
}

type ModelKey = (String, String, String, u32);

#[derive(Clone)]
pub struct Calibration {
    store: Arc<dyn Store>,
    essays: Essays,
    assignments: Assignments,
    /// Decoded models by (tenant, assignment, trait, version); versions are
    /// immutable, so an entry never goes stale.
    cache: Arc<Mutex<BTreeMap<ModelKey, Arc<ScoringModel>>>>,
}

fn train_error(e: TrainError) -> CoreError {
    let reason = match e {
        TrainError::NoExemplars => "NO_EXEMPLARS",
        TrainError::TooFewExemplars { .. } => "TOO_FEW_EXEMPLARS",
        TrainError::SingleScore(_) => "SINGLE_SCORE",
        TrainError::ScoreOutOfScale { .. } => "SCORE_OUT_OF_SCALE",
        TrainError::InvalidScale(_) => "INVALID_SCALE",
        TrainError::ExemplarTooLong { .. } => "EXEMPLAR_TOO_LONG",
        TrainError::ScoreCountMismatch { .. } => "SCORE_COUNT_MISMATCH",
    };
    CoreError::FailedPrecondition {
        field: "assignment_id".into(),
        description: e.to_string(),
        reason,
    }
}

impl Calibration {
    pub fn new(store: Arc<dyn Store>, essays: Essays, assignments: Assignments) -> Self {
        Self {
            store,
            essays,
            assignments,
            cache: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// Records a teacher's scores on an essay (replacing earlier ones).
    pub async fn set_exemplar(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        scores: Vec<(String, i32, i32, i32)>,
        marked_by: &str,
    ) -> Result<ExemplarScores, CoreError> {
        if scores.is_empty() {
            return Err(CoreError::invalid(
                "exemplar.scores",
                "NO_SCORES",
                "give at least one score",
            ));
        }
        let marked_by = ids::parse_optional_name("exemplar.marked_by", marked_by)?;
        let mut checked = Vec::new();
        for (i, (name, score, min, max)) in scores.into_iter().enumerate() {
            let field = format!("exemplar.scores[{i}]");
            let name = if name.is_empty() {
                HOLISTIC.to_owned()
            } else {
                ids::parse_name(&format!("{field}.trait"), &name)?
            };
            let scale = ScoreScale::new(min, max)
                .map_err(|e| CoreError::invalid(format!("{field}.scale_max"), "INVALID_SCALE", e.to_string()))?;
            if !scale.contains(score) {
                return Err(CoreError::invalid(
                    format!("{field}.score"),
                    "SCORE_OUT_OF_SCALE",
                    format!("is {score}, outside the scale {scale}"),
                ));
            }
            if checked.iter().any(|t: &TraitScore| t.name == name) {
                return Err(CoreError::invalid(
                    format!("{field}.trait"),
                    "DUPLICATE_TRAIT",
                    format!("{name:?} is scored twice"),
                ));
            }
            checked.push(TraitScore { name, score, scale });
        }
        let now = time_us::now();
        let record = ExemplarRecord {
            scores: checked
                .iter()
                .map(|t| TraitScoreRecord {
                    name: t.name.clone(),
                    score: t.score,
                    scale_min: t.scale.min,
                    scale_max: t.scale.max,
                })
                .collect(),
            marked_by: marked_by.clone(),
            mark_time_us: time_us::from_time(now),
        };
        if !self
            .store
            .set_exemplar(tenant.as_str(), &essay_id.to_bytes(), &record)?
        {
            return Err(CoreError::NotFound {
                resource: "essay",
                id: essay_id.to_string(),
            });
        }
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), essay_id = %essay_id, scores = checked.len(), "exemplar recorded");
        Ok(ExemplarScores {
            essay_id,
            scores: checked,
            marked_by,
            mark_time: now,
        })
    }

    pub fn exemplar(&self, tenant: &TenantId, essay_id: EssayId) -> Result<ExemplarScores, CoreError> {
        let record = self
            .store
            .exemplar(tenant.as_str(), &essay_id.to_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "exemplar",
                id: essay_id.to_string(),
            })?;
        from_record(essay_id, record)
    }

    pub async fn delete_exemplar(&self, tenant: &TenantId, essay_id: EssayId) -> Result<(), CoreError> {
        if !self.store.delete_exemplar(tenant.as_str(), &essay_id.to_bytes())? {
            return Err(CoreError::NotFound {
                resource: "exemplar",
                id: essay_id.to_string(),
            });
        }
        self.store.sync().await?;
        Ok(())
    }

    /// An assignment's exemplars, in essay order.
    pub fn exemplars(&self, tenant: &TenantId, assignment: &AssignmentId) -> Result<Vec<ExemplarScores>, CoreError> {
        self.assignments.get(tenant, assignment)?;
        let filter = EssayFilter {
            assignment_id: assignment.as_str().to_owned(),
            ..Default::default()
        };
        let mut found = Vec::new();
        let mut after = None;
        loop {
            let page = self.essays.list(tenant, &filter, after, 1000, EssayView::Basic)?;
            for essay in &page.items {
                if let Some(record) = self.store.exemplar(tenant.as_str(), &essay.id.to_bytes())? {
                    found.push(from_record(essay.id, record)?);
                }
            }
            after = page.items.last().map(|e| e.id);
            if !page.more {
                return Ok(found);
            }
        }
    }

    /// Trains the next model version for an assignment's trait.
    pub async fn train(
        &self,
        tenant: &TenantId,
        assignment: &AssignmentId,
        name: &str,
    ) -> Result<ModelInfo, CoreError> {
        let name = if name.is_empty() {
            HOLISTIC.to_owned()
        } else {
            ids::parse_name("trait", name)?
        };
        let question = self.assignments.get(tenant, assignment)?.question;
        let mut texts = Vec::new();
        let mut scores = Vec::new();
        let mut scale: Option<ScoreScale> = None;
        for exemplar in self.exemplars(tenant, assignment)? {
            let Some(score) = exemplar.scores.iter().find(|s| s.name == name) else {
                continue;
            };
            match scale {
                None => scale = Some(score.scale),
                Some(s) if s != score.scale => {
                    return Err(CoreError::FailedPrecondition {
                        field: "trait".into(),
                        description: format!(
                            "the {name:?} scores use different scales ({s} and {}, on essay {}): mark them on one scale",
                            score.scale, exemplar.essay_id
                        ),
                        reason: "MIXED_SCALES",
                    });
                }
                Some(_) => {}
            }
            texts.push(self.essays.text(tenant, exemplar.essay_id)?);
            scores.push(score.score);
        }
        let Some(scale) = scale else {
            return Err(train_error(TrainError::NoExemplars));
        };
        let started = Instant::now();
        let model = tokio::task::spawn_blocking(move || {
            let marked: Vec<Marked<'_>> = texts
                .iter()
                .zip(&scores)
                .map(|(text, &score)| Marked { text, score })
                .collect();
            calibration::train(&question, scale, &marked, &TrainOptions::default())
        })
        .await
        .map_err(|e| CoreError::Internal(format!("training task failed: {e}")))?
        .map_err(train_error)?;
        let report = model.report().clone();
        let record = ModelRecord {
            assignment_id: assignment.as_str().to_owned(),
            name: name.clone(),
            version: 0,
            scale_min: scale.min,
            scale_max: scale.max,
            exemplars: report.n_exemplars as u32,
            cv_qwk: report.cv_qwk,
            curve_sizes: report.learning_curve.iter().map(|p| p.n as u32).collect(),
            curve_qwk: report.learning_curve.iter().map(|p| p.qwk).collect(),
            create_time_us: time_us::from_time(time_us::now()),
            train_seconds: started.elapsed().as_secs_f64(),
            model: model.to_bytes(),
        };
        let version = self.store.insert_model(tenant.as_str(), &record)?;
        self.store.sync().await?;
        tracing::info!(
            tenant = tenant.as_str(),
            assignment_id = %assignment,
            model = %name,
            version,
            exemplars = report.n_exemplars,
            cv_qwk = report.cv_qwk,
            "scoring model trained"
        );
        info(ModelRecord { version, ..record })
    }

    pub fn model(
        &self,
        tenant: &TenantId,
        assignment: &AssignmentId,
        name: &str,
        version: Option<u32>,
    ) -> Result<ModelInfo, CoreError> {
        let name = if name.is_empty() { HOLISTIC } else { name };
        let record = self
            .store
            .model(tenant.as_str(), assignment.as_str(), name, version)?
            .ok_or_else(|| CoreError::NotFound {
                resource: "scoring model",
                id: format!("{assignment}/{name}"),
            })?;
        info(record)
    }

    pub fn models(&self, tenant: &TenantId, assignment: &AssignmentId) -> Result<Vec<ModelInfo>, CoreError> {
        self.assignments.get(tenant, assignment)?;
        self.store
            .list_models(tenant.as_str(), assignment.as_str())?
            .into_iter()
            .map(info)
            .collect()
    }

    /// The latest holistic model of an assignment, decoded (cached), if any.
    pub fn holistic_model(
        &self,
        tenant: &TenantId,
        assignment: &AssignmentId,
    ) -> Result<Option<(ModelInfo, Arc<ScoringModel>)>, CoreError> {
        let Some(record) = self.store.model(tenant.as_str(), assignment.as_str(), HOLISTIC, None)? else {
            return Ok(None);
        };
        let key = (
            tenant.as_str().to_owned(),
            record.assignment_id.clone(),
            record.name.clone(),
            record.version,
        );
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let model = match cached {
            Some(m) => m,
            None => {
                let m = Arc::new(
                    ScoringModel::from_bytes(&record.model)
                        .map_err(|e| CoreError::Internal(format!("stored model {}: {e}", key.1)))?,
                );
                if let Ok(mut cache) = self.cache.lock() {
                    if cache.len() > 64 {
                        cache.clear();
                    }
                    cache.insert(key, m.clone());
                }
                m
            }
        };
        Ok(Some((info(record)?, model)))
    }
}

fn from_record(essay_id: EssayId, r: ExemplarRecord) -> Result<ExemplarScores, CoreError> {
    Ok(ExemplarScores {
        essay_id,
        scores: r
            .scores
            .into_iter()
            .map(|s| {
                Ok(TraitScore {
                    name: s.name,
                    score: s.score,
                    scale: ScoreScale::new(s.scale_min, s.scale_max)
                        .map_err(|e| CoreError::Internal(format!("stored exemplar scale: {e}")))?,
                })
            })
            .collect::<Result<_, CoreError>>()?,
        marked_by: r.marked_by,
        mark_time: time_us::to_time(r.mark_time_us)?,
    })
}

fn info(r: ModelRecord) -> Result<ModelInfo, CoreError> {
    Ok(ModelInfo {
        assignment_id: AssignmentId::parse("assignment_id", &r.assignment_id)?,
        name: r.name,
        version: r.version,
        scale: ScoreScale::new(r.scale_min, r.scale_max)
            .map_err(|e| CoreError::Internal(format!("stored model scale: {e}")))?,
        exemplars: r.exemplars,
        cv_qwk: r.cv_qwk,
        learning_curve: r.curve_sizes.into_iter().zip(r.curve_qwk).collect(),
        create_time: time_us::to_time(r.create_time_us)?,
        train_seconds: r.train_seconds,
    })
}
