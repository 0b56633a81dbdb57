//! `essayctl rubrics …`: create a rubric, make a new version of one, show
//! one, list them. Versions are immutable; an update makes the next one.

use clap::{Args, Subcommand};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::{CliError, connect, output};
use crate::proto::v1::{self, grading_service_client::GradingServiceClient};

/// A rubric's content, as create and update take it.
#[derive(Debug, Args)]
pub struct RubricSpec {
    /// The rubric's name (letters, digits and -_.:@/).
    #[arg(long)]
    name: String,
    /// What the rubric is for.
    #[arg(long, default_value = "", hide_default_value = true)]
    description: String,
    /// A criterion's weight, CRITERION=WEIGHT (e.g. evidence=2); repeatable;
    /// criteria left out weigh 1.
    #[arg(long = "weight", value_name = "CRITERION=WEIGHT")]
    weights: Vec<String>,
    /// The mark a perfect essay gets (default 20).
    #[arg(long)]
    max_mark: Option<f64>,
    /// A band by the lowest mark that reaches it, LABEL=MIN_MARK (e.g.
    /// "Level 4=13"); repeatable; none means the default bands rescaled.
    #[arg(long = "band", value_name = "LABEL=MIN_MARK")]
    bands: Vec<String>,
    /// Grades with a confidence below this (0..1) are marked for review.
    #[arg(long)]
    review_threshold: Option<f64>,
}

#[derive(Debug, Subcommand)]
pub enum RubricCommand {
    /// Create version 1 of a new rubric.
    Create(RubricSpec),
    /// Make a new version of an existing rubric (old versions stay).
    Update(RubricSpec),
    /// Show a rubric (the latest version, or --version).
    Get {
        /// The rubric's name.
        name: String,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
    },
    /// The latest version of every rubric, the built-in one first.
    List,
}

fn pair<T: std::str::FromStr>(flag: &str, raw: &str, example: &str) -> Result<(String, T), CliError> {
    raw.rsplit_once('=')
        .and_then(|(k, v)| Some((k.trim().to_owned(), v.trim().parse::<T>().ok()?)))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| CliError::Input(format!("{flag} {raw:?} is not of the form {example}")))
}

impl RubricSpec {
    fn to_proto(&self) -> Result<v1::Rubric, CliError> {
        Ok(v1::Rubric {
            name: self.name.clone(),
            description: self.description.clone(),
            weights: self
                .weights
                .iter()
                .map(|w| {
                    pair::<f64>("--weight", w, "CRITERION=WEIGHT (evidence=2)")
                        .map(|(criterion, weight)| v1::CriterionWeight { criterion, weight })
                })
                .collect::<Result<_, _>>()?,
            max_mark: self.max_mark.unwrap_or_default(),
            bands: self
                .bands
                .iter()
                .map(|b| {
                    pair::<f64>("--band", b, "LABEL=MIN_MARK (\"Level 4=13\")")
                        .map(|(label, min_mark)| v1::Band { label, min_mark })
                })
                .collect::<Result<_, _>>()?,
            review_threshold: self.review_threshold.unwrap_or_default(),
            ..Default::default()
        })
    }
}

pub fn rubric_json(r: &v1::Rubric) -> Value {
    json!({
        "name": r.name, "version": r.version, "description": r.description,
        "weights": r.weights.iter().map(|w| json!({"criterion": w.criterion, "weight": w.weight})).collect::<Vec<_>>(),
        "max_mark": r.max_mark,
        "bands": r.bands.iter().map(|b| json!({"label": b.label, "min_mark": b.min_mark})).collect::<Vec<_>>(),
        "review_threshold": r.review_threshold, "create_time": output::time(&r.create_time),
    })
}

fn rubric_table(rubrics: &[v1::Rubric]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["name", "version", "weights", "max mark", "bands", "review below"]);
    for r in rubrics {
        let weights: Vec<_> = r
            .weights
            .iter()
            .map(|w| format!("{}={}", w.criterion, w.weight))
            .collect();
        let bands: Vec<_> = r.bands.iter().map(|b| format!("{}≥{}", b.label, b.min_mark)).collect();
        t.add_row(vec![
            r.name.clone(),
            r.version.to_string(),
            if weights.is_empty() {
                "all 1".into()
            } else {
                weights.join(", ")
            },
            r.max_mark.to_string(),
            bands.join(", "),
            format!("{:.2}", r.review_threshold),
        ]);
    }
    t.to_string()
}

pub async fn run(cmd: RubricCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = GradingServiceClient::new(connect(endpoint).await?);
    let rubrics = match cmd {
        RubricCommand::Create(spec) => vec![
            client
                .create_rubric(v1::CreateRubricRequest {
                    rubric: Some(spec.to_proto()?),
                })
                .await?
                .into_inner()
                .rubric
                .unwrap_or_default(),
        ],
        RubricCommand::Update(spec) => vec![
            client
                .update_rubric(v1::UpdateRubricRequest {
                    rubric: Some(spec.to_proto()?),
                })
                .await?
                .into_inner()
                .rubric
                .unwrap_or_default(),
        ],
        RubricCommand::Get { name, version } => vec![
            client
                .get_rubric(v1::GetRubricRequest {
                    name,
                    version: version.unwrap_or_default(),
                })
                .await?
                .into_inner()
                .rubric
                .unwrap_or_default(),
        ],
        RubricCommand::List => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = client
                    .list_rubrics(v1::ListRubricsRequest {
                        page_size: 1000,
                        page_token,
                    })
                    .await?
                    .into_inner();
                all.extend(page.rubrics);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            if json {
                outln!("{:#}", Value::from(all.iter().map(rubric_json).collect::<Vec<_>>()));
            } else {
                outln!("{}", rubric_table(&all));
            }
            return Ok(());
        }
    };
    if json {
        outln!("{:#}", rubric_json(&rubrics[0]));
    } else {
        outln!("{}", rubric_table(&rubrics));
    }
    Ok(())
}
