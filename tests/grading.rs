//! GradingService over gRPC: grading stored and inline essays, the grade
//! history, teachers' reviews, LTI scores and rubric versions.

mod common;

use common::*;
use essayd::proto::v1::{self, grading_service_client::GradingServiceClient};
use tonic::{Code, transport::Channel};

const SOVIET_Q: &str = "How successful was Soviet foreign policy in the years 1925–1945?";

async fn grading(app: &TestApp) -> GradingServiceClient<Channel> {
    GradingServiceClient::connect(app.endpoint()).await.unwrap()
}

/// The seed page's essay text (the header lines stripped).
fn seed_text() -> String {
    let page = std::fs::read_to_string(repo_root().join("../shared/seed/soviet-foreign-policy-1925-1945.txt")).unwrap();
    page.lines().skip(6).collect::<Vec<_>>().join("\n")
}

async fn stored_essay(app: &mut TestApp, assignment: &str, question: &str, text: &str) -> String {
    let _ = app
        .assignments
        .create_assignment(new_assignment(assignment, question))
        .await;
    let mut e = essay(text);
    e.assignment_id = assignment.into();
    app.essays
        .create_essay(create(e))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap()
        .id
}

fn criterion<'a>(g: &'a v1::Grade, name: &str) -> &'a v1::CriterionGrade {
    g.criteria.iter().find(|c| c.criterion == name).unwrap()
}

#[tokio::test]
async fn the_seed_essay_is_graded_against_its_assignments_question_with_quoted_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let text = seed_text();
    let id = stored_essay(&mut app, "soviet-fp", SOVIET_Q, &text).await;
    let mut grading = grading(&app).await;
    let grade = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();

    assert_eq!(grade.question, SOVIET_Q);
    assert_eq!(grade.rubric_name, "history-default");
    assert_eq!(grade.rubric_version, 1);
    assert!(grade.grader_version.starts_with("history-grader/"));
    assert_eq!(grade.criteria.len(), 4);
    // Its only stance is an unanswered question.
    let thesis = criterion(&grade, "thesis");
    assert!(thesis.level <= 2, "thesis level {}", thesis.level);
    assert!(
        thesis
            .spans
            .iter()
            .any(|s| s.label == "unanswered_question" && s.text.contains("was this the case?")),
        "{:?}",
        thesis.spans
    );
    // One named historian.
    let historiography = criterion(&grade, "historiography");
    assert_eq!(historiography.level, 2);
    let historians: Vec<_> = historiography.spans.iter().filter(|s| s.label == "historian").collect();
    assert!(
        historians.iter().all(|s| s.text.contains("Chris Korin")),
        "{historians:?}"
    );
    assert!(!historians.is_empty());
    // Dated evidence, quoted exactly from the stored text.
    let evidence = criterion(&grade, "evidence");
    assert!(
        evidence
            .spans
            .iter()
            .any(|s| s.label == "date" && s.text.contains("1933"))
    );
    for c in &grade.criteria {
        assert!(!c.feedback.is_empty());
        for s in &c.spans {
            assert_eq!(
                &text[s.start as usize..s.end as usize],
                s.text,
                "span offsets are bytes into the text"
            );
        }
    }
    // The total follows the rubric: equal weights, out of 20.
    let levels: u32 = grade.criteria.iter().map(|c| c.level).sum();
    assert!((grade.total - f64::from(levels)).abs() < 1e-9);
    let lti = grade.lti_score.clone().unwrap();
    assert_eq!(lti.score_maximum, 20.0);
    assert_eq!(lti.activity_progress, "Completed");

    // Stored with the essay: fetched and listed, latest first.
    let again = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert_eq!(again.criteria, grade.criteria, "grading is deterministic");
    let listed = grading
        .list_grades(v1::ListGradesRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grades;
    assert_eq!(
        listed.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        vec![again.id.clone(), grade.id.clone()]
    );
    let fetched = grading
        .get_grade(v1::GetGradeRequest {
            essay_id: id,
            grade_id: grade.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert_eq!(fetched, grade);
    app.stop().await;
}

#[tokio::test]
async fn an_inline_text_is_graded_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut grading = grading(&app).await;
    let grade = grading
        .grade_text(v1::GradeTextRequest {
            text: seed_text(),
            question: SOVIET_Q.into(),
            rubric: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert!(grade.id.is_empty() && grade.essay_id.is_empty());
    assert_eq!(criterion(&grade, "historiography").level, 2);
    let essays = app
        .essays
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(essays.essays.is_empty());

    let err = grading
        .grade_text(v1::GradeTextRequest {
            text: "  ".into(),
            question: SOVIET_Q.into(),
            rubric: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("text"));
    app.stop().await;
}

#[tokio::test]
async fn a_flagged_grade_is_pending_manual_until_a_teacher_reviews_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let id = stored_essay(&mut app, "a1", SOVIET_Q, "Stalin was bad.").await;
    let mut grading = grading(&app).await;
    let grade = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert!(grade.needs_review);
    assert!(
        grade.flags.contains(&(v1::GradeFlag::TooShort as i32)),
        "{:?}",
        grade.flags
    );
    assert_eq!(grade.lti_score.as_ref().unwrap().grading_progress, "PendingManual");

    let reviewed = grading
        .review_grade(v1::ReviewGradeRequest {
            essay_id: id.clone(),
            grade_id: grade.id.clone(),
            review: Some(v1::TeacherReview {
                reviewer: "teacher-7".into(),
                levels: vec![
                    v1::CriterionLevel {
                        criterion: "thesis".into(),
                        level: 2,
                    },
                    v1::CriterionLevel {
                        criterion: "evidence".into(),
                        level: 1,
                    },
                ],
                comment: "Too short, but it takes a position.".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    let review = reviewed.review.clone().unwrap();
    assert_eq!(review.reviewer, "teacher-7");
    assert!(review.review_time.is_some());
    let balance = criterion(&grade, "balance").level;
    let historiography = criterion(&grade, "historiography").level;
    let expected_total = f64::from(2 + 1 + historiography + balance);
    assert!(
        (review.total - expected_total).abs() < 1e-9,
        "{} vs {expected_total}",
        review.total
    );
    // Both are kept; the teacher's stands as the final mark.
    assert_eq!(reviewed.total, grade.total);
    let lti = reviewed.lti_score.unwrap();
    assert_eq!(lti.grading_progress, "FullyGraded");
    assert_eq!(lti.score_given, expected_total);
    assert_eq!(lti.comment, "Too short, but it takes a position.");

    let err = grading
        .review_grade(v1::ReviewGradeRequest {
            essay_id: id,
            grade_id: grade.id,
            review: Some(v1::TeacherReview {
                reviewer: "teacher-7".into(),
                levels: vec![v1::CriterionLevel {
                    criterion: "thesis".into(),
                    level: 7,
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("review.levels[0].level"));
    app.stop().await;
}

#[tokio::test]
async fn deleting_an_essay_removes_its_grades() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let id = stored_essay(&mut app, "a1", SOVIET_Q, &seed_text()).await;
    let mut grading = grading(&app).await;
    let grade = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    app.essays
        .delete_essay(v1::DeleteEssayRequest { id: id.clone() })
        .await
        .unwrap();
    let err = grading
        .get_grade(v1::GetGradeRequest {
            essay_id: id.clone(),
            grade_id: grade.id,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = grading
        .list_grades(v1::ListGradesRequest {
            essay_id: id,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn grading_needs_a_question_and_a_valid_essay_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let id = app
        .essays
        .create_essay(create(essay(&seed_text())))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap()
        .id;
    let mut grading = grading(&app).await;
    let err = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("question"), "{}", err.message());
    // With a question given, an essay without an assignment is graded.
    grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id,
            question: SOVIET_Q.into(),
            rubric: String::new(),
        })
        .await
        .unwrap();
    let err = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("essay_id"));
    app.stop().await;
}

#[tokio::test]
async fn rubric_versions_are_immutable_and_a_grade_records_the_one_it_used() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut grading = grading(&app).await;
    let rubric = |max_mark: f64| v1::Rubric {
        name: "evidence-heavy".into(),
        weights: vec![v1::CriterionWeight {
            criterion: "evidence".into(),
            weight: 3.0,
        }],
        max_mark,
        ..Default::default()
    };
    let v1r = grading
        .create_rubric(v1::CreateRubricRequest {
            rubric: Some(rubric(10.0)),
        })
        .await
        .unwrap()
        .into_inner()
        .rubric
        .unwrap();
    assert_eq!(v1r.version, 1);
    let err = grading
        .create_rubric(v1::CreateRubricRequest {
            rubric: Some(rubric(10.0)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    let v2r = grading
        .update_rubric(v1::UpdateRubricRequest {
            rubric: Some(rubric(50.0)),
        })
        .await
        .unwrap()
        .into_inner()
        .rubric
        .unwrap();
    assert_eq!(v2r.version, 2);
    let old = grading
        .get_rubric(v1::GetRubricRequest {
            name: "evidence-heavy".into(),
            version: 1,
        })
        .await
        .unwrap()
        .into_inner()
        .rubric
        .unwrap();
    assert_eq!(old.max_mark, 10.0);
    let all = grading
        .list_rubrics(v1::ListRubricsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .rubrics;
    assert_eq!(
        all.iter().map(|r| (r.name.as_str(), r.version)).collect::<Vec<_>>(),
        vec![("history-default", 1), ("evidence-heavy", 2)]
    );

    let id = stored_essay(&mut app, "a1", SOVIET_Q, &seed_text()).await;
    let grade = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id,
            question: String::new(),
            rubric: "evidence-heavy".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert_eq!(
        (grade.rubric_name.as_str(), grade.rubric_version, grade.max_mark),
        ("evidence-heavy", 2, 50.0)
    );
    let levels: Vec<f64> = ["thesis", "evidence", "historiography", "balance"]
        .iter()
        .map(|c| f64::from(criterion(&grade, c).level))
        .collect();
    let expected = (levels[0] + 3.0 * levels[1] + levels[2] + levels[3]) / (6.0 * 5.0) * 50.0;
    assert!(
        (grade.total - expected).abs() < 0.005,
        "{} vs {expected} (totals are rounded to 2 decimals)",
        grade.total
    );

    let err = grading
        .create_rubric(v1::CreateRubricRequest {
            rubric: Some(v1::Rubric {
                name: "bad".into(),
                weights: vec![v1::CriterionWeight {
                    criterion: "spelling".into(),
                    weight: 1.0,
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("rubric.weights[0].criterion"));
    let err = app
        .assignments
        .create_assignment(v1::CreateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "a2".into(),
                rubric: "no-such-rubric".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("assignment.rubric"));
    app.stop().await;
}
