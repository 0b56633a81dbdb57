//! `essay.v1.AssignmentService`: decode, validate, call the core, encode.

use tonic::{Request, Response, Status};

use super::{convert::assignment_to_proto, page_token, tenant};
use crate::{
    core::{AssignmentField, AssignmentFields, AssignmentId, Assignments, CoreError},
    proto::v1::{self, assignment_service_server::AssignmentService},
};

pub struct AssignmentApi {
    assignments: Assignments,
}

impl AssignmentApi {
    pub fn new(assignments: Assignments) -> Self {
        Self { assignments }
    }
}

fn fields(a: &v1::Assignment) -> Result<AssignmentFields, CoreError> {
    AssignmentFields::parse(&a.course_id, a.title.clone(), a.question.clone(), a.rubric.clone())
        .map_err(|e| e.within("assignment"))
}

fn required(a: Option<v1::Assignment>) -> Result<v1::Assignment, CoreError> {
    a.ok_or_else(|| CoreError::invalid("assignment", "ASSIGNMENT_MISSING", "an assignment is required"))
}

#[tonic::async_trait]
impl AssignmentService for AssignmentApi {
    async fn create_assignment(
        &self,
        request: Request<v1::CreateAssignmentRequest>,
    ) -> Result<Response<v1::CreateAssignmentResponse>, Status> {
        let tenant = tenant(&request)?;
        let assignment = required(request.into_inner().assignment)?;
        let id = AssignmentId::parse("assignment.id", &assignment.id)?;
        let created = self.assignments.create(&tenant, id, fields(&assignment)?).await?;
        Ok(Response::new(v1::CreateAssignmentResponse {
            assignment: Some(assignment_to_proto(created)),
        }))
    }

    async fn get_assignment(
        &self,
        request: Request<v1::GetAssignmentRequest>,
    ) -> Result<Response<v1::GetAssignmentResponse>, Status> {
        let tenant = tenant(&request)?;
        let id = AssignmentId::parse("id", &request.into_inner().id)?;
        let assignment = self.assignments.get(&tenant, &id)?;
        Ok(Response::new(v1::GetAssignmentResponse {
            assignment: Some(assignment_to_proto(assignment)),
        }))
    }

    async fn list_assignments(
        &self,
        request: Request<v1::ListAssignmentsRequest>,
    ) -> Result<Response<v1::ListAssignmentsResponse>, Status> {
        let tenant = tenant(&request)?;
        let request = request.into_inner();
        let limit = page_token::page_size(request.page_size)?;
        let fingerprint = page_token::filter_fingerprint(&[&request.course_id]);
        let after = page_token::decode_name(&request.page_token, fingerprint)?;
        let page = self
            .assignments
            .list(&tenant, &request.course_id, after.as_deref(), limit)?;
        let next_page_token = match (page.more, page.items.last()) {
            (true, Some(last)) => page_token::encode(last.id.as_str().as_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListAssignmentsResponse {
            assignments: page.items.into_iter().map(assignment_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn update_assignment(
        &self,
        request: Request<v1::UpdateAssignmentRequest>,
    ) -> Result<Response<v1::UpdateAssignmentResponse>, Status> {
        let tenant = tenant(&request)?;
        let request = request.into_inner();
        let assignment = required(request.assignment)?;
        let id = AssignmentId::parse("assignment.id", &assignment.id)?;
        let mask = match request.update_mask {
            Some(mask) if !mask.paths.is_empty() => mask
                .paths
                .iter()
                .map(|p| AssignmentField::parse("update_mask", p.strip_prefix("assignment.").unwrap_or(p)))
                .collect::<Result<Vec<_>, _>>()?,
            _ => AssignmentField::ALL.to_vec(),
        };
        let updated = self
            .assignments
            .update(&tenant, &id, fields(&assignment)?, &mask)
            .await?;
        Ok(Response::new(v1::UpdateAssignmentResponse {
            assignment: Some(assignment_to_proto(updated)),
        }))
    }
}
