//! `essayctl bench job`: the ASAP essays imported into a real server and
//! graded as one job, against the grader library alone on the same texts on
//! every core (the baseline) and against the grader plus the copy
//! check with everything in memory (what is left once storage is free); and
//! GradeEssay's latency while the job runs, against idle.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use serde_json::json;

use super::{CliError, connect};
use crate::{
    copies::{self, FingerprintIndex},
    eval::asap,
    grader::{self, Rubric},
    proto::v1::{
        self, assignment_service_client::AssignmentServiceClient, essay_service_client::EssayServiceClient,
        grading_job_service_client::GradingJobServiceClient, grading_service_client::GradingServiceClient,
    },
};

const QUESTION: &str = "Write an essay that answers the prompt you were given.";

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::Bench(e.to_string())
}

/// The grader library alone on `texts`, split over `threads` threads.
fn library_seconds(texts: &[String], threads: usize) -> f64 {
    let rubric = Rubric::history_default();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for part in texts.chunks(texts.len().div_ceil(threads).max(1)) {
            let rubric = &rubric;
            scope.spawn(move || {
                for t in part {
                    let _ = std::hint::black_box(grader::grade(t, QUESTION, rubric));
                }
            });
        }
    });
    start.elapsed().as_secs_f64()
}

/// The grader and the copy check on `texts` with everything in memory (an
/// in-memory index of all the texts, texts in a vector), split over
/// `threads` threads: what a job's grading costs before any storage.
fn library_with_copies_seconds(texts: &[String], threads: usize) -> f64 {
    let rubric = Rubric::history_default();
    let key = |i: usize| -> copies::EssayKey {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&(i as u64).to_be_bytes());
        k
    };
    let index = copies::MemoryFingerprintIndex::new();
    for (i, t) in texts.iter().enumerate() {
        // Indexing happens at import, not in the job: not timed.
        let _ = index.insert("bench", &key(i), &copies::fingerprint(t));
    }
    // Candidates from the job's in-memory postings, as a job finds them.
    let Ok(Some(snapshot)) = copies::PostingsSnapshot::load(&index, "bench", copies::DEFAULT_MAX_POSTINGS, usize::MAX)
    else {
        return f64::NAN;
    };
    let index = snapshot.over(&index);
    let options = copies::SearchOptions {
        threshold: rubric.copy_threshold,
        ..Default::default()
    };
    let per_thread = texts.len().div_ceil(threads).max(1);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (n, part) in texts.chunks(per_thread).enumerate() {
            let (rubric, index, options) = (&rubric, &index, &options);
            scope.spawn(move || {
                for (i, t) in part.iter().enumerate() {
                    let _ = std::hint::black_box(grader::grade(t, QUESTION, rubric));
                    let me = key(n * per_thread + i);
                    let found = copies::find_similar(index, "bench", t, Some(&me), options, |k: &copies::EssayKey| {
                        let i = u64::from_be_bytes(k[..8].try_into().unwrap_or_default()) as usize;
                        Ok::<_, copies::IndexError>(texts.get(i).cloned())
                    });
                    let _ = std::hint::black_box(found);
                }
            });
        }
    });
    start.elapsed().as_secs_f64()
}

async fn probe(
    grading: &mut GradingServiceClient<super::Conn>,
    essay_id: &str,
    hist: &mut Histogram<u64>,
) -> Result<(), CliError> {
    let t = Instant::now();
    grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: essay_id.to_owned(),
            ..Default::default()
        })
        .await?;
    hist.record(t.elapsed().as_micros() as u64).map_err(err)?;
    Ok(())
}

pub async fn run(data: &Path, essays: usize, json: bool) -> Result<(), CliError> {
    let asap: Vec<String> = asap::read_dir(data)
        .map_err(|e| CliError::Input(e.to_string()))?
        .folds
        .into_iter()
        .flatten()
        .map(|e| e.text)
        .collect();
    if asap.is_empty() {
        return Err(CliError::Input(format!("no ASAP essays in {}", data.display())));
    }
    let count = if essays == 0 { asap.len() } else { essays };
    let texts: Vec<String> = asap.iter().cycle().take(count).cloned().collect();
    let repeated = count.saturating_sub(asap.len());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);

    // The server's default cache (256 MiB), so that the job reads what the
    // import wrote from memory, as a long-running server would.
    let server = super::bench::BenchServer::start(|config| config.cache_mb = 256).await?;
    let endpoint = server.endpoint.clone();
    let channel = connect(&endpoint).await?;
    let mut assignments = AssignmentServiceClient::new(channel.clone());
    let mut essays = EssayServiceClient::new(channel.clone())
        .max_encoding_message_size(64 << 20)
        .max_decoding_message_size(64 << 20);
    let mut jobs = GradingJobServiceClient::new(channel.clone());
    let mut grading = GradingServiceClient::new(channel.clone());

    assignments
        .create_assignment(v1::CreateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "asap".into(),
                question: QUESTION.into(),
                ..Default::default()
            }),
        })
        .await?;
    let import_start = Instant::now();
    let mut probe_essay = String::new();
    for chunk in texts.chunks(1000) {
        let requests = chunk
            .iter()
            .map(|t| v1::CreateEssayRequest {
                essay: Some(v1::Essay {
                    assignment_id: "asap".into(),
                    text: t.clone(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .collect();
        let results = essays
            .batch_create_essays(v1::BatchCreateEssaysRequest { requests })
            .await?
            .into_inner()
            .results;
        if let Some(v1::batch_create_essays_result::Outcome::Essay(e)) = results.first().and_then(|r| r.outcome.clone())
            && probe_essay.is_empty()
        {
            probe_essay = e.id;
        }
    }
    let import_seconds = import_start.elapsed().as_secs_f64();

    // The machine may be busy: the library's best of three runs is its time.
    let library = (0..3)
        .map(|_| library_seconds(&texts, cores))
        .fold(f64::INFINITY, f64::min);

    let with_copies = (0..3)
        .map(|_| library_with_copies_seconds(&texts, cores))
        .fold(f64::INFINITY, f64::min);

    let mut idle = Histogram::<u64>::new(3).map_err(err)?;
    for _ in 0..20 {
        probe(&mut grading, &probe_essay, &mut idle).await?;
    }

    let start = Instant::now();
    let job = jobs
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                assignment_id: "asap".into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .job
        .unwrap_or_default();
    // The job's end is seen on its watch stream; GradeEssay is probed
    // meanwhile from another task.
    let mut watch = jobs
        .watch_grading_job(v1::WatchGradingJobRequest {
            job_id: job.id.clone(),
            start_sequence: 0,
        })
        .await?
        .into_inner();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = {
        let mut grading = grading.clone();
        let essay = probe_essay.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut busy = Histogram::<u64>::new(3).map_err(err)?;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                probe(&mut grading, &essay, &mut busy).await?;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok::<_, CliError>(busy)
        })
    };
    let mut final_job = job.clone();
    while let Some(event) = watch.message().await? {
        if let Some(v1::watch_grading_job_response::Event::Progress(p)) = event.event {
            final_job = p;
        }
    }
    let job_seconds = start.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let busy = prober.await.map_err(err)??;
    drop((assignments, essays, jobs, grading, channel));
    server.stop().await?;

    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    let report = json!({
        "essays": texts.len(),
        "repeated_essays": repeated,
        "cores": cores,
        "import_seconds": import_seconds,
        "library_seconds": library,
        "job_seconds": job_seconds,
        "job_to_library_ratio": job_seconds / library,
        "library_with_copies_seconds": with_copies,
        "job_to_library_with_copies_ratio": job_seconds / with_copies,
        "job_graded": final_job.graded,
        "job_failed": final_job.failed,
        "grade_essay_idle_ms": {"p50": ms(&idle, 0.5), "p99": ms(&idle, 0.99), "n": idle.len()},
        "grade_essay_during_job_ms": {"p50": ms(&busy, 0.5), "p99": ms(&busy, 0.99), "max": busy.max() as f64 / 1000.0, "n": busy.len()},
    });
    if json {
        outln!("{report:#}");
    } else {
        outln!(
            "essays: {} ({} of them repeats of earlier ones; {} cores)",
            texts.len(),
            repeated,
            cores
        );
        outln!("import (BatchCreateEssays, durable): {import_seconds:.2} s");
        outln!("grader library alone, {cores} threads: {library:.2} s");
        outln!("grader + copy detection in memory, {cores} threads: {with_copies:.2} s");
        outln!(
            "grading job end to end: {job_seconds:.2} s ({} graded, {} failed) = {:.2} × the library ({:.2} × grader + copies in memory)",
            final_job.graded,
            final_job.failed,
            job_seconds / library,
            job_seconds / with_copies
        );
        outln!(
            "GradeEssay latency idle: p50 {:.2} ms, p99 {:.2} ms; during the job: p50 {:.2} ms, p99 {:.2} ms ({} probes)",
            ms(&idle, 0.5),
            ms(&idle, 0.99),
            ms(&busy, 0.5),
            ms(&busy, 0.99),
            busy.len()
        );
    }
    Ok(())
}
