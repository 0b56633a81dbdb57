//! `essay.v1.GradingService`: decode, validate, call the core, encode.

use tonic::{Request, Response, Status};

use super::{
    convert::{grade_to_proto, rubric_to_proto},
    page_token, tenant,
};
use crate::{
    core::{CoreError, EssayId, GradeId, Grading, ReviewDraft, RubricDraft, Rubrics, TenantId},
    proto::v1::{self, grading_service_server::GradingService},
};

pub struct GradingApi {
    grading: Grading,
    rubrics: Rubrics,
}

impl GradingApi {
    pub fn new(grading: Grading, rubrics: Rubrics) -> Self {
        Self { grading, rubrics }
    }

    /// The stored text a grade's spans point into.
    fn text(&self, tenant: &TenantId, essay_id: EssayId) -> Result<String, CoreError> {
        self.grading.essay_text(tenant, essay_id)
    }
}

fn optional(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn rubric_draft(r: Option<v1::Rubric>) -> Result<RubricDraft, CoreError> {
    let r = r.ok_or_else(|| CoreError::invalid("rubric", "RUBRIC_MISSING", "a rubric is required"))?;
    Ok(RubricDraft {
        name: r.name,
        description: r.description,
        weights: r.weights.into_iter().map(|w| (w.criterion, w.weight)).collect(),
        max_mark: r.max_mark,
        bands: r.bands.into_iter().map(|b| (b.label, b.min_mark)).collect(),
        review_threshold: r.review_threshold,
    })
}

#[tonic::async_trait]
impl GradingService for GradingApi {
    async fn grade_essay(
        &self,
        request: Request<v1::GradeEssayRequest>,
    ) -> Result<Response<v1::GradeEssayResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let essay_id = EssayId::parse("essay_id", &r.essay_id)?;
        let view = self
            .grading
            .grade_essay(&tenant, essay_id, optional(r.question), optional(r.rubric))
            .await?;
        let text = self.text(&tenant, essay_id)?;
        Ok(Response::new(v1::GradeEssayResponse {
            grade: Some(grade_to_proto(&view, &text)),
        }))
    }

    async fn grade_text(
        &self,
        request: Request<v1::GradeTextRequest>,
    ) -> Result<Response<v1::GradeTextResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let view = self
            .grading
            .grade_text(&tenant, r.text.clone(), r.question, &r.rubric)
            .await?;
        Ok(Response::new(v1::GradeTextResponse {
            grade: Some(grade_to_proto(&view, &r.text)),
        }))
    }

    async fn get_grade(&self, request: Request<v1::GetGradeRequest>) -> Result<Response<v1::GetGradeResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let essay_id = EssayId::parse("essay_id", &r.essay_id)?;
        let grade_id = GradeId::parse("grade_id", &r.grade_id)?;
        let view = self.grading.get(&tenant, essay_id, grade_id)?;
        let text = self.text(&tenant, essay_id)?;
        Ok(Response::new(v1::GetGradeResponse {
            grade: Some(grade_to_proto(&view, &text)),
        }))
    }

    async fn list_grades(
        &self,
        request: Request<v1::ListGradesRequest>,
    ) -> Result<Response<v1::ListGradesResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let essay_id = EssayId::parse("essay_id", &r.essay_id)?;
        let limit = page_token::page_size(r.page_size)?;
        let fingerprint = page_token::filter_fingerprint(&[&r.essay_id]);
        let before = page_token::decode_fixed::<16>(&r.page_token, fingerprint)?.map(GradeId::from_bytes);
        let page = self.grading.list(&tenant, essay_id, before, limit)?;
        let text = self.text(&tenant, essay_id)?;
        let next_page_token = match (page.more, page.items.last().and_then(|g| g.id)) {
            (true, Some(last)) => page_token::encode(&last.to_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListGradesResponse {
            grades: page.items.iter().map(|g| grade_to_proto(g, &text)).collect(),
            next_page_token,
        }))
    }

    async fn review_grade(
        &self,
        request: Request<v1::ReviewGradeRequest>,
    ) -> Result<Response<v1::ReviewGradeResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let essay_id = EssayId::parse("essay_id", &r.essay_id)?;
        let grade_id = GradeId::parse("grade_id", &r.grade_id)?;
        let review = r
            .review
            .ok_or_else(|| CoreError::invalid("review", "REVIEW_MISSING", "a review is required"))?;
        let draft = ReviewDraft {
            reviewer: review.reviewer,
            levels: review.levels.into_iter().map(|l| (l.criterion, l.level)).collect(),
            comment: review.comment,
        };
        let view = self.grading.review(&tenant, essay_id, grade_id, draft).await?;
        let text = self.text(&tenant, essay_id)?;
        Ok(Response::new(v1::ReviewGradeResponse {
            grade: Some(grade_to_proto(&view, &text)),
        }))
    }

    async fn create_rubric(
        &self,
        request: Request<v1::CreateRubricRequest>,
    ) -> Result<Response<v1::CreateRubricResponse>, Status> {
        let tenant = tenant(&request)?;
        let (rubric, description) = rubric_draft(request.into_inner().rubric)?
            .parse()
            .map_err(|e| e.within("rubric"))?;
        let saved = self.rubrics.save(&tenant, rubric, description, true).await?;
        Ok(Response::new(v1::CreateRubricResponse {
            rubric: Some(rubric_to_proto(&saved)),
        }))
    }

    async fn update_rubric(
        &self,
        request: Request<v1::UpdateRubricRequest>,
    ) -> Result<Response<v1::UpdateRubricResponse>, Status> {
        let tenant = tenant(&request)?;
        let (rubric, description) = rubric_draft(request.into_inner().rubric)?
            .parse()
            .map_err(|e| e.within("rubric"))?;
        let saved = self.rubrics.save(&tenant, rubric, description, false).await?;
        Ok(Response::new(v1::UpdateRubricResponse {
            rubric: Some(rubric_to_proto(&saved)),
        }))
    }

    async fn get_rubric(
        &self,
        request: Request<v1::GetRubricRequest>,
    ) -> Result<Response<v1::GetRubricResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        if r.name.is_empty() {
            return Err(CoreError::invalid("name", "NAME_MISSING", "a rubric name is required").into());
        }
        let version = (r.version != 0).then_some(r.version);
        let rubric = self.rubrics.get(&tenant, &r.name, version)?;
        Ok(Response::new(v1::GetRubricResponse {
            rubric: Some(rubric_to_proto(&rubric)),
        }))
    }

    async fn list_rubrics(
        &self,
        request: Request<v1::ListRubricsRequest>,
    ) -> Result<Response<v1::ListRubricsResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let limit = page_token::page_size(r.page_size)?;
        let fingerprint = page_token::filter_fingerprint(&[]);
        let after = page_token::decode_name(&r.page_token, fingerprint)?;
        let page = self.rubrics.list(&tenant, after.as_deref(), limit)?;
        let next_page_token = match (page.more, page.items.last()) {
            (true, Some(last)) => page_token::encode(last.rubric.name.as_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListRubricsResponse {
            rubrics: page.items.iter().map(rubric_to_proto).collect(),
            next_page_token,
        }))
    }
}
