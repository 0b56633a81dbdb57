//! `essayctl bench create`: N concurrent CreateEssay clients against a real
//! server for a fixed time, and in the same run the same creates through the
//! core without gRPC, and the same writes straight into sled with a flush per
//! write and with no flush, as baselines.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use clap::Subcommand;
use hdrhistogram::Histogram;
use serde_json::json;

use super::{CliError, connect};
use crate::{
    config::ServerConfig,
    core::{EssayDraft, EssayLimits, Essays, NewEssay, TenantId},
    proto::v1::{self, essay_service_client::EssayServiceClient},
    startup,
    store::{SledOptions, SledStore},
};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Concurrent clients mixing create, grade, get and list against the
    /// real essayd binary: throughput, latency per RPC, errors, peak RSS.
    Load {
        /// Concurrent clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// How long to run, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The server's sled cache, in MiB.
        #[arg(long, default_value_t = 64)]
        cache_mb: u64,
    },
    /// Import the ASAP essays, grade them as one job, and compare with the
    /// grader library alone on the same texts on every core.
    Job {
        /// A directory with ASAP fold_K.tsv files.
        #[arg(long)]
        data: PathBuf,
        /// How many essays to import and grade (0: the ASAP essays once).
        /// Fewer takes the first N; more takes the ASAP essays again from the
        /// start, so the repeats are verbatim copies, which the copy check
        /// finds and verifies.
        #[arg(long, default_value_t = 0)]
        essays: usize,
    },
    /// Durable creates/s and latency through gRPC, against raw sled.
    Create {
        /// Client counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        clients: Vec<usize>,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Size of each essay's text in bytes.
        #[arg(long, default_value_t = 3000)]
        text_bytes: usize,
    },
}

/// One measurement: what ran, how many writes, and their latency.
struct Measurement {
    what: String,
    clients: usize,
    writes: u64,
    elapsed: Duration,
    latency_us: Histogram<u64>,
}

impl Measurement {
    fn rate(&self) -> f64 {
        self.writes as f64 / self.elapsed.as_secs_f64()
    }
    fn json(&self) -> serde_json::Value {
        json!({
            "what": self.what, "clients": self.clients, "writes": self.writes,
            "per_second": self.rate(),
            "p50_ms": self.latency_us.value_at_quantile(0.5) as f64 / 1000.0,
            "p99_ms": self.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
        })
    }
}

/// What one client did: its write count and latency histogram.
type ClientResult = Result<(u64, Histogram<u64>), tonic::Status>;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// One client's calls and their latency.
struct ClientTally {
    calls: u64,
    latency_us: Histogram<u64>,
}

impl ClientTally {
    fn new() -> Self {
        Self {
            calls: 0,
            latency_us: histogram(),
        }
    }

    /// Awaits `call`, timing it from its first poll to its end.
    async fn time<T, E>(&mut self, call: impl std::future::Future<Output = Result<T, E>>) -> Result<T, E> {
        let t = Instant::now();
        let out = call.await?;
        self.latency_us.record(t.elapsed().as_micros() as u64).ok();
        self.calls += 1;
        Ok(out)
    }

    fn done(self) -> ClientResult {
        Ok((self.calls, self.latency_us))
    }
}

fn essay_text(bytes: usize) -> String {
    let sentence = "The collective security policy of the 1930s depended on allies who would not fight. ";
    sentence.repeat(bytes / sentence.len() + 1)[..bytes].to_owned()
}

pub async fn run(cmd: BenchCommand, json: bool) -> Result<(), CliError> {
    let (clients, seconds, text_bytes) = match cmd {
        BenchCommand::Create {
            clients,
            seconds,
            text_bytes,
        } => (clients, seconds, text_bytes),
        BenchCommand::Job { data, essays } => {
            return super::bench_job::run(&data, essays, json).await;
        }
        BenchCommand::Load {
            clients,
            seconds,
            cache_mb,
        } => return super::bench_load::run(clients, seconds, cache_mb, json).await,
    };
    let duration = Duration::from_secs(seconds);
    let text = Arc::new(essay_text(text_bytes));
    let mut results = Vec::new();
    for &n in &clients {
        results.push(grpc_health_checks(n, duration).await?);
        results.push(grpc_creates(n, duration, text.clone()).await?);
        results.push(core_creates(n, duration, text.clone()).await?);
        results.push(sled_writes(n, duration, text.clone(), true).await?);
        results.push(sled_writes(n, duration, text.clone(), false).await?);
    }
    if json {
        let values: Vec<_> = results.iter().map(Measurement::json).collect();
        outln!("{:#}", serde_json::Value::from(values));
    } else {
        outln!(
            "{:<28} {:>7} {:>10} {:>12} {:>9} {:>9}",
            "what",
            "clients",
            "writes",
            "writes/s",
            "p50 ms",
            "p99 ms"
        );
        for m in &results {
            outln!(
                "{:<28} {:>7} {:>10} {:>12.0} {:>9.2} {:>9.2}",
                m.what,
                m.clients,
                m.writes,
                m.rate(),
                m.latency_us.value_at_quantile(0.5) as f64 / 1000.0,
                m.latency_us.value_at_quantile(0.99) as f64 / 1000.0
            );
        }
    }
    Ok(())
}

/// A real server on a temporary data dir, for one measurement.
pub(super) struct BenchServer {
    pub(super) endpoint: String,
    server: startup::RunningServer,
    _dir: tempfile::TempDir,
}

impl BenchServer {
    /// Starts it with authentication off and the test defaults, as changed
    /// by `configure`.
    pub(super) async fn start(configure: impl FnOnce(&mut ServerConfig)) -> Result<Self, CliError> {
        let dir = tempfile::tempdir().map_err(|e| CliError::Bench(format!("temp dir: {e}")))?;
        let mut config = ServerConfig {
            insecure_no_auth: true,
            ..ServerConfig::for_data_dir(dir.path())
        };
        configure(&mut config);
        let server = startup::RunningServer::start(config)
            .await
            .map_err(|e| CliError::Bench(e.to_string()))?;
        Ok(Self {
            endpoint: format!("http://{}", server.addr()),
            server,
            _dir: dir,
        })
    }

    /// Stops it gracefully and waits until it has flushed.
    pub(super) async fn stop(self) -> Result<(), CliError> {
        self.server.stop().await.map_err(|e| CliError::Bench(e.to_string()))
    }
}

/// The transport's ceiling on this machine: the same clients calling the
/// gRPC health check, which touches no storage.
async fn grpc_health_checks(clients: usize, duration: Duration) -> Result<Measurement, CliError> {
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let server = BenchServer::start(|_| {}).await?;
    let mut tasks = Vec::new();
    let start = Instant::now();
    for _ in 0..clients {
        let mut client = HealthClient::new(connect(&server.endpoint).await?);
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::new();
            while start.elapsed() < duration {
                tally.time(client.check(HealthCheckRequest::default())).await?;
            }
            tally.done()
        }));
    }
    let m = collect("grpc health check (no I/O)", clients, start, tasks).await?;
    server.stop().await?;
    Ok(m)
}

/// Durable creates through a real server on a temporary data dir.
async fn grpc_creates(clients: usize, duration: Duration, text: Arc<String>) -> Result<Measurement, CliError> {
    let server = BenchServer::start(|_| {}).await?;
    let endpoint = server.endpoint.clone();
    let mut tasks = Vec::new();
    let start = Instant::now();
    for c in 0..clients {
        let mut client = EssayServiceClient::new(connect(&endpoint).await?);
        let text = text.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::new();
            while start.elapsed() < duration {
                let request = v1::CreateEssayRequest {
                    essay: Some(v1::Essay {
                        title: format!("bench {c}-{}", tally.calls),
                        text: text.as_str().to_owned(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                };
                tally.time(client.create_essay(request)).await?;
            }
            tally.done()
        }));
    }
    let m = collect("grpc CreateEssay (durable)", clients, start, tasks).await?;
    server.stop().await?;
    Ok(m)
}

/// Durable creates through the core and store, without gRPC: what the
/// network layer costs is the difference to `grpc_creates`.
async fn core_creates(clients: usize, duration: Duration, text: Arc<String>) -> Result<Measurement, CliError> {
    let dir = tempfile::tempdir().map_err(|e| CliError::Bench(format!("temp dir: {e}")))?;
    let store = SledStore::open(
        dir.path(),
        &SledOptions {
            cache_capacity: 64 * 1024 * 1024,
            ..SledOptions::default()
        },
    )
    .map_err(|e| CliError::Bench(e.to_string()))?;
    let essays = Essays::new(Arc::new(store), EssayLimits::default());
    let tenant = TenantId::default();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let essays = essays.clone();
        let tenant = tenant.clone();
        let text = text.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::new();
            while start.elapsed() < duration {
                let draft = EssayDraft {
                    title: format!("bench {c}-{}", tally.calls),
                    text: text.as_str().to_owned(),
                    ..Default::default()
                };
                tally
                    .time(async {
                        let essay = NewEssay::parse(draft, essays.limits())?;
                        essays.create(&tenant, essay, None).await
                    })
                    .await
                    .map_err(tonic::Status::from)?;
            }
            tally.done()
        }));
    }
    collect("core create (durable, no gRPC)", clients, start, tasks).await
}

/// The same writes straight into sled from `clients` threads.
async fn sled_writes(
    clients: usize,
    duration: Duration,
    text: Arc<String>,
    flush: bool,
) -> Result<Measurement, CliError> {
    let dir = tempfile::tempdir().map_err(|e| CliError::Bench(format!("temp dir: {e}")))?;
    let db = sled::Config::new()
        .path(dir.path())
        .cache_capacity(64 * 1024 * 1024)
        .open()
        .map_err(|e| CliError::Bench(format!("sled: {e}")))?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let db = db.clone();
        let text = text.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut hist = histogram();
            let mut writes = 0u64;
            let mut value = vec![0u8; 300];
            value.extend_from_slice(text.as_bytes());
            while start.elapsed() < duration {
                let key = [(c as u64).to_be_bytes(), writes.to_be_bytes()].concat();
                let t = Instant::now();
                db.insert(key, value.as_slice())
                    .map_err(|e| tonic::Status::internal(e.to_string()))?;
                if flush {
                    db.flush().map_err(|e| tonic::Status::internal(e.to_string()))?;
                }
                hist.record(t.elapsed().as_micros() as u64).ok();
                writes += 1;
            }
            Ok::<_, tonic::Status>((writes, hist))
        }));
    }
    let what = if flush {
        "sled insert + flush each"
    } else {
        "sled insert, no flush"
    };
    collect(what, clients, start, tasks).await
}

async fn collect(
    what: &str,
    clients: usize,
    start: Instant,
    tasks: Vec<tokio::task::JoinHandle<ClientResult>>,
) -> Result<Measurement, CliError> {
    let mut m = Measurement {
        what: what.to_owned(),
        clients,
        writes: 0,
        elapsed: Duration::ZERO,
        latency_us: histogram(),
    };
    for task in tasks {
        let (writes, hist) = task.await.map_err(|e| CliError::Bench(e.to_string()))??;
        m.writes += writes;
        m.latency_us.add(&hist).map_err(|e| CliError::Bench(e.to_string()))?;
    }
    m.elapsed = start.elapsed();
    Ok(m)
}
