//! `essayctl essays …`

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use clap::Subcommand;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{CliError, connect, output};
use crate::{
    api::convert::time_to_proto,
    core::{
        essay_site::{self, ParsedPage},
        text_metrics,
    },
    proto::v1::{self, essay_service_client::EssayServiceClient},
};

#[derive(Debug, Subcommand)]
pub enum EssayCommand {
    /// Store an essay; its text comes from FILE, or stdin if FILE is - or absent.
    Create {
        /// The text file (UTF-8); - or nothing reads stdin.
        file: Option<PathBuf>,
        /// The assignment it answers (must exist: `essayctl assignments create`).
        #[arg(long, default_value = "", hide_default_value = true)]
        assignment: String,
        /// The essay's title.
        #[arg(long, default_value = "", hide_default_value = true)]
        title: String,
        /// The author's id in the LMS (what `essays list --author` matches).
        #[arg(long, default_value = "", hide_default_value = true)]
        author_id: String,
        /// The author's name as shown to people.
        #[arg(long, default_value = "", hide_default_value = true)]
        author_name: String,
        /// The course id.
        #[arg(long, default_value = "", hide_default_value = true)]
        course: String,
        /// The LMS's submission id (unique within the assignment).
        #[arg(long, default_value = "", hide_default_value = true)]
        external_id: String,
        /// A free-form category, e.g. "World History".
        #[arg(long, default_value = "", hide_default_value = true)]
        category: String,
        /// When the essay was submitted (RFC 3339, e.g. 2026-11-27T09:00:00Z).
        #[arg(long)]
        submitted: Option<String>,
        /// An idempotency key: retrying with the same one stores nothing new.
        #[arg(long, default_value = "", hide_default_value = true)]
        request_id: String,
        /// A label, key=value; repeatable.
        #[arg(long = "label")]
        labels: Vec<String>,
    },
    /// Import essay-site pages (or plain-text files), one essay per file.
    ///
    /// The page's "Submitted by:" name becomes the author id and name. A page
    /// whose text is already stored for the same assignment and author is
    /// skipped (and said so) unless --allow-duplicate.
    Import {
        /// The files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The assignment they answer (must exist: `essayctl assignments create`).
        #[arg(long, default_value = "", hide_default_value = true)]
        assignment: String,
        /// The course id.
        #[arg(long, default_value = "", hide_default_value = true)]
        course: String,
        /// Store a page again even when the same text is already stored for
        /// the same assignment and author (the next job will flag the copies).
        #[arg(long)]
        allow_duplicate: bool,
    },
    /// Show one essay with its metadata, its latest grade's summary and its text.
    Get {
        /// The essay's id.
        id: String,
        /// Metadata only, without the text.
        #[arg(long)]
        metadata_only: bool,
    },
    /// List essays (all pages, or one page with --page-size).
    List {
        /// Only this assignment's essays.
        #[arg(long, default_value = "", hide_default_value = true)]
        assignment: String,
        /// Only this course's essays.
        #[arg(long, default_value = "", hide_default_value = true)]
        course: String,
        /// Only this author's essays: the author id, the first part of the
        /// table's author column (an imported page's "Submitted by:" name).
        #[arg(long, default_value = "", hide_default_value = true)]
        author: String,
        /// Only this category's essays.
        #[arg(long, default_value = "", hide_default_value = true)]
        category: String,
        /// Submitted at or after (RFC 3339).
        #[arg(long)]
        submitted_from: Option<String>,
        /// Submitted before (RFC 3339).
        #[arg(long)]
        submitted_before: Option<String>,
        /// Fetch one page of this size and print its next_page_token.
        #[arg(long)]
        page_size: Option<i32>,
        /// The page to fetch (a previous page's next_page_token, with the same filters).
        #[arg(long, default_value = "", hide_default_value = true)]
        page_token: String,
    },
    /// Delete an essay and everything attached to it (grades, exemplar).
    Delete {
        /// The essay's id.
        id: String,
    },
}

/// Reads a text file (or stdin for `-`), refusing bytes that are not UTF-8.
pub fn read_text(path: Option<&Path>) -> Result<(String, String), CliError> {
    let (name, bytes) = match path {
        None => ("stdin".to_owned(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("stdin".to_owned(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| CliError::Input(format!("cannot read {}: {e}", p.display())))?,
        ),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::Input(format!(
            "{name} is not UTF-8 text: invalid byte sequence at byte offset {}; convert it to UTF-8 first",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((name, text))
}

fn read_stdin() -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Input(format!("cannot read stdin: {e}")))?;
    Ok(bytes)
}

fn parse_time(flag: &str, raw: &str) -> Result<prost_types::Timestamp, CliError> {
    OffsetDateTime::parse(raw, &Rfc3339).map(time_to_proto).map_err(|e| {
        CliError::Input(format!(
            "{flag} {raw:?} is not an RFC 3339 time (2026-11-27T09:00:00Z): {e}"
        ))
    })
}

/// An essay-site page (or plain text) as an `Essay` to create.
fn essay_from_file(path: &Path, text: String) -> v1::Essay {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match essay_site::parse(&text) {
        ParsedPage::Page(page) => {
            // The site's user name is both: it identifies the author, so
            // `essays list --author` finds what the table shows.
            let author = page.author.unwrap_or_default();
            v1::Essay {
                title: page.title.unwrap_or(stem),
                author: Some(v1::Author {
                    id: author.clone(),
                    display_name: author,
                }),
                category: page.category.unwrap_or_default(),
                submit_time: page.submitted_at.map(|t| time_to_proto(t.assume_utc())),
                text: page.text,
                declared: Some(v1::DeclaredMetadata {
                    views: page.views,
                    words: page.declared_words,
                    pages: page.declared_pages,
                    source: "essay-site".into(),
                    extra: page.extra.into_iter().collect(),
                }),
                ..Default::default()
            }
        }
        ParsedPage::PlainText(text) => v1::Essay {
            title: stem,
            text,
            ..Default::default()
        },
    }
}

pub async fn run(cmd: EssayCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = EssayServiceClient::new(connect(endpoint).await?)
        .max_encoding_message_size(64 * 1024 * 1024)
        .max_decoding_message_size(64 * 1024 * 1024);
    match cmd {
        EssayCommand::Create {
            file,
            assignment,
            title,
            author_id,
            author_name,
            course,
            external_id,
            category,
            submitted,
            request_id,
            labels,
        } => {
            let (_, text) = read_text(file.as_deref())?;
            let labels = labels
                .iter()
                .map(|l| {
                    l.split_once('=')
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .ok_or_else(|| CliError::Input(format!("--label {l:?} is not key=value")))
                })
                .collect::<Result<_, _>>()?;
            let essay = v1::Essay {
                title,
                author: Some(v1::Author {
                    id: author_id,
                    display_name: author_name,
                }),
                course_id: course,
                assignment_id: assignment,
                external_id,
                category,
                submit_time: submitted.map(|s| parse_time("--submitted", &s)).transpose()?,
                labels,
                text,
                ..Default::default()
            };
            let created = client
                .create_essay(v1::CreateEssayRequest {
                    essay: Some(essay),
                    request_id,
                })
                .await?
                .into_inner()
                .essay
                .unwrap_or_default();
            show_one(&created, json);
        }
        EssayCommand::Import {
            files,
            assignment,
            course,
            allow_duplicate,
        } => {
            let mut requests = Vec::new();
            let mut paths = Vec::new();
            // (author id, sha256) of what is stored or about to be, per author.
            let mut stored: HashMap<String, HashMap<String, String>> = HashMap::new();
            let mut skipped = 0;
            for path in &files {
                let (_, text) = read_text(Some(path))?;
                let mut essay = essay_from_file(path, text);
                essay.assignment_id = assignment.clone();
                essay.course_id = course.clone();
                let author = essay.author.as_ref().map(|a| a.id.clone()).unwrap_or_default();
                let hash = text_metrics::content_sha256(&essay.text);
                if !allow_duplicate {
                    if !stored.contains_key(&author) {
                        let known = stored_hashes(&mut client, &assignment, &author).await?;
                        stored.insert(author.clone(), known);
                    }
                    if let Some(id) = stored.get(&author).and_then(|known| known.get(&hash)) {
                        skipped += 1;
                        eprintln!(
                            "{}: skipped: already stored as {id} (same assignment, author and text; \
                             --allow-duplicate stores it again)",
                            path.display()
                        );
                        continue;
                    }
                    if let Some(known) = stored.get_mut(&author) {
                        known.insert(hash, format!("an earlier file of this import ({})", path.display()));
                    }
                }
                requests.push(v1::CreateEssayRequest {
                    essay: Some(essay),
                    request_id: String::new(),
                });
                paths.push(path);
            }
            let results = if requests.is_empty() {
                Vec::new()
            } else {
                client
                    .batch_create_essays(v1::BatchCreateEssaysRequest { requests })
                    .await?
                    .into_inner()
                    .results
            };
            let mut failed = 0;
            let mut imported = Vec::new();
            for (path, result) in paths.iter().zip(results) {
                match result.outcome {
                    Some(v1::batch_create_essays_result::Outcome::Essay(e)) => imported.push(e),
                    Some(v1::batch_create_essays_result::Outcome::Error(err)) => {
                        failed += 1;
                        eprintln!(
                            "{}: not imported: {}",
                            path.display(),
                            super::in_cli_words(&err.message)
                        );
                    }
                    None => failed += 1,
                }
            }
            if !imported.is_empty() || json {
                show_many(&imported, json);
            }
            if skipped > 0 && !json {
                eprintln!("{} imported, {skipped} skipped as already stored", imported.len());
            }
            if failed > 0 {
                return Err(CliError::Input(format!(
                    "{failed} of {} files were not imported",
                    files.len()
                )));
            }
        }
        EssayCommand::Get { id, metadata_only } => {
            let view = if metadata_only {
                v1::EssayView::Basic
            } else {
                v1::EssayView::Full
            };
            let essay = client
                .get_essay(v1::GetEssayRequest {
                    id: id.clone(),
                    view: view as i32,
                })
                .await?
                .into_inner()
                .essay
                .unwrap_or_default();
            let latest = super::grades::latest(endpoint, &id).await?;
            if json {
                let mut value = output::essay_json(&essay);
                value["latest_grade"] = latest.as_ref().map(super::grade::grade_json).unwrap_or_default();
                outln!("{value:#}");
            } else {
                outln!("{}", output::essay_detail(&essay, latest.as_ref()));
            }
        }
        EssayCommand::List {
            assignment,
            course,
            author,
            category,
            submitted_from,
            submitted_before,
            page_size,
            page_token,
        } => {
            let mut request = v1::ListEssaysRequest {
                page_size: page_size.unwrap_or(1000),
                page_token,
                course_id: course,
                assignment_id: assignment,
                author_id: author,
                category,
                submit_time_start: submitted_from.map(|s| parse_time("--submitted-from", &s)).transpose()?,
                submit_time_end: submitted_before
                    .map(|s| parse_time("--submitted-before", &s))
                    .transpose()?,
                view: v1::EssayView::Basic as i32,
            };
            let mut all = Vec::new();
            loop {
                let page = client.list_essays(request.clone()).await?.into_inner();
                all.extend(page.essays);
                if page_size.is_some() || page.next_page_token.is_empty() {
                    if page_size.is_some() && !page.next_page_token.is_empty() && !json {
                        eprintln!("next page: --page-token {}", page.next_page_token);
                    }
                    break;
                }
                request.page_token = page.next_page_token;
            }
            show_many(&all, json);
        }
        EssayCommand::Delete { id } => {
            client.delete_essay(v1::DeleteEssayRequest { id: id.clone() }).await?;
            if json {
                outln!("{}", serde_json::json!({ "deleted": id }));
            } else {
                outln!("deleted essay {id}");
            }
        }
    }
    Ok(())
}

fn show_one(essay: &v1::Essay, json: bool) {
    if json {
        outln!("{:#}", output::essay_json(essay));
    } else {
        outln!("{}", output::essay_detail(essay, None));
    }
}

/// The SHA-256 of every essay already stored for `assignment` by `author`
/// (an empty author: essays without one), with the essay's id.
async fn stored_hashes(
    client: &mut EssayServiceClient<super::Conn>,
    assignment: &str,
    author: &str,
) -> Result<HashMap<String, String>, CliError> {
    let mut request = v1::ListEssaysRequest {
        page_size: 1000,
        assignment_id: assignment.to_owned(),
        author_id: author.to_owned(),
        view: v1::EssayView::Basic as i32,
        ..Default::default()
    };
    let mut known = HashMap::new();
    loop {
        let page = client.list_essays(request.clone()).await?.into_inner();
        for e in page.essays {
            let same_author = e.author.as_ref().map(|a| a.id.as_str()).unwrap_or_default() == author;
            if same_author
                && e.assignment_id == assignment
                && let Some(m) = e.metrics
            {
                known.insert(m.content_sha256, e.id);
            }
        }
        if page.next_page_token.is_empty() {
            return Ok(known);
        }
        request.page_token = page.next_page_token;
    }
}

fn show_many(essays: &[v1::Essay], json: bool) {
    if json {
        let values: Vec<_> = essays.iter().map(output::essay_json).collect();
        outln!("{:#}", serde_json::Value::from(values));
    } else {
        outln!("{}", output::essay_table(essays));
    }
}
