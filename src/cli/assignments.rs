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
        /// The question or prompt.
        #[arg(long)]
        question: String,
        #[arg(long, default_value = "")]
        course: String,
        #[arg(long, default_value = "")]
        title: String,
        /// The rubric to grade with (default: the built-in history rubric).
        #[arg(long, default_value = "")]
        rubric: String,
    },
    /// Show one assignment.
    Get { id: String },
    /// List assignments (all pages).
    List {
        #[arg(long, default_value = "")]
        course: String,
    },
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
        println!("{value:#}");
    } else {
        println!("{}", output::assignment_table(assignments));
    }
}
