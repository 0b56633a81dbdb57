//! essayctl: the command-line client of essayd.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    essayd::cli::run(essayd::cli::Cli::parse()).await
}
