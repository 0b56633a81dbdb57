//! `essayctl report ESSAY_ID [--grade ID] | --job ID`: prints a signed,
//! expiring link to a grade's or a job's report page, for an LMS to embed
//! (the server must run with `--http-listen`).

use clap::Args;
use serde_json::json;

use super::{CliError, connect};
use crate::proto::v1::{self, create_report_link_request::Target, report_service_client::ReportServiceClient};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The essay whose grade to show (its latest unless --grade is given).
    #[arg(required_unless_present = "job", conflicts_with = "job")]
    essay_id: Option<String>,
    /// A grade of the essay, instead of its latest.
    #[arg(long, requires = "essay_id")]
    grade: Option<String>,
    /// A grading job, instead of an essay's grade.
    #[arg(long)]
    job: Option<String>,
    /// How long the link works (e.g. 30m, 2h, 7d; at most 7 days).
    #[arg(long, default_value = "1h")]
    ttl: humantime::Duration,
}

pub async fn run(args: ReportArgs, endpoint: &str, json: bool) -> Result<(), CliError> {
    let target = match (args.job, args.essay_id) {
        (Some(job_id), _) => Target::JobId(job_id),
        (None, Some(essay_id)) => Target::Grade(v1::GradeReportTarget {
            essay_id,
            grade_id: args.grade.unwrap_or_default(),
        }),
        (None, None) => return Err(CliError::Input("give an ESSAY_ID or --job ID".into())),
    };
    let ttl = std::time::Duration::from(args.ttl);
    let mut client = ReportServiceClient::new(connect(endpoint).await?);
    let link = client
        .create_report_link(v1::CreateReportLinkRequest {
            target: Some(target),
            ttl: Some(prost_types::Duration {
                seconds: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
                nanos: ttl.subsec_nanos() as i32,
            }),
        })
        .await?
        .into_inner();
    let expires = link
        .expire_time
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.seconds).ok())
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    if json {
        println!("{}", json!({ "url": link.url, "expire_time": expires }));
    } else {
        println!("{}", link.url);
        println!("expires {expires}");
    }
    Ok(())
}
