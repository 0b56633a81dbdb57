//! `essayctl`, the command-line client: a table by default, `--json` for
//! scripts, and a non-zero exit with the server's message on error.

/// `println!` for command output: a reader that goes away (`essayctl … | head`)
/// ends the program quietly with exit 0 instead of a panic.
macro_rules! outln {
    () => { $crate::cli::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` with the same closed-pipe handling as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write_stdout(format_args!($($arg)*)) };
}

mod assignments;
mod bench;
mod bench_job;
mod bench_load;
mod calibration;
mod essays;
mod eval;
mod grade;
mod grades;
mod jobs;
mod output;
mod report;
mod rubrics;
mod similar;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tonic::{
    metadata::{Ascii, MetadataValue},
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};

/// Talk to an essayd server.
///
/// Start with `essayctl health`; every other call needs an API key
/// (ESSAYD_API_KEY or --api-key), made with `essayd keys create`.
#[derive(Debug, Parser)]
#[command(name = "essayctl", version)]
pub struct Cli {
    /// The server's address (http://host:port; a bare host:port works too)
    /// [env: ESSAYD_ENDPOINT] [default: http://127.0.0.1:50051].
    // The environment is read in `run`, not by clap: clap would list an
    // option set from the environment in every usage line as if required.
    #[arg(long, global = true)]
    endpoint: Option<String>,
    /// The API key to send (`authorization: Bearer …`) [env: ESSAYD_API_KEY];
    /// make one with `essayd keys create --tenant NAME`.
    #[arg(long, global = true)]
    api_key: Option<String>,
    /// Print JSON instead of tables (errors too: the server's code, reason,
    /// message and field violations).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, update, get and list assignments.
    #[command(subcommand)]
    Assignments(assignments::AssignmentCommand),
    /// Create, import, get, list and delete essays.
    #[command(subcommand)]
    Essays(essays::EssayCommand),
    /// Grade a stored essay again, a whole assignment (as a job), or a text
    /// file against a question, and print the report.
    Grade(grade::GradeArgs),
    /// An essay's stored grades: list them, show one (the latest by
    /// default), record a teacher's review.
    #[command(subcommand)]
    Grades(grades::GradesCommand),
    /// Grading jobs: list, show, watch and cancel them.
    #[command(subcommand)]
    Jobs(jobs::JobCommand),
    /// Export a grading job's results, one row per essay.
    Results(jobs::ResultsArgs),
    /// Rubrics: how the four criteria add up to a mark.
    #[command(subcommand)]
    Rubrics(rubrics::RubricCommand),
    /// Learn a teacher's standard: exemplars (the teacher's marks) and the
    /// scoring models trained from them.
    #[command(subcommand)]
    Calibration(calibration::CalibrationCommand),
    /// The essays that share passages with one, side by side.
    Similar(similar::SimilarArgs),
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

/// Which essayctl command makes each RPC of `essay.v1` (`Service/Method`).
/// Error messages use it to name commands instead of RPCs, and
/// tests/essayctl_coverage.rs fails when an RPC has neither an entry here nor
/// a line in the README's "What essayctl leaves out".
pub const COMMANDS: &[(&str, &str)] = &[
    ("AssignmentService/CreateAssignment", "essayctl assignments create"),
    ("AssignmentService/GetAssignment", "essayctl assignments get"),
    ("AssignmentService/ListAssignments", "essayctl assignments list"),
    ("AssignmentService/UpdateAssignment", "essayctl assignments update"),
    ("EssayService/CreateEssay", "essayctl essays create"),
    ("EssayService/BatchCreateEssays", "essayctl essays import"),
    ("EssayService/GetEssay", "essayctl essays get"),
    ("EssayService/ListEssays", "essayctl essays list"),
    ("EssayService/DeleteEssay", "essayctl essays delete"),
    ("GradingService/GradeEssay", "essayctl grade"),
    ("GradingService/GradeText", "essayctl grade"),
    ("GradingService/GetGrade", "essayctl grades get"),
    ("GradingService/ListGrades", "essayctl grades list"),
    ("GradingService/ReviewGrade", "essayctl grades review"),
    ("GradingService/CreateRubric", "essayctl rubrics create"),
    ("GradingService/UpdateRubric", "essayctl rubrics update"),
    ("GradingService/GetRubric", "essayctl rubrics get"),
    ("GradingService/ListRubrics", "essayctl rubrics list"),
    ("GradingJobService/CreateGradingJob", "essayctl grade"),
    ("GradingJobService/GetGradingJob", "essayctl jobs get"),
    ("GradingJobService/ListGradingJobs", "essayctl jobs list"),
    ("GradingJobService/CancelGradingJob", "essayctl jobs cancel"),
    ("GradingJobService/ListGradingJobResults", "essayctl results"),
    ("GradingJobService/WatchGradingJob", "essayctl jobs watch"),
    ("CalibrationService/SetExemplar", "essayctl calibration exemplars set"),
    ("CalibrationService/GetExemplar", "essayctl calibration exemplars get"),
    (
        "CalibrationService/ListExemplars",
        "essayctl calibration exemplars list",
    ),
    (
        "CalibrationService/DeleteExemplar",
        "essayctl calibration exemplars delete",
    ),
    ("CalibrationService/TrainScoringModel", "essayctl calibration train"),
    ("CalibrationService/GetScoringModel", "essayctl calibration models get"),
    (
        "CalibrationService/ListScoringModels",
        "essayctl calibration models list",
    ),
    ("SimilarityService/FindSimilarEssays", "essayctl similar"),
    ("ReportService/CreateReportLink", "essayctl report"),
];

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(
        "cannot reach essayd at {endpoint} ({source}): is it running? Start it with `essayd`, \
         or point --endpoint / ESSAYD_ENDPOINT at it"
    )]
    Connect {
        endpoint: String,
        source: tonic::transport::Error,
    },
    #[error("{}", describe_status(.0))]
    Server(#[from] tonic::Status),
    /// A server error the command can say in its own words; the status stays
    /// available to `--json`.
    #[error("{hint}")]
    Explained { status: tonic::Status, hint: String },
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Bench(String),
}

impl CliError {
    /// `status` in the command's words when `hint` applies to it.
    pub fn explain(status: tonic::Status, hint: impl Into<String>) -> Self {
        Self::Explained {
            status,
            hint: hint.into(),
        }
    }

    /// The error as JSON for `--json`: the server's code, reason, message and
    /// field violations, with what the CLI would say.
    fn to_json(&self) -> serde_json::Value {
        use tonic_types::StatusExt;
        let status = match self {
            Self::Server(s) | Self::Explained { status: s, .. } => s,
            _ => return serde_json::json!({ "error": { "message": self.to_string() } }),
        };
        let violations: Vec<_> = status
            .get_details_bad_request()
            .map(|b| b.field_violations)
            .unwrap_or_default()
            .into_iter()
            .map(|v| serde_json::json!({ "field": v.field, "description": v.description }))
            .collect();
        serde_json::json!({ "error": {
            "code": format!("{:?}", status.code()),
            "reason": status.get_details_error_info().map(|i| i.reason).unwrap_or_default(),
            "message": status.message(),
            "field_violations": violations,
            "hint": self.to_string(),
        }})
    }
}

/// Replaces RPC names (`AssignmentService.CreateAssignment`) in a server
/// message with the command that makes the call.
fn in_cli_words(message: &str) -> String {
    let mut text = message.to_owned();
    for (rpc, command) in COMMANDS {
        let dotted = rpc.replace('/', ".");
        if text.contains(&dotted) {
            text = text.replace(&dotted, command);
        }
    }
    text
}

/// The server's message with what to do about it, and any field violations.
fn describe_status(status: &tonic::Status) -> String {
    use tonic::Code;
    use tonic_types::StatusExt;
    let endpoint = ENDPOINT.get().map(String::as_str).unwrap_or("the endpoint");
    let key_given = API_KEY.get().is_some_and(Option::is_some);
    match status.code() {
        Code::Unauthenticated if !key_given => {
            return "no API key: set ESSAYD_API_KEY=<token> or pass --api-key <token>; make a key with \
                    `essayd keys create --tenant NAME` on the server's data dir (server stopped)"
                .to_owned();
        }
        Code::Unauthenticated => {
            return format!(
                "the server refused the API key ({}): check ESSAYD_API_KEY / --api-key; \
                 `essayd keys list` shows the keys, `essayd keys create --tenant NAME` makes one",
                status.message()
            );
        }
        Code::Unavailable if status.message().contains("transport") || status.message().contains("connect") => {
            return format!(
                "cannot reach essayd at {endpoint} ({}): is it running? Start it with `essayd`, or point \
                 --endpoint / ESSAYD_ENDPOINT at it",
                status.message()
            );
        }
        _ => {}
    }
    let mut text = in_cli_words(status.message());
    if let Some(bad) = status.get_details_bad_request() {
        for v in bad.field_violations {
            if !text.contains(&v.description) {
                text.push_str(&format!("\n  field {}: {}", v.field, v.description));
            }
        }
    }
    text
}

/// Where essayctl looks for the server when neither --endpoint nor
/// ESSAYD_ENDPOINT says.
const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:50051";

/// The server's address, for error messages.
static ENDPOINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

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
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let endpoint = cli
        .endpoint
        .clone()
        .or_else(|| from_env("ESSAYD_ENDPOINT"))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
    let api_key = cli.api_key.clone().or_else(|| from_env("ESSAYD_API_KEY"));
    let key = match api_key
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
    let _ = ENDPOINT.set(endpoint.clone());
    let result = match cli.command {
        Command::Assignments(cmd) => assignments::run(cmd, &endpoint, cli.json).await,
        Command::Essays(cmd) => essays::run(cmd, &endpoint, cli.json).await,
        Command::Grade(args) => grade::run(args, &endpoint, cli.json).await,
        Command::Grades(cmd) => grades::run(cmd, &endpoint, cli.json).await,
        Command::Jobs(cmd) => jobs::run(cmd, &endpoint, cli.json).await,
        Command::Rubrics(cmd) => rubrics::run(cmd, &endpoint, cli.json).await,
        Command::Calibration(cmd) => calibration::run(cmd, &endpoint, cli.json).await,
        Command::Eval(cmd) => eval::run(cmd, cli.json),
        Command::Results(args) => jobs::results(args, &endpoint).await,
        Command::Report(args) => report::run(args, &endpoint, cli.json).await,
        Command::Similar(args) => similar::run(args, &endpoint, cli.json).await,
        Command::Health => health(&endpoint, cli.json).await,
        Command::Bench(cmd) => bench::run(cmd, cli.json).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if cli.json => {
            eprintln!("{}", e.to_json());
            ExitCode::FAILURE
        }
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
        outln!("{}", serde_json::json!({ "status": status.as_str_name() }));
    } else {
        outln!("{}", status.as_str_name());
    }
    if status == ServingStatus::Serving {
        Ok(())
    } else {
        Err(CliError::Input(format!("server is {}", status.as_str_name())))
    }
}
