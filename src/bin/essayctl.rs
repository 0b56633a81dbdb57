//! essayctl: the command-line client of essayd.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    essayd::cli::run(essayd::cli::Cli::parse()).await
}
