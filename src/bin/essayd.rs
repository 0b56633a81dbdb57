//! The essayd server: parse the configuration, bind, serve until SIGINT or SIGTERM.

use clap::Parser;
use essayd::{config::ServerConfig, shutdown, startup, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = ServerConfig::parse();
    telemetry::init(config.log_format);
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(addr = %config.listen, error = %e, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    match startup::serve(&config, listener, shutdown::signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "essayd failed");
            std::process::ExitCode::FAILURE
        }
    }
}
