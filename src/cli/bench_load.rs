//! `essayctl bench load`: many concurrent clients mixing CreateEssay,
//! GradeEssay, GetEssay and ListEssays against the real `essayd` binary (run
//! from beside essayctl on a temporary data dir) for a fixed time; prints
//! throughput, latency percentiles per RPC, errors by code and the server's
//! peak RSS.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use serde_json::json;

use super::{CliError, connect};
use crate::proto::v1::{
    self, assignment_service_client::AssignmentServiceClient, essay_service_client::EssayServiceClient,
    grading_service_client::GradingServiceClient,
};

#[derive(Default)]
struct Tally {
    latency_us: BTreeMap<&'static str, Histogram<u64>>,
    errors: BTreeMap<String, u64>,
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::Bench(e.to_string())
}

/// Starts `essayd` from beside this binary; returns the child and its address.
fn start_server(data_dir: &std::path::Path, cache_mb: u64) -> Result<(std::process::Child, String), CliError> {
    let exe = std::env::current_exe().map_err(err)?.with_file_name("essayd");
    let mut child = Command::new(&exe)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--insecure-no-auth",
            "--cache-mb",
            &cache_mb.to_string(),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("RUST_LOG", "warn,essayd::startup=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CliError::Bench(format!("cannot start {}: {e}", exe.display())))?;
    let stderr = child.stderr.take().ok_or_else(|| err("no stderr"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = crate::startup::logged_addr(&line, "addr") {
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| err("essayd did not start"))?;
    Ok((child, format!("http://{addr}")))
}

/// Peak resident set size of a process, in MiB (Linux).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub async fn run(clients: usize, seconds: u64, cache_mb: u64, json: bool) -> Result<(), CliError> {
    let dir = tempfile::tempdir().map_err(err)?;
    let (mut child, endpoint) = start_server(dir.path(), cache_mb)?;
    let pid = child.id();
    let channel = connect(&endpoint).await?;
    AssignmentServiceClient::new(channel.clone())
        .create_assignment(v1::CreateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "load".into(),
                question: "How successful was Soviet foreign policy in the years 1925–1945?".into(),
                ..Default::default()
            }),
        })
        .await?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let duration = Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let channel = connect(&endpoint).await?;
        let tally = tally.clone();
        tasks.push(tokio::spawn(async move {
            let mut essays = EssayServiceClient::new(channel.clone());
            let mut grading = GradingServiceClient::new(channel);
            let mut mine: Vec<String> = Vec::new();
            let mut i = 0usize;
            while start.elapsed() < duration {
                i += 1;
                let t = Instant::now();
                // 4 creates : 2 gets : 1 grade : 1 list.
                let (rpc, outcome): (&'static str, Result<(), tonic::Status>) = match i % 8 {
                    0..=3 => {
                        let text = format!(
                            "Client {c}, essay {i}. Soviet foreign policy between 1925 and 1945 was largely successful, because the USSR survived; however Roberts argues that Stalin misjudged Hitler in 1939."
                        );
                        let essay = v1::Essay {
                            assignment_id: "load".into(),
                            text,
                            ..Default::default()
                        };
                        let r = essays
                            .create_essay(v1::CreateEssayRequest {
                                essay: Some(essay),
                                request_id: String::new(),
                            })
                            .await;
                        ("CreateEssay", r.map(|r| mine.push(r.into_inner().essay.unwrap_or_default().id)))
                    }
                    4 | 5 => {
                        let id = mine.last().cloned().unwrap_or_default();
                        ("GetEssay", essays.get_essay(v1::GetEssayRequest { id, view: 0 }).await.map(|_| ()))
                    }
                    6 => {
                        let essay_id = mine.last().cloned().unwrap_or_default();
                        let r = grading
                            .grade_essay(v1::GradeEssayRequest {
                                essay_id,
                                ..Default::default()
                            })
                            .await;
                        ("GradeEssay", r.map(|_| ()))
                    }
                    _ => {
                        let r = essays
                            .list_essays(v1::ListEssaysRequest {
                                page_size: 50,
                                assignment_id: "load".into(),
                                ..Default::default()
                            })
                            .await;
                        ("ListEssays", r.map(|_| ()))
                    }
                };
                let micros = t.elapsed().as_micros() as u64;
                let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
                match outcome {
                    Ok(()) => {
                        let h = tally
                            .latency_us
                            .entry(rpc)
                            .or_insert_with(|| Histogram::new(3).expect("histogram"));
                        let _ = h.record(micros.max(1));
                    }
                    Err(status) => *tally.errors.entry(format!("{rpc} {:?}", status.code())).or_default() += 1,
                }
            }
        }));
    }
    for task in tasks {
        task.await.map_err(err)?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rss = peak_rss_mib(pid);
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = child.wait();
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let total: u64 = tally.latency_us.values().map(Histogram::len).sum();
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    if json {
        let rpcs: serde_json::Map<String, serde_json::Value> = tally
            .latency_us
            .iter()
            .map(|(rpc, h)| {
                (
                    (*rpc).to_owned(),
                    json!({"count": h.len(), "per_second": h.len() as f64 / elapsed, "p50_ms": ms(h, 0.5), "p99_ms": ms(h, 0.99), "p999_ms": ms(h, 0.999)}),
                )
            })
            .collect();
        outln!(
            "{:#}",
            json!({"clients": clients, "seconds": elapsed, "requests_per_second": total as f64 / elapsed,
                   "rpcs": rpcs, "errors": tally.errors, "server_peak_rss_mib": rss, "sled_cache_mb": cache_mb})
        );
    } else {
        outln!(
            "{clients} clients for {elapsed:.1} s: {:.0} requests/s ok",
            total as f64 / elapsed
        );
        outln!(
            "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "rpc",
            "count",
            "per s",
            "p50 ms",
            "p99 ms",
            "p999 ms"
        );
        for (rpc, h) in &tally.latency_us {
            outln!(
                "{:<12} {:>9} {:>9.0} {:>9.2} {:>9.2} {:>9.2}",
                rpc,
                h.len(),
                h.len() as f64 / elapsed,
                ms(h, 0.5),
                ms(h, 0.99),
                ms(h, 0.999)
            );
        }
        if tally.errors.is_empty() {
            outln!("errors: none");
        } else {
            for (what, n) in &tally.errors {
                outln!("error {what}: {n}");
            }
        }
        match rss {
            Some(r) => outln!("server peak RSS: {r:.0} MiB (sled cache {cache_mb} MiB)"),
            None => outln!("server peak RSS: unknown"),
        }
    }
    Ok(())
}
