//! `essayctl calibration …`: a teacher's marks on essays (exemplars) and the
//! scoring models trained from them, per assignment and trait.

use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::{CliError, connect, output};
use crate::proto::v1::{self, calibration_service_client::CalibrationServiceClient};

#[derive(Debug, Subcommand)]
pub enum CalibrationCommand {
    /// A teacher's scores on stored essays, which models learn from.
    #[command(subcommand)]
    Exemplars(ExemplarCommand),
    /// Train a new model version for an assignment's trait from its exemplars.
    Train {
        /// The assignment.
        #[arg(long)]
        assignment: String,
        /// The trait to learn ("holistic", a criterion, or any named trait).
        #[arg(long, default_value = "holistic")]
        r#trait: String,
    },
    /// Trained scoring models.
    #[command(subcommand)]
    Models(ModelCommand),
}

#[derive(Debug, Subcommand)]
pub enum ExemplarCommand {
    /// Record (replace) a teacher's scores on a stored essay.
    Set {
        /// The essay.
        essay_id: String,
        /// A score, TRAIT=SCORE (e.g. holistic=8); repeatable.
        #[arg(long = "score", value_name = "TRAIT=SCORE", required = true)]
        scores: Vec<String>,
        /// The scale of the scores, MIN..MAX (e.g. 2..12).
        #[arg(long, value_name = "MIN..MAX")]
        scale: String,
        /// Who marked it (the LMS's user id).
        #[arg(long, default_value = "", hide_default_value = true)]
        marked_by: String,
    },
    /// Show one essay's exemplar.
    Get {
        /// The essay.
        essay_id: String,
    },
    /// An assignment's exemplars, in essay order.
    List {
        /// The assignment.
        #[arg(long)]
        assignment: String,
    },
    /// Remove an essay's exemplar.
    Delete {
        /// The essay.
        essay_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// The latest version of each of an assignment's models.
    List {
        /// The assignment.
        #[arg(long)]
        assignment: String,
    },
    /// Show a model with its learning curve.
    Get {
        /// The assignment.
        #[arg(long)]
        assignment: String,
        /// The trait.
        #[arg(long, default_value = "holistic")]
        r#trait: String,
        /// A version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
    },
}

fn scale(raw: &str) -> Result<(i32, i32), CliError> {
    raw.split_once("..")
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| CliError::Input(format!("--scale {raw:?} is not MIN..MAX (e.g. 2..12)")))
}

fn exemplar_json(e: &v1::Exemplar) -> Value {
    json!({
        "essay_id": e.essay_id, "marked_by": e.marked_by, "mark_time": output::time(&e.mark_time),
        "scores": e.scores.iter().map(|s| json!({
            "trait": s.r#trait, "score": s.score, "scale_min": s.scale_min, "scale_max": s.scale_max,
        })).collect::<Vec<_>>(),
    })
}

fn exemplar_table(exemplars: &[v1::Exemplar]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["essay", "scores", "marked by", "marked"]);
    for e in exemplars {
        let scores: Vec<_> = e
            .scores
            .iter()
            .map(|s| format!("{} {} ({}..{})", s.r#trait, s.score, s.scale_min, s.scale_max))
            .collect();
        t.add_row(vec![
            e.essay_id.clone(),
            scores.join(", "),
            e.marked_by.clone(),
            output::time(&e.mark_time),
        ]);
    }
    t.to_string()
}

fn model_json(m: &v1::ScoringModel) -> Value {
    json!({
        "id": m.id, "assignment_id": m.assignment_id, "trait": m.r#trait, "version": m.version,
        "scale": [m.scale_min, m.scale_max], "exemplars": m.exemplars, "cv_qwk": m.cv_qwk,
        "learning_curve": m.learning_curve.iter().map(|p| json!({"exemplars": p.exemplars, "qwk": p.qwk})).collect::<Vec<_>>(),
        "create_time": output::time(&m.create_time), "train_seconds": m.train_seconds,
    })
}

fn model_table(models: &[v1::ScoringModel]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "model",
        "scale",
        "exemplars",
        "cross-validated QWK",
        "learning curve (n: QWK)",
    ]);
    for m in models {
        let curve: Vec<_> = m
            .learning_curve
            .iter()
            .map(|p| format!("{}: {:.2}", p.exemplars, p.qwk))
            .collect();
        t.add_row(vec![
            m.id.clone(),
            format!("{}..{}", m.scale_min, m.scale_max),
            m.exemplars.to_string(),
            format!("{:.3}", m.cv_qwk),
            curve.join(", "),
        ]);
    }
    t.to_string()
}

pub async fn run(cmd: CalibrationCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = CalibrationServiceClient::new(connect(endpoint).await?);
    let show_exemplars = |list: &[v1::Exemplar]| {
        if json {
            outln!("{:#}", Value::from(list.iter().map(exemplar_json).collect::<Vec<_>>()));
        } else {
            outln!("{}", exemplar_table(list));
        }
    };
    let show_models = |list: &[v1::ScoringModel]| {
        if json {
            outln!("{:#}", Value::from(list.iter().map(model_json).collect::<Vec<_>>()));
        } else {
            outln!("{}", model_table(list));
        }
    };
    match cmd {
        CalibrationCommand::Exemplars(ExemplarCommand::Set {
            essay_id,
            scores,
            scale: raw_scale,
            marked_by,
        }) => {
            let (scale_min, scale_max) = scale(&raw_scale)?;
            let scores = scores
                .iter()
                .map(|s| {
                    s.rsplit_once('=')
                        .and_then(|(t, v)| Some((t.trim(), v.trim().parse::<i32>().ok()?)))
                        .filter(|(t, _)| !t.is_empty())
                        .map(|(t, score)| v1::TraitScore {
                            r#trait: t.to_owned(),
                            score,
                            scale_min,
                            scale_max,
                        })
                        .ok_or_else(|| CliError::Input(format!("--score {s:?} is not TRAIT=SCORE (e.g. holistic=8)")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let exemplar = client
                .set_exemplar(v1::SetExemplarRequest {
                    exemplar: Some(v1::Exemplar {
                        essay_id,
                        scores,
                        marked_by,
                        ..Default::default()
                    }),
                })
                .await?
                .into_inner()
                .exemplar
                .unwrap_or_default();
            show_exemplars(&[exemplar]);
        }
        CalibrationCommand::Exemplars(ExemplarCommand::Get { essay_id }) => {
            let exemplar = client
                .get_exemplar(v1::GetExemplarRequest { essay_id })
                .await?
                .into_inner()
                .exemplar
                .unwrap_or_default();
            show_exemplars(&[exemplar]);
        }
        CalibrationCommand::Exemplars(ExemplarCommand::List { assignment }) => {
            let list = client
                .list_exemplars(v1::ListExemplarsRequest {
                    assignment_id: assignment,
                })
                .await?
                .into_inner()
                .exemplars;
            show_exemplars(&list);
        }
        CalibrationCommand::Exemplars(ExemplarCommand::Delete { essay_id }) => {
            client
                .delete_exemplar(v1::DeleteExemplarRequest {
                    essay_id: essay_id.clone(),
                })
                .await?;
            if json {
                outln!("{}", json!({ "deleted_exemplar": essay_id }));
            } else {
                outln!("deleted the exemplar of essay {essay_id}");
            }
        }
        CalibrationCommand::Train { assignment, r#trait } => {
            let model = client
                .train_scoring_model(v1::TrainScoringModelRequest {
                    assignment_id: assignment,
                    r#trait,
                })
                .await?
                .into_inner()
                .model
                .unwrap_or_default();
            show_models(&[model]);
        }
        CalibrationCommand::Models(ModelCommand::List { assignment }) => {
            let list = client
                .list_scoring_models(v1::ListScoringModelsRequest {
                    assignment_id: assignment,
                })
                .await?
                .into_inner()
                .models;
            show_models(&list);
        }
        CalibrationCommand::Models(ModelCommand::Get {
            assignment,
            r#trait,
            version,
        }) => {
            let model = client
                .get_scoring_model(v1::GetScoringModelRequest {
                    assignment_id: assignment,
                    r#trait,
                    version: version.unwrap_or_default(),
                })
                .await?
                .into_inner()
                .model
                .unwrap_or_default();
            show_models(&[model]);
        }
    }
    Ok(())
}
