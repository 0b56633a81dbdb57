//! `essayctl eval history`: grade every essay of a cases file in-process
//! (the same grader the service runs) and compare with the examiner's levels.

use std::path::PathBuf;

use clap::Subcommand;

use super::CliError;
use crate::{
    eval::{
        arguments as argument_eval, asap, copies,
        history::{CasesFile, evaluate, render_text},
    },
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
    /// Argument structure (thesis, claims, counter-arguments) against annotated essays in the
    /// format of ../shared/data/aae/train.json, each graded with its title as the question.
    Arguments {
        /// The annotated essays: a JSON file in the aae/train.json format.
        #[arg(long)]
        data: PathBuf,
    },
    /// Copy detection: planted copies among the ASAP essays, stored with
    /// them; recall, false positives and lookup latency.
    Copies {
        /// A directory of fold_K.tsv files.
        #[arg(long)]
        data: PathBuf,
        /// Essays stored for the latency measurement (the originals and
        /// perturbed copies of them).
        #[arg(long, default_value_t = 100_000)]
        total_essays: usize,
    },
    /// Learned scoring models on ASAP folds: train on four, score the fifth.
    Asap {
        /// A directory of fold_K.tsv (and traits_fold_K.tsv) files.
        #[arg(long)]
        data: PathBuf,
        /// Only these essay sets (default: every set present).
        #[arg(long, value_delimiter = ',')]
        sets: Vec<u32>,
        /// Skip the per-trait models.
        #[arg(long)]
        skip_traits: bool,
        /// Skip the 50-essay runs.
        #[arg(long)]
        skip_small: bool,
    },
}

pub fn run(cmd: EvalCommand, json: bool) -> Result<(), CliError> {
    let cases = match cmd {
        EvalCommand::History { cases } => cases,
        EvalCommand::Arguments { data } => return arguments(&data, json),
        EvalCommand::Asap {
            data,
            sets,
            skip_traits,
            skip_small,
        } => return asap(&data, sets, skip_traits, skip_small, json),
        EvalCommand::Copies { data, total_essays } => {
            let options = copies::CopiesEvalOptions {
                total_essays,
                ..copies::CopiesEvalOptions::new(data)
            };
            let report = copies::evaluate(&options).map_err(|e| CliError::Input(e.to_string()))?;
            if json {
                outln!("{}", report.to_json());
            } else {
                out!("{}", copies::render_text(&report));
            }
            return Ok(());
        }
    };
    let text = std::fs::read_to_string(&cases)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", cases.display())))?;
    let cases = CasesFile::from_json(&text).map_err(|e| CliError::Input(format!("{}: {e}", cases.display())))?;
    let report = evaluate(&cases, &Rubric::history_default()).map_err(|e| CliError::Input(e.to_string()))?;
    if json {
        outln!("{}", report.to_json());
    } else {
        out!("{}", render_text(&report));
    }
    Ok(())
}

fn arguments(data: &std::path::Path, json: bool) -> Result<(), CliError> {
    let text =
        std::fs::read_to_string(data).map_err(|e| CliError::Input(format!("cannot read {}: {e}", data.display())))?;
    let essays = argument_eval::parse(&text).map_err(|e| CliError::Input(format!("{}: {e}", data.display())))?;
    let report =
        argument_eval::evaluate(&essays, &Rubric::history_default()).map_err(|e| CliError::Input(e.to_string()))?;
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", argument_eval::render_text(&report));
    }
    Ok(())
}

fn asap(
    data: &std::path::Path,
    sets: Vec<u32>,
    skip_traits: bool,
    skip_small: bool,
    json: bool,
) -> Result<(), CliError> {
    let options = asap::EvalOptions {
        sets,
        skip_traits,
        skip_small_sample: skip_small,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let report = asap::read_dir(data)
        .and_then(|d| asap::evaluate(&d, &options))
        .map_err(|e| CliError::Input(e.to_string()))?;
    if json {
        outln!(
            "{}",
            serde_json::to_string(&report).map_err(|e| CliError::Input(e.to_string()))?
        );
    } else {
        outln!("{report}");
    }
    eprintln!("wall time {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
