//! Hostile or heavy callers: load shedding with RESOURCE_EXHAUSTED, client
//! deadlines honoured, and TLS with a self-signed certificate.

mod common;

use std::time::Duration;

use common::*;
use essayd::{
    config::ServerConfig,
    proto::v1::{self, essay_service_client::EssayServiceClient, grading_service_client::GradingServiceClient},
    startup,
};
use tonic::{
    Code,
    transport::{Certificate, Channel, ClientTlsConfig},
};

fn long_essay(bytes: usize) -> String {
    let sentence = "In 1939 the Nazi-Soviet Pact bought time, however historians such as Roberts argue that Stalin misjudged Hitler. ";
    sentence.repeat(bytes / sentence.len() + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_is_shed_with_resource_exhausted_and_nothing_else_fails() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_in(dir.path(), |c| c.max_in_flight = 2).await;
    let text = long_essay(100_000);
    let mut calls = Vec::new();
    for _ in 0..24 {
        let mut grading = GradingServiceClient::connect(app.endpoint()).await.unwrap();
        let text = text.clone();
        calls.push(tokio::spawn(async move {
            grading
                .grade_text(v1::GradeTextRequest {
                    text,
                    question: "How successful was Soviet foreign policy?".into(),
                    rubric: String::new(),
                })
                .await
                .map(|_| ())
                .map_err(|s| s.code())
        }));
    }
    let mut ok = 0;
    let mut shed = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(()) => ok += 1,
            Err(Code::ResourceExhausted) => shed += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(ok >= 2, "{ok} succeeded");
    assert!(shed >= 1, "nothing was shed ({ok} succeeded)");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clients_deadline_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let mut grading = GradingServiceClient::connect(app.endpoint()).await.unwrap();
    let mut request = tonic::Request::new(v1::GradeTextRequest {
        text: long_essay(900_000),
        question: "How successful was Soviet foreign policy?".into(),
        rubric: String::new(),
    });
    request.set_timeout(Duration::from_millis(1));
    let err = grading.grade_text(request).await.unwrap_err();
    assert!(
        matches!(err.code(), Code::Cancelled | Code::DeadlineExceeded),
        "{err:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_speaks_tls_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = cert.cert.pem();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, &cert_pem).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let config = ServerConfig {
        insecure_no_auth: true,
        tls_cert: Some(cert_path),
        tls_key: Some(key_path),
        ..ServerConfig::for_data_dir(dir.path().join("data"))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        startup::serve(&config, listener, async {
            let _ = stopped.await;
        })
        .await
    });

    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&cert_pem))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://{addr}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut essays = EssayServiceClient::new(channel);
    let created = essays
        .create_essay(create(essay("Sent over TLS.")))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    let got = get_essay(&mut essays, &created.id).await;
    assert_eq!(got.text, "Sent over TLS.");

    // A plaintext client gets nowhere.
    let plain = Channel::from_shared(format!("http://{addr}")).unwrap().connect().await;
    if let Ok(channel) = plain {
        let err = EssayServiceClient::new(channel)
            .list_essays(v1::ListEssaysRequest::default())
            .await
            .unwrap_err();
        assert_ne!(err.code(), Code::Ok);
    }
    drop(essays);
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
