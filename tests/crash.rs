//! The crash harness: the real essayd, 16 concurrent writers creating essays
//! and grades, killed with SIGKILL at random moments, restarted on the same
//! data dir each time. After each restart every acknowledged essay and grade
//! is there, byte-identical, and every visible essay is whole.
//!
//! CI runs 10 kills; `ESSAYD_CRASH_ROUNDS=100 cargo test --release --test
//! crash` is the long run.

mod common;

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use common::*;
use essayd::proto::v1::{self, grading_service_client::GradingServiceClient};
use tonic::transport::Channel;

/// A small deterministic generator (SplitMix64), so a failing round can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[derive(Default, Clone)]
struct Acknowledged {
    essays: BTreeMap<String, String>,
    /// grade id → (essay id, the grade as returned).
    grades: BTreeMap<String, (String, v1::Grade)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_essays_and_grades_survive_repeated_sigkill() {
    let rounds: usize = std::env::var("ESSAYD_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let mut rng = Rng(2026);
    for round in 0..rounds {
        let server = EssaydProcess::start(dir.path());
        let channel = Channel::from_shared(server.endpoint())
            .unwrap()
            .connect()
            .await
            .unwrap();
        if round == 0 {
            v1::assignment_service_client::AssignmentServiceClient::new(channel.clone())
                .create_assignment(new_assignment(
                    "crash",
                    "How successful was Soviet foreign policy in the years 1925–1945?",
                ))
                .await
                .unwrap();
        }
        let snapshot = acked.lock().unwrap().clone();
        verify(&channel, &snapshot, round).await;

        let mut writers = Vec::new();
        for w in 0..16 {
            let channel = channel.clone();
            let acked = acked.clone();
            writers.push(tokio::spawn(async move {
                let mut essays = v1::essay_service_client::EssayServiceClient::new(channel.clone());
                let mut grading = GradingServiceClient::new(channel);
                for i in 0.. {
                    let text = format!(
                        "Round {round}, writer {w}, essay {i}: in 1939 the pact bought time; however Roberts argues otherwise. ü"
                    );
                    let mut e = essay(&text);
                    e.assignment_id = "crash".into();
                    let Ok(created) = essays.create_essay(create(e)).await else { return };
                    let id = created.into_inner().essay.unwrap().id;
                    acked.lock().unwrap().essays.insert(id.clone(), text);
                    if i % 3 == 0 {
                        let request = v1::GradeEssayRequest {
                            essay_id: id.clone(),
                            ..Default::default()
                        };
                        let Ok(grade) = grading.grade_essay(request).await else { return };
                        let grade = grade.into_inner().grade.unwrap();
                        acked.lock().unwrap().grades.insert(grade.id.clone(), (id, grade));
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(150 + rng.next() % 500)).await;
        server.kill9();
        for w in writers {
            tokio::time::timeout(Duration::from_secs(30), w).await.unwrap().unwrap();
        }
    }
    let server = EssaydProcess::start(dir.path());
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let acked = acked.lock().unwrap().clone();
    verify(&channel, &acked, rounds).await;
    assert!(
        acked.essays.len() > rounds * 16,
        "the writers wrote too little: {}",
        acked.essays.len()
    );
}

async fn verify(channel: &Channel, acked: &Acknowledged, round: usize) {
    let mut essays = v1::essay_service_client::EssayServiceClient::new(channel.clone());
    let mut grading = GradingServiceClient::new(channel.clone());
    for (id, text) in &acked.essays {
        let got = essays
            .get_essay(v1::GetEssayRequest {
                id: id.clone(),
                view: v1::EssayView::Full as i32,
            })
            .await
            .unwrap_or_else(|e| panic!("round {round}: acknowledged essay {id} lost: {e}"))
            .into_inner()
            .essay
            .unwrap();
        assert_eq!(&got.text, text, "round {round}: essay {id} changed");
    }
    for (grade_id, (essay_id, grade)) in &acked.grades {
        let got = grading
            .get_grade(v1::GetGradeRequest {
                essay_id: essay_id.clone(),
                grade_id: grade_id.clone(),
            })
            .await
            .unwrap_or_else(|e| panic!("round {round}: acknowledged grade {grade_id} lost: {e}"))
            .into_inner()
            .grade
            .unwrap();
        assert_eq!(&got, grade, "round {round}: grade {grade_id} changed");
    }
    // Nothing half-written: every visible essay reads back whole.
    let mut token = String::new();
    loop {
        let page = essays
            .list_essays(v1::ListEssaysRequest {
                page_size: 1000,
                page_token: token,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        for e in &page.essays {
            let full = essays
                .get_essay(v1::GetEssayRequest {
                    id: e.id.clone(),
                    view: v1::EssayView::Full as i32,
                })
                .await
                .unwrap()
                .into_inner()
                .essay
                .unwrap();
            assert!(
                full.text.starts_with("Round ") && full.text.ends_with('ü'),
                "round {round}: torn essay {}",
                e.id
            );
            assert_eq!(
                full.metrics.unwrap().content_sha256,
                e.metrics.clone().unwrap().content_sha256
            );
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
}
