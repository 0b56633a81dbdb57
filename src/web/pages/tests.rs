//! The templates on their own: escaping, every span kind, empty and maximal
//! grades, the job report and the CSV.

use time::macros::datetime;

use super::*;
use crate::{
    calibration::ScoreScale,
    core::{Author, DeclaredMetadata, ItemFailure, ModelScore, Review, text_metrics},
    grader::{self, Criterion, Flag, Rubric, Span, SpanLabel},
};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";

fn essay(text: &str) -> Essay {
    Essay {
        id: EssayId::generate(),
        title: "Soviet <foreign> policy".into(),
        author: Author {
            id: "s1".into(),
            display_name: "Ada & Co".into(),
        },
        course_id: String::new(),
        assignment_id: None,
        external_id: String::new(),
        category: String::new(),
        submit_time: None,
        labels: Default::default(),
        text: None,
        declared: DeclaredMetadata::default(),
        metrics: text_metrics::measure(text),
        create_time: datetime!(2026-12-01 10:00 UTC),
    }
}

fn view_of(text: &str) -> GradeRecordView {
    GradeRecordView {
        id: Some(crate::core::GradeId::generate()),
        essay_id: Some(EssayId::generate()),
        question: QUESTION.into(),
        grade: grader::grade(text, QUESTION, &Rubric::history_default()).expect("graded"),
        create_time: datetime!(2026-12-01 10:05 UTC),
        review: None,
        model_score: None,
        copied_from: Vec::new(),
    }
}

fn render(view: &GradeRecordView, text: &str, copies: &[CopyEvidence]) -> String {
    let essay = essay(text);
    grade_report(&GradeReport {
        grade: view,
        essay: &essay,
        text,
        copies,
    })
}

/// The essay's text as a browser shows it: the page's `essay-text` div with
/// the span labels (`tip`s) and tags taken out and entities decoded.
fn shown_essay_text(html: &str) -> String {
    let start = html.find("<div class=\"essay-text\">").expect("essay text") + "<div class=\"essay-text\">".len();
    let end = start + html[start..].find("</div>").expect("end of the essay");
    let mut body = html[start..end].to_owned();
    while let Some(tip) = body.find("<span class=\"tip\">") {
        let close = tip + body[tip..].find("</span></span>").expect("tip end") + "</span></span>".len();
        body.replace_range(tip..close, "");
    }
    let mut text = String::new();
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn an_essay_with_markup_is_shown_as_text() {
    let text = "In 1939 the Nazi-Soviet Pact <script>alert('x')</script> bought time & \"space\"; \
                however, Geoffrey Roberts argues that Stalin misjudged Hitler.";
    let html = render(&view_of(text), text, &[]);
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;") && html.contains("&lt;/script&gt;"));
    assert!(html.contains("Soviet &lt;foreign&gt; policy"), "the title is escaped");
    assert!(html.contains("Ada &amp; Co"), "the author is escaped");
    assert_eq!(
        shown_essay_text(&html),
        text,
        "every character of the essay is shown, once"
    );
}

#[test]
fn every_span_kind_is_highlighted_with_its_criterion_and_label() {
    // One span per label, each on its own word, spread over the criteria.
    let words: Vec<String> = (0..SpanLabel::ALL.len()).map(|i| format!("word{i:02}")).collect();
    let text = words.join(" ");
    let mut view = view_of("Stalin signed the pact in 1939, which shows the policy was a success.");
    for c in &mut view.grade.criteria {
        c.spans.clear();
    }
    for (i, label) in SpanLabel::ALL.into_iter().enumerate() {
        let start = i * 7;
        let criterion = Criterion::ALL[i % 4];
        view.grade.criteria[criterion.index()].spans.push(Span {
            start,
            end: start + 6,
            label,
        });
    }
    let html = render(&view, &text, &[]);
    for (i, label) in SpanLabel::ALL.into_iter().enumerate() {
        let criterion = Criterion::ALL[i % 4];
        let tip = format!(
            "<span class=\"t t-{}\">{}: {}</span>",
            criterion.as_str(),
            criterion_title(criterion),
            label.as_str().replace('_', " ")
        );
        assert!(html.contains(&tip), "no label for {label:?}: {tip}");
        let highlighted = format!(
            "<mark class=\"hl\" data-criteria=\"{}\" tabindex=\"0\"><span class=\"c c-{}\">{}</span>",
            criterion.as_str(),
            criterion.as_str(),
            words[i]
        );
        assert!(html.contains(&highlighted), "{label:?} not highlighted: {highlighted}");
    }
    for c in Criterion::ALL {
        let n = SpanLabel::ALL.len().div_ceil(4) - usize::from(c.index() >= SpanLabel::ALL.len() % 4);
        assert!(
            html.contains(&format!("{} ({n})</label>", criterion_title(c))),
            "legend count of {c:?}"
        );
        assert!(
            html.contains(&format!("id=\"show-{}\" checked", c.as_str())),
            "switch of {c:?}"
        );
    }
    assert_eq!(shown_essay_text(&html), text);
}

#[test]
fn overlapping_spans_of_two_criteria_nest_and_list_both_labels() {
    let text = "Stalin signed the Nazi-Soviet Pact in 1939.";
    let mut view = view_of(text);
    for c in &mut view.grade.criteria {
        c.spans.clear();
    }
    view.grade.criteria[0].spans.push(Span {
        start: 0,
        end: text.len(),
        label: SpanLabel::ThesisSentence,
    });
    view.grade.criteria[1].spans.push(Span {
        start: 38,
        end: 42,
        label: SpanLabel::Date,
    });
    let html = render(&view, text, &[]);
    assert!(html.contains(
        "<mark class=\"hl\" data-criteria=\"thesis evidence\" tabindex=\"0\"><span class=\"c c-thesis\"><span class=\"c c-evidence\">1939</span></span>"
    ), "{html}");
    assert!(html.contains("Thesis: thesis sentence</span><span class=\"t t-evidence\">Evidence: date</span>"));
    assert_eq!(shown_essay_text(&html), text);
}

#[test]
fn an_empty_grade_renders_without_passages_flags_or_review() {
    let text = "Stalin.";
    let mut view = view_of(text);
    for c in &mut view.grade.criteria {
        c.spans.clear();
    }
    view.grade.flags.clear();
    view.grade.needs_review = false;
    view.id = None;
    let html = render(&view, text, &[]);
    assert_eq!(html.matches("No passage found for this criterion.").count(), 4);
    assert!(html.contains("<strong>Final</strong>"));
    assert!(!html.contains("<mark"));
    assert!(!html.contains("class=\"flags\""));
    assert!(!html.contains("Shared passages"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<main class=\"grade-report\">") && html.contains("<header>") && html.contains("<footer>"));
}

#[test]
fn a_maximal_grade_shows_flags_review_model_and_copies() {
    let text = "Soviet foreign policy between 1925 and 1945 was largely successful because the USSR survived. \
                In 1939 the Nazi-Soviet Pact bought time; however, Geoffrey Roberts argues that Stalin misjudged Hitler.";
    let other_text = "My own opening. In 1939 the Nazi-Soviet Pact bought time; however, Geoffrey Roberts argues that Stalin misjudged Hitler.";
    let mut view = view_of(text);
    view.grade.flags = Flag::ALL.to_vec();
    view.grade.needs_review = true;
    view.review = Some(Review {
        reviewer: "t.jones".into(),
        levels: [4, 3, 3, 2],
        comment: "Good <b>use</b> of Roberts.".into(),
        review_time: datetime!(2026-12-02 09:00 UTC),
        total: 12.0,
        band: "Level 3".into(),
    });
    view.model_score = Some(ModelScore {
        assignment_id: "hw1".into(),
        name: "holistic".into(),
        version: 2,
        score: 3,
        raw: 2.8,
        scale: ScoreScale::new(0, 4).unwrap(),
    });
    let copied = EssayId::generate();
    let gone = EssayId::generate();
    view.copied_from = vec![copied, gone];
    let q = text.find("In 1939").unwrap();
    let c = other_text.find("In 1939").unwrap();
    let copies = [
        CopyEvidence {
            other: copied,
            found: Some(SimilarEssay {
                essay_id: copied,
                coverage: 0.55,
                passages: vec![(q..text.len(), c..other_text.len())],
                match_text: other_text.into(),
            }),
        },
        CopyEvidence {
            other: gone,
            found: None,
        },
    ];
    let html = render(&view, text, &copies);
    for f in Flag::ALL {
        assert!(
            html.contains(&format!("<li>{}</li>", f.as_str().replace('_', " "))),
            "{f:?}"
        );
    }
    assert!(html.contains("<strong>Reviewed</strong> by t.jones on 2026-12-02 09:00 UTC"));
    assert!(html.contains("Good &lt;b&gt;use&lt;/b&gt; of Roberts."));
    assert!(html.contains("scoring model holistic v2"));
    assert!(html.contains("Shared passages"));
    assert!(html.contains(&format!("With essay <code>{copied}</code> — 55% of this essay")));
    assert!(html.contains(&format!("<th scope=\"col\">Essay <code>{copied}</code></th>")));
    assert_eq!(
        html.matches("<td>In 1939 the Nazi-Soviet Pact bought time; however, Geoffrey Roberts argues that Stalin misjudged Hitler.</td>").count(),
        2,
        "the passage side by side"
    );
    assert!(html.contains("no longer shares passages"));
    assert!(html.contains(&format!(
        "Rubric history-default v1 · grader {}",
        grader::GRADER_VERSION
    )));
}

fn result(seq: u32, outcome: Result<GradeRecordView, ItemFailure>) -> JobResult {
    JobResult {
        sequence: seq,
        essay_id: EssayId::generate(),
        outcome,
        external_id: format!("sub-{seq}"),
        author: Author {
            id: format!("a{seq}"),
            display_name: "Name, \"Quoted\"".into(),
        },
    }
}

fn job() -> Job {
    Job {
        id: crate::core::JobId::generate(),
        assignment_id: None,
        rubric: "history-default".into(),
        state: crate::core::JobState::Succeeded,
        total: 3,
        graded: 2,
        failed: 1,
        create_time: datetime!(2026-12-01 10:00 UTC),
        start_time: None,
        end_time: Some(datetime!(2026-12-01 10:01 UTC)),
    }
}

#[test]
fn a_job_report_has_counts_charts_queue_and_csv_link() {
    let graded = view_of("Stalin signed the pact in 1939, which shows the policy was a success.");
    let results = [
        result(0, Ok(graded.clone())),
        result(1, Ok(graded.clone())),
        result(
            2,
            Err(ItemFailure {
                kind: crate::core::ErrorKind::NotFound,
                reason: "NOT_FOUND".into(),
                message: "essay gone".into(),
            }),
        ),
    ];
    let mut stats = JobStats::default();
    results.iter().for_each(|r| stats.add(r));
    assert_eq!((stats.graded, stats.failed), (2, 1));
    let thesis_level = usize::from(graded.grade.level(Criterion::Thesis));
    assert_eq!(stats.levels[0][thesis_level], 2);
    assert_eq!(stats.bands, vec![(graded.grade.band.clone(), 2)]);
    let queue = [QueueRow {
        essay_id: results[0].essay_id,
        external_id: "sub-0".into(),
        author: "<Ann>".into(),
        total: 6.0,
        max_mark: 20.0,
        band: "Level 2".into(),
        flags: vec!["too_short"],
        confidence: 0.5,
        reviewed: false,
        href: "/reports/grades/a/b?tenant=t&expires=1&sig=s".into(),
    }];
    let job = job();
    let html = job_report(&JobReport {
        job: &job,
        stats: &stats,
        queue: &queue,
        queue_more: 0,
        csv_href: "/reports/jobs/x/results.csv?tenant=t&expires=1&sig=s",
    });
    assert_eq!(html.matches("<svg").count(), 5, "four criteria and the bands");
    assert!(html.contains("<dt>Failed</dt><dd>1</dd>"));
    assert!(html.contains("href=\"/reports/grades/a/b?tenant=t&amp;expires=1&amp;sig=s\""));
    assert!(html.contains("href=\"/reports/jobs/x/results.csv?tenant=t&amp;expires=1&amp;sig=s\""));
    assert!(html.contains("<td>&lt;Ann&gt;</td>"));
    assert!(html.contains("<td>too short</td>"));

    let empty = job_report(&JobReport {
        job: &job,
        stats: &JobStats::default(),
        queue: &[],
        queue_more: 0,
        csv_href: "x",
    });
    assert!(empty.contains("No grade of this job is marked for review."));
    assert_eq!(empty.matches("<svg").count(), 5);
}

#[test]
fn csv_rows_quote_what_needs_quoting() {
    let graded = view_of("Stalin signed the pact in 1939, which shows the policy was a success.");
    let ok = csv_row(&result(0, Ok(graded.clone())));
    assert!(ok.contains(",\"Name, \"\"Quoted\"\"\","), "{ok}");
    assert!(ok.ends_with('\n'));
    assert_eq!(
        ok.trim_end().split(',').count(),
        crate::core::results_csv::HEADER.split(',').count() + 1
    );
    let failed = csv_row(&result(
        1,
        Err(ItemFailure {
            kind: crate::core::ErrorKind::NotFound,
            reason: "NOT_FOUND".into(),
            message: "essay gone".into(),
        }),
    ));
    assert!(failed.trim_end().ends_with(",essay gone"), "{failed}");
}

#[test]
fn the_error_page_escapes_and_shows_no_data() {
    let html = error_page("Not <found>", "No such report.");
    assert!(html.contains("<h1>Not &lt;found&gt;</h1>"));
}

#[test]
fn bands_are_charted_in_mark_order_whatever_order_the_grades_came_in() {
    let base = view_of("Stalin signed the pact in 1939, which shows the policy was a success.");
    let mut stats = JobStats::default();
    for (band, total) in [
        ("Level 3", 12.0),
        ("No credit", 0.0),
        ("Level 1", 4.0),
        ("Level 3", 11.0),
    ] {
        let mut v = base.clone();
        v.grade.band = band.into();
        v.grade.total = total;
        stats.add(&result(0, Ok(v)));
    }
    let order: Vec<(&str, u32)> = stats.bands.iter().map(|(b, n)| (b.as_str(), *n)).collect();
    assert_eq!(order, [("No credit", 1), ("Level 1", 1), ("Level 3", 2)]);
    let job = job();
    let html = job_report(&JobReport {
        job: &job,
        stats: &stats,
        queue: &[],
        queue_more: 0,
        csv_href: "x",
    });
    assert!(html.contains(&format!(
        "Graded with rubric history-default v1 · grader {}",
        grader::GRADER_VERSION
    )));
}
