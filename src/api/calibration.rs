//! `essay.v1.CalibrationService`: exemplars and learned scoring models.

use tonic::{Request, Response, Status};

use super::{convert::time_to_proto, tenant};
use crate::{
    core::{AssignmentId, Calibration, CoreError, EssayId, ExemplarScores, ModelInfo},
    proto::v1::{self, calibration_service_server::CalibrationService},
};

pub struct CalibrationApi {
    calibration: Calibration,
}

impl CalibrationApi {
    pub fn new(calibration: Calibration) -> Self {
        Self { calibration }
    }
}

fn exemplar_to_proto(e: &ExemplarScores) -> v1::Exemplar {
    v1::Exemplar {
        essay_id: e.essay_id.to_string(),
        scores: e
            .scores
            .iter()
            .map(|s| v1::TraitScore {
                r#trait: s.name.clone(),
                score: s.score,
                scale_min: s.scale.min,
                scale_max: s.scale.max,
            })
            .collect(),
        marked_by: e.marked_by.clone(),
        mark_time: Some(time_to_proto(e.mark_time)),
    }
}

fn model_to_proto(m: &ModelInfo) -> v1::ScoringModel {
    v1::ScoringModel {
        id: m.id(),
        assignment_id: m.assignment_id.as_str().to_owned(),
        r#trait: m.name.clone(),
        version: m.version,
        scale_min: m.scale.min,
        scale_max: m.scale.max,
        exemplars: m.exemplars,
        cv_qwk: m.cv_qwk,
        learning_curve: m
            .learning_curve
            .iter()
            .map(|&(n, qwk)| v1::LearningCurvePoint { exemplars: n, qwk })
            .collect(),
        create_time: Some(time_to_proto(m.create_time)),
        train_seconds: m.train_seconds,
    }
}

#[tonic::async_trait]
impl CalibrationService for CalibrationApi {
    async fn set_exemplar(
        &self,
        request: Request<v1::SetExemplarRequest>,
    ) -> Result<Response<v1::SetExemplarResponse>, Status> {
        let tenant = tenant(&request)?;
        let exemplar = request
            .into_inner()
            .exemplar
            .ok_or_else(|| CoreError::invalid("exemplar", "EXEMPLAR_MISSING", "an exemplar is required"))?;
        let essay_id = EssayId::parse("exemplar.essay_id", &exemplar.essay_id)?;
        let scores = exemplar
            .scores
            .into_iter()
            .map(|s| (s.r#trait, s.score, s.scale_min, s.scale_max))
            .collect();
        let saved = self
            .calibration
            .set_exemplar(&tenant, essay_id, scores, &exemplar.marked_by)
            .await?;
        Ok(Response::new(v1::SetExemplarResponse {
            exemplar: Some(exemplar_to_proto(&saved)),
        }))
    }

    async fn get_exemplar(
        &self,
        request: Request<v1::GetExemplarRequest>,
    ) -> Result<Response<v1::GetExemplarResponse>, Status> {
        let tenant = tenant(&request)?;
        let essay_id = EssayId::parse("essay_id", &request.into_inner().essay_id)?;
        let exemplar = self.calibration.exemplar(&tenant, essay_id)?;
        Ok(Response::new(v1::GetExemplarResponse {
            exemplar: Some(exemplar_to_proto(&exemplar)),
        }))
    }

    async fn list_exemplars(
        &self,
        request: Request<v1::ListExemplarsRequest>,
    ) -> Result<Response<v1::ListExemplarsResponse>, Status> {
        let tenant = tenant(&request)?;
        let assignment = AssignmentId::parse("assignment_id", &request.into_inner().assignment_id)?;
        let exemplars = self.calibration.exemplars(&tenant, &assignment)?;
        Ok(Response::new(v1::ListExemplarsResponse {
            exemplars: exemplars.iter().map(exemplar_to_proto).collect(),
        }))
    }

    async fn delete_exemplar(
        &self,
        request: Request<v1::DeleteExemplarRequest>,
    ) -> Result<Response<v1::DeleteExemplarResponse>, Status> {
        let tenant = tenant(&request)?;
        let essay_id = EssayId::parse("essay_id", &request.into_inner().essay_id)?;
        self.calibration.delete_exemplar(&tenant, essay_id).await?;
        Ok(Response::new(v1::DeleteExemplarResponse {}))
    }

    async fn train_scoring_model(
        &self,
        request: Request<v1::TrainScoringModelRequest>,
    ) -> Result<Response<v1::TrainScoringModelResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let assignment = AssignmentId::parse("assignment_id", &r.assignment_id)?;
        let model = self.calibration.train(&tenant, &assignment, &r.r#trait).await?;
        Ok(Response::new(v1::TrainScoringModelResponse {
            model: Some(model_to_proto(&model)),
        }))
    }

    async fn get_scoring_model(
        &self,
        request: Request<v1::GetScoringModelRequest>,
    ) -> Result<Response<v1::GetScoringModelResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let assignment = AssignmentId::parse("assignment_id", &r.assignment_id)?;
        let version = (r.version != 0).then_some(r.version);
        let model = self.calibration.model(&tenant, &assignment, &r.r#trait, version)?;
        Ok(Response::new(v1::GetScoringModelResponse {
            model: Some(model_to_proto(&model)),
        }))
    }

    async fn list_scoring_models(
        &self,
        request: Request<v1::ListScoringModelsRequest>,
    ) -> Result<Response<v1::ListScoringModelsResponse>, Status> {
        let tenant = tenant(&request)?;
        let assignment = AssignmentId::parse("assignment_id", &request.into_inner().assignment_id)?;
        let models = self.calibration.models(&tenant, &assignment)?;
        Ok(Response::new(v1::ListScoringModelsResponse {
            models: models.iter().map(model_to_proto).collect(),
        }))
    }
}
