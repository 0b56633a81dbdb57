//! `essay.v1.GradingJobService`: background grading jobs, their streamed
//! progress, and the synchronous streaming batch.

use std::pin::Pin;

use tokio_stream::{Stream, StreamExt, wrappers::ReceiverStream};
use tonic::{Request, Response, Status};

use super::{
    convert::{grade_to_proto, time_to_proto},
    page_token,
    status::{failure_to_item_error, item_error},
    tenant,
};
use crate::{
    core::{
        AssignmentId, CoreError, EssayId, Grading, GradingJobs, Job, JobEvent, JobId, JobResult, JobTarget, TenantId,
    },
    proto::v1::{self, grading_job_service_server::GradingJobService},
};

/// The most items one BatchGrade call may carry.
pub const MAX_BATCH_GRADE_ITEMS: usize = 100;

type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

pub struct GradingJobApi {
    jobs: GradingJobs,
    grading: Grading,
}

impl GradingJobApi {
    pub fn new(jobs: GradingJobs, grading: Grading) -> Self {
        Self { jobs, grading }
    }

    fn result_to_proto(&self, tenant: &TenantId, r: JobResult) -> v1::GradingJobResult {
        let outcome = match r.outcome {
            Ok(view) => {
                let text = self.grading.essay_text(tenant, r.essay_id).unwrap_or_default();
                v1::grading_job_result::Outcome::Grade(grade_to_proto(&view, &text))
            }
            Err(failure) => v1::grading_job_result::Outcome::Error(failure_to_item_error(&failure)),
        };
        v1::GradingJobResult {
            sequence: r.sequence,
            essay_id: r.essay_id.to_string(),
            outcome: Some(outcome),
            external_id: r.external_id,
            author: Some(v1::Author {
                id: r.author.id,
                display_name: r.author.display_name,
            }),
        }
    }
}

pub fn job_to_proto(j: &Job) -> v1::GradingJob {
    v1::GradingJob {
        id: j.id.to_string(),
        assignment_id: j
            .assignment_id
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        essay_ids: Vec::new(),
        rubric: j.rubric.clone(),
        state: j.state as i32,
        total: j.total,
        graded: j.graded,
        failed: j.failed,
        create_time: Some(time_to_proto(j.create_time)),
        start_time: j.start_time.map(time_to_proto),
        end_time: j.end_time.map(time_to_proto),
    }
}

fn job_id(field: &str, raw: &str) -> Result<JobId, CoreError> {
    JobId::parse(field, raw)
}

#[tonic::async_trait]
impl GradingJobService for GradingJobApi {
    async fn create_grading_job(
        &self,
        request: Request<v1::CreateGradingJobRequest>,
    ) -> Result<Response<v1::CreateGradingJobResponse>, Status> {
        let tenant = tenant(&request)?;
        let job = request
            .into_inner()
            .job
            .ok_or_else(|| CoreError::invalid("job", "JOB_MISSING", "a job is required"))?;
        let target = match (job.assignment_id.is_empty(), job.essay_ids.is_empty()) {
            (false, true) => JobTarget::Assignment(AssignmentId::parse("job.assignment_id", &job.assignment_id)?),
            (true, false) => JobTarget::Essays(
                job.essay_ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| EssayId::parse(&format!("job.essay_ids[{i}]"), id))
                    .collect::<Result<_, _>>()?,
            ),
            _ => {
                return Err(CoreError::invalid(
                    "job.assignment_id",
                    "JOB_TARGET",
                    "set exactly one of assignment_id and essay_ids",
                )
                .into());
            }
        };
        let created = self.jobs.create(&tenant, target, job.rubric).await?;
        Ok(Response::new(v1::CreateGradingJobResponse {
            job: Some(job_to_proto(&created)),
        }))
    }

    async fn get_grading_job(
        &self,
        request: Request<v1::GetGradingJobRequest>,
    ) -> Result<Response<v1::GetGradingJobResponse>, Status> {
        let tenant = tenant(&request)?;
        let id = job_id("id", &request.into_inner().id)?;
        let job = self.jobs.get(&tenant, id)?;
        Ok(Response::new(v1::GetGradingJobResponse {
            job: Some(job_to_proto(&job)),
        }))
    }

    async fn list_grading_jobs(
        &self,
        request: Request<v1::ListGradingJobsRequest>,
    ) -> Result<Response<v1::ListGradingJobsResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let limit = page_token::page_size(r.page_size)?;
        let fingerprint = page_token::filter_fingerprint(&[]);
        let before = page_token::decode_fixed::<16>(&r.page_token, fingerprint)?.map(JobId::from_bytes);
        let page = self.jobs.list(&tenant, before, limit)?;
        let next_page_token = match (page.more, page.items.last()) {
            (true, Some(last)) => page_token::encode(&last.id.to_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListGradingJobsResponse {
            jobs: page.items.iter().map(job_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn cancel_grading_job(
        &self,
        request: Request<v1::CancelGradingJobRequest>,
    ) -> Result<Response<v1::CancelGradingJobResponse>, Status> {
        let tenant = tenant(&request)?;
        let id = job_id("id", &request.into_inner().id)?;
        let job = self.jobs.cancel(&tenant, id).await?;
        Ok(Response::new(v1::CancelGradingJobResponse {
            job: Some(job_to_proto(&job)),
        }))
    }

    async fn list_grading_job_results(
        &self,
        request: Request<v1::ListGradingJobResultsRequest>,
    ) -> Result<Response<v1::ListGradingJobResultsResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let id = job_id("job_id", &r.job_id)?;
        let limit = page_token::page_size(r.page_size)?;
        let fingerprint = page_token::filter_fingerprint(&[&r.job_id]);
        let from = page_token::decode_fixed::<4>(&r.page_token, fingerprint)?
            .map(u32::from_be_bytes)
            .unwrap_or(0);
        let page = self.jobs.results(&tenant, id, from, limit)?;
        let next_page_token = match (page.more, page.items.last()) {
            (true, Some(last)) => page_token::encode(&(last.sequence + 1).to_be_bytes(), fingerprint),
            _ => String::new(),
        };
        Ok(Response::new(v1::ListGradingJobResultsResponse {
            results: page
                .items
                .into_iter()
                .map(|r| self.result_to_proto(&tenant, r))
                .collect(),
            next_page_token,
        }))
    }

    type WatchGradingJobStream = EventStream<v1::WatchGradingJobResponse>;

    async fn watch_grading_job(
        &self,
        request: Request<v1::WatchGradingJobRequest>,
    ) -> Result<Response<Self::WatchGradingJobStream>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let id = job_id("job_id", &r.job_id)?;
        let events = self.jobs.watch(&tenant, id, r.start_sequence)?;
        let grading = self.grading.clone();
        let api = GradingJobApi::new(self.jobs.clone(), grading);
        let stream = ReceiverStream::new(events).map(move |event| {
            let event = event.map_err(Status::from)?;
            Ok(v1::WatchGradingJobResponse {
                event: Some(match event {
                    JobEvent::Progress(job) => v1::watch_grading_job_response::Event::Progress(job_to_proto(&job)),
                    JobEvent::Result(result) => {
                        v1::watch_grading_job_response::Event::Result(api.result_to_proto(&tenant, *result))
                    }
                }),
            })
        });
        Ok(Response::new(Box::pin(stream)))
    }

    type BatchGradeStream = EventStream<v1::BatchGradeResponse>;

    async fn batch_grade(
        &self,
        request: Request<v1::BatchGradeRequest>,
    ) -> Result<Response<Self::BatchGradeStream>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        if r.items.len() > MAX_BATCH_GRADE_ITEMS {
            return Err(CoreError::invalid(
                "items",
                "BATCH_TOO_LARGE",
                format!("has {} items; the limit is {MAX_BATCH_GRADE_ITEMS}", r.items.len()),
            )
            .into());
        }
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let grading = self.grading.clone();
        tokio::spawn(async move {
            for (index, item) in r.items.into_iter().enumerate() {
                let field = format!("items[{index}]");
                let graded = match item.item {
                    Some(v1::batch_grade_item::Item::EssayId(id)) => match EssayId::parse("essay_id", &id) {
                        Ok(id) => grading
                            .grade_essay(&tenant, id, None, None)
                            .await
                            .and_then(|view| Ok((grading.essay_text(&tenant, id)?, view))),
                        Err(e) => Err(e),
                    },
                    Some(v1::batch_grade_item::Item::Text(inline)) => grading
                        .grade_text(&tenant, inline.text.clone(), inline.question, &r.rubric)
                        .await
                        .map(|view| (inline.text, view))
                        .map_err(|e| e.within("text")),
                    None => Err(CoreError::invalid("item", "ITEM_MISSING", "set essay_id or text")),
                };
                let outcome = match graded {
                    Ok((text, view)) => v1::batch_grade_response::Outcome::Grade(grade_to_proto(&view, &text)),
                    Err(e) => v1::batch_grade_response::Outcome::Error(item_error(e, &field)),
                };
                let response = v1::BatchGradeResponse {
                    index: index as u32,
                    outcome: Some(outcome),
                };
                if tx.send(Ok(response)).await.is_err() {
                    return; // the caller went away
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
