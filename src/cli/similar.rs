//! `essayctl similar ESSAY_ID`: the essays that share passages with one,
//! with each shared passage side by side.

use clap::Args;
use serde_json::json;

use super::{CliError, connect};
use crate::proto::v1::{self, similarity_service_client::SimilarityServiceClient};

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The essay whose shared passages to show.
    essay_id: String,
    /// The least share of this essay another must cover to be shown, 0..1
    /// (default: the service's threshold).
    #[arg(long)]
    threshold: Option<f64>,
    /// At most this many essays.
    #[arg(long, default_value_t = 10)]
    limit: i32,
}

/// The width tables wrap to: the terminal's, else `COLUMNS`, else 100.
fn terminal_width(table: &comfy_table::Table) -> u16 {
    table
        .width()
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .unwrap_or(100)
}

fn clip(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        format!("{}…", flat.chars().take(n).collect::<String>())
    }
}

pub async fn run(args: SimilarArgs, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = SimilarityServiceClient::new(connect(endpoint).await?);
    let matches = client
        .find_similar_essays(v1::FindSimilarEssaysRequest {
            query: Some(v1::find_similar_essays_request::Query::EssayId(args.essay_id.clone())),
            threshold: args.threshold.unwrap_or_default(),
            limit: args.limit,
        })
        .await?
        .into_inner()
        .matches;
    if json {
        let value: Vec<_> = matches
            .iter()
            .map(|m| {
                json!({
                    "essay_id": m.essay_id, "coverage": m.coverage,
                    "passages": m.passages.iter().map(|p| json!({
                        "query": [p.query_start, p.query_end], "match": [p.match_start, p.match_end],
                        "query_text": p.query_text, "match_text": p.match_text,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        outln!("{:#}", serde_json::Value::from(value));
        return Ok(());
    }
    if matches.is_empty() {
        outln!("no stored essay shares passages with {}", args.essay_id);
        return Ok(());
    }
    for m in &matches {
        outln!("{} covers {:.0}% of this essay:", m.essay_id, m.coverage * 100.0);
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        // Passages side by side are long: wrap them to the terminal.
        table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        let width = terminal_width(&table);
        table.set_width(width);
        table.set_header(vec![
            format!("this essay ({})", args.essay_id),
            format!("essay {}", m.essay_id),
        ]);
        for p in &m.passages {
            table.add_row(vec![
                format!(
                    "{}\n(bytes {}..{})",
                    clip(&p.query_text, 300),
                    p.query_start,
                    p.query_end
                ),
                format!(
                    "{}\n(bytes {}..{})",
                    clip(&p.match_text, 300),
                    p.match_start,
                    p.match_end
                ),
            ]);
        }
        outln!("{table}\n");
    }
    Ok(())
}
