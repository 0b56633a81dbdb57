//! Grading jobs: `essayctl grade --assignment ID` (a background job with a
//! progress bar and a summary), `essayctl jobs list|get|watch|cancel`, and
//! `essayctl results --job ID --format csv|jsonl` (one row per essay, for a
//! spreadsheet).

use std::collections::BTreeMap;

use clap::{Args, Subcommand, ValueEnum};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{CliError, Conn, connect, grade::flag_name, output};
use crate::core::results_csv::{self, ResultRow};
use crate::proto::v1::{self, grading_job_service_client::GradingJobServiceClient, watch_grading_job_response::Event};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResultFormat {
    /// Comma-separated, with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The grading job (`essayctl jobs list` shows them).
    #[arg(long)]
    job: String,
    /// The output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: ResultFormat,
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Grading jobs, the newest first.
    List,
    /// Show one job's state and counts.
    Get {
        /// The job's id.
        id: String,
    },
    /// Follow a job with a progress bar until it ends, then print its summary.
    Watch {
        /// The job's id.
        id: String,
    },
    /// Stop a queued or running job; grades already made are kept.
    Cancel {
        /// The job's id.
        id: String,
    },
}

fn state_name(state: i32) -> String {
    v1::GradingJobState::try_from(state)
        .map(|s| s.as_str_name().trim_start_matches("GRADING_JOB_STATE_").to_lowercase())
        .unwrap_or_default()
}

/// A job-id error in the CLI's words: the server reports a malformed id as
/// a bad essay id (job and essay ids share a form) and an unknown one as
/// NOT_FOUND.
fn job_error(id: &str) -> impl FnOnce(tonic::Status) -> CliError + '_ {
    move |status| match status.code() {
        tonic::Code::NotFound | tonic::Code::InvalidArgument => CliError::explain(
            status,
            format!("no grading job {id:?}: `essayctl jobs list` shows the jobs and their ids"),
        ),
        _ => status.into(),
    }
}

fn job_json(j: &v1::GradingJob) -> serde_json::Value {
    json!({
        "id": j.id, "assignment_id": j.assignment_id, "essay_ids": j.essay_ids, "rubric": j.rubric,
        "state": state_name(j.state), "total": j.total, "graded": j.graded, "failed": j.failed,
        "create_time": output::time(&j.create_time), "start_time": output::time(&j.start_time),
        "end_time": output::time(&j.end_time),
    })
}

fn job_table(jobs: &[v1::GradingJob]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["id", "assignment", "state", "graded", "failed", "created"]);
    for j in jobs {
        t.add_row(vec![
            j.id.clone(),
            if j.assignment_id.is_empty() {
                format!("({} essays)", j.essay_ids.len())
            } else {
                j.assignment_id.clone()
            },
            state_name(j.state),
            format!("{} / {}", j.graded, j.total),
            j.failed.to_string(),
            output::time(&j.create_time),
        ]);
    }
    t.to_string()
}

/// One job, as `jobs get` and `jobs watch` start from it.
async fn fetch(client: &mut GradingJobServiceClient<Conn>, id: &str) -> Result<v1::GradingJob, CliError> {
    Ok(client
        .get_grading_job(v1::GetGradingJobRequest { id: id.to_owned() })
        .await
        .map_err(job_error(id))?
        .into_inner()
        .job
        .unwrap_or_default())
}

pub async fn run(cmd: JobCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = GradingJobServiceClient::new(connect(endpoint).await?);
    let show = |job: &v1::GradingJob| {
        if json {
            outln!("{:#}", job_json(job));
        } else {
            outln!("{}", job_table(std::slice::from_ref(job)));
        }
    };
    match cmd {
        JobCommand::List => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = client
                    .list_grading_jobs(v1::ListGradingJobsRequest {
                        page_size: 1000,
                        page_token,
                    })
                    .await?
                    .into_inner();
                all.extend(page.jobs);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            if json {
                outln!(
                    "{:#}",
                    serde_json::Value::from(all.iter().map(job_json).collect::<Vec<_>>())
                );
            } else {
                outln!("{}", job_table(&all));
            }
        }
        JobCommand::Get { id } => show(&fetch(&mut client, &id).await?),
        JobCommand::Watch { id } => {
            let job = fetch(&mut client, &id).await?;
            watch(&mut client, job, json).await?;
        }
        JobCommand::Cancel { id } => {
            let job = client
                .cancel_grading_job(v1::CancelGradingJobRequest { id: id.clone() })
                .await
                .map_err(job_error(&id))?
                .into_inner()
                .job
                .unwrap_or_default();
            show(&job);
        }
    }
    Ok(())
}

/// What the summary counts.
#[derive(Default)]
struct Summary {
    bands: BTreeMap<String, u32>,
    flags: BTreeMap<String, u32>,
    review: u32,
    failed: u32,
}

pub async fn grade_assignment(endpoint: &str, assignment: &str, rubric: &str, json: bool) -> Result<(), CliError> {
    super::assignments::require(endpoint, assignment).await?;
    let mut client = GradingJobServiceClient::new(connect(endpoint).await?);
    let job = client
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                assignment_id: assignment.to_owned(),
                rubric: rubric.to_owned(),
                ..Default::default()
            }),
        })
        .await
        .map_err(|status| {
            if status.code() == tonic::Code::FailedPrecondition && status.message().contains("no essays") {
                CliError::explain(
                    status,
                    format!(
                        "assignment {assignment:?} has no essays to grade yet: \
                         `essayctl essays import --assignment {assignment} FILE…` adds some"
                    ),
                )
            } else {
                status.into()
            }
        })?
        .into_inner()
        .job
        .unwrap_or_default();
    watch(&mut client, job, json).await
}

/// Follows `job` to its end with a progress bar, then prints its summary.
async fn watch(client: &mut GradingJobServiceClient<Conn>, job: v1::GradingJob, json: bool) -> Result<(), CliError> {
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::from(job.total))
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading [{bar:40}] {pos}/{len} · {per_sec} · ETA {eta}")
            .map_err(|e| CliError::Input(e.to_string()))?
            .progress_chars("=> "),
    );
    let mut summary = Summary::default();
    let mut next = 0u32;
    let mut last = job.clone();
    // Watch until the job ends; on a dropped stream, reconnect from the next
    // sequence, so no result is missed or counted twice.
    loop {
        let mut stream = client
            .watch_grading_job(v1::WatchGradingJobRequest {
                job_id: job.id.clone(),
                start_sequence: next,
            })
            .await?
            .into_inner();
        let mut broken = false;
        loop {
            match stream.message().await {
                Ok(Some(event)) => match event.event {
                    Some(Event::Progress(p)) => {
                        bar.set_position(u64::from(p.graded + p.failed));
                        last = p;
                    }
                    Some(Event::Result(r)) => {
                        next = r.sequence + 1;
                        match r.outcome {
                            Some(v1::grading_job_result::Outcome::Grade(g)) => {
                                *summary.bands.entry(g.band.clone()).or_default() += 1;
                                for f in &g.flags {
                                    *summary.flags.entry(flag_name(*f)).or_default() += 1;
                                }
                                summary.review += u32::from(g.needs_review);
                            }
                            _ => summary.failed += 1,
                        }
                        bar.inc(0);
                    }
                    None => {}
                },
                Ok(None) => break,
                Err(_) => {
                    broken = true;
                    break;
                }
            }
        }
        if !broken {
            break;
        }
    }
    bar.finish_and_clear();
    let state = state_name(last.state);
    if json {
        outln!(
            "{:#}",
            json!({
                "job_id": last.id, "state": state, "total": last.total, "graded": last.graded,
                "failed": last.failed, "bands": summary.bands, "flags": summary.flags,
                "needs_review": summary.review,
            })
        );
    } else {
        outln!(
            "job {}: {state}, {} of {} graded, {} failed",
            last.id,
            last.graded,
            last.total,
            last.failed
        );
        outln!("by band:");
        for (band, n) in &summary.bands {
            outln!("  {band:<12} {n}");
        }
        if !summary.flags.is_empty() {
            outln!("flags:");
            for (flag, n) in &summary.flags {
                outln!("  {flag:<18} {n}");
            }
        }
        outln!("marked for review: {}", summary.review);
        if summary.review > 0 && !last.assignment_id.is_empty() {
            outln!(
                "  see them: essayctl grades list --assignment {} --needs-review",
                last.assignment_id
            );
        }
        outln!("export: essayctl results --job {} --format csv", last.id);
    }
    Ok(())
}

pub async fn results(args: ResultsArgs, endpoint: &str) -> Result<(), CliError> {
    let mut client = GradingJobServiceClient::new(connect(endpoint).await?);
    const CRITERIA: [&str; 4] = ["thesis", "evidence", "historiography", "balance"];
    let mut page_token = String::new();
    let mut first = true;
    loop {
        let page = client
            .list_grading_job_results(v1::ListGradingJobResultsRequest {
                job_id: args.job.clone(),
                page_size: 1000,
                page_token,
            })
            .await
            .map_err(job_error(&args.job))?
            .into_inner();
        // The header only once the job is known, so an error prints no CSV.
        if first && let ResultFormat::Csv = args.format {
            outln!("{}", results_csv::HEADER);
        }
        first = false;
        for r in &page.results {
            let author = r.author.clone().unwrap_or_default();
            let (grade, error) = match &r.outcome {
                Some(v1::grading_job_result::Outcome::Grade(g)) => (Some(g), String::new()),
                Some(v1::grading_job_result::Outcome::Error(e)) => (None, e.message.clone()),
                None => (None, String::new()),
            };
            let level = |c: &str| {
                grade
                    .and_then(|g| g.criteria.iter().find(|x| x.criterion == c))
                    .map(|x| x.level.to_string())
                    .unwrap_or_default()
            };
            let flags: Vec<String> = grade
                .map(|g| g.flags.iter().map(|f| flag_name(*f)).collect())
                .unwrap_or_default();
            let lti = grade.and_then(|g| g.lti_score.clone()).unwrap_or_default();
            match args.format {
                ResultFormat::Csv => {
                    let row = ResultRow {
                        essay_id: r.essay_id.clone(),
                        external_id: r.external_id.clone(),
                        author_id: author.id.clone(),
                        author_name: author.display_name.clone(),
                        levels: CRITERIA.map(level),
                        total: grade.map(|g| format!("{:.2}", g.total)).unwrap_or_default(),
                        max_mark: grade.map(|g| format!("{}", g.max_mark)).unwrap_or_default(),
                        band: grade.map(|g| g.band.clone()).unwrap_or_default(),
                        flags: flags.join(";"),
                        grading_progress: lti.grading_progress.clone(),
                        error: error.clone(),
                    };
                    outln!("{}", row.to_csv());
                }
                ResultFormat::Jsonl => {
                    let levels: serde_json::Map<String, serde_json::Value> = CRITERIA
                        .iter()
                        .map(|c| ((*c).to_owned(), json!(level(c).parse::<u32>().ok())))
                        .collect();
                    outln!(
                        "{}",
                        json!({
                            "essay_id": r.essay_id, "external_id": r.external_id,
                            "author": {"id": author.id, "display_name": author.display_name},
                            "levels": levels, "total": grade.map(|g| g.total), "max_mark": grade.map(|g| g.max_mark),
                            "band": grade.map(|g| g.band.clone()), "flags": flags,
                            "grading_progress": lti.grading_progress, "error": (!error.is_empty()).then_some(error),
                        })
                    );
                }
            }
        }
        if page.next_page_token.is_empty() {
            return Ok(());
        }
        page_token = page.next_page_token;
    }
}
