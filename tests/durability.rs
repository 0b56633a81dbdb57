//! Acknowledged means durable: the real `essayd` binary, killed with SIGKILL,
//! keeps every write it confirmed; SIGTERM shuts it down cleanly.

mod common;

use std::collections::BTreeMap;

use common::*;
use essayd::proto::v1;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_create_and_delete_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let client = server.essays().await;

    // 16 concurrent writers; each remembers what the server acknowledged.
    let mut writers = Vec::new();
    for w in 0..16 {
        let mut client = client.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = BTreeMap::new();
            for i in 0..15 {
                let text = format!("Writer {w}, essay {i}: the treaty of 1939 changed everything.");
                let created = client
                    .create_essay(create(essay(&text)))
                    .await
                    .expect("create")
                    .into_inner()
                    .essay
                    .unwrap();
                acked.insert(created.id, text);
            }
            acked
        }));
    }
    let mut acked = BTreeMap::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    // A confirmed delete must stay deleted too.
    let deleted = acked.keys().next().unwrap().clone();
    client
        .clone()
        .delete_essay(v1::DeleteEssayRequest { id: deleted.clone() })
        .await
        .unwrap();
    acked.remove(&deleted);
    server.kill9();

    let server = EssaydProcess::start(dir.path());
    let mut client = server.essays().await;
    for (id, text) in &acked {
        let got = client
            .get_essay(v1::GetEssayRequest {
                id: id.clone(),
                view: v1::EssayView::Full as i32,
            })
            .await
            .unwrap_or_else(|e| panic!("acknowledged essay {id} lost: {e}"))
            .into_inner()
            .essay
            .unwrap();
        assert_eq!(&got.text, text);
    }
    let err = client
        .get_essay(v1::GetEssayRequest { id: deleted, view: 0 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    let listed = client
        .list_essays(v1::ListEssaysRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .essays;
    assert_eq!(listed.len(), acked.len());
}

#[tokio::test]
async fn sigterm_finishes_in_flight_work_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let server = EssaydProcess::start(dir.path());
    let mut client = server.essays().await;
    let created = client
        .create_essay(create(essay("Written just before shutdown.")))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    drop(client);
    let status = tokio::task::spawn_blocking(move || server.terminate()).await.unwrap();
    assert!(status.success(), "essayd exited with {status}");

    let server = EssaydProcess::start(dir.path());
    let mut client = server.essays().await;
    client
        .get_essay(v1::GetEssayRequest {
            id: created.id,
            view: 0,
        })
        .await
        .unwrap();
}
