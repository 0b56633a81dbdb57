//! The Prometheus endpoint of the real binary: off unless asked for; counts
//! calls by RPC and code, grades by band and flag, jobs by state, store size.

mod common;

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
};

use common::*;
use essayd::proto::v1::{
    self, grading_job_service_client::GradingJobServiceClient, grading_service_client::GradingServiceClient,
};
use tonic::Code;

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";
const TEXT: &str = "Soviet foreign policy between 1925 and 1945 was largely successful because the USSR survived. \
    In 1939 the Nazi-Soviet Pact bought time. However, historians such as Geoffrey Roberts argue that Stalin \
    misjudged Hitler. This shows the policy was only partly successful.";

/// GET /metrics over plain HTTP/1.1; returns (status line, content type, body).
fn scrape(addr: SocketAddr) -> (String, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: essayd\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.lines().next().unwrap_or_default().to_string();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .unwrap_or_default()
        .to_string();
    (status, content_type, body.to_string())
}

/// The value of the sample whose name and labels are exactly `series`.
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
}

/// The sum of every sample of `name` (any labels).
fn sum_of(body: &str, name: &str) -> f64 {
    body.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let _ = server.essays().await;
    assert!(
        !server.logs.lock().unwrap().iter().any(|l| l.contains("metrics_addr")),
        "no metrics endpoint without --metrics-listen"
    );
}

#[tokio::test]
async fn metrics_count_calls_by_rpc_and_code_grades_jobs_and_store_size() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start_with(dir.path(), &["--insecure-no-auth", "--metrics-listen", "127.0.0.1:0"]);
    let addr = server.wait_for_logged_addr("metrics_addr");
    let mut essays = server.essays().await;
    let channel = tonic::transport::Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut assignments = essayd::proto::v1::assignment_service_client::AssignmentServiceClient::new(channel.clone());
    let mut grading = GradingServiceClient::new(channel.clone());
    let mut jobs = GradingJobServiceClient::new(channel);

    assignments
        .create_assignment(new_assignment("soviet", QUESTION))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut e = essay(&format!("Essay {i}. {TEXT}"));
        e.assignment_id = "soviet".into();
        ids.push(
            essays
                .create_essay(create(e))
                .await
                .unwrap()
                .into_inner()
                .essay
                .unwrap()
                .id,
        );
    }
    let missing = essays
        .get_essay(v1::GetEssayRequest {
            id: "0190a6b8-0000-7000-8000-000000000000".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let grade = grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: ids[0].clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    let job = jobs
        .create_grading_job(job_for("soviet"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    wait_for_job(&mut jobs, &job.id, v1::GradingJobState::Succeeded).await;

    let (status, content_type, body) = tokio::task::spawn_blocking(move || scrape(addr)).await.unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    assert!(body.trim_end().ends_with("# EOF"), "OpenMetrics text ends with # EOF");

    let create = r#"rpc="/essay.v1.EssayService/CreateEssay""#;
    assert_eq!(
        sample(&body, &format!(r#"essayd_rpc_requests_total{{{create},code="OK"}}"#)),
        Some(3.0),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"essayd_rpc_requests_total{rpc="/essay.v1.EssayService/GetEssay",code="NOT_FOUND"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            &format!(r#"essayd_rpc_duration_seconds_count{{{create},code="OK"}}"#)
        ),
        Some(3.0)
    );
    // One grade from GradeEssay and three from the job, all stored.
    assert_eq!(sum_of(&body, "essayd_grades_total"), 4.0);
    assert!(
        sample(&body, &format!(r#"essayd_grades_total{{band="{}"}}"#, grade.band)).unwrap_or(0.0) >= 1.0,
        "the band of the grade we saw is counted"
    );
    assert_eq!(sample(&body, r#"essayd_jobs{state="succeeded"}"#), Some(1.0));
    assert_eq!(sample(&body, r#"essayd_jobs{state="running"}"#), Some(0.0));
    assert_eq!(sample(&body, "essayd_job_queue_essays"), Some(0.0));
    assert!(sample(&body, "essayd_store_size_bytes").unwrap_or(0.0) > 0.0);

    // Any other path on the gRPC port is one "unknown" series, whatever it is.
    let mut health = tonic_health::pb::health_client::HealthClient::new(
        tonic::transport::Channel::from_shared(server.endpoint())
            .unwrap()
            .connect()
            .await
            .unwrap(),
    );
    health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap();
    let (_, _, body) = tokio::task::spawn_blocking(move || scrape(addr)).await.unwrap();
    assert_eq!(
        sample(
            &body,
            r#"essayd_rpc_requests_total{rpc="/grpc.health.v1.Health/Check",code="OK"}"#
        ),
        Some(1.0)
    );
    assert!(!body.contains(TEXT), "no essay text in metrics");
}
