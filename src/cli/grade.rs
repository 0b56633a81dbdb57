//! `essayctl grade`: grade a stored essay (or a text file against a
//! question) and print the grade as a report a teacher can read: levels,
//! feedback and the quoted spans; `--json` for scripts.

use std::{fmt::Write as _, path::PathBuf};

use clap::Args;
use serde_json::{Value, json};

use super::{CliError, connect, essays::read_text};
use crate::core::essay_site::{self, ParsedPage};
use crate::proto::v1::{self, grading_service_client::GradingServiceClient};

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The stored essay to grade (against its assignment's question); each
    /// run stores a new grade (`essayctl grades get ID` shows the latest).
    #[arg(required_unless_present_any = ["text", "assignment"], conflicts_with_all = ["text", "assignment"])]
    essay_id: Option<String>,
    /// Grade every essay of this assignment as a background job, with a
    /// progress bar, then print a summary.
    #[arg(long, conflicts_with = "text")]
    assignment: Option<String>,
    /// Grade the text in this FILE instead (- reads stdin; nothing is
    /// stored); needs --question. An essay-site page is graded on its essay
    /// text, without the headers.
    #[arg(long, value_name = "FILE", requires = "question")]
    text: Option<PathBuf>,
    /// The question; overrides the assignment's for a stored essay.
    #[arg(long)]
    question: Option<String>,
    /// A rubric name (default: the assignment's, or the built-in one).
    #[arg(long, default_value = "", hide_default_value = true)]
    rubric: String,
}

pub async fn run(args: GradeArgs, endpoint: &str, json: bool) -> Result<(), CliError> {
    if let Some(assignment) = &args.assignment {
        return super::jobs::grade_assignment(endpoint, assignment, &args.rubric, json).await;
    }
    let mut client = GradingServiceClient::new(connect(endpoint).await?);
    let grade = match (&args.essay_id, &args.text) {
        (_, Some(path)) => {
            if path.as_os_str() != "-" && !path.exists() {
                return Err(CliError::Input(format!(
                    "--text takes a file, and there is no file {:?}: save the essay to a file, \
                     or pipe it in with --text - (stdin)",
                    path.display().to_string()
                )));
            }
            let (_, text) = read_text(Some(path))?;
            // An essay-site page is graded on its essay, not its header lines.
            let text = match essay_site::parse(&text) {
                ParsedPage::Page(page) => page.text,
                ParsedPage::PlainText(text) => text,
            };
            client
                .grade_text(v1::GradeTextRequest {
                    text,
                    question: args.question.clone().unwrap_or_default(),
                    rubric: args.rubric.clone(),
                })
                .await?
                .into_inner()
                .grade
        }
        (Some(id), None) => {
            client
                .grade_essay(v1::GradeEssayRequest {
                    essay_id: id.clone(),
                    question: args.question.clone().unwrap_or_default(),
                    rubric: args.rubric.clone(),
                })
                .await?
                .into_inner()
                .grade
        }
        (None, None) => return Err(CliError::Input("give an essay id or --text FILE".into())),
    }
    .unwrap_or_default();
    if json {
        outln!("{:#}", grade_json(&grade));
    } else {
        out!("{}", report(&grade));
    }
    Ok(())
}

pub fn flag_name(f: i32) -> String {
    v1::GradeFlag::try_from(f)
        .map(|f| f.as_str_name().trim_start_matches("GRADE_FLAG_").to_lowercase())
        .unwrap_or_else(|_| f.to_string())
}

pub fn grade_json(g: &v1::Grade) -> Value {
    let lti = g.lti_score.clone().unwrap_or_default();
    json!({
        "id": g.id,
        "essay_id": g.essay_id,
        "question": g.question,
        "criteria": g.criteria.iter().map(|c| json!({
            "criterion": c.criterion, "level": c.level, "score": c.score, "feedback": c.feedback,
            "spans": c.spans.iter().map(|s| json!({"start": s.start, "end": s.end, "label": s.label, "text": s.text})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "total": g.total,
        "max_mark": g.max_mark,
        "band": g.band,
        "confidence": g.confidence,
        "flags": g.flags.iter().map(|f| flag_name(*f)).collect::<Vec<_>>(),
        "needs_review": g.needs_review,
        "rubric": {"name": g.rubric_name, "version": g.rubric_version},
        "grader_version": g.grader_version,
        "summary": g.summary,
        "review": g.review.as_ref().map(|r| json!({
            "reviewer": r.reviewer, "comment": r.comment, "total": r.total, "band": r.band,
            "levels": r.levels.iter().map(|l| json!({"criterion": l.criterion, "level": l.level})).collect::<Vec<_>>(),
        })),
        "lti": {
            "scoreGiven": lti.score_given, "scoreMaximum": lti.score_maximum, "comment": lti.comment,
            "gradingProgress": lti.grading_progress, "activityProgress": lti.activity_progress,
        },
    })
}

/// The grade as a readable report.
pub fn report(g: &v1::Grade) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Grade {} of essay {}",
        if g.id.is_empty() { "(not stored)" } else { &g.id },
        if g.essay_id.is_empty() {
            "(inline text)"
        } else {
            &g.essay_id
        }
    );
    let _ = writeln!(out, "Question: {}", g.question);
    let _ = writeln!(
        out,
        "Rubric: {} v{} · grader {}",
        g.rubric_name, g.rubric_version, g.grader_version
    );
    let _ = writeln!(
        out,
        "Total: {:.1} / {:.0} — {} · confidence {:.2}{}",
        g.total,
        g.max_mark,
        g.band,
        g.confidence,
        if g.needs_review { " · NEEDS REVIEW" } else { "" }
    );
    if let Some(r) = &g.review {
        let levels: Vec<_> = r
            .levels
            .iter()
            .map(|l| format!("{} {}", l.criterion, l.level))
            .collect();
        let _ = writeln!(
            out,
            "Teacher's review by {}: {:.1} / {:.0} — {} ({}){}",
            r.reviewer,
            r.total,
            g.max_mark,
            r.band,
            levels.join(", "),
            if r.comment.is_empty() {
                String::new()
            } else {
                format!(": “{}”", r.comment)
            }
        );
    }
    if !g.flags.is_empty() {
        let flags: Vec<_> = g.flags.iter().map(|f| flag_name(*f)).collect();
        let _ = writeln!(out, "Flags: {}", flags.join(", "));
    }
    if !g.summary.is_empty() {
        let _ = writeln!(out, "\n{}", g.summary);
    }
    for c in &g.criteria {
        let _ = writeln!(
            out,
            "\n{} — level {} of 5 (score {:.2})",
            c.criterion.to_uppercase(),
            c.level,
            c.score
        );
        let _ = writeln!(out, "  {}", c.feedback);
        for s in c.spans.iter().take(8) {
            let quoted: String = s.text.chars().take(100).collect();
            let ellipsis = if s.text.chars().count() > 100 { "…" } else { "" };
            let _ = writeln!(
                out,
                "    [{}] \"{}{}\" (bytes {}..{})",
                s.label, quoted, ellipsis, s.start, s.end
            );
        }
        if c.spans.len() > 8 {
            let _ = writeln!(out, "    … and {} more", c.spans.len() - 8);
        }
    }
    if let Some(lti) = &g.lti_score {
        let _ = writeln!(
            out,
            "\nLTI score: {:.1} / {:.0}, {}",
            lti.score_given, lti.score_maximum, lti.grading_progress
        );
    }
    out
}
