//! Test helpers: a real essayd on 127.0.0.1:0 with its own temporary data
//! dir, either in-process (`spawn_app`) or as the real binary (`EssaydProcess`).

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use essayd::{
    config::ServerConfig,
    proto::v1::{self, assignment_service_client::AssignmentServiceClient, essay_service_client::EssayServiceClient},
    startup::{self, logged_addr},
};
use tonic::transport::Channel;

pub struct TestApp {
    pub addr: SocketAddr,
    pub essays: EssayServiceClient<Channel>,
    pub assignments: AssignmentServiceClient<Channel>,
    server: startup::RunningServer,
}

impl TestApp {
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server gracefully and waits until it has flushed.
    pub async fn stop(self) {
        self.server.stop().await.expect("server ran");
    }
}

/// Starts essayd in-process on 127.0.0.1:0 over `data_dir`.
pub async fn spawn_app_in(data_dir: &Path, configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    // Most tests exercise one tenant without keys; tests/auth.rs turns
    // authentication back on.
    let mut config = ServerConfig {
        insecure_no_auth: true,
        ..ServerConfig::for_data_dir(data_dir)
    };
    configure(&mut config);
    let server = startup::RunningServer::start(config).await.expect("server started");
    let addr = server.addr();
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    TestApp {
        addr,
        essays: EssayServiceClient::new(channel.clone())
            .max_encoding_message_size(64 << 20)
            .max_decoding_message_size(64 << 20),
        assignments: AssignmentServiceClient::new(channel),
        server,
    }
}

pub async fn spawn_app(data_dir: &Path) -> TestApp {
    spawn_app_in(data_dir, |_| {}).await
}

pub fn essay(text: &str) -> v1::Essay {
    v1::Essay {
        title: "An essay".into(),
        text: text.into(),
        ..Default::default()
    }
}

/// A request for a grading job over every essay of `assignment_id`.
pub fn job_for(assignment_id: &str) -> v1::CreateGradingJobRequest {
    v1::CreateGradingJobRequest {
        job: Some(v1::GradingJob {
            assignment_id: assignment_id.into(),
            ..Default::default()
        }),
    }
}

/// Polls a job until it reaches `state` (at most 60 s); returns it.
pub async fn wait_for_job<T>(
    jobs: &mut v1::grading_job_service_client::GradingJobServiceClient<T>,
    id: &str,
    state: v1::GradingJobState,
) -> v1::GradingJob
where
    T: tonic::client::GrpcService<tonic::body::Body>,
    T::Error: Into<tonic::codegen::StdError>,
    T::ResponseBody: tonic::codegen::Body<Data = tonic::codegen::Bytes> + Send + 'static,
    <T::ResponseBody as tonic::codegen::Body>::Error: Into<tonic::codegen::StdError> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = jobs
            .get_grading_job(v1::GetGradingJobRequest { id: id.into() })
            .await
            .expect("get job")
            .into_inner()
            .job
            .expect("a job");
        if job.state == state as i32 {
            return job;
        }
        assert!(Instant::now() < deadline, "job {id} did not reach {state:?} in 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A request creating assignment `id` with `question` (and nothing else).
pub fn new_assignment(id: &str, question: &str) -> v1::CreateAssignmentRequest {
    v1::CreateAssignmentRequest {
        assignment: Some(v1::Assignment {
            id: id.into(),
            question: question.into(),
            ..Default::default()
        }),
    }
}

pub fn create(essay: v1::Essay) -> v1::CreateEssayRequest {
    v1::CreateEssayRequest {
        essay: Some(essay),
        request_id: String::new(),
    }
}

/// A stored essay with its text; panics if the call fails.
pub async fn get_essay(essays: &mut EssayServiceClient<Channel>, id: &str) -> v1::Essay {
    essays
        .get_essay(v1::GetEssayRequest {
            id: id.to_owned(),
            view: 0,
        })
        .await
        .unwrap_or_else(|e| panic!("GetEssay {id}: {e}"))
        .into_inner()
        .essay
        .expect("GetEssay returns the essay")
}

/// The field named by a status's BadRequest detail, if any.
pub fn violated_field(status: &tonic::Status) -> Option<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
}

/// The real `essayd` binary, started on a free loopback port.
pub struct EssaydProcess {
    pub child: Child,
    pub addr: SocketAddr,
    /// Every line the server logged so far.
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl EssaydProcess {
    /// The real binary with authentication off (one tenant, no keys).
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &["--insecure-no-auth"])
    }

    /// The real binary with extra flags.
    pub fn start_with(data_dir: &Path, flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_essayd"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(flags)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start essayd");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line.clone());
                if !sent && let Some(addr) = logged_addr(&line, "addr") {
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        });
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("essayd did not print its address within 30 s");
        };
        Self { child, addr, logs }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server logged as `field=Some(…)` (e.g. `metrics_addr`),
    /// waiting up to 10 s for the line.
    pub fn wait_for_logged_addr(&self, field: &str) -> SocketAddr {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(addr) = self.logs.lock().unwrap().iter().find_map(|l| logged_addr(l, field)) {
                return addr;
            }
            assert!(Instant::now() < deadline, "no {field} in the logs");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub async fn essays(&self) -> EssayServiceClient<Channel> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match Channel::from_shared(self.endpoint()).expect("uri").connect().await {
                Ok(c) => return EssayServiceClient::new(c),
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    pub fn kill9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Sends SIGTERM and returns the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        self.child.wait().expect("exit")
    }
}

impl Drop for EssaydProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `essayctl` with `args` against `endpoint`; returns (success, stdout, stderr).
pub fn essayctl(endpoint: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_essayctl"))
        .arg("--endpoint")
        .arg(endpoint)
        .args(args)
        .output()
        .expect("run essayctl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `essayd keys ARGS --data-dir DIR` (offline key management); returns its stdout.
pub fn keys(data_dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_essayd"))
        .arg("keys")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run essayd keys");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

/// A channel that sends `authorization: Bearer KEY` (or nothing).
pub type Authed = tonic::service::interceptor::InterceptedService<Channel, essayd::cli::BearerToken>;

pub fn with_key(channel: Channel, key: Option<&str>) -> Authed {
    tonic::service::interceptor::InterceptedService::new(
        channel,
        essayd::cli::BearerToken(key.map(|k| format!("Bearer {k}").parse().expect("header value"))),
    )
}
