//! Grading: runs the pure grader on stored essays (against their
//! assignment's question and rubric) or inline texts, keeps each essay's
//! grades, and records teachers' reviews. The grader is CPU work, so it runs
//! on the blocking pool, off the async runtime's threads.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{
    Assignments, Calibration, CoreError, EssayId, Essays, GradeId, ModelInfo, ModelScore, Similarity, TenantId,
    essays::Page, rubrics::Rubrics, stats::GradeTally, time_us,
};
use crate::{
    calibration::{ScoreScale, ScoringModel},
    copies::PostingsSnapshot,
    grader::{self, Criterion, CriterionGrade, Flag, GradeError, Rubric, Span, SpanLabel},
    store::{CriterionRecord, GradeRecord, ModelScoreRecord, ReviewRecord, SpanRecord, Store},
};

const MAX_QUESTION_BYTES: usize = 16 * 1024;
const MAX_COMMENT_BYTES: usize = 8 * 1024;

/// A teacher's review of a grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub reviewer: String,
    /// A level per criterion, in [`Criterion::ALL`] order.
    pub levels: [u8; 4],
    pub comment: String,
    pub review_time: OffsetDateTime,
    /// The teacher's levels' total and band under the grade's rubric.
    pub total: f64,
    pub band: String,
}

/// A grade as the service keeps and returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeRecordView {
    /// `None` for inline grades, which are not stored.
    pub id: Option<GradeId>,
    pub essay_id: Option<EssayId>,
    pub question: String,
    pub grade: grader::Grade,
    pub create_time: OffsetDateTime,
    pub review: Option<Review>,
    /// Set when the assignment's holistic scoring model made the total.
    pub model_score: Option<ModelScore>,
    /// Stored essays this one shares more text with than the rubric allows.
    pub copied_from: Vec<EssayId>,
}

/// The score an LMS posts through LTI Assignment and Grade Services.
#[derive(Debug, Clone, PartialEq)]
pub struct LtiScore {
    pub score_given: f64,
    pub score_maximum: f64,
    pub comment: String,
    /// "FullyGraded" or "PendingManual".
    pub grading_progress: &'static str,
    pub timestamp: OffsetDateTime,
}

impl GradeRecordView {
    /// The final mark: the teacher's when reviewed; pending while a grade
    /// marked for review waits for one.
    pub fn lti_score(&self) -> LtiScore {
        match &self.review {
            Some(r) => LtiScore {
                score_given: r.total,
                score_maximum: self.grade.max_mark,
                comment: if r.comment.is_empty() {
                    self.grade.summary.clone()
                } else {
                    r.comment.clone()
                },
                grading_progress: "FullyGraded",
                timestamp: r.review_time,
            },
            None => LtiScore {
                score_given: self.grade.total,
                score_maximum: self.grade.max_mark,
                comment: self.grade.summary.clone(),
                grading_progress: if self.grade.needs_review {
                    "PendingManual"
                } else {
                    "FullyGraded"
                },
                timestamp: self.create_time,
            },
        }
    }
}

/// A teacher's review as submitted.
#[derive(Debug, Clone, Default)]
pub struct ReviewDraft {
    pub reviewer: String,
    pub levels: Vec<(String, u32)>,
    pub comment: String,
}

#[derive(Clone)]
pub struct Grading {
    store: Arc<dyn Store>,
    essays: Essays,
    assignments: Assignments,
    rubrics: Rubrics,
    calibration: Calibration,
    similarity: Similarity,
    tally: Arc<GradeTally>,
}

fn grade_error(field: &str, e: GradeError) -> CoreError {
    match e {
        GradeError::EmptyText => CoreError::FailedPrecondition {
            field: field.into(),
            description: "has no words to grade".into(),
            reason: "NOTHING_TO_GRADE",
        },
        GradeError::TooLong { bytes, max } => CoreError::invalid(
            field,
            "TEXT_TOO_LARGE",
            format!("is {bytes} bytes; the grader takes at most {max}"),
        ),
        GradeError::InvalidRubric(e) => CoreError::Internal(format!("stored rubric is invalid: {e}")),
    }
}

fn check_question(field: &str, question: &str) -> Result<(), CoreError> {
    if question.len() > MAX_QUESTION_BYTES {
        return Err(CoreError::invalid(
            field,
            "FIELD_TOO_LONG",
            format!("is {} bytes; the limit is {MAX_QUESTION_BYTES}", question.len()),
        ));
    }
    Ok(())
}

/// What an essay is graded against: a question, a rubric and, when the
/// assignment has one, the holistic scoring model learned from the teacher.
#[derive(Clone)]
pub struct GradingContext {
    pub question: String,
    pub rubric: Rubric,
    pub model: Option<(ModelInfo, Arc<ScoringModel>)>,
}

impl GradingContext {
    /// Grades `text`: the rubric grader's levels, feedback and spans, and,
    /// with a model, the model's score as the total (rescaled to the
    /// rubric's maximum mark) and band.
    fn grade(&self, text: &str, field: &str) -> Result<(grader::Grade, Option<ModelScore>), CoreError> {
        let mut grade = grader::grade(text, &self.question, &self.rubric).map_err(|e| grade_error(field, e))?;
        let model_score = self.model.as_ref().map(|(info, model)| {
            let p = model.predict(text);
            let span = f64::from(info.scale.max - info.scale.min);
            let total = f64::from(p.score - info.scale.min) / span * self.rubric.max_mark;
            grade.total = (total * 100.0).round() / 100.0;
            grade.band = self.rubric.band_for(grade.total).label.clone();
            ModelScore {
                assignment_id: info.assignment_id.as_str().to_owned(),
                name: info.name.clone(),
                version: info.version,
                score: p.score,
                raw: p.raw,
                scale: info.scale,
            }
        });
        Ok((grade, model_score))
    }
}

/// Runs the grader on the blocking pool.
async fn run_grader(
    text: String,
    context: Arc<GradingContext>,
    field: &'static str,
) -> Result<(grader::Grade, Option<ModelScore>), CoreError> {
    tokio::task::spawn_blocking(move || context.grade(&text, field))
        .await
        .map_err(|e| CoreError::Internal(format!("grading task failed: {e}")))?
}

impl Grading {
    pub fn new(
        store: Arc<dyn Store>,
        essays: Essays,
        assignments: Assignments,
        rubrics: Rubrics,
        calibration: Calibration,
        similarity: Similarity,
    ) -> Self {
        Self {
            store,
            essays,
            assignments,
            rubrics,
            calibration,
            similarity,
            tally: Arc::new(GradeTally::default()),
        }
    }

    /// Grades stored since the server started, by band and flag.
    pub fn tally(&self) -> &Arc<GradeTally> {
        &self.tally
    }

    /// Flags a stored essay's grade `copied` when it shares more than the
    /// rubric's threshold with other stored essays, and names them.
    /// `copies`: the tenant's postings in memory (a job's), used while current.
    fn check_copies(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        text: &str,
        threshold: f64,
        copies: Option<&PostingsSnapshot>,
        view: &mut GradeRecordView,
    ) -> Result<(), CoreError> {
        let matches = self
            .similarity
            .copied_from(tenant, text, Some(&essay_id.to_bytes()), threshold, 10, copies)?;
        if !matches.is_empty() {
            view.grade.flags.push(Flag::Copied);
            view.grade.needs_review = true;
            view.copied_from = matches;
        }
        Ok(())
    }

    /// The tenant's copy-detection postings in memory, for a job's many
    /// copy checks; see [`Similarity::snapshot`].
    pub fn copies_snapshot(&self, tenant: &TenantId) -> Result<Option<PostingsSnapshot>, CoreError> {
        self.similarity.snapshot(tenant)
    }

    /// A number that changes whenever an essay is stored or deleted.
    pub fn copies_version(&self) -> u64 {
        self.similarity.index_version()
    }

    /// Whether `snapshot` still reflects every stored essay.
    pub fn copies_snapshot_is_current(&self, snapshot: &PostingsSnapshot) -> bool {
        self.similarity.is_current(snapshot)
    }

    /// Checks that a rubric exists.
    pub fn rubric_exists(&self, tenant: &TenantId, name: &str) -> Result<(), CoreError> {
        self.rubrics.get(tenant, name, None).map(|_| ())
    }

    /// The stored text of an essay, which a grade's spans point into.
    pub fn essay_text(&self, tenant: &TenantId, essay_id: EssayId) -> Result<String, CoreError> {
        self.essays.text(tenant, essay_id)
    }

    /// Grades a stored essay and stores the grade (durably) with it.
    pub async fn grade_essay(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        question: Option<String>,
        rubric: Option<String>,
    ) -> Result<GradeRecordView, CoreError> {
        let view = self.compute(tenant, essay_id, question, rubric).await?;
        if !self.store.insert_grade(tenant.as_str(), &to_record(&view))? {
            return Err(CoreError::NotFound {
                resource: "essay",
                id: essay_id.to_string(),
            });
        }
        self.store.sync().await?;
        self.tally.record(&view.grade);
        tracing::info!(
            tenant = tenant.as_str(),
            essay_id = %essay_id,
            grade_id = %view.id.map(|i| i.to_string()).unwrap_or_default(),
            total = view.grade.total,
            needs_review = view.grade.needs_review,
            "essay graded"
        );
        Ok(view)
    }

    /// Grades a stored essay against its assignment's question and rubric
    /// (or the given ones) without storing the grade.
    pub async fn compute(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        question: Option<String>,
        rubric: Option<String>,
    ) -> Result<GradeRecordView, CoreError> {
        let essay = self.essays.get(tenant, essay_id, super::EssayView::Basic)?;
        let context = self.context(tenant, &essay, question, rubric)?;
        // Reading the text, grading and the copy search all block: run them
        // on the blocking pool, as jobs do.
        let this = self.clone();
        let tenant = tenant.clone();
        tokio::task::spawn_blocking(move || this.compute_blocking(&tenant, essay_id, &context))
            .await
            .map_err(|e| CoreError::Internal(format!("grading task failed: {e}")))?
    }

    /// What an essay is graded against: the given question and rubric, or
    /// its assignment's. Jobs resolve it once per assignment.
    pub fn context(
        &self,
        tenant: &TenantId,
        essay: &super::Essay,
        question: Option<String>,
        rubric: Option<String>,
    ) -> Result<GradingContext, CoreError> {
        let assignment = essay
            .assignment_id
            .as_ref()
            .map(|a| self.assignments.get(tenant, a))
            .transpose()?;
        let question = match question {
            Some(q) => {
                check_question("question", &q)?;
                q
            }
            None => match &assignment {
                Some(a) if !a.question.trim().is_empty() => a.question.clone(),
                _ => {
                    return Err(CoreError::FailedPrecondition {
                        field: "question".into(),
                        description: format!(
                            "essay {} has no assignment with a question; set the assignment's question or pass one",
                            essay.id
                        ),
                        reason: "NO_QUESTION",
                    });
                }
            },
        };
        let rubric_name = rubric.or_else(|| assignment.map(|a| a.rubric)).unwrap_or_default();
        let rubric = self.rubrics.get(tenant, &rubric_name, None)?.rubric;
        let model = match &essay.assignment_id {
            Some(a) => self.calibration.holistic_model(tenant, a)?,
            None => None,
        };
        Ok(GradingContext {
            question,
            rubric,
            model,
        })
    }

    /// Grades a stored essay in a resolved context, without storing, on the
    /// calling thread (which may block): [`Grading::compute`] calls it from
    /// the blocking pool.
    fn compute_blocking(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        context: &GradingContext,
    ) -> Result<GradeRecordView, CoreError> {
        let text = self.essays.text(tenant, essay_id)?;
        self.compute_with_text(tenant, essay_id, &text, context, None)
    }

    /// Grades an essay whose text is already read, without storing, on the
    /// calling thread: jobs call it from their worker threads. A job passes
    /// its snapshot of the tenant's copy-detection postings (used only while
    /// current: the grade is the same either way).
    pub fn compute_with_text(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        text: &str,
        context: &GradingContext,
        copies: Option<&PostingsSnapshot>,
    ) -> Result<GradeRecordView, CoreError> {
        let (grade, model_score) = context.grade(text, "essay.text")?;
        let mut view = GradeRecordView {
            id: Some(GradeId::generate()),
            essay_id: Some(essay_id),
            question: context.question.clone(),
            grade,
            create_time: time_us::now(),
            review: None,
            model_score,
            copied_from: Vec::new(),
        };
        self.check_copies(tenant, essay_id, text, context.rubric.copy_threshold, copies, &mut view)?;
        Ok(view)
    }

    /// Grades a text against a question; nothing is stored.
    pub async fn grade_text(
        &self,
        tenant: &TenantId,
        text: String,
        question: String,
        rubric: &str,
    ) -> Result<GradeRecordView, CoreError> {
        if text.trim().is_empty() {
            return Err(CoreError::invalid(
                "text",
                "TEXT_EMPTY",
                "must contain some text, not only whitespace",
            ));
        }
        let max = self.essays.limits().max_text_bytes;
        if text.len() > max {
            return Err(CoreError::invalid(
                "text",
                "TEXT_TOO_LARGE",
                format!("is {} bytes; the limit is {max} bytes", text.len()),
            ));
        }
        check_question("question", &question)?;
        let rubric = self.rubrics.get(tenant, rubric, None)?.rubric;
        let context = Arc::new(GradingContext {
            question: question.clone(),
            rubric,
            model: None,
        });
        let (grade, model_score) = run_grader(text, context, "text").await?;
        Ok(GradeRecordView {
            id: None,
            essay_id: None,
            question,
            grade,
            create_time: time_us::now(),
            review: None,
            model_score,
            copied_from: Vec::new(),
        })
    }

    pub fn get(&self, tenant: &TenantId, essay_id: EssayId, grade_id: GradeId) -> Result<GradeRecordView, CoreError> {
        let record = self
            .store
            .grade(tenant.as_str(), &essay_id.to_bytes(), &grade_id.to_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "grade",
                id: grade_id.to_string(),
            })?;
        from_record(record)
    }

    /// An essay's grades, the latest first. An essay that does not exist is NOT_FOUND.
    pub fn list(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        before: Option<GradeId>,
        limit: usize,
    ) -> Result<Page<GradeRecordView>, CoreError> {
        self.essays.get(tenant, essay_id, super::EssayView::Basic)?;
        let before = before.map(GradeId::to_bytes);
        let mut records = self
            .store
            .list_grades(tenant.as_str(), &essay_id.to_bytes(), before.as_ref(), limit + 1)?;
        let more = records.len() > limit;
        records.truncate(limit);
        Ok(Page {
            items: records.into_iter().map(from_record).collect::<Result<_, _>>()?,
            more,
        })
    }

    /// Records a teacher's review; the teacher's mark becomes the final one.
    pub async fn review(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        grade_id: GradeId,
        draft: ReviewDraft,
    ) -> Result<GradeRecordView, CoreError> {
        let reviewer = super::parse_name("review.reviewer", &draft.reviewer)?;
        if draft.comment.len() > MAX_COMMENT_BYTES {
            return Err(CoreError::invalid(
                "review.comment",
                "FIELD_TOO_LONG",
                format!("is {} bytes; the limit is {MAX_COMMENT_BYTES}", draft.comment.len()),
            ));
        }
        let mut view = self.get(tenant, essay_id, grade_id)?;
        let mut levels: [u8; 4] = std::array::from_fn(|i| view.grade.level(Criterion::ALL[i]));
        for (i, (name, level)) in draft.levels.iter().enumerate() {
            let c = Criterion::parse(name).ok_or_else(|| {
                CoreError::invalid(
                    format!("review.levels[{i}].criterion"),
                    "UNKNOWN_CRITERION",
                    format!("{name:?} is not a criterion; use thesis, evidence, historiography or balance"),
                )
            })?;
            if *level > 5 {
                return Err(CoreError::invalid(
                    format!("review.levels[{i}].level"),
                    "LEVEL_OUT_OF_RANGE",
                    format!("is {level}; levels run from 0 to 5"),
                ));
            }
            levels[c.index()] = *level as u8;
        }
        let rubric = self
            .rubrics
            .get(tenant, &view.grade.rubric_name, Some(view.grade.rubric_version))?
            .rubric;
        // Rounded as the grader rounds its own totals.
        let total = (rubric.total(levels) * 100.0).round() / 100.0;
        view.review = Some(Review {
            reviewer,
            levels,
            comment: draft.comment,
            review_time: time_us::now(),
            total,
            band: rubric.band_for(total).label.clone(),
        });
        if !self.store.replace_grade(tenant.as_str(), &to_record(&view))? {
            return Err(CoreError::NotFound {
                resource: "grade",
                id: grade_id.to_string(),
            });
        }
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), essay_id = %essay_id, grade_id = %grade_id, "grade reviewed");
        Ok(view)
    }
}

pub(super) fn to_record(v: &GradeRecordView) -> GradeRecord {
    let g = &v.grade;
    GradeRecord {
        id: v.id.map(|i| i.to_bytes().to_vec()).unwrap_or_default(),
        essay_id: v.essay_id.map(|i| i.to_bytes().to_vec()).unwrap_or_default(),
        question: v.question.clone(),
        criteria: g
            .criteria
            .iter()
            .map(|c| CriterionRecord {
                criterion: c.criterion.as_str().to_owned(),
                level: u32::from(c.level),
                score: c.score,
                feedback: c.feedback.clone(),
                spans: c
                    .spans
                    .iter()
                    .map(|s| SpanRecord {
                        start: s.start as u32,
                        end: s.end as u32,
                        label: s.label.as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        total: g.total,
        max_mark: g.max_mark,
        band: g.band.clone(),
        confidence: g.confidence,
        flags: g.flags.iter().map(|f| f.as_str().to_owned()).collect(),
        needs_review: g.needs_review,
        rubric_name: g.rubric_name.clone(),
        rubric_version: g.rubric_version,
        grader_version: g.grader_version.clone(),
        summary: g.summary.clone(),
        create_time_us: time_us::from_time(v.create_time),
        review: v.review.as_ref().map(|r| ReviewRecord {
            reviewer: r.reviewer.clone(),
            levels: r.levels.iter().map(|&l| u32::from(l)).collect(),
            comment: r.comment.clone(),
            review_time_us: time_us::from_time(r.review_time),
            total: r.total,
            band: r.band.clone(),
        }),
        copied_from: v.copied_from.iter().map(|e| e.to_bytes().to_vec()).collect(),
        model_score: v.model_score.as_ref().map(|m| ModelScoreRecord {
            name: m.name.clone(),
            version: m.version,
            score: m.score,
            raw: m.raw,
            scale_min: m.scale.min,
            scale_max: m.scale.max,
            assignment_id: m.assignment_id.clone(),
        }),
    }
}

fn from_record(r: GradeRecord) -> Result<GradeRecordView, CoreError> {
    let corrupt = |what: &str| CoreError::Internal(format!("stored grade: {what}"));
    let criteria = r
        .criteria
        .into_iter()
        .map(|c| {
            Ok(CriterionGrade {
                criterion: Criterion::parse(&c.criterion).ok_or_else(|| corrupt("unknown criterion"))?,
                level: c.level.min(5) as u8,
                score: c.score,
                feedback: c.feedback,
                spans: c
                    .spans
                    .into_iter()
                    .map(|s| {
                        Ok(Span {
                            start: s.start as usize,
                            end: s.end as usize,
                            label: SpanLabel::parse(&s.label).ok_or_else(|| corrupt("unknown span label"))?,
                        })
                    })
                    .collect::<Result<_, CoreError>>()?,
            })
        })
        .collect::<Result<_, CoreError>>()?;
    let review = r
        .review
        .map(|rv| {
            let levels: [u8; 4] = rv
                .levels
                .iter()
                .map(|&l| l.min(5) as u8)
                .collect::<Vec<_>>()
                .try_into()
                .map_err(|_| corrupt("review levels"))?;
            Ok::<_, CoreError>(Review {
                reviewer: rv.reviewer,
                levels,
                comment: rv.comment,
                review_time: time_us::to_time(rv.review_time_us)?,
                total: rv.total,
                band: rv.band,
            })
        })
        .transpose()?;
    Ok(GradeRecordView {
        id: Some(GradeId::try_from(r.id.as_slice())?),
        essay_id: Some(EssayId::try_from(r.essay_id.as_slice())?),
        question: r.question,
        grade: grader::Grade {
            criteria,
            total: r.total,
            max_mark: r.max_mark,
            band: r.band,
            confidence: r.confidence,
            flags: r
                .flags
                .iter()
                .map(|f| Flag::parse(f).ok_or_else(|| corrupt("unknown flag")))
                .collect::<Result<_, _>>()?,
            needs_review: r.needs_review,
            rubric_name: r.rubric_name,
            rubric_version: r.rubric_version,
            grader_version: r.grader_version,
            summary: r.summary,
        },
        create_time: time_us::to_time(r.create_time_us)?,
        review,
        copied_from: r
            .copied_from
            .iter()
            .map(|b| EssayId::try_from(b.as_slice()))
            .collect::<Result<_, CoreError>>()?,
        model_score: r
            .model_score
            .map(|m| {
                Ok::<_, CoreError>(ModelScore {
                    assignment_id: m.assignment_id,
                    name: m.name,
                    version: m.version,
                    score: m.score,
                    raw: m.raw,
                    scale: ScoreScale::new(m.scale_min, m.scale_max).map_err(|_| corrupt("model scale"))?,
                })
            })
            .transpose()?,
    })
}
