//! The report pages as pure functions: data in, HTML out (maud templates,
//! checked at compile time, every interpolation escaped). No I/O, so they
//! are tested and measured without a server.
//!
//! The pages need no script: criteria are switched on and off with
//! checkboxes and CSS `:has()`, a span's label shows on hover and keyboard
//! focus with CSS, and charts are inline SVG. Everything a page loads comes
//! from essayd (one stylesheet), which is what the strict CSP allows.

use maud::{DOCTYPE, Markup, html};
use time::{OffsetDateTime, macros::format_description};

use super::{
    charts::{Bar, bar_chart},
    highlight::{Mark, marks, runs},
};
use crate::{
    core::{Essay, EssayId, GradeRecordView, Job, JobResult, SimilarEssay, results_csv::ResultRow},
    grader::{Criterion, SpanLabel},
};

/// Where the pages' stylesheet is served.
pub const STYLESHEET_PATH: &str = "/reports/assets/report.css";

/// The stored essay a grade is shown against, and another essay it shares
/// passages with (`None` when that essay is gone or no longer matches).
pub struct CopyEvidence {
    pub other: EssayId,
    pub found: Option<SimilarEssay>,
}

/// Everything the grade report shows.
pub struct GradeReport<'a> {
    pub grade: &'a GradeRecordView,
    pub essay: &'a Essay,
    /// The essay's stored text, which the grade's spans point into.
    pub text: &'a str,
    pub copies: &'a [CopyEvidence],
}

/// Counts and distributions of a job's results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobStats {
    /// `levels[criterion][level]`: how many grades have that level.
    pub levels: [[u32; 6]; 4],
    /// Bands in mark order (by the lowest total seen in each), with counts.
    pub bands: Vec<(String, u32)>,
    /// The lowest total seen in each band of `bands`, which orders them.
    band_floor: Vec<f64>,
    /// The rubrics and grader versions the grades were made with.
    pub versions: std::collections::BTreeSet<String>,
    pub graded: u32,
    pub failed: u32,
    pub needs_review: u32,
    pub reviewed: u32,
}

impl JobStats {
    pub fn add(&mut self, result: &JobResult) {
        let Ok(view) = &result.outcome else {
            self.failed += 1;
            return;
        };
        self.graded += 1;
        for c in &view.grade.criteria {
            self.levels[c.criterion.index()][usize::from(c.level.min(5))] += 1;
        }
        let g = &view.grade;
        match self.bands.iter().position(|(b, _)| *b == g.band) {
            Some(i) => {
                self.bands[i].1 += 1;
                self.band_floor[i] = self.band_floor[i].min(g.total);
            }
            None => {
                self.bands.push((g.band.clone(), 1));
                self.band_floor.push(g.total);
            }
        }
        // Kept sorted as it grows: a handful of bands.
        let mut order: Vec<usize> = (0..self.bands.len()).collect();
        order.sort_by(|&a, &b| self.band_floor[a].total_cmp(&self.band_floor[b]));
        if order.windows(2).any(|w| w[0] > w[1]) {
            self.bands = order.iter().map(|&i| self.bands[i].clone()).collect();
            self.band_floor = order.iter().map(|&i| self.band_floor[i]).collect();
        }
        self.versions.insert(format!(
            "rubric {} v{} · grader {}",
            g.rubric_name, g.rubric_version, g.grader_version
        ));
        self.needs_review += u32::from(view.grade.needs_review);
        self.reviewed += u32::from(view.review.is_some());
    }
}

/// A grade of a job that a teacher should look at.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub essay_id: EssayId,
    pub external_id: String,
    pub author: String,
    /// The final mark and band: the teacher's once reviewed.
    pub total: f64,
    pub max_mark: f64,
    pub band: String,
    pub flags: Vec<&'static str>,
    pub confidence: f64,
    pub reviewed: bool,
    /// A signed link to the grade's report.
    pub href: String,
}

/// Everything the job report shows.
pub struct JobReport<'a> {
    pub job: &'a Job,
    pub stats: &'a JobStats,
    /// Pending reviews first.
    pub queue: &'a [QueueRow],
    /// Rows of the queue left out of the table (it shows at most a page).
    pub queue_more: usize,
    pub csv_href: &'a str,
}

fn criterion_title(c: Criterion) -> &'static str {
    match c {
        Criterion::Thesis => "Thesis",
        Criterion::Evidence => "Evidence",
        Criterion::Historiography => "Historiography",
        Criterion::Balance => "Balance",
    }
}

fn label_text(l: SpanLabel) -> String {
    l.as_str().replace('_', " ")
}

fn when(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
        .unwrap_or_default()
}

fn mark_count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body { (body) }
        }
    }
    .into_string()
}

/// One run of highlighted text: a span per criterion covering it, nested
/// (each draws its own underline), and the labels of every span here.
fn highlighted(text: &str, marks: &[Mark], focusable: bool) -> Markup {
    let mut criteria: Vec<Criterion> = marks.iter().map(|m| m.criterion).collect();
    criteria.dedup();
    let names: Vec<&str> = criteria.iter().map(|c| c.as_str()).collect();
    let mut inner = html! { (text) };
    for c in criteria.iter().rev() {
        inner = html! { span class=(format!("c c-{}", c.as_str())) { (inner) } };
    }
    html! {
        mark.hl data-criteria=(names.join(" ")) tabindex=[focusable.then_some("0")] {
            (inner)
            span.tip {
                @for m in marks {
                    span class=(format!("t t-{}", m.criterion.as_str())) {
                        (criterion_title(m.criterion)) ": " (label_text(m.label))
                    }
                }
            }
        }
    }
}

fn essay_text(text: &str, marks: &[Mark]) -> Markup {
    html! {
        @for run in runs(text, marks) {
            @if run.marks.is_empty() {
                (run.text)
            } @else {
                (highlighted(run.text, &run.marks, run.starts_span))
            }
        }
    }
}

fn review_state(view: &GradeRecordView) -> Markup {
    html! {
        @match &view.review {
            Some(r) => {
                p.state.reviewed {
                    strong { "Reviewed" } " by " (r.reviewer) " on " (when(r.review_time))
                    " — teacher's mark " (mark_count(r.total)) " / " (mark_count(view.grade.max_mark)) ", " (r.band)
                }
                @if !r.comment.is_empty() {
                    blockquote.comment { p { (r.comment) } }
                }
            }
            None if view.grade.needs_review => {
                p.state.pending { strong { "Pending manual review" } ": a teacher should confirm this mark." }
            }
            None => { p.state.final { strong { "Final" } ": no review needed." } }
        }
    }
}

fn copies_section(text: &str, copies: &[CopyEvidence]) -> Markup {
    html! {
        section.copies aria-labelledby="copies-h" {
            h2 #copies-h { "Shared passages" }
            @for copy in copies {
                @let other = copy.other.to_string();
                @match &copy.found {
                    Some(found) => {
                        h3 { "With essay " code { (other) } " — " (format!("{:.0}", found.coverage * 100.0)) "% of this essay" }
                        table.side-by-side {
                            thead { tr { th scope="col" { "This essay" } th scope="col" { "Essay " code { (other) } } } }
                            tbody {
                                @for (mine, theirs) in &found.passages {
                                    tr {
                                        td { (text.get(mine.clone()).unwrap_or_default()) }
                                        td { (found.match_text.get(theirs.clone()).unwrap_or_default()) }
                                    }
                                }
                            }
                        }
                    }
                    None => {
                        h3 { "With essay " code { (other) } }
                        p { "That essay has been deleted or no longer shares passages with this one." }
                    }
                }
            }
        }
    }
}

/// The grade report: the essay with the spans each criterion rests on,
/// the levels, feedback, total, band, flags and review state.
pub fn grade_report(report: &GradeReport<'_>) -> String {
    let view = report.grade;
    let grade = &view.grade;
    let marks = marks(grade, report.text);
    let title = if report.essay.title.is_empty() {
        "Essay"
    } else {
        report.essay.title.as_str()
    };
    let author = &report.essay.author.display_name;
    let body = html! {
        a.skip href="#grade" { "Skip to the grade" }
        header {
            h1 { (title) }
            p.meta {
                @if !author.is_empty() { "By " (author) " · " }
                "essay " code { (report.essay.id.to_string()) } " · graded " (when(view.create_time))
            }
        }
        main.grade-report {
            section.summary #grade aria-labelledby="grade-h" {
                h2 #grade-h { "Grade" }
                p.total {
                    span.number { (mark_count(grade.total)) } " / " (mark_count(grade.max_mark))
                    " · " span.band { (grade.band) }
                }
                @if let Some(m) = &view.model_score {
                    p.note { "Total from the assignment's scoring model " (m.name) " v" (m.version) "; the criteria explain it." }
                }
                (review_state(view))
                @if !grade.flags.is_empty() {
                    ul.flags aria-label="Flags" {
                        @for f in &grade.flags { li { (f.as_str().replace('_', " ")) } }
                    }
                }
                p { (grade.summary) }
                p.note { "Grader confidence " (format!("{:.0}", grade.confidence * 100.0)) "%." }
            }
            div.columns {
                section.essay-panel aria-labelledby="essay-h" {
                    h2 #essay-h { "The essay" }
                    fieldset.legend {
                        legend { "Highlights — switch each criterion on or off" }
                        @for c in Criterion::ALL {
                            @let n = marks.iter().filter(|m| m.criterion == c).count();
                            span.toggle {
                                input type="checkbox" id=(format!("show-{}", c.as_str())) checked;
                                label for=(format!("show-{}", c.as_str())) class=(format!("key k-{}", c.as_str())) {
                                    span class=(format!("swatch c-{}", c.as_str())) aria-hidden="true" { "abc" }
                                    " " (criterion_title(c)) " (" (n) ")"
                                }
                            }
                        }
                    }
                    div.essay-text { (essay_text(report.text, &marks)) }
                }
                section.criteria aria-labelledby="criteria-h" {
                    h2 #criteria-h { "Criteria" }
                    @for c in &grade.criteria {
                        @let name = c.criterion.as_str();
                        section class=(format!("criterion k-{name}")) aria-labelledby=(format!("crit-{name}")) {
                            h3 id=(format!("crit-{name}")) {
                                span class=(format!("swatch c-{name}")) aria-hidden="true" { "abc" }
                                " " (criterion_title(c.criterion))
                            }
                            p.level {
                                "Level " strong { (c.level) } " of 5 · score " (format!("{:.2}", c.score))
                                @if let Some(r) = &view.review {
                                    @let teacher = r.levels[c.criterion.index()];
                                    @if teacher != c.level { " · teacher: level " strong { (teacher) } }
                                }
                            }
                            p { (c.feedback) }
                            @let mine: Vec<&Mark> = marks.iter().filter(|m| m.criterion == c.criterion).collect();
                            @if mine.is_empty() {
                                p.note { "No passage found for this criterion." }
                            } @else {
                                details {
                                    summary { (mine.len()) " passage" @if mine.len() != 1 { "s" } }
                                    ul.spans {
                                        @for m in mine {
                                            li { span.label { (label_text(m.label)) } " " q { (report.text.get(m.start..m.end).unwrap_or_default()) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !report.copies.is_empty() { (copies_section(report.text, report.copies)) }
        }
        footer {
            p {
                "Rubric " (grade.rubric_name) " v" (grade.rubric_version) " · grader " (grade.grader_version)
                " · grade " code { (view.id.map(|i| i.to_string()).unwrap_or_default()) }
            }
            p { "Question: " (view.question) }
        }
    };
    page(&format!("Grade report — {title}"), body)
}

/// The job report: counts, level and band distributions as charts, the
/// review queue and the CSV download.
pub fn job_report(report: &JobReport<'_>) -> String {
    let job = report.job;
    let stats = report.stats;
    let id = job.id.to_string();
    let body = html! {
        a.skip href="#counts" { "Skip to the results" }
        header {
            h1 { "Grading job" }
            p.meta {
                "job " code { (id) }
                @if let Some(a) = &job.assignment_id { " · assignment " code { (a.to_string()) } }
                " · " (job.state.as_str()) " · created " (when(job.create_time))
                @if let Some(end) = job.end_time { " · finished " (when(end)) }
            }
        }
        main.job-report {
            section #counts aria-labelledby="counts-h" {
                h2 #counts-h { "Counts" }
                dl.counts {
                    div { dt { "Essays" } dd { (job.total) } }
                    div { dt { "Graded" } dd { (stats.graded) } }
                    div { dt { "Failed" } dd { (stats.failed) } }
                    div { dt { "Marked for review" } dd { (stats.needs_review) } }
                    div { dt { "Reviewed" } dd { (stats.reviewed) } }
                }
                p { a.download href=(report.csv_href) download=(format!("job-{id}.csv")) { "Download the results (CSV)" } }
            }
            section aria-labelledby="levels-h" {
                h2 #levels-h { "Levels per criterion" }
                div.charts {
                    @for c in Criterion::ALL {
                        @let bars: Vec<Bar> = (0..6).map(|l| Bar { label: l.to_string(), count: stats.levels[c.index()][l] }).collect();
                        (bar_chart(&format!("levels-{}", c.as_str()), &format!("{}: essays per level", criterion_title(c)), &bars, &format!("bars-{}", c.as_str())))
                    }
                }
            }
            section aria-labelledby="bands-h" {
                h2 #bands-h { "Bands" }
                @let bars: Vec<Bar> = stats.bands.iter().map(|(b, n)| Bar { label: b.clone(), count: *n }).collect();
                div.charts { (bar_chart("bands", "Essays per band", &bars, "bars-band")) }
            }
            section aria-labelledby="queue-h" {
                h2 #queue-h { "Review queue" }
                @if report.queue.is_empty() {
                    p { "No grade of this job is marked for review." }
                } @else {
                    div.table-wrap {
                        table.queue {
                            thead {
                                tr {
                                    th scope="col" { "Essay" }
                                    th scope="col" { "Submission" }
                                    th scope="col" { "Author" }
                                    th scope="col" { "Mark" }
                                    th scope="col" { "Band" }
                                    th scope="col" { "Flags" }
                                    th scope="col" { "Confidence" }
                                    th scope="col" { "State" }
                                }
                            }
                            tbody {
                                @for row in report.queue {
                                    tr {
                                        td { a href=(row.href) { code { (row.essay_id.to_string()) } } }
                                        td { (row.external_id) }
                                        td { (row.author) }
                                        td { (mark_count(row.total)) " / " (mark_count(row.max_mark)) }
                                        td { (row.band) }
                                        td { (row.flags.join(", ").replace('_', " ")) }
                                        td { (format!("{:.0}%", row.confidence * 100.0)) }
                                        td { @if row.reviewed { "Reviewed" } @else { strong { "Pending" } } }
                                    }
                                }
                            }
                        }
                    }
                    @if report.queue_more > 0 {
                        p.note { "… and " (report.queue_more) " more in the CSV." }
                    }
                }
            }
        }
        footer {
            @for v in &stats.versions { p { "Graded with " (v) } }
            @if stats.versions.is_empty() { p { "No grades yet." } }
        }
    };
    page(&format!("Job report — {id}"), body)
}

/// A plain page for a refused or missing report: no data, only what to do.
pub fn error_page(title: &str, message: &str) -> String {
    page(
        title,
        html! {
            main.error {
                h1 { (title) }
                p { (message) }
            }
        },
    )
}

/// One result as a row of the results CSV ([`crate::core::results_csv`]), with its newline.
pub fn csv_row(r: &JobResult) -> String {
    let (grade, error) = match &r.outcome {
        Ok(g) => (Some(g), String::new()),
        Err(e) => (None, e.message.clone()),
    };
    let level = |c: Criterion| grade.map(|g| g.grade.level(c).to_string()).unwrap_or_default();
    let mut row = ResultRow {
        essay_id: r.essay_id.to_string(),
        external_id: r.external_id.clone(),
        author_id: r.author.id.clone(),
        author_name: r.author.display_name.clone(),
        levels: Criterion::ALL.map(level),
        total: grade.map(|g| format!("{:.2}", g.grade.total)).unwrap_or_default(),
        max_mark: grade.map(|g| format!("{}", g.grade.max_mark)).unwrap_or_default(),
        band: grade.map(|g| g.grade.band.clone()).unwrap_or_default(),
        flags: grade
            .map(|g| g.grade.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(";"))
            .unwrap_or_default(),
        grading_progress: grade
            .map(|g| g.lti_score().grading_progress.to_owned())
            .unwrap_or_default(),
        error,
    }
    .to_csv();
    row.push('\n');
    row
}

#[cfg(test)]
mod tests;
