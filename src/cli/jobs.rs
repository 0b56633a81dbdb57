//! `essayctl grade --assignment ID` (a background job with a progress bar and
//! a summary) and `essayctl results --job ID --format csv|jsonl` (one row per
//! essay, for a spreadsheet).

use std::collections::BTreeMap;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{CliError, connect, grade::flag_name};
use crate::proto::v1::{self, grading_job_service_client::GradingJobServiceClient, watch_grading_job_response::Event};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResultFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The grading job.
    #[arg(long)]
    job: String,
    #[arg(long, value_enum, default_value = "csv")]
    format: ResultFormat,
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
    let mut client = GradingJobServiceClient::new(connect(endpoint).await?);
    let job = client
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                assignment_id: assignment.to_owned(),
                rubric: rubric.to_owned(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .job
        .unwrap_or_default();
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
    let state = v1::GradingJobState::try_from(last.state)
        .map(|s| s.as_str_name().trim_start_matches("GRADING_JOB_STATE_").to_lowercase())
        .unwrap_or_default();
    if json {
        println!(
            "{:#}",
            json!({
                "job_id": last.id, "state": state, "total": last.total, "graded": last.graded,
                "failed": last.failed, "bands": summary.bands, "flags": summary.flags,
                "needs_review": summary.review,
            })
        );
    } else {
        println!(
            "job {}: {state}, {} of {} graded, {} failed",
            last.id, last.graded, last.total, last.failed
        );
        println!("by band:");
        for (band, n) in &summary.bands {
            println!("  {band:<12} {n}");
        }
        if !summary.flags.is_empty() {
            println!("flags:");
            for (flag, n) in &summary.flags {
                println!("  {flag:<18} {n}");
            }
        }
        println!("marked for review: {}", summary.review);
        println!("export: essayctl results --job {} --format csv", last.id);
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub async fn results(args: ResultsArgs, endpoint: &str) -> Result<(), CliError> {
    let mut client = GradingJobServiceClient::new(connect(endpoint).await?);
    const CRITERIA: [&str; 4] = ["thesis", "evidence", "historiography", "balance"];
    if let ResultFormat::Csv = args.format {
        println!(
            "essay_id,external_id,author_id,author_name,{},total,max_mark,band,flags,grading_progress,error",
            CRITERIA.join(",")
        );
    }
    let mut page_token = String::new();
    loop {
        let page = client
            .list_grading_job_results(v1::ListGradingJobResultsRequest {
                job_id: args.job.clone(),
                page_size: 1000,
                page_token,
            })
            .await?
            .into_inner();
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
                    let row = [
                        r.essay_id.clone(),
                        r.external_id.clone(),
                        author.id.clone(),
                        author.display_name.clone(),
                        level("thesis"),
                        level("evidence"),
                        level("historiography"),
                        level("balance"),
                        grade.map(|g| format!("{:.2}", g.total)).unwrap_or_default(),
                        grade.map(|g| format!("{}", g.max_mark)).unwrap_or_default(),
                        grade.map(|g| g.band.clone()).unwrap_or_default(),
                        flags.join(";"),
                        lti.grading_progress.clone(),
                        error.clone(),
                    ];
                    let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                    println!("{}", row.join(","));
                }
                ResultFormat::Jsonl => {
                    let levels: serde_json::Map<String, serde_json::Value> = CRITERIA
                        .iter()
                        .map(|c| ((*c).to_owned(), json!(level(c).parse::<u32>().ok())))
                        .collect();
                    println!(
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
