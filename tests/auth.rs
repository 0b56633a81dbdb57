//! Authentication and tenant isolation with the real binary: API keys made
//! offline with `essayd keys`, sent as `authorization: Bearer …`.

mod common;

use common::*;
use essayd::proto::v1::{
    self, assignment_service_client::AssignmentServiceClient, essay_service_client::EssayServiceClient,
    grading_job_service_client::GradingJobServiceClient, grading_service_client::GradingServiceClient,
};
use tonic::{Code, transport::Channel};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";
const SECRET_TEXT: &str = "Zanzibar-Quokka treaty analysis. In 1939 the pact shows that Stalin bought time, however Roberts argues otherwise.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tenant_sees_only_its_own_data_and_bad_keys_are_unauthenticated() {
    let dir = tempfile::tempdir().unwrap();
    let key_a = keys(dir.path(), &["create", "--tenant", "school-a"]);
    let key_b = keys(dir.path(), &["create", "--tenant", "school-b"]);
    assert!(key_a.starts_with("essayd_") && key_a != key_b);

    let server = EssaydProcess::start_with(dir.path(), &[]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();

    // Without a key, with a malformed or an unknown one: UNAUTHENTICATED.
    for key in [
        None,
        Some("not-a-key"),
        Some("essayd_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let err = EssayServiceClient::new(with_key(channel.clone(), key))
            .list_essays(v1::ListEssaysRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{key:?}: {err:?}");
    }

    // Tenant A writes an assignment, an essay, a grade and a job.
    let a = with_key(channel.clone(), Some(&key_a));
    AssignmentServiceClient::new(a.clone())
        .create_assignment(new_assignment("hw1", QUESTION))
        .await
        .unwrap();
    let mut e = essay(SECRET_TEXT);
    e.assignment_id = "hw1".into();
    let essay_a = EssayServiceClient::new(a.clone())
        .create_essay(create(e))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    let grade_a = GradingServiceClient::new(a.clone())
        .grade_essay(v1::GradeEssayRequest {
            essay_id: essay_a.id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    let job_a = GradingJobServiceClient::new(a.clone())
        .create_grading_job(job_for("hw1"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();

    // Tenant B does not see it (tests/isolation.rs walks every RPC this way).
    let b = with_key(channel.clone(), Some(&key_b));
    let mut essays_b = EssayServiceClient::new(b.clone());
    let err = essays_b
        .get_essay(v1::GetEssayRequest {
            id: essay_a.id.clone(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = GradingServiceClient::new(b.clone())
        .get_grade(v1::GetGradeRequest {
            essay_id: essay_a.id.clone(),
            grade_id: grade_a.id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = GradingJobServiceClient::new(b.clone())
        .get_grading_job(v1::GetGradingJobRequest { id: job_a.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // B may reuse A's assignment id: ids are per tenant.
    AssignmentServiceClient::new(b.clone())
        .create_assignment(v1::CreateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "hw1".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    // A still sees its essay.
    EssayServiceClient::new(a.clone())
        .get_essay(v1::GetEssayRequest {
            id: essay_a.id.clone(),
            view: 0,
        })
        .await
        .unwrap();

    // Health stays open for probes.
    let (ok, stdout, _) = essayctl(&server.endpoint(), &["health"]);
    assert!(ok && stdout.trim() == "SERVING");

    // The logs of this whole session name ids, never texts or keys.
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(logs.contains(&essay_a.id), "essay ids are logged");
    for secret in [SECRET_TEXT, "Zanzibar-Quokka", key_a.as_str(), key_b.as_str()] {
        assert!(!logs.contains(secret), "the log contains {secret:?}");
    }
    let key_id_a = key_a.split('_').nth(1).unwrap().to_owned();
    drop((a, b, essays_b, channel));
    let status = tokio::task::spawn_blocking(move || server.terminate()).await.unwrap();
    assert!(status.success());

    // A revoked key is refused.
    let listed = keys(dir.path(), &["list"]);
    assert!(listed.contains(&key_id_a) && listed.contains("school-a") && !listed.contains(&key_a));
    keys(dir.path(), &["revoke", &key_id_a]);
    let server = EssaydProcess::start_with(dir.path(), &[]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let err = EssayServiceClient::new(with_key(channel.clone(), Some(&key_a)))
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(err.message().contains("revoked"));
    EssayServiceClient::new(with_key(channel, Some(&key_b)))
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap();
}

#[test]
fn the_server_warns_when_authentication_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(logs.contains("authentication is OFF"), "{logs}");
}
