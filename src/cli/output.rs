//! How essays and assignments are shown: tables for people, JSON for scripts;
//! and the one place command output is written to stdout.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use prost_types::Timestamp;
use serde_json::{Value, json};

use crate::proto::v1;

/// Writes command output; a closed pipe (`essayctl … | head`) ends the
/// program quietly with exit 0, as a reader that has seen enough is no error.
pub fn write_stdout(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// The author as the tables show it: the id `--author` filters on, then the
/// display name when it says something more.
pub fn author_label(a: &Option<v1::Author>) -> String {
    let a = a.clone().unwrap_or_default();
    match (a.id.is_empty(), a.display_name.is_empty() || a.display_name == a.id) {
        (true, _) if a.display_name.is_empty() => String::new(),
        (true, _) => format!("({})", a.display_name),
        (false, true) => a.id,
        (false, false) => format!("{} ({})", a.id, a.display_name),
    }
}

pub fn time(t: &Option<Timestamp>) -> String {
    t.as_ref()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.seconds).ok())
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

pub fn essay_json(e: &v1::Essay) -> Value {
    let author = e.author.clone().unwrap_or_default();
    let declared = e.declared.clone().unwrap_or_default();
    let m = e.metrics.clone().unwrap_or_default();
    let mut v = json!({
        "id": e.id,
        "title": e.title,
        "author": {"id": author.id, "display_name": author.display_name},
        "course_id": e.course_id,
        "assignment_id": e.assignment_id,
        "external_id": e.external_id,
        "category": e.category,
        "submit_time": time(&e.submit_time),
        "labels": e.labels,
        "declared": {
            "views": declared.views, "words": declared.words, "pages": declared.pages,
            "source": declared.source, "extra": declared.extra,
        },
        "metrics": {
            "words": m.words, "characters": m.characters, "sentences": m.sentences,
            "paragraphs": m.paragraphs, "estimated_pages": m.estimated_pages,
            "average_sentence_words": m.average_sentence_words,
            "flesch_kincaid_grade": m.flesch_kincaid_grade,
            "looks_english": m.looks_english, "english_score": m.english_score,
            "content_sha256": m.content_sha256,
        },
        "create_time": time(&e.create_time),
    });
    if !e.text.is_empty() {
        v["text"] = Value::String(e.text.clone());
    }
    v
}

/// One grade in a line: mark, band, review state and how to see it whole.
pub fn grade_line(g: &v1::Grade) -> String {
    let mark = match &g.review {
        Some(r) => format!("{:.1} / {:.0} — {} (teacher's review)", r.total, g.max_mark, r.band),
        None => format!("{:.1} / {:.0} — {}", g.total, g.max_mark, g.band),
    };
    let review = if g.needs_review && g.review.is_none() {
        " · needs review"
    } else {
        ""
    };
    format!("{mark}{review} · grade {}", g.id)
}

/// One essay in detail: a two-column table of its metadata and latest
/// grade, then its text.
pub fn essay_detail(e: &v1::Essay, latest: Option<&v1::Grade>) -> String {
    let d = e.declared.clone().unwrap_or_default();
    let m = e.metrics.clone().unwrap_or_default();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let rows: Vec<(&str, String)> = vec![
        ("id", e.id.clone()),
        ("title", e.title.clone()),
        ("author", author_label(&e.author)),
        ("course", e.course_id.clone()),
        ("assignment", e.assignment_id.clone()),
        ("external id", e.external_id.clone()),
        ("category", e.category.clone()),
        ("submitted", time(&e.submit_time)),
        ("stored", time(&e.create_time)),
        (
            "words",
            format!("{} (declared {})", m.words, opt(d.words.map(|w| w.to_string()))),
        ),
        (
            "pages",
            format!(
                "{} (declared {})",
                m.estimated_pages,
                opt(d.pages.map(|p| p.to_string()))
            ),
        ),
        ("views (declared)", opt(d.views.map(|v| v.to_string()))),
        ("sentences / paragraphs", format!("{} / {}", m.sentences, m.paragraphs)),
        ("avg sentence words", format!("{:.1}", m.average_sentence_words)),
        ("Flesch-Kincaid grade", format!("{:.1}", m.flesch_kincaid_grade)),
        ("looks English", format!("{} ({:.2})", m.looks_english, m.english_score)),
        ("sha256", m.content_sha256.clone()),
        (
            "latest grade",
            latest
                .map(grade_line)
                .unwrap_or_else(|| "none yet (essayctl grade ID grades it)".into()),
        ),
    ];
    for (k, v) in rows {
        t.add_row(vec![k.to_owned(), v]);
    }
    let mut out = t.to_string();
    if !e.text.is_empty() {
        out.push_str("\n\n");
        out.push_str(&e.text);
    }
    out
}

pub fn essay_table(essays: &[v1::Essay]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["id", "title", "author", "assignment", "words", "submitted"]);
    for e in essays {
        t.add_row(vec![
            e.id.clone(),
            e.title.clone(),
            author_label(&e.author),
            e.assignment_id.clone(),
            e.metrics.as_ref().map(|m| m.words).unwrap_or_default().to_string(),
            time(&e.submit_time),
        ]);
    }
    t.to_string()
}

pub fn assignment_json(a: &v1::Assignment) -> Value {
    json!({
        "id": a.id, "course_id": a.course_id, "title": a.title, "question": a.question,
        "rubric": a.rubric, "create_time": time(&a.create_time), "update_time": time(&a.update_time),
    })
}

pub fn assignment_table(assignments: &[v1::Assignment]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["id", "course", "title", "rubric", "question"]);
    for a in assignments {
        t.add_row(vec![
            a.id.clone(),
            a.course_id.clone(),
            a.title.clone(),
            if a.rubric.is_empty() {
                "(default)".into()
            } else {
                a.rubric.clone()
            },
            a.question.clone(),
        ]);
    }
    t.to_string()
}
