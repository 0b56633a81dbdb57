//! EssayService over gRPC against a real server on 127.0.0.1:0.

mod common;

use common::*;
use essayd::proto::v1;
use tonic::Code;

#[tokio::test]
async fn an_essay_is_created_fetched_listed_across_pages_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut e = essay(&format!("Essay number {i}. It argues a point. It gives evidence."));
        e.title = format!("Essay {i}");
        e.author = Some(v1::Author {
            id: "u-1".into(),
            display_name: "Ada".into(),
        });
        let created = app
            .essays
            .create_essay(create(e))
            .await
            .unwrap()
            .into_inner()
            .essay
            .unwrap();
        assert!(!created.id.is_empty());
        assert_eq!(created.text, "", "create returns the metadata view");
        let metrics = created.metrics.unwrap();
        assert_eq!(metrics.words, 10);
        assert_eq!(metrics.sentences, 3);
        ids.push(created.id);
    }

    let got = get_essay(&mut app.essays, &ids[3]).await;
    assert_eq!(got.title, "Essay 3");
    assert_eq!(got.text, "Essay number 3. It argues a point. It gives evidence.");
    assert_eq!(got.author.unwrap().display_name, "Ada");

    // Three pages of 3, 3 and 1, in creation order, the token empty only at the end.
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .essays
            .list_essays(v1::ListEssaysRequest {
                page_size: 3,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        pages += 1;
        assert!(
            page.essays.iter().all(|e| e.text.is_empty()),
            "list defaults to the basic view"
        );
        seen.extend(page.essays.into_iter().map(|e| e.id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);

    app.essays
        .delete_essay(v1::DeleteEssayRequest { id: ids[3].clone() })
        .await
        .unwrap();
    let gone = app
        .essays
        .get_essay(v1::GetEssayRequest {
            id: ids[3].clone(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    let again = app
        .essays
        .delete_essay(v1::DeleteEssayRequest { id: ids[3].clone() })
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::NotFound);
    let all = app
        .essays
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.essays.len(), 6);
    assert!(all.next_page_token.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_request_id_stores_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let request = v1::CreateEssayRequest {
        essay: Some(essay("The same essay, sent twice.")),
        request_id: "req-42".into(),
    };
    let first = app
        .essays
        .create_essay(request.clone())
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    let second = app
        .essays
        .create_essay(request)
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first, second);
    let all = app
        .essays
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.essays.len(), 1);

    // The same request id for a different essay is a caller bug, said clearly.
    let err = app
        .essays
        .create_essay(v1::CreateEssayRequest {
            essay: Some(essay("A different essay.")),
            request_id: "req-42".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("request_id"));
    app.stop().await;
}

#[tokio::test]
async fn an_external_id_is_unique_within_its_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    for id in ["hw1", "hw2"] {
        app.assignments
            .create_assignment(new_assignment(id, "Why did the war start?"))
            .await
            .unwrap();
    }
    let with = |assignment: &str, external: &str| {
        let mut e = essay("An answer to the question.");
        e.assignment_id = assignment.into();
        e.external_id = external.into();
        create(e)
    };
    app.essays.create_essay(with("hw1", "sub-1")).await.unwrap();
    let err = app.essays.create_essay(with("hw1", "sub-1")).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("sub-1"), "{}", err.message());
    // The same external id in another assignment is another submission.
    app.essays.create_essay(with("hw2", "sub-1")).await.unwrap();
    // An assignment that does not exist is a clear precondition failure.
    let err = app.essays.create_essay(with("nope", "sub-9")).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("does not exist"), "{}", err.message());
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_its_grpc_code_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app_in(dir.path(), |c| c.max_essay_bytes = 1000).await;

    let cases: Vec<(&str, v1::CreateEssayRequest, &str)> = vec![
        ("empty text", create(essay("")), "essay.text"),
        ("whitespace only", create(essay(" \n\t  ")), "essay.text"),
        ("over the limit", create(essay(&"word ".repeat(201))), "essay.text"),
        (
            "no essay at all",
            v1::CreateEssayRequest {
                essay: None,
                request_id: String::new(),
            },
            "essay",
        ),
    ];
    for (what, request, field) in cases {
        let err = app.essays.create_essay(request).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{what}");
        assert_eq!(violated_field(&err).as_deref(), Some(field), "{what}");
    }
    let err = app
        .essays
        .create_essay(create(essay(&"word ".repeat(201))))
        .await
        .unwrap_err();
    assert!(err.message().contains("the limit is 1000 bytes"), "{}", err.message());

    let err = app
        .essays
        .get_essay(v1::GetEssayRequest {
            id: "01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f".into(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    let err = app
        .essays
        .get_essay(v1::GetEssayRequest {
            id: "not-an-id".into(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("id"));

    let list = |r: v1::ListEssaysRequest| {
        let mut client = app.essays.clone();
        async move { client.list_essays(r).await.unwrap_err() }
    };
    let err = list(v1::ListEssaysRequest {
        page_size: -1,
        ..Default::default()
    })
    .await;
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("page_size"));

    let err = list(v1::ListEssaysRequest {
        page_token: "bm90IG91cnM".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("page_token"));

    let err = list(v1::ListEssaysRequest {
        submit_time_start: Some(prost_types::Timestamp {
            seconds: 2_000_000_000,
            nanos: 0,
        }),
        submit_time_end: Some(prost_types::Timestamp {
            seconds: 1_000_000_000,
            nanos: 0,
        }),
        ..Default::default()
    })
    .await;
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("submit_time_end"));
    app.stop().await;
}

#[tokio::test]
async fn a_page_token_only_works_with_the_filters_it_was_issued_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    for _ in 0..3 {
        let mut e = essay("Some text here.");
        e.course_id = "c1".into();
        app.essays.create_essay(create(e)).await.unwrap();
    }
    let page = app
        .essays
        .list_essays(v1::ListEssaysRequest {
            page_size: 1,
            course_id: "c1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let err = app
        .essays
        .list_essays(v1::ListEssaysRequest {
            page_size: 1,
            page_token: page.next_page_token,
            course_id: "c2".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_field(&err).as_deref(), Some("page_token"));
    app.stop().await;
}

#[tokio::test]
async fn listings_filter_by_course_assignment_author_category_and_submit_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    app.assignments
        .create_assignment(v1::CreateAssignmentRequest {
            assignment: Some(v1::Assignment {
                id: "a1".into(),
                course_id: "c1".into(),
                question: "Q?".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let day = 86_400;
    let base = 1_700_000_000;
    for (i, (course, assignment, author, category)) in [
        ("c1", "a1", "u1", "History"),
        ("c1", "", "u2", "History"),
        ("c2", "a1", "u1", "Politics"),
        ("c2", "", "u3", "History"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = essay("Text of an essay.");
        e.course_id = course.into();
        e.assignment_id = assignment.into();
        e.author = Some(v1::Author {
            id: author.into(),
            display_name: String::new(),
        });
        e.category = category.into();
        e.submit_time = Some(prost_types::Timestamp {
            seconds: base + i as i64 * day,
            nanos: 0,
        });
        app.essays.create_essay(create(e)).await.unwrap();
    }
    let count = |r: v1::ListEssaysRequest| {
        let mut client = app.essays.clone();
        async move { client.list_essays(r).await.unwrap().into_inner().essays.len() }
    };
    let req = v1::ListEssaysRequest::default;
    assert_eq!(
        count(v1::ListEssaysRequest {
            course_id: "c1".into(),
            ..req()
        })
        .await,
        2
    );
    assert_eq!(
        count(v1::ListEssaysRequest {
            assignment_id: "a1".into(),
            ..req()
        })
        .await,
        2
    );
    assert_eq!(
        count(v1::ListEssaysRequest {
            author_id: "u1".into(),
            ..req()
        })
        .await,
        2
    );
    assert_eq!(
        count(v1::ListEssaysRequest {
            category: "History".into(),
            ..req()
        })
        .await,
        3
    );
    assert_eq!(
        count(v1::ListEssaysRequest {
            assignment_id: "a1".into(),
            category: "Politics".into(),
            ..req()
        })
        .await,
        1
    );
    let ts = |s| Some(prost_types::Timestamp { seconds: s, nanos: 0 });
    assert_eq!(
        count(v1::ListEssaysRequest {
            submit_time_start: ts(base + day),
            submit_time_end: ts(base + 3 * day),
            ..req()
        })
        .await,
        2,
        "start inclusive, end exclusive"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_batch_create_reports_each_item_and_one_bad_item_sinks_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let requests = vec![
        create(essay("First good essay.")),
        create(essay("   ")),
        create(essay("Second good essay.")),
    ];
    let results = app
        .essays
        .batch_create_essays(v1::BatchCreateEssaysRequest { requests })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(results.len(), 3);
    use v1::batch_create_essays_result::Outcome;
    assert!(matches!(results[0].outcome, Some(Outcome::Essay(_))));
    match &results[1].outcome {
        Some(Outcome::Error(e)) => {
            assert_eq!(e.code, Code::InvalidArgument as i32);
            assert_eq!(e.field_violations[0].field, "requests[1].essay.text");
            assert_eq!(e.reason, "TEXT_EMPTY");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(matches!(results[2].outcome, Some(Outcome::Essay(_))));
    let all = app
        .essays
        .list_essays(v1::ListEssaysRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.essays.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn restarting_the_server_on_the_same_data_dir_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let mut e = essay("Kept across restarts. Ünïcödé too.");
    e.labels.insert("term".into(), "fall".into());
    let created = app
        .essays
        .create_essay(create(e))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    app.assignments
        .create_assignment(new_assignment("kept", "Was it kept?"))
        .await
        .unwrap();
    app.stop().await;

    let mut app = spawn_app(dir.path()).await;
    let got = app
        .essays
        .get_essay(v1::GetEssayRequest {
            id: created.id.clone(),
            view: v1::EssayView::Full as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap();
    assert_eq!(got.text, "Kept across restarts. Ünïcödé too.");
    assert_eq!(got.labels.get("term").map(String::as_str), Some("fall"));
    assert_eq!(got.metrics, created.metrics);
    let a = app
        .assignments
        .get_assignment(v1::GetAssignmentRequest { id: "kept".into() })
        .await
        .unwrap()
        .into_inner()
        .assignment
        .unwrap();
    assert_eq!(a.question, "Was it kept?");
    app.stop().await;
}
