//! Grading jobs: durable background grading with streamed, resumable
//! progress; the synchronous streaming batch; crash safety with the real binary.

mod common;

use std::{collections::BTreeSet, time::Duration};

use common::*;
use essayd::proto::v1::{
    self, grading_job_service_client::GradingJobServiceClient, grading_service_client::GradingServiceClient,
    watch_grading_job_response::Event,
};
use tonic::{Code, transport::Channel};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";

fn essay_text(i: usize) -> String {
    format!(
        "Essay {i}. Soviet foreign policy between 1925 and 1945 was largely successful because the USSR survived. \
         In 1939 the Nazi-Soviet Pact bought time. However, historians such as Geoffrey Roberts argue that Stalin \
         misjudged Hitler. This shows the policy was only partly successful."
    )
}

async fn assignment_with_essays(
    essays: &mut essayd::proto::v1::essay_service_client::EssayServiceClient<Channel>,
    assignments: &mut essayd::proto::v1::assignment_service_client::AssignmentServiceClient<Channel>,
    n: usize,
) -> Vec<String> {
    assignments
        .create_assignment(new_assignment("soviet", QUESTION))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let requests = chunk
            .iter()
            .map(|&i| {
                let mut e = essay(&if i == 3 { "!!! ???".to_owned() } else { essay_text(i) });
                e.assignment_id = "soviet".into();
                e.external_id = format!("sub-{i}");
                create(e)
            })
            .collect();
        let results = essays
            .batch_create_essays(v1::BatchCreateEssaysRequest { requests })
            .await
            .unwrap()
            .into_inner()
            .results;
        for r in results {
            match r.outcome {
                Some(v1::batch_create_essays_result::Outcome::Essay(e)) => ids.push(e.id),
                other => panic!("{other:?}"),
            }
        }
    }
    ids
}

/// Watches a job to its end from `start`; returns the last progress and the results seen.
async fn watch_to_end(
    jobs: &mut GradingJobServiceClient<Channel>,
    job_id: &str,
    start: u32,
) -> (v1::GradingJob, Vec<v1::GradingJobResult>) {
    let mut stream = jobs
        .watch_grading_job(v1::WatchGradingJobRequest {
            job_id: job_id.into(),
            start_sequence: start,
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    let mut results = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(60), stream.message())
        .await
        .unwrap()
        .unwrap()
    {
        match event.event.unwrap() {
            Event::Progress(p) => last = Some(p),
            Event::Result(r) => results.push(r),
        }
    }
    (last.unwrap(), results)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_grades_every_essay_once_streams_results_and_resumes_from_a_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let ids = assignment_with_essays(&mut app.essays, &mut app.assignments, 30).await;
    let mut jobs = GradingJobServiceClient::connect(app.endpoint()).await.unwrap();
    let job = jobs
        .create_grading_job(job_for("soviet"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.total, 30);

    let (last, results) = watch_to_end(&mut jobs, &job.id, 0).await;
    assert_eq!(last.state, v1::GradingJobState::Succeeded as i32);
    assert_eq!((last.graded, last.failed), (29, 1));
    assert!(last.end_time.is_some());
    assert_eq!(
        results.iter().map(|r| r.sequence).collect::<Vec<_>>(),
        (0..30).collect::<Vec<_>>()
    );
    // The punctuation-only essay fails alone, with a reason; the others have grades.
    let failed: Vec<_> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Some(v1::grading_job_result::Outcome::Error(e)) => Some((r.essay_id.clone(), e.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, ids[3]);
    assert_eq!(failed[0].1.reason, "NOTHING_TO_GRADE");
    assert_eq!(results[5].external_id, "sub-5");

    // Every essay has exactly one grade.
    let mut grading = GradingServiceClient::connect(app.endpoint()).await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let grades = grading
            .list_grades(v1::ListGradesRequest {
                essay_id: id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .grades;
        assert_eq!(grades.len(), usize::from(i != 3), "essay {i}");
    }

    // A watcher that reconnects from sequence 10 gets 10.. and nothing before.
    let (_, resumed) = watch_to_end(&mut jobs, &job.id, 10).await;
    assert_eq!(
        resumed.iter().map(|r| r.sequence).collect::<Vec<_>>(),
        (10..30).collect::<Vec<_>>()
    );

    // Results are listed by job, in pages.
    let page = jobs
        .list_grading_job_results(v1::ListGradingJobResultsRequest {
            job_id: job.id.clone(),
            page_size: 20,
            page_token: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.results.len(), 20);
    let rest = jobs
        .list_grading_job_results(v1::ListGradingJobResultsRequest {
            job_id: job.id.clone(),
            page_size: 20,
            page_token: page.next_page_token,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.results.len(), 10);
    assert!(rest.next_page_token.is_empty());

    // A finished job stays finished when cancelled; unknown jobs are NOT_FOUND.
    let cancelled = jobs
        .cancel_grading_job(v1::CancelGradingJobRequest { id: job.id.clone() })
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(cancelled.state, v1::GradingJobState::Succeeded as i32);
    let err = jobs
        .get_grading_job(v1::GetGradingJobRequest {
            id: "01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let listed = jobs
        .list_grading_jobs(v1::ListGradingJobsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .jobs;
    assert_eq!(listed.len(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_needs_essays_and_a_known_target() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut jobs = GradingJobServiceClient::connect(app.endpoint()).await.unwrap();
    let err = jobs
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob::default()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    app.assignments
        .create_assignment(new_assignment("empty", QUESTION))
        .await
        .unwrap();
    let err = jobs.create_grading_job(job_for("empty")).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = jobs
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                essay_ids: vec!["01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f".into()],
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_grade_streams_one_result_or_error_per_item_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let ids = assignment_with_essays(&mut app.essays, &mut app.assignments, 2).await;
    let mut jobs = GradingJobServiceClient::connect(app.endpoint()).await.unwrap();
    let items = vec![
        v1::BatchGradeItem {
            item: Some(v1::batch_grade_item::Item::EssayId(ids[0].clone())),
        },
        v1::BatchGradeItem {
            item: Some(v1::batch_grade_item::Item::Text(v1::InlineText {
                text: essay_text(9),
                question: QUESTION.into(),
            })),
        },
        v1::BatchGradeItem {
            item: Some(v1::batch_grade_item::Item::EssayId("bad".into())),
        },
    ];
    let mut stream = jobs
        .batch_grade(v1::BatchGradeRequest {
            items,
            rubric: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while let Some(r) = stream.message().await.unwrap() {
        seen.push(r);
    }
    assert_eq!(seen.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!(matches!(seen[0].outcome, Some(v1::batch_grade_response::Outcome::Grade(ref g)) if g.essay_id == ids[0]));
    assert!(matches!(seen[1].outcome, Some(v1::batch_grade_response::Outcome::Grade(ref g)) if g.id.is_empty()));
    match &seen[2].outcome {
        Some(v1::batch_grade_response::Outcome::Error(e)) => {
            assert_eq!(e.code, Code::InvalidArgument as i32);
            assert_eq!(e.field_violations[0].field, "items[2].essay_id");
        }
        other => panic!("{other:?}"),
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_with_sigkill_resumes_and_grades_each_essay_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut essays = v1::essay_service_client::EssayServiceClient::new(channel.clone());
    let mut assignments = v1::assignment_service_client::AssignmentServiceClient::new(channel.clone());
    let ids = assignment_with_essays(&mut essays, &mut assignments, 1500).await;
    let mut jobs = GradingJobServiceClient::new(channel.clone());
    let job = jobs
        .create_grading_job(job_for("soviet"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    // Kill it once some, but not all, essays are graded.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let progress_at_kill = loop {
        let j = jobs
            .get_grading_job(v1::GetGradingJobRequest { id: job.id.clone() })
            .await
            .unwrap()
            .into_inner()
            .job
            .unwrap();
        if j.graded + j.failed >= 100 || std::time::Instant::now() > deadline {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    drop((jobs, essays, assignments, channel));
    server.kill9();
    assert!(
        progress_at_kill.graded + progress_at_kill.failed < 1500,
        "the job finished before the kill"
    );

    let server = EssaydProcess::start(dir.path());
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut jobs = GradingJobServiceClient::new(channel.clone());
    let (last, results) = watch_to_end(&mut jobs, &job.id, 0).await;
    assert_eq!(last.state, v1::GradingJobState::Succeeded as i32);
    assert_eq!(last.graded + last.failed, 1500);
    assert!(last.graded >= progress_at_kill.graded, "no completed grade is lost");
    assert_eq!(results.len(), 1500);
    let sequences: BTreeSet<u32> = results.iter().map(|r| r.sequence).collect();
    assert_eq!(sequences.len(), 1500);

    let mut grading = GradingServiceClient::new(channel);
    for id in ids.iter().step_by(7) {
        let grades = grading
            .list_grades(v1::ListGradesRequest {
                essay_id: id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .grades;
        assert!(grades.len() <= 1, "essay {id} has {} grades", grades.len());
        assert_eq!(grades.len(), usize::from(*id != ids[3]), "essay {id}");
    }
}
