//! AssignmentService over gRPC.

mod common;

use common::*;
use essayd::proto::v1;
use tonic::Code;

fn assignment(id: &str, course: &str) -> v1::CreateAssignmentRequest {
    v1::CreateAssignmentRequest {
        assignment: Some(v1::Assignment {
            id: id.into(),
            course_id: course.into(),
            title: format!("Assignment {id}"),
            question: "How successful was Soviet foreign policy in the years 1925–1945?".into(),
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn assignments_are_created_fetched_listed_and_updated_by_mask() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    for (id, course) in [("a1", "c1"), ("a2", "c1"), ("a3", "c2")] {
        app.assignments.create_assignment(assignment(id, course)).await.unwrap();
    }
    let err = app
        .assignments
        .create_assignment(assignment("a1", "c1"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);

    let got = app
        .assignments
        .get_assignment(v1::GetAssignmentRequest { id: "a2".into() })
        .await
        .unwrap()
        .into_inner()
        .assignment
        .unwrap();
    assert!(got.question.starts_with("How successful"));

    let page = app
        .assignments
        .list_assignments(v1::ListAssignmentsRequest {
            page_size: 1,
            course_id: "c1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.assignments[0].id, "a1");
    let page = app
        .assignments
        .list_assignments(v1::ListAssignmentsRequest {
            page_size: 1,
            course_id: "c1".into(),
            page_token: page.next_page_token,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.assignments[0].id, "a2");
    assert!(page.next_page_token.is_empty());

    let updated = app
        .assignments
        .update_assignment(v1::UpdateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "a1".into(),
                question: "A new question?".into(),
                title: "ignored: not in the mask".into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["question".into()],
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .assignment
        .unwrap();
    assert_eq!(updated.question, "A new question?");
    assert_eq!(updated.title, "Assignment a1");
    app.stop().await;
}

#[tokio::test]
async fn bad_assignment_requests_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let err = app
        .assignments
        .create_assignment(assignment("has space", ""))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("assignment.id"));

    let mut bad_rubric = assignment("a1", "");
    bad_rubric.assignment.as_mut().unwrap().rubric = "no-such-rubric".into();
    let err = app.assignments.create_assignment(bad_rubric).await.unwrap_err();
    assert_eq!(violated_field(&err).as_deref(), Some("assignment.rubric"));

    let err = app
        .assignments
        .get_assignment(v1::GetAssignmentRequest { id: "missing".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    app.assignments.create_assignment(assignment("a1", "")).await.unwrap();
    let err = app
        .assignments
        .update_assignment(v1::UpdateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "a1".into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["create_time".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("update_mask"));
    app.stop().await;
}
