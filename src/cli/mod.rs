//! `essayctl`, the command-line client: a table by default, `--json` for
//! scripts, and a non-zero exit with the server's message on error.

mod assignments;
mod bench;
mod bench_job;
mod bench_load;
mod essays;
mod eval;
mod grade;
mod jobs;
mod output;
mod report;
mod similar;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tonic::{
    metadata::{Ascii, MetadataValue},
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};

/// Talk to an essayd server.
#[derive(Debug, Parser)]
#[command(name = "essayctl", version)]
pub struct Cli {
    /// The server's address (http://host:port; a bare host:port works too).
    #[arg(
        long,
        global = true,
        env = "ESSAYD_ENDPOINT",
        default_value = "http://127.0.0.1:50051"
    )]
    endpoint: String,
    /// The API key to send (`authorization: Bearer …`).
    #[arg(long, global = true, env = "ESSAYD_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, get and list assignments.
    #[command(subcommand)]
    Assignments(assignments::AssignmentCommand),
    /// Create, import, get, list and delete essays.
    #[command(subcommand)]
    Essays(essays::EssayCommand),
    /// Grade a stored essay, or a text file against a question, and print the report.
    Grade(grade::GradeArgs),
    /// The essays that share passages with one, side by side.
    Similar(similar::SimilarArgs),
    /// Export a grading job's results, one row per essay.
    Results(jobs::ResultsArgs),
    /// Print a signed, expiring link to a grade's or a job's report page.
    Report(report::ReportArgs),
    /// Measure the grader in-process against examiner levels.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Ask the server's gRPC health service whether it is serving.
    Health,
    /// Measure the server (load tools).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot connect to {endpoint}: {source}")]
    Connect {
        endpoint: String,
        source: tonic::transport::Error,
    },
    #[error("{}", describe_status(.0))]
    Server(#[from] tonic::Status),
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Bench(String),
}

/// The server's message with its code and any field violations.
fn describe_status(status: &tonic::Status) -> String {
    use tonic_types::StatusExt;
    let mut text = format!("{:?}: {}", status.code(), status.message());
    if let Some(bad) = status.get_details_bad_request() {
        for v in bad.field_violations {
            text.push_str(&format!("\n  field {}: {}", v.field, v.description));
        }
    }
    text
}

/// The API key every call sends, set once from the command line.
static API_KEY: std::sync::OnceLock<Option<MetadataValue<Ascii>>> = std::sync::OnceLock::new();

/// Adds `authorization: Bearer <key>` to every call when a key was given.
#[derive(Clone)]
pub struct BearerToken(pub Option<MetadataValue<Ascii>>);

impl Interceptor for BearerToken {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request.metadata_mut().insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// A connection to the server that sends the API key.
pub type Conn = InterceptedService<Channel, BearerToken>;

/// Opens a connection to `endpoint`.
pub async fn connect(endpoint: &str) -> Result<Conn, CliError> {
    let token = BearerToken(API_KEY.get().cloned().flatten());
    Ok(InterceptedService::new(connect_channel(endpoint).await?, token))
}

/// Opens a plain channel to `endpoint`.
pub async fn connect_channel(endpoint: &str) -> Result<Channel, CliError> {
    let uri = if endpoint.contains("://") {
        endpoint.to_owned()
    } else {
        format!("http://{endpoint}")
    };
    let connect_error = |source| CliError::Connect {
        endpoint: endpoint.to_owned(),
        source,
    };
    Endpoint::from_shared(uri)
        .map_err(connect_error)?
        .connect()
        .await
        .map_err(connect_error)
}

/// Runs the command line; the return value is the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let key = match cli
        .api_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("Bearer {k}").parse::<MetadataValue<Ascii>>())
    {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            eprintln!("error: --api-key holds characters a header cannot carry");
            return ExitCode::FAILURE;
        }
        None => None,
    };
    let _ = API_KEY.set(key);
    let result = match cli.command {
        Command::Assignments(cmd) => assignments::run(cmd, &cli.endpoint, cli.json).await,
        Command::Essays(cmd) => essays::run(cmd, &cli.endpoint, cli.json).await,
        Command::Grade(args) => grade::run(args, &cli.endpoint, cli.json).await,
        Command::Eval(cmd) => eval::run(cmd, cli.json),
        Command::Results(args) => jobs::results(args, &cli.endpoint).await,
        Command::Report(args) => report::run(args, &cli.endpoint, cli.json).await,
        Command::Similar(args) => similar::run(args, &cli.endpoint, cli.json).await,
        Command::Health => health(&cli.endpoint, cli.json).await,
        Command::Bench(cmd) => bench::run(cmd, cli.json).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn health(endpoint: &str, json: bool) -> Result<(), CliError> {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
    let mut client = HealthClient::new(connect(endpoint).await?);
    let response = client
        .check(HealthCheckRequest { service: String::new() })
        .await?
        .into_inner();
    let status = ServingStatus::try_from(response.status).unwrap_or(ServingStatus::Unknown);
    if json {
        println!("{}", serde_json::json!({ "status": status.as_str_name() }));
    } else {
        println!("{}", status.as_str_name());
    }
    if status == ServingStatus::Serving {
        Ok(())
    } else {
        Err(CliError::Input(format!("server is {}", status.as_str_name())))
    }
}
