//! The essayd server: parse the configuration, bind, serve until SIGINT or
//! SIGTERM; or, with `keys`, manage API keys on the data dir.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use essayd::{
    admin,
    config::{AdminCommand, EssaydCli},
    shutdown, startup, telemetry,
};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = EssaydCli::parse();
    let config = cli.server;
    if let Some(AdminCommand::Keys(command)) = cli.command {
        // An offline admin command talks to its operator on the terminal;
        // the server's log lines would only repeat what it prints.
        return match admin::run(command, &config.data_dir).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
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
