//! Builds the whole application from a configuration and a bound listener,
//! and serves it until a shutdown future resolves. The binary and the tests
//! run this same code.

use std::{future::Future, sync::Arc, time::Duration};

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;

use crate::{
    api::{
        AssignmentApi, CalibrationApi, EssayApi, GradingApi, GradingJobApi, ReportApi, SimilarityApi,
        auth::Authenticator, limits::InFlightLimitLayer,
    },
    config::ServerConfig,
    core::{
        ApiKeys, Assignments, Calibration, CoreError, EssayLimits, Essays, Grading, GradingJobs, ReportLinks, Rubrics,
        ServiceStats, Similarity,
    },
    metrics::{Metrics, ServiceCollector},
    proto::{
        FILE_DESCRIPTOR_SET,
        v1::{
            assignment_service_server::AssignmentServiceServer, calibration_service_server::CalibrationServiceServer,
            essay_service_server::EssayServiceServer, grading_job_service_server::GradingJobServiceServer,
            grading_service_server::GradingServiceServer, report_service_server::ReportServiceServer,
            similarity_service_server::SimilarityServiceServer,
        },
    },
    store::{SledOptions, SledStore, Store, StoreError},
    web::{ReportPages, WebConfig},
};

/// The largest request the server decodes: a full batch of essays.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the data dir: {0}")]
    Store(#[from] StoreError),
    #[error("cannot build server reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("cannot resume grading jobs: {0}")]
    Jobs(CoreError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen for metrics on {addr}: {error}")]
    MetricsListen {
        addr: std::net::SocketAddr,
        error: std::io::Error,
    },
    #[error("cannot listen for HTTP on {addr}: {error}")]
    HttpListen {
        addr: std::net::SocketAddr,
        error: std::io::Error,
    },
    #[error("the HTTP/JSON gateway: {0}")]
    Gateway(String),
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        addr: std::net::SocketAddr,
        error: std::io::Error,
    },
    #[error("the server task failed: {0}")]
    Task(String),
    #[error("reports: {0}")]
    Reports(String),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Accepted connections, with Nagle's algorithm off: responses are sent as
/// they are written (without it a large response waits ~40 ms on the
/// client's delayed ACK).
fn incoming(listener: TcpListener) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt;
    TcpListenerStream::new(listener).map(|stream| {
        let stream = stream?;
        stream.set_nodelay(true)?;
        Ok(stream)
    })
}

/// The address a server process logged as `field=Some(ADDR)` in `line` (how
/// tracing prints the `Option<SocketAddr>` of the "listening" lines), for
/// tools that start the binary on port 0. `addr` also matches the tail of
/// `metrics_addr`, so the gRPC address is the first one logged.
pub fn logged_addr(line: &str, field: &str) -> Option<std::net::SocketAddr> {
    line.split(&format!("{field}=Some("))
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|a| a.parse().ok())
}

/// essayd started in-process on `config.listen` (port 0 picks a free one):
/// the one way tests and `essayctl bench` run a server in their own process.
pub struct RunningServer {
    addr: std::net::SocketAddr,
    http_addr: Option<std::net::SocketAddr>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), StartupError>>,
}

impl RunningServer {
    /// Binds `config.listen` and serves on it in a task of the current runtime.
    pub async fn start(config: ServerConfig) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|error| StartupError::Listen {
                addr: config.listen,
                error,
            })?;
        let addr = listener.local_addr().map_err(|error| StartupError::Listen {
            addr: config.listen,
            error,
        })?;
        let http = match config.http_listen {
            Some(addr) => Some(bind_http(addr).await?),
            None => None,
        };
        let http_addr = http.as_ref().and_then(|l| l.local_addr().ok());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve_on(&config, listener, http, async {
                let _ = stopped.await;
            })
            .await
        });
        Ok(Self {
            addr,
            http_addr,
            stop,
            task,
        })
    }

    /// The address gRPC is served on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// The address of the HTTP listener, when `http_listen` is set.
    pub fn http_addr(&self) -> Option<std::net::SocketAddr> {
        self.http_addr
    }

    /// Stops the server gracefully and waits until it has flushed the store.
    pub async fn stop(self) -> Result<(), StartupError> {
        let _ = self.stop.send(());
        self.task.await.map_err(|e| StartupError::Task(e.to_string()))?
    }
}

async fn bind_http(addr: std::net::SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr)
        .await
        .map_err(|error| StartupError::HttpListen { addr, error })
}

/// Serves the HTTP listener until `stopping` turns true, then lets the
/// requests in flight finish.
async fn serve_http(http: TcpListener, app: axum::Router, mut stopping: tokio::sync::watch::Receiver<bool>) {
    let served = axum::serve(http, app).with_graceful_shutdown(async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    });
    if let Err(e) = served.await {
        tracing::error!(error = %e, "the HTTP listener failed");
    }
}

/// Serves essayd on `listener` (and on `config.http_listen` if set) until
/// `shutdown` resolves, then finishes the requests in flight, flushes the
/// store and returns.
pub async fn serve(
    config: &ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), StartupError> {
    let http = match config.http_listen {
        Some(addr) => Some(bind_http(addr).await?),
        None => None,
    };
    serve_on(config, listener, http, shutdown).await
}

async fn serve_on(
    config: &ServerConfig,
    listener: TcpListener,
    http: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), StartupError> {
    let options = SledOptions {
        cache_capacity: config.cache_mb * 1024 * 1024,
        reserve_bytes: config.min_free_mb * 1024 * 1024,
    };
    let store = Arc::new(SledStore::open(&config.data_dir, &options)?);
    let limits = EssayLimits {
        max_text_bytes: config.max_essay_bytes,
    };
    let essays = Essays::new(store.clone(), limits);
    let rubrics = Rubrics::new(store.clone());
    let assignments = Assignments::new(store.clone(), rubrics.clone());
    let similarity = Similarity::new(store.clone());
    let calibration = Calibration::new(store.clone(), essays.clone(), assignments.clone());
    let grading = Grading::new(
        store.clone(),
        essays.clone(),
        assignments.clone(),
        rubrics.clone(),
        calibration.clone(),
        similarity.clone(),
    );

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter.set_serving::<EssayServiceServer<EssayApi>>().await;
    health_reporter
        .set_serving::<AssignmentServiceServer<AssignmentApi>>()
        .await;
    health_reporter.set_serving::<GradingServiceServer<GradingApi>>().await;
    health_reporter
        .set_serving::<GradingJobServiceServer<GradingJobApi>>()
        .await;
    health_reporter
        .set_serving::<CalibrationServiceServer<CalibrationApi>>()
        .await;
    health_reporter
        .set_serving::<SimilarityServiceServer<SimilarityApi>>()
        .await;
    health_reporter.set_serving::<ReportServiceServer<ReportApi>>().await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    let auth = if config.insecure_no_auth {
        tracing::warn!(
            "authentication is OFF (--insecure-no-auth): every caller acts for the default tenant; use this only for local development"
        );
        Authenticator::Disabled
    } else {
        let keys = ApiKeys::new(store.clone());
        // A fresh data dir refuses every call until a key exists: say so, and how.
        if keys.list().is_ok_and(|k| k.iter().all(|k| k.revoke_time.is_some())) {
            tracing::warn!(
                data_dir = %config.data_dir.display(),
                "no API key exists yet, so every essay.v1 call will be refused: stop essayd and run \
                 `essayd --data-dir {} keys create --tenant NAME`, then give the token to essayctl as ESSAYD_API_KEY",
                config.data_dir.display()
            );
        }
        Authenticator::Keys(keys)
    };
    let essay_service = InterceptedService::new(
        EssayServiceServer::new(EssayApi::new(essays.clone()))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES),
        auth.clone(),
    );
    let assignment_service = InterceptedService::new(
        AssignmentServiceServer::new(AssignmentApi::new(assignments)),
        auth.clone(),
    );
    let workers = config
        .grading_workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let jobs =
        GradingJobs::start(store.clone(), essays.clone(), grading.clone(), workers).map_err(StartupError::Jobs)?;
    let job_service = InterceptedService::new(
        GradingJobServiceServer::new(GradingJobApi::new(jobs.clone(), grading.clone())),
        auth.clone(),
    );
    // The HTTP listener was bound by the caller, so the default public URL
    // names the port it really got.
    let web_config = WebConfig::new(&config.report_frame_ancestors).map_err(StartupError::Reports)?;
    let http_addr = http.as_ref().and_then(|l| l.local_addr().ok());
    let public_url = config
        .public_url
        .clone()
        .or_else(|| http_addr.map(|a| format!("http://{a}")));
    let dyn_store: Arc<dyn Store> = store.clone();
    let signer = ReportLinks::load_signer(&dyn_store)
        .await
        .map_err(|e| StartupError::Reports(format!("cannot load the link signing key: {e}")))?;
    let report_links = ReportLinks::new(signer, public_url.clone(), grading.clone(), jobs.clone());
    let report_pages = ReportPages {
        links: report_links.clone(),
        grading: grading.clone(),
        essays: essays.clone(),
        jobs: jobs.clone(),
        similarity: similarity.clone(),
        config: web_config,
    };
    let report_service = InterceptedService::new(ReportServiceServer::new(ReportApi::new(report_links)), auth.clone());
    let metrics = Metrics::new(ServiceCollector::new(
        ServiceStats::new(store.clone()),
        grading.tally().clone(),
    ));
    let grading_service = InterceptedService::new(
        GradingServiceServer::new(GradingApi::new(grading, rubrics)),
        auth.clone(),
    );
    let calibration_service = InterceptedService::new(
        CalibrationServiceServer::new(CalibrationApi::new(calibration)),
        auth.clone(),
    );
    let similarity_service =
        InterceptedService::new(SimilarityServiceServer::new(SimilarityApi::new(similarity)), auth);

    let addr = listener.local_addr().ok();
    tracing::info!(addr = ?addr, data_dir = %config.data_dir.display(), "essayd listening");
    // Once asked to stop, in-flight requests get a grace period; a client
    // that keeps its connection open past it does not keep the server up.
    let stopping = Arc::new(tokio::sync::Notify::new());
    // The HTTP listener stops taking requests at the same moment.
    let (http_stop, http_stopping) = tokio::sync::watch::channel(false);
    let signal = {
        let stopping = stopping.clone();
        async move {
            shutdown.await;
            stopping.notify_one();
            let _ = http_stop.send(true);
        }
    };
    let mut builder = tonic::transport::Server::builder()
        .concurrency_limit_per_connection(config.max_concurrent_per_connection)
        .load_shed(true)
        .timeout(Duration::from_secs(config.request_timeout_secs));
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|e| StartupError::Tls(format!("cannot read {}: {e}", p.display())))
        };
        let identity = tonic::transport::Identity::from_pem(read(cert)?, read(key)?);
        builder = builder
            .tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))
            .map_err(|e| StartupError::Tls(e.to_string()))?;
        tracing::info!(cert = %cert.display(), "TLS on");
    }
    let metrics_server = match config.metrics_listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|error| StartupError::MetricsListen { addr, error })?;
            let metrics_addr = listener.local_addr().ok();
            tracing::info!(metrics_addr = ?metrics_addr, "metrics endpoint listening on /metrics");
            // Served until the gRPC server has finished, then stopped.
            Some(tokio::spawn(crate::metrics::serve_metrics(metrics.clone(), listener)))
        }
        None => None,
    };
    let routes = tonic::service::Routes::new(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(essay_service)
        .add_service(assignment_service)
        .add_service(grading_service)
        .add_service(job_service)
        .add_service(calibration_service)
        .add_service(similarity_service)
        .add_service(report_service)
        .prepare();
    // Metrics outermost, so that shed requests are counted too. HTTP calls
    // go through the same layers (and share the in-flight limit).
    let in_flight = InFlightLimitLayer::new(config.max_in_flight);
    let http_server = match http {
        Some(http) => {
            let grpc = tower::ServiceBuilder::new()
                .layer(metrics.layer())
                .layer(in_flight.clone())
                .service(routes.clone());
            let gateway = crate::rest::Gateway::new(
                FILE_DESCRIPTOR_SET,
                tower::util::BoxCloneSyncService::new(grpc),
                MAX_MESSAGE_BYTES,
                Duration::from_secs(config.request_timeout_secs),
            )
            .map_err(StartupError::Gateway)?;
            tracing::info!(
                http_addr = ?http_addr,
                public_url = public_url.as_deref().unwrap_or_default(),
                "HTTP listening: report pages on /reports/, the JSON API on /v1/ (OpenAPI at /v1/openapi.json)"
            );
            let app = gateway.router().merge(crate::web::report_router(report_pages));
            Some(tokio::spawn(serve_http(http, app, http_stopping)))
        }
        None => None,
    };
    let server = builder
        .layer(metrics.layer())
        .layer(in_flight)
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming(listener), signal);
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    tokio::select! {
        served = server => served?,
        () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = config.shutdown_grace_secs, "grace period over; closing the connections still open");
        }
    }

    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    // HTTP requests still in flight get what is left of the grace period;
    // they call the services in-process, which are still there.
    if let Some(mut http_server) = http_server
        && tokio::time::timeout(grace, &mut http_server).await.is_err()
    {
        tracing::warn!("HTTP requests still open after the grace period; closing them");
        http_server.abort();
    }
    jobs.stop().await;
    tracing::info!("in-flight requests finished; flushing the store");
    let flushed = tokio::task::spawn_blocking(move || store.flush_blocking()).await;
    match flushed {
        Ok(result) => result?,
        Err(e) => tracing::error!(error = %e, "final flush did not run"),
    }
    tracing::info!("essayd stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_addresses_are_read_from_the_listening_lines() {
        let line = "INFO essayd::startup: essayd listening addr=Some(127.0.0.1:41234) data_dir=/tmp/x";
        assert_eq!(logged_addr(line, "addr"), Some("127.0.0.1:41234".parse().unwrap()));
        assert_eq!(logged_addr(line, "metrics_addr"), None);
        assert_eq!(logged_addr("addr=None", "addr"), None);
    }

    #[tokio::test]
    async fn a_server_started_in_process_reports_its_port_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let server = RunningServer::start(ServerConfig::for_data_dir(dir.path()))
            .await
            .unwrap();
        assert_ne!(server.addr().port(), 0);
        tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        server.stop().await.unwrap();
    }
}
