//! `essay.v1.ReportService`: signed links to report pages, for the LMS to embed.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::{convert::time_to_proto, tenant};
use crate::{
    core::{CoreError, EssayId, GradeId, JobId, ReportLinks},
    proto::v1::{self, create_report_link_request::Target, report_service_server::ReportService},
};

pub struct ReportApi {
    links: ReportLinks,
}

impl ReportApi {
    pub fn new(links: ReportLinks) -> Self {
        Self { links }
    }
}

fn ttl(d: Option<prost_types::Duration>) -> Result<Option<Duration>, CoreError> {
    let Some(d) = d else { return Ok(None) };
    if d.seconds < 0 || d.nanos < 0 {
        return Err(CoreError::invalid("ttl", "TTL_NEGATIVE", "must not be negative"));
    }
    Ok(Some(Duration::new(d.seconds as u64, d.nanos as u32)))
}

#[tonic::async_trait]
impl ReportService for ReportApi {
    async fn create_report_link(
        &self,
        request: Request<v1::CreateReportLinkRequest>,
    ) -> Result<Response<v1::CreateReportLinkResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let ttl = ttl(r.ttl)?;
        let link = match r.target {
            Some(Target::Grade(g)) => {
                let essay_id = EssayId::parse("grade.essay_id", &g.essay_id)?;
                let grade_id = if g.grade_id.is_empty() {
                    None
                } else {
                    Some(GradeId::parse("grade.grade_id", &g.grade_id)?)
                };
                self.links.for_grade(&tenant, essay_id, grade_id, ttl)?
            }
            Some(Target::JobId(id)) => self.links.for_job(&tenant, JobId::parse("job_id", &id)?, ttl)?,
            None => {
                return Err(CoreError::invalid("target", "TARGET_MISSING", "name a grade or a job_id").into());
            }
        };
        Ok(Response::new(v1::CreateReportLinkResponse {
            url: link.url,
            expire_time: Some(time_to_proto(link.expire_time)),
        }))
    }
}
