//! Tenant isolation on every RPC, with the real binary and two API keys:
//! tenant B names each of tenant A's things through every RPC of the API and
//! gets NOT_FOUND (never PERMISSION_DENIED), empty lists and no matches, and
//! A's data is unchanged afterwards. The test fails when an RPC is added to
//! the protos without being walked here.

mod common;

use std::collections::BTreeSet;

use common::*;
use essayd::proto::{
    FILE_DESCRIPTOR_SET,
    v1::{
        self, assignment_service_client::AssignmentServiceClient, calibration_service_client::CalibrationServiceClient,
        essay_service_client::EssayServiceClient, grading_job_service_client::GradingJobServiceClient,
        grading_service_client::GradingServiceClient, report_service_client::ReportServiceClient,
        similarity_service_client::SimilarityServiceClient,
    },
};
use prost::Message;
use tonic::{Code, transport::Channel};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";
const ESSAYS: usize = 24;

fn essay_text(i: usize) -> String {
    let mut text = format!(
        "Essay {i} on the Nazi-Soviet Pact. In 1939 the pact bought time for the USSR. However, Geoffrey Roberts \
         argues that Stalin misjudged Hitler, so the policy was only partly successful."
    );
    // Longer essays for higher marks, so that the model has something to learn.
    for k in 0..(i % 4) * 3 {
        text.push_str(&format!(
            " In 19{} the evidence of point {k} shows a further change in policy.",
            30 + k
        ));
    }
    text
}

/// Every RPC of `essay.v1`, as `Service/Method`.
fn every_rpc() -> BTreeSet<String> {
    let set = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).unwrap();
    set.file
        .iter()
        .flat_map(|f| &f.service)
        .flat_map(|s| s.method.iter().map(move |m| format!("{}/{}", s.name(), m.name())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_keeps_each_tenants_data_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let key_a = keys(dir.path(), &["create", "--tenant", "school-a"]);
    let key_b = keys(dir.path(), &["create", "--tenant", "school-b"]);
    // With report pages on, so that CreateReportLink answers for B too.
    let server = EssaydProcess::start_with(dir.path(), &["--http-listen", "127.0.0.1:0"]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let a = with_key(channel.clone(), Some(&key_a));
    let b = with_key(channel.clone(), Some(&key_b));

    // Tenant A: a rubric, an assignment, essays with teacher marks, a trained
    // model, a reviewed grade and a finished job.
    let rubric_a = v1::Rubric {
        name: "a-rubric".into(),
        weights: vec![v1::CriterionWeight {
            criterion: "evidence".into(),
            weight: 3.0,
        }],
        max_mark: 10.0,
        ..Default::default()
    };
    let mut grading_a = GradingServiceClient::new(a.clone());
    grading_a
        .create_rubric(v1::CreateRubricRequest {
            rubric: Some(rubric_a.clone()),
        })
        .await
        .unwrap();
    AssignmentServiceClient::new(a.clone())
        .create_assignment(new_assignment("hw1", QUESTION))
        .await
        .unwrap();
    let requests = (0..ESSAYS)
        .map(|i| {
            let mut e = essay(&essay_text(i));
            e.assignment_id = "hw1".into();
            e.external_id = format!("sub-{i}");
            create(e)
        })
        .collect();
    let ids: Vec<String> = EssayServiceClient::new(a.clone())
        .batch_create_essays(v1::BatchCreateEssaysRequest { requests })
        .await
        .unwrap()
        .into_inner()
        .results
        .into_iter()
        .map(|r| match r.outcome {
            Some(v1::batch_create_essays_result::Outcome::Essay(e)) => e.id,
            other => panic!("{other:?}"),
        })
        .collect();
    let mut calibration_a = CalibrationServiceClient::new(a.clone());
    let holistic = |score: i32| v1::TraitScore {
        r#trait: "holistic".into(),
        score,
        scale_min: 0,
        scale_max: 3,
    };
    for (i, id) in ids.iter().enumerate() {
        calibration_a
            .set_exemplar(v1::SetExemplarRequest {
                exemplar: Some(v1::Exemplar {
                    essay_id: id.clone(),
                    scores: vec![holistic((i % 4) as i32)],
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let model_a = calibration_a
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "hw1".into(),
            r#trait: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .model
        .unwrap();
    let grade_a = grading_a
        .grade_essay(v1::GradeEssayRequest {
            essay_id: ids[0].clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    let review = |reviewer: &str| v1::TeacherReview {
        reviewer: reviewer.into(),
        levels: vec![v1::CriterionLevel {
            criterion: "thesis".into(),
            level: 2,
        }],
        comment: "Checked.".into(),
        ..Default::default()
    };
    grading_a
        .review_grade(v1::ReviewGradeRequest {
            essay_id: ids[0].clone(),
            grade_id: grade_a.id.clone(),
            review: Some(review("teacher-a")),
        })
        .await
        .unwrap();
    let mut jobs_a = GradingJobServiceClient::new(a.clone());
    let job_a = jobs_a
        .create_grading_job(job_for("hw1"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    wait_for_job(&mut jobs_a, &job_a.id, v1::GradingJobState::Succeeded).await;

    // Tenant B names each of A's things through every RPC.
    let mut walked = BTreeSet::new();
    let mut codes: Vec<(&str, Code)> = Vec::new();
    macro_rules! b_gets_not_found {
        ($rpc:literal, $call:expr) => {{
            walked.insert($rpc.to_string());
            let code = match $call.await {
                Ok(_) => Code::Ok,
                Err(status) => status.code(),
            };
            codes.push(($rpc, code));
        }};
    }
    let mut essays_b = EssayServiceClient::new(b.clone());
    let mut assignments_b = AssignmentServiceClient::new(b.clone());
    let mut grading_b = GradingServiceClient::new(b.clone());
    let mut jobs_b = GradingJobServiceClient::new(b.clone());
    let mut calibration_b = CalibrationServiceClient::new(b.clone());
    let mut similarity_b = SimilarityServiceClient::new(b.clone());
    let mut reports_b = ReportServiceClient::new(b.clone());
    let essay_a = ids[0].clone();

    b_gets_not_found!(
        "EssayService/GetEssay",
        essays_b.get_essay(v1::GetEssayRequest {
            id: essay_a.clone(),
            view: 0
        })
    );
    b_gets_not_found!(
        "EssayService/DeleteEssay",
        essays_b.delete_essay(v1::DeleteEssayRequest { id: essay_a.clone() })
    );
    b_gets_not_found!(
        "AssignmentService/GetAssignment",
        assignments_b.get_assignment(v1::GetAssignmentRequest { id: "hw1".into() })
    );
    b_gets_not_found!(
        "AssignmentService/UpdateAssignment",
        assignments_b.update_assignment(v1::UpdateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "hw1".into(),
                title: "taken over".into(),
                ..Default::default()
            }),
            update_mask: None,
        })
    );
    b_gets_not_found!(
        "GradingService/GradeEssay",
        grading_b.grade_essay(v1::GradeEssayRequest {
            essay_id: essay_a.clone(),
            ..Default::default()
        })
    );
    b_gets_not_found!(
        "GradingService/GetGrade",
        grading_b.get_grade(v1::GetGradeRequest {
            essay_id: essay_a.clone(),
            grade_id: grade_a.id.clone(),
        })
    );
    b_gets_not_found!(
        "GradingService/ListGrades",
        grading_b.list_grades(v1::ListGradesRequest {
            essay_id: essay_a.clone(),
            ..Default::default()
        })
    );
    b_gets_not_found!(
        "GradingService/ReviewGrade",
        grading_b.review_grade(v1::ReviewGradeRequest {
            essay_id: essay_a.clone(),
            grade_id: grade_a.id.clone(),
            review: Some(review("teacher-b")),
        })
    );
    b_gets_not_found!(
        "GradingService/GetRubric",
        grading_b.get_rubric(v1::GetRubricRequest {
            name: "a-rubric".into(),
            version: 0,
        })
    );
    b_gets_not_found!(
        "GradingService/UpdateRubric",
        grading_b.update_rubric(v1::UpdateRubricRequest {
            rubric: Some(v1::Rubric {
                max_mark: 99.0,
                ..rubric_a.clone()
            }),
        })
    );
    b_gets_not_found!(
        "GradingService/GradeText",
        grading_b.grade_text(v1::GradeTextRequest {
            text: essay_text(1),
            question: QUESTION.into(),
            rubric: "a-rubric".into(),
        })
    );
    b_gets_not_found!(
        "GradingJobService/GetGradingJob",
        jobs_b.get_grading_job(v1::GetGradingJobRequest { id: job_a.id.clone() })
    );
    b_gets_not_found!(
        "GradingJobService/CancelGradingJob",
        jobs_b.cancel_grading_job(v1::CancelGradingJobRequest { id: job_a.id.clone() })
    );
    b_gets_not_found!(
        "GradingJobService/ListGradingJobResults",
        jobs_b.list_grading_job_results(v1::ListGradingJobResultsRequest {
            job_id: job_a.id.clone(),
            ..Default::default()
        })
    );
    b_gets_not_found!(
        "GradingJobService/WatchGradingJob",
        jobs_b.watch_grading_job(v1::WatchGradingJobRequest {
            job_id: job_a.id.clone(),
            start_sequence: 0,
        })
    );
    b_gets_not_found!(
        "GradingJobService/CreateGradingJob",
        jobs_b.create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                essay_ids: vec![essay_a.clone()],
                ..Default::default()
            }),
        })
    );
    b_gets_not_found!(
        "CalibrationService/SetExemplar",
        calibration_b.set_exemplar(v1::SetExemplarRequest {
            exemplar: Some(v1::Exemplar {
                essay_id: essay_a.clone(),
                scores: vec![holistic(3)],
                ..Default::default()
            }),
        })
    );
    b_gets_not_found!(
        "CalibrationService/GetExemplar",
        calibration_b.get_exemplar(v1::GetExemplarRequest {
            essay_id: essay_a.clone()
        })
    );
    b_gets_not_found!(
        "CalibrationService/DeleteExemplar",
        calibration_b.delete_exemplar(v1::DeleteExemplarRequest {
            essay_id: essay_a.clone()
        })
    );
    b_gets_not_found!(
        "CalibrationService/ListExemplars",
        calibration_b.list_exemplars(v1::ListExemplarsRequest {
            assignment_id: "hw1".into()
        })
    );
    b_gets_not_found!(
        "CalibrationService/TrainScoringModel",
        calibration_b.train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "hw1".into(),
            r#trait: String::new(),
        })
    );
    b_gets_not_found!(
        "CalibrationService/GetScoringModel",
        calibration_b.get_scoring_model(v1::GetScoringModelRequest {
            assignment_id: "hw1".into(),
            r#trait: String::new(),
            version: model_a.version,
        })
    );
    b_gets_not_found!(
        "CalibrationService/ListScoringModels",
        calibration_b.list_scoring_models(v1::ListScoringModelsRequest {
            assignment_id: "hw1".into()
        })
    );
    b_gets_not_found!(
        "SimilarityService/FindSimilarEssays",
        similarity_b.find_similar_essays(v1::FindSimilarEssaysRequest {
            query: Some(v1::find_similar_essays_request::Query::EssayId(essay_a.clone())),
            threshold: 0.0,
            limit: 0,
        })
    );
    b_gets_not_found!(
        "ReportService/CreateReportLink",
        reports_b.create_report_link(v1::CreateReportLinkRequest {
            target: Some(v1::create_report_link_request::Target::Grade(v1::GradeReportTarget {
                essay_id: essay_a.clone(),
                grade_id: grade_a.id.clone(),
            })),
            ttl: None,
        })
    );
    b_gets_not_found!(
        "ReportService/CreateReportLink",
        reports_b.create_report_link(v1::CreateReportLinkRequest {
            target: Some(v1::create_report_link_request::Target::JobId(job_a.id.clone())),
            ttl: None,
        })
    );
    let wrong: Vec<_> = codes.iter().filter(|(_, c)| *c != Code::NotFound).collect();
    assert!(wrong.is_empty(), "B must get NOT_FOUND for A's things: {wrong:?}");

    // Per-item RPCs answer per item, the same way.
    walked.insert("GradingJobService/BatchGrade".to_string());
    let mut stream = jobs_b
        .batch_grade(v1::BatchGradeRequest {
            items: vec![v1::BatchGradeItem {
                item: Some(v1::batch_grade_item::Item::EssayId(essay_a.clone())),
            }],
            rubric: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    match stream.message().await.unwrap().unwrap().outcome {
        Some(v1::batch_grade_response::Outcome::Error(e)) => assert_eq!(e.code, Code::NotFound as i32),
        other => panic!("B graded A's essay: {other:?}"),
    }
    // B cannot file an essay under A's assignment: it does not exist for B.
    walked.insert("EssayService/CreateEssay".to_string());
    walked.insert("EssayService/BatchCreateEssays".to_string());
    let mut e = essay(&essay_text(2));
    e.assignment_id = "hw1".into();
    let err = essays_b.create_essay(create(e.clone())).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    let results = essays_b
        .batch_create_essays(v1::BatchCreateEssaysRequest {
            requests: vec![create(e)],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    match &results[0].outcome {
        Some(v1::batch_create_essays_result::Outcome::Error(e)) => {
            assert_eq!(e.code, Code::FailedPrecondition as i32)
        }
        other => panic!("{other:?}"),
    }

    // B's lists and searches hold nothing of A's.
    walked.extend(
        [
            "EssayService/ListEssays",
            "AssignmentService/ListAssignments",
            "GradingJobService/ListGradingJobs",
            "GradingService/ListRubrics",
        ]
        .map(String::from),
    );
    let listed = essays_b
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.essays.is_empty());
    assert!(
        assignments_b
            .list_assignments(v1::ListAssignmentsRequest::default())
            .await
            .unwrap()
            .into_inner()
            .assignments
            .is_empty()
    );
    assert!(
        jobs_b
            .list_grading_jobs(v1::ListGradingJobsRequest::default())
            .await
            .unwrap()
            .into_inner()
            .jobs
            .is_empty()
    );
    let rubrics_b = grading_b
        .list_rubrics(v1::ListRubricsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .rubrics;
    assert!(rubrics_b.iter().all(|r| r.name != "a-rubric"), "{rubrics_b:?}");
    let similar = similarity_b
        .find_similar_essays(v1::FindSimilarEssaysRequest {
            query: Some(v1::find_similar_essays_request::Query::Text(essay_text(0).repeat(3))),
            threshold: 0.0,
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner()
        .matches;
    assert!(similar.is_empty(), "{similar:?}");

    // Names are per tenant: B may create its own "hw1" and "a-rubric".
    walked.insert("AssignmentService/CreateAssignment".to_string());
    walked.insert("GradingService/CreateRubric".to_string());
    assignments_b
        .create_assignment(new_assignment("hw1", "B's own question about something else?"))
        .await
        .unwrap();
    grading_b
        .create_rubric(v1::CreateRubricRequest {
            rubric: Some(v1::Rubric {
                max_mark: 50.0,
                ..rubric_a.clone()
            }),
        })
        .await
        .unwrap();

    assert_eq!(walked, every_rpc(), "every RPC of the API is walked with B's key");

    // A's data is as A left it.
    let essay = EssayServiceClient::new(a.clone())
        .get_essay(v1::GetEssayRequest {
            id: essay_a.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    assert_eq!(essay.text, essay_text(0));
    let assignment = AssignmentServiceClient::new(a.clone())
        .get_assignment(v1::GetAssignmentRequest { id: "hw1".into() })
        .await
        .unwrap()
        .into_inner()
        .assignment
        .unwrap();
    assert_eq!(
        (assignment.title.as_str(), assignment.question.as_str()),
        ("", QUESTION)
    );
    let exemplar = calibration_a
        .get_exemplar(v1::GetExemplarRequest {
            essay_id: essay_a.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .exemplar
        .unwrap();
    assert_eq!(exemplar.scores[0].score, 0);
    let models = calibration_a
        .list_scoring_models(v1::ListScoringModelsRequest {
            assignment_id: "hw1".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .models;
    assert_eq!(models.len(), 1);
    let grade = grading_a
        .get_grade(v1::GetGradeRequest {
            essay_id: essay_a.clone(),
            grade_id: grade_a.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert_eq!(grade.review.unwrap().reviewer, "teacher-a");
    let rubric = grading_a
        .get_rubric(v1::GetRubricRequest {
            name: "a-rubric".into(),
            version: 0,
        })
        .await
        .unwrap()
        .into_inner()
        .rubric
        .unwrap();
    assert_eq!((rubric.version, rubric.max_mark), (1, 10.0));
    let job = jobs_a
        .get_grading_job(v1::GetGradingJobRequest { id: job_a.id.clone() })
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.state, v1::GradingJobState::Succeeded as i32);
    assert_eq!(job.graded as usize, ESSAYS);
}
