//! `essayctl eval history`: grade every essay of a cases file in-process
//! (the same grader the service runs) and compare with the examiner's levels.

use std::path::PathBuf;

use clap::Subcommand;

use super::CliError;
use crate::{
    eval::history::{CasesFile, evaluate, render_text},
    grader::Rubric,
};

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Agreement with examiner levels, ladder correlations and relations.
    History {
        /// A cases file in the format of ../shared/data/history-dev/cases.json.
        #[arg(long)]
        cases: PathBuf,
    },
}

pub fn run(cmd: EvalCommand, json: bool) -> Result<(), CliError> {
    let EvalCommand::History { cases } = cmd;
    let text = std::fs::read_to_string(&cases)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", cases.display())))?;
    let cases = CasesFile::from_json(&text).map_err(|e| CliError::Input(format!("{}: {e}", cases.display())))?;
    let report = evaluate(&cases, &Rubric::history_default()).map_err(|e| CliError::Input(e.to_string()))?;
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", render_text(&report));
    }
    Ok(())
}
