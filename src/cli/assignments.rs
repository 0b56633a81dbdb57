//! `essayctl assignments …`

use clap::Subcommand;

use super::{CliError, connect, output};
use crate::proto::v1::{self, assignment_service_client::AssignmentServiceClient};

#[derive(Debug, Subcommand)]
pub enum AssignmentCommand {
    /// Create an assignment with the question its essays answer.
    Create {
        /// The LMS's assignment id.
        #[arg(long)]
        id: String,
        /// The question or prompt its essays answer.
        #[arg(long)]
        question: String,
        /// The course id.
        #[arg(long, default_value = "", hide_default_value = true)]
        course: String,
        /// A title for people.
        #[arg(long, default_value = "", hide_default_value = true)]
        title: String,
        /// The rubric to grade with (default: the built-in history rubric).
        #[arg(long, default_value = "", hide_default_value = true)]
        rubric: String,
    },
    /// Change an assignment's course, title, question or rubric (only the
    /// flags given change).
    Update {
        /// The assignment's id.
        id: String,
        /// The new question.
        #[arg(long)]
        question: Option<String>,
        /// The new course id.
        #[arg(long)]
        course: Option<String>,
        /// The new title.
        #[arg(long)]
        title: Option<String>,
        /// The new rubric name ("" for the built-in one).
        #[arg(long)]
        rubric: Option<String>,
    },
    /// Show one assignment.
    Get {
        /// The assignment's id.
        id: String,
    },
    /// List assignments (all pages).
    List {
        /// Only this course's assignments.
        #[arg(long, default_value = "", hide_default_value = true)]
        course: String,
    },
}

/// The assignment, or an error saying it does not exist and how to see the
/// ones that do.
pub async fn require(endpoint: &str, id: &str) -> Result<v1::Assignment, CliError> {
    let mut client = AssignmentServiceClient::new(connect(endpoint).await?);
    match client
        .get_assignment(v1::GetAssignmentRequest { id: id.to_owned() })
        .await
    {
        Ok(r) => Ok(r.into_inner().assignment.unwrap_or_default()),
        Err(status) if status.code() == tonic::Code::NotFound => Err(CliError::explain(
            status,
            format!(
                "no assignment {id:?}: `essayctl assignments list` shows them, \
                 `essayctl assignments create --id {id} --question …` makes it"
            ),
        )),
        Err(status) => Err(status.into()),
    }
}

pub async fn run(cmd: AssignmentCommand, endpoint: &str, json: bool) -> Result<(), CliError> {
    let mut client = AssignmentServiceClient::new(connect(endpoint).await?);
    match cmd {
        AssignmentCommand::Create {
            id,
            question,
            course,
            title,
            rubric,
        } => {
            let assignment = v1::Assignment {
                id,
                course_id: course,
                title,
                question,
                rubric,
                ..Default::default()
            };
            let created = client
                .create_assignment(v1::CreateAssignmentRequest {
                    assignment: Some(assignment),
                })
                .await?
                .into_inner()
                .assignment
                .unwrap_or_default();
            show(&[created], json);
        }
        AssignmentCommand::Update {
            id,
            question,
            course,
            title,
            rubric,
        } => {
            let mut paths = Vec::new();
            let mut assignment = v1::Assignment {
                id,
                ..Default::default()
            };
            if let Some(v) = course {
                assignment.course_id = v;
                paths.push("course_id".to_owned());
            }
            if let Some(v) = title {
                assignment.title = v;
                paths.push("title".to_owned());
            }
            if let Some(v) = question {
                assignment.question = v;
                paths.push("question".to_owned());
            }
            if let Some(v) = rubric {
                assignment.rubric = v;
                paths.push("rubric".to_owned());
            }
            if paths.is_empty() {
                return Err(CliError::Input(
                    "nothing to change: give --question, --course, --title or --rubric".into(),
                ));
            }
            let updated = client
                .update_assignment(v1::UpdateAssignmentRequest {
                    assignment: Some(assignment),
                    update_mask: Some(prost_types::FieldMask { paths }),
                })
                .await?
                .into_inner()
                .assignment
                .unwrap_or_default();
            show(&[updated], json);
        }
        AssignmentCommand::Get { id } => {
            let a = client
                .get_assignment(v1::GetAssignmentRequest { id })
                .await?
                .into_inner()
                .assignment
                .unwrap_or_default();
            show(&[a], json);
        }
        AssignmentCommand::List { course } => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = client
                    .list_assignments(v1::ListAssignmentsRequest {
                        page_size: 1000,
                        page_token,
                        course_id: course.clone(),
                    })
                    .await?
                    .into_inner();
                all.extend(page.assignments);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            show(&all, json);
        }
    }
    Ok(())
}

fn show(assignments: &[v1::Assignment], json: bool) {
    if json {
        let values: Vec<_> = assignments.iter().map(output::assignment_json).collect();
        let value = if values.len() == 1 {
            values[0].clone()
        } else {
            values.into()
        };
        outln!("{value:#}");
    } else {
        outln!("{}", output::assignment_table(assignments));
    }
}
