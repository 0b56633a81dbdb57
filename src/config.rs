//! The server's configuration: flags, each with an environment fallback.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per event, for log collectors.
    Json,
}

/// essayd: stores student essays and grades them against a rubric, over gRPC.
/// Without a subcommand it serves; `keys` manages API keys on a data dir
/// (with the server stopped: sled allows one process per data dir).
#[derive(Debug, Clone, Parser)]
#[command(name = "essayd", version)]
pub struct EssaydCli {
    #[command(flatten)]
    pub server: ServerConfig,
    #[command(subcommand)]
    pub command: Option<AdminCommand>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AdminCommand {
    /// Manage API keys (offline, on the data dir).
    #[command(subcommand)]
    Keys(KeyCommand),
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum KeyCommand {
    /// Create a key for a tenant; prints the token once (on stdout, the
    /// rest on stderr, so `KEY=$(essayd keys create …)` works).
    Create {
        /// The tenant (school) the key acts for; its data is its own.
        #[arg(long)]
        tenant: String,
        /// A note for `keys list` (who or what uses the key).
        #[arg(long, default_value = "", hide_default_value = true)]
        label: String,
    },
    /// List keys (never their tokens).
    List,
    /// Revoke a key by its id.
    Revoke {
        /// The key's id (`keys list` shows them).
        key_id: String,
    },
}

/// The server's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerConfig {
    /// Address to listen on for gRPC.
    #[arg(long, env = "ESSAYD_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Directory of the sled database; created if missing. Given before or
    /// after `keys`, it names the data dir the keys live in.
    #[arg(long, env = "ESSAYD_DATA_DIR", default_value = "./essayd-data", global = true)]
    pub data_dir: PathBuf,
    /// Log format; the level comes from RUST_LOG (default info).
    #[arg(long, env = "ESSAYD_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: LogFormat,
    /// Largest essay text accepted, in bytes.
    #[arg(long, env = "ESSAYD_MAX_ESSAY_BYTES", default_value_t = 1024 * 1024)]
    pub max_essay_bytes: usize,
    /// sled page cache size, in MiB.
    #[arg(long, env = "ESSAYD_CACHE_MB", default_value_t = 256)]
    pub cache_mb: u64,
    /// Free space (MiB) writes must leave on the data dir's disk; a write
    /// that would not is refused with RESOURCE_EXHAUSTED, and writes resume
    /// once space is freed.
    #[arg(long, env = "ESSAYD_MIN_FREE_MB", default_value_t = 64)]
    pub min_free_mb: u64,
    /// Turn authentication off: every caller acts for the default tenant.
    /// For local development only; the server logs a warning.
    #[arg(long, env = "ESSAYD_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// Requests in flight at once, server-wide; more are refused at once
    /// with RESOURCE_EXHAUSTED (load shedding), not queued.
    #[arg(long, env = "ESSAYD_MAX_IN_FLIGHT", default_value_t = 256)]
    pub max_in_flight: usize,
    /// Concurrent requests per connection; more are refused with RESOURCE_EXHAUSTED.
    #[arg(long, env = "ESSAYD_MAX_CONCURRENT_PER_CONNECTION", default_value_t = 64)]
    pub max_concurrent_per_connection: usize,
    /// The longest a request may run, in seconds (a client's shorter
    /// `grpc-timeout` is honoured too).
    #[arg(long, env = "ESSAYD_REQUEST_TIMEOUT_SECS", default_value_t = 120)]
    pub request_timeout_secs: u64,
    /// PEM certificate chain for TLS (with --tls-key); plaintext without.
    #[arg(long, env = "ESSAYD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for TLS.
    #[arg(long, env = "ESSAYD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Threads that grade batch jobs (default: one per core).
    #[arg(long, env = "ESSAYD_GRADING_WORKERS")]
    pub grading_workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGINT/SIGTERM.
    #[arg(long, env = "ESSAYD_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
    /// Address of the Prometheus `/metrics` endpoint (plain HTTP, no auth:
    /// keep it inside the cluster); off when unset.
    #[arg(long, env = "ESSAYD_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Address of the HTTP listener: report pages (`/reports/…`) for LMS
    /// iframes, reached through signed links, and the API as JSON over HTTP
    /// (`/v1/…`, with the same API keys as gRPC; OpenAPI document at
    /// `/v1/openapi.json`); off when unset.
    #[arg(long, env = "ESSAYD_HTTP_LISTEN")]
    pub http_listen: Option<SocketAddr>,
    /// The URL browsers reach the HTTP listener at (e.g. behind a TLS proxy:
    /// `https://essayd.school.example`); report links start with it.
    /// Default: `http://` and the bound `--http-listen` address.
    #[arg(long, env = "ESSAYD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Who may embed report pages in a frame (the CSP `frame-ancestors`
    /// sources, e.g. `https://lms.school.example`); default any page, since
    /// a link is already the access control.
    #[arg(long, env = "ESSAYD_REPORT_FRAME_ANCESTORS", default_value = "*")]
    pub report_frame_ancestors: String,
}

impl ServerConfig {
    /// A configuration for tests and tools: loopback on any port, the given
    /// dir, authentication on.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            log_format: LogFormat::Human,
            max_essay_bytes: 1024 * 1024,
            cache_mb: 64,
            min_free_mb: 64,
            shutdown_grace_secs: 5,
            grading_workers: None,
            insecure_no_auth: false,
            max_in_flight: 256,
            max_concurrent_per_connection: 64,
            request_timeout_secs: 120,
            tls_cert: None,
            tls_key: None,
            metrics_listen: None,
            http_listen: None,
            public_url: None,
            report_frame_ancestors: "*".into(),
        }
    }
}
