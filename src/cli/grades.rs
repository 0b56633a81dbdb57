//! `essayctl grades …`: an essay's stored grades — list them (or the latest
//! of each essay of an assignment), show one (the latest by default), and
//! record a teacher's review.

use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

use super::{
    CliError, Conn, connect,
    grade::{grade_json, report},
    output,
};
use crate::proto::v1::{self, essay_service_client::EssayServiceClient, grading_service_client::GradingServiceClient};

#[derive(Debug, Subcommand)]
pub enum GradesCommand {
    /// An essay's grades, the latest first; or, with --assignment, the latest
    /// grade of each of its essays.
    List {
        /// The essay whose grades to list.
        #[arg(required_unless_present = "assignment", conflicts_with = "assignment")]
        essay_id: Option<String>,
        /// The latest grade of every essay of this assignment.
        #[arg(long)]
        assignment: Option<String>,
        /// Only grades marked for review that no teacher has reviewed yet.
        #[arg(long)]
        needs_review: bool,
    },
    /// Show a grade as a report: the essay's latest, or the one given.
    Get {
        /// The essay.
        essay_id: String,
        /// The grade (default: the latest).
        grade_id: Option<String>,
    },
    /// Record a teacher's review: levels per criterion and a comment. The
    /// teacher's mark becomes the final one (and the LTI score's).
    Review {
        /// The essay.
        essay_id: String,
        /// The grade (default: the latest).
        grade_id: Option<String>,
        /// Who reviewed (the LMS's user id).
        #[arg(long)]
        reviewer: String,
        /// A criterion's level, CRITERION=LEVEL (e.g. thesis=3); repeatable.
        /// Criteria left out keep the grader's level.
        #[arg(long = "level", value_name = "CRITERION=LEVEL")]
        levels: Vec<String>,
        /// The teacher's comment to the student.
        #[arg(long, default_value = "", hide_default_value = true)]
        comment: String,
    },
}

/// The essay's latest grade, if it has one.
pub async fn latest(endpoint: &str, essay_id: &str) -> Result<Option<v1::Grade>, CliError> {
    latest_with(&mut GradingServiceClient::new(connect(endpoint).await?), essay_id).await
}

async fn latest_with(client: &mut GradingServiceClient<Conn>, essay_id: &str) -> Result<Option<v1::Grade>, CliError> {
    Ok(client
        .list_grades(v1::ListGradesRequest {
            essay_id: essay_id.to_owned(),
            page_size: 1,
            page_token: String::new(),
        })
        .await?
        .into_inner()
        .grades
        .into_iter()
        .next())
}

async fn latest_or_given(endpoint: &str, essay_id: &str, grade_id: Option<String>) -> Result<v1::Grade, CliError> {
    if let Some(grade_id) = grade_id {
        let mut client = GradingServiceClient::new(connect(endpoint).await?);
        return Ok(client
            .get_grade(v1::GetGradeRequest {
                essay_id: essay_id.to_owned(),
                grade_id,
            })
            .await?
            .into_inner()
            .grade
            .unwrap_or_default());
    }
    latest(endpoint, essay_id).await?.ok_or_else(|| {
        CliError::Input(format!(
            "essay {essay_id} has no grade yet: `essayctl grade {essay_id}` grades it"
        ))
    })
}

fn parse_level(raw: &str) -> Result<v1::CriterionLevel, CliError> {
    raw.split_once('=')
        .and_then(|(c, l)| Some((c.trim(), l.trim().parse::<u32>().ok()?)))
        .filter(|(c, l)| !c.is_empty() && *l <= 5)
        .map(|(c, l)| v1::CriterionLevel {
            criterion: c.to_owned(),
            level: l,
        })
        .ok_or_else(|| {
            CliError::Input(format!(
                "--level {raw:?} is not CRITERION=LEVEL with a level 0..5 (e.g. --level thesis=3)"
            ))
        })
}

pub async fn run(cmd: GradesCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    match cmd {
        GradesCommand::List {
            essay_id,
            assignment,
            needs_review,
        } => {
            let mut grades = match (essay_id, assignment) {
                (Some(id), _) => all_grades(endpoint, &id).await?,
                (None, Some(assignment)) => latest_of_assignment(endpoint, &assignment).await?,
                (None, None) => Vec::new(),
            };
            if needs_review {
                grades.retain(|g| g.needs_review && g.review.is_none());
            }
            if json {
                outln!("{:#}", Value::from(grades.iter().map(grade_json).collect::<Vec<_>>()));
            } else if grades.is_empty() {
                outln!("no grades{}", if needs_review { " waiting for review" } else { "" });
            } else {
                outln!("{}", table(&grades));
            }
        }
        GradesCommand::Get { essay_id, grade_id } => {
            let grade = latest_or_given(endpoint, &essay_id, grade_id).await?;
            if json {
                outln!("{:#}", grade_json(&grade));
            } else {
                out!("{}", report(&grade));
            }
        }
        GradesCommand::Review {
            essay_id,
            grade_id,
            reviewer,
            levels,
            comment,
        } => {
            let levels = levels.iter().map(|l| parse_level(l)).collect::<Result<Vec<_>, _>>()?;
            let grade = latest_or_given(endpoint, &essay_id, grade_id).await?;
            let mut client = GradingServiceClient::new(connect(endpoint).await?);
            let reviewed = client
                .review_grade(v1::ReviewGradeRequest {
                    essay_id: essay_id.clone(),
                    grade_id: grade.id.clone(),
                    review: Some(v1::TeacherReview {
                        reviewer,
                        levels,
                        comment,
                        ..Default::default()
                    }),
                })
                .await?
                .into_inner()
                .grade
                .unwrap_or_default();
            if json {
                outln!("{:#}", grade_json(&reviewed));
            } else {
                outln!("reviewed grade {} of essay {essay_id}", reviewed.id);
                outln!("{}", output::grade_line(&reviewed));
                if let Some(r) = reviewed.review.as_ref().filter(|r| !r.comment.is_empty()) {
                    outln!("comment: “{}”", r.comment);
                }
                if let Some(lti) = &reviewed.lti_score {
                    outln!(
                        "LTI score: {:.1} / {:.0}, {}",
                        lti.score_given,
                        lti.score_maximum,
                        lti.grading_progress
                    );
                }
            }
        }
    }
    Ok(())
}

async fn all_grades(endpoint: &str, essay_id: &str) -> Result<Vec<v1::Grade>, CliError> {
    let mut client = GradingServiceClient::new(connect(endpoint).await?);
    let mut request = v1::ListGradesRequest {
        essay_id: essay_id.to_owned(),
        page_size: 1000,
        page_token: String::new(),
    };
    let mut all = Vec::new();
    loop {
        let page = client.list_grades(request.clone()).await?.into_inner();
        all.extend(page.grades);
        if page.next_page_token.is_empty() {
            return Ok(all);
        }
        request.page_token = page.next_page_token;
    }
}

async fn latest_of_assignment(endpoint: &str, assignment: &str) -> Result<Vec<v1::Grade>, CliError> {
    super::assignments::require(endpoint, assignment).await?;
    let mut essays = EssayServiceClient::new(connect(endpoint).await?);
    let mut request = v1::ListEssaysRequest {
        page_size: 1000,
        assignment_id: assignment.to_owned(),
        view: v1::EssayView::Basic as i32,
        ..Default::default()
    };
    let mut client = GradingServiceClient::new(connect(endpoint).await?);
    let mut grades = Vec::new();
    loop {
        let page = essays.list_essays(request.clone()).await?.into_inner();
        for e in &page.essays {
            grades.extend(latest_with(&mut client, &e.id).await?);
        }
        if page.next_page_token.is_empty() {
            return Ok(grades);
        }
        request.page_token = page.next_page_token;
    }
}

fn table(grades: &[v1::Grade]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["essay", "grade", "graded", "total", "band", "review"]);
    for g in grades {
        let (total, band, review) = match &g.review {
            Some(r) => (r.total, r.band.clone(), format!("reviewed by {}", r.reviewer)),
            None if g.needs_review => (g.total, g.band.clone(), "NEEDS REVIEW".into()),
            None => (g.total, g.band.clone(), String::new()),
        };
        t.add_row(vec![
            g.essay_id.clone(),
            g.id.clone(),
            output::time(&g.create_time),
            format!("{total:.1} / {:.0}", g.max_mark),
            band,
            review,
        ]);
    }
    t.to_string()
}
