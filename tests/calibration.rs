//! CalibrationService: a teacher's marks (exemplars), scoring models learned
//! from them, and grades that use the model — on real ASAP essays.

mod common;

use common::*;
use essayd::{
    eval::asap,
    proto::v1::{
        self, calibration_service_client::CalibrationServiceClient, grading_service_client::GradingServiceClient,
    },
};
use tonic::Code;

/// Set 3 essays (scores 0–3) from ASAP fold 0.
fn set3() -> Vec<asap::AsapEssay> {
    let path = repo_root().join("../shared/data/asap/fold_0.tsv");
    let content = std::fs::read_to_string(path).unwrap();
    asap::parse_fold("fold_0.tsv", &content)
        .unwrap()
        .into_iter()
        .filter(|e| e.set == 3)
        .collect()
}

fn scores(score: i32) -> Vec<v1::TraitScore> {
    vec![v1::TraitScore {
        r#trait: "holistic".into(),
        score,
        scale_min: 0,
        scale_max: 3,
    }]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_learned_from_marked_essays_grades_the_rest_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut calibration = CalibrationServiceClient::connect(app.endpoint()).await.unwrap();
    app.assignments
        .create_assignment(new_assignment(
            "asap3",
            "Describe how the features of the setting affect the cyclist.",
        ))
        .await
        .unwrap();
    let essays = set3();
    let mut ids = Vec::new();
    for e in essays.iter().take(61) {
        let mut essay = essay(&e.text);
        essay.assignment_id = "asap3".into();
        ids.push(
            app.essays
                .create_essay(create(essay))
                .await
                .unwrap()
                .into_inner()
                .essay
                .unwrap()
                .id,
        );
    }

    // Errors a teacher can act on.
    let err = calibration
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "asap3".into(),
            r#trait: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("at least 20"), "{}", err.message());
    let err = calibration
        .set_exemplar(v1::SetExemplarRequest {
            exemplar: Some(v1::Exemplar {
                essay_id: ids[0].clone(),
                scores: scores(4),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("exemplar.scores[0].score"));
    for id in &ids[..5] {
        calibration
            .set_exemplar(v1::SetExemplarRequest {
                exemplar: Some(v1::Exemplar {
                    essay_id: id.clone(),
                    scores: scores(2),
                    marked_by: "teacher-1".into(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let err = calibration
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "asap3".into(),
            r#trait: String::new(),
        })
        .await
        .unwrap_err();
    assert!(
        err.message().contains("mark at least 20 (15 more)"),
        "{}",
        err.message()
    );

    // The teacher marks 60 essays; a model learns from them.
    for (id, e) in ids.iter().zip(&essays).take(60) {
        calibration
            .set_exemplar(v1::SetExemplarRequest {
                exemplar: Some(v1::Exemplar {
                    essay_id: id.clone(),
                    scores: scores(e.score),
                    marked_by: "teacher-1".into(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let model = calibration
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "asap3".into(),
            r#trait: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .model
        .unwrap();
    assert_eq!(
        (model.id.as_str(), model.version, model.exemplars),
        ("asap3/holistic/v1", 1, 60)
    );
    assert!(model.cv_qwk > 0.2, "cv qwk {}", model.cv_qwk);
    assert!(!model.learning_curve.is_empty());

    // The unmarked essay's grade uses the model, and says so.
    let grade = GradingServiceClient::connect(app.endpoint())
        .await
        .unwrap()
        .grade_essay(v1::GradeEssayRequest {
            essay_id: ids[60].clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    let score = grade.model_score.clone().unwrap();
    assert_eq!(score.model_id, "asap3/holistic/v1");
    assert!((0..=3).contains(&score.score));
    assert!((grade.total - f64::from(score.score) / 3.0 * 20.0).abs() < 0.01);
    assert_eq!(grade.criteria.len(), 4, "the criteria still explain the grade");

    // Retraining makes a new version; the old one stays.
    let v2 = calibration
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "asap3".into(),
            r#trait: "holistic".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .model
        .unwrap();
    assert_eq!(v2.version, 2);
    let v1m = calibration
        .get_scoring_model(v1::GetScoringModelRequest {
            assignment_id: "asap3".into(),
            r#trait: String::new(),
            version: 1,
        })
        .await
        .unwrap()
        .into_inner()
        .model
        .unwrap();
    assert_eq!(v1m.cv_qwk, model.cv_qwk);

    // Exemplars are deleted with their essay.
    app.essays
        .delete_essay(v1::DeleteEssayRequest { id: ids[0].clone() })
        .await
        .unwrap();
    let err = calibration
        .get_exemplar(v1::GetExemplarRequest {
            essay_id: ids[0].clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let listed = calibration
        .list_exemplars(v1::ListExemplarsRequest {
            assignment_id: "asap3".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .exemplars;
    assert_eq!(listed.len(), 59);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exemplars_that_all_share_one_score_cannot_train_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut calibration = CalibrationServiceClient::connect(app.endpoint()).await.unwrap();
    app.assignments
        .create_assignment(new_assignment("a", "Q?"))
        .await
        .unwrap();
    for e in set3().iter().take(25) {
        let mut essay = essay(&e.text);
        essay.assignment_id = "a".into();
        let id = app
            .essays
            .create_essay(create(essay))
            .await
            .unwrap()
            .into_inner()
            .essay
            .unwrap()
            .id;
        calibration
            .set_exemplar(v1::SetExemplarRequest {
                exemplar: Some(v1::Exemplar {
                    essay_id: id,
                    scores: scores(1),
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let err = calibration
        .train_scoring_model(v1::TrainScoringModelRequest {
            assignment_id: "a".into(),
            r#trait: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(
        err.message().contains("every marked essay has the score 1"),
        "{}",
        err.message()
    );
    app.stop().await;
}
