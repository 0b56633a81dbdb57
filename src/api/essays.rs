//! `essay.v1.EssayService`: decode, validate, call the core, encode.

use tonic::{Request, Response, Status};

use super::{
    convert::{essay_draft, essay_to_proto, essay_view, time_from_proto},
    page_token,
    status::item_error,
    tenant,
};
use crate::{
    core::{CoreError, EssayFilter, EssayId, EssayView, Essays, NewEssay, parse_name},
    proto::v1::{self, essay_service_server::EssayService},
};

/// The most items one BatchCreateEssays call may carry.
pub const MAX_BATCH_ITEMS: usize = 1000;

pub struct EssayApi {
    essays: Essays,
}

impl EssayApi {
    pub fn new(essays: Essays) -> Self {
        Self { essays }
    }

    /// Validates one CreateEssayRequest; error paths are relative to it.
    fn parse_create(&self, request: v1::CreateEssayRequest) -> Result<(NewEssay, Option<String>), CoreError> {
        let essay = request
            .essay
            .ok_or_else(|| CoreError::invalid("essay", "ESSAY_MISSING", "an essay is required"))?;
        let draft = essay_draft(essay).map_err(|e| e.within("essay"))?;
        let essay = NewEssay::parse(draft, self.essays.limits()).map_err(|e| e.within("essay"))?;
        let request_id = if request.request_id.is_empty() {
            None
        } else {
            Some(parse_name("request_id", &request.request_id)?)
        };
        Ok((essay, request_id))
    }
}

fn list_filter(r: &v1::ListEssaysRequest) -> Result<EssayFilter, CoreError> {
    EssayFilter {
        course_id: r.course_id.clone(),
        assignment_id: r.assignment_id.clone(),
        author_id: r.author_id.clone(),
        category: r.category.clone(),
        submitted_from: r
            .submit_time_start
            .as_ref()
            .map(|t| time_from_proto("submit_time_start", t))
            .transpose()?,
        submitted_before: r
            .submit_time_end
            .as_ref()
            .map(|t| time_from_proto("submit_time_end", t))
            .transpose()?,
    }
    .validate()
}

fn fingerprint(f: &EssayFilter) -> [u8; 8] {
    let from = f
        .submitted_from
        .map(|t| t.unix_timestamp_nanos().to_string())
        .unwrap_or_default();
    let before = f
        .submitted_before
        .map(|t| t.unix_timestamp_nanos().to_string())
        .unwrap_or_default();
    page_token::filter_fingerprint(&[
        &f.course_id,
        &f.assignment_id,
        &f.author_id,
        &f.category,
        &from,
        &before,
    ])
}

#[tonic::async_trait]
impl EssayService for EssayApi {
    async fn create_essay(
        &self,
        request: Request<v1::CreateEssayRequest>,
    ) -> Result<Response<v1::CreateEssayResponse>, Status> {
        let tenant = tenant(&request)?;
        let (essay, request_id) = self.parse_create(request.into_inner())?;
        let essay = self.essays.create(&tenant, essay, request_id).await?;
        Ok(Response::new(v1::CreateEssayResponse {
            essay: Some(essay_to_proto(essay)),
        }))
    }

    async fn batch_create_essays(
        &self,
        request: Request<v1::BatchCreateEssaysRequest>,
    ) -> Result<Response<v1::BatchCreateEssaysResponse>, Status> {
        let tenant = tenant(&request)?;
        let requests = request.into_inner().requests;
        if requests.len() > MAX_BATCH_ITEMS {
            return Err(CoreError::invalid(
                "requests",
                "BATCH_TOO_LARGE",
                format!("has {} items; the limit is {MAX_BATCH_ITEMS}", requests.len()),
            )
            .into());
        }
        let items = requests.into_iter().map(|r| self.parse_create(r)).collect();
        let results = self.essays.create_many(&tenant, items).await;
        let results = results
            .into_iter()
            .enumerate()
            .map(|(i, result)| v1::BatchCreateEssaysResult {
                outcome: Some(match result {
                    Ok(essay) => v1::batch_create_essays_result::Outcome::Essay(essay_to_proto(essay)),
                    Err(e) => v1::batch_create_essays_result::Outcome::Error(item_error(e, &format!("requests[{i}]"))),
                }),
            })
            .collect();
        Ok(Response::new(v1::BatchCreateEssaysResponse { results }))
    }

    async fn get_essay(&self, request: Request<v1::GetEssayRequest>) -> Result<Response<v1::GetEssayResponse>, Status> {
        let tenant = tenant(&request)?;
        let request = request.into_inner();
        let id = EssayId::parse("id", &request.id)?;
        let view = essay_view("view", request.view, EssayView::Full)?;
        let essay = self.essays.get(&tenant, id, view)?;
        Ok(Response::new(v1::GetEssayResponse {
            essay: Some(essay_to_proto(essay)),
        }))
    }

    async fn list_essays(
        &self,
        request: Request<v1::ListEssaysRequest>,
    ) -> Result<Response<v1::ListEssaysResponse>, Status> {
        let tenant = tenant(&request)?;
        let request = request.into_inner();
        let limit = page_token::page_size(request.page_size)?;
        let view = essay_view("view", request.view, EssayView::Basic)?;
        let filter = list_filter(&request)?;
        let fingerprint = fingerprint(&filter);
        let after = page_token::decode_fixed::<16>(&request.page_token, fingerprint)?.map(EssayId::from_bytes);
        let page = self.essays.list(&tenant, &filter, after, limit, view)?;
        let next_page_token = match (page.more, page.items.last()) {
            (true, Some(last)) => page_token::encode(&last.id.to_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListEssaysResponse {
            essays: page.items.into_iter().map(essay_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn delete_essay(
        &self,
        request: Request<v1::DeleteEssayRequest>,
    ) -> Result<Response<v1::DeleteEssayResponse>, Status> {
        let tenant = tenant(&request)?;
        let id = EssayId::parse("id", &request.into_inner().id)?;
        self.essays.delete(&tenant, id).await?;
        Ok(Response::new(v1::DeleteEssayResponse {}))
    }
}
