//! Copy detection over gRPC: shared passages with offsets in both texts,
//! quotations left out, the copied grade flag, and deletion.

mod common;

use common::*;
use essayd::{
    eval::asap,
    proto::v1::{
        self, grading_service_client::GradingServiceClient, similarity_service_client::SimilarityServiceClient,
    },
};

fn two_long_essays() -> (String, String) {
    let content = std::fs::read_to_string(repo_root().join("../shared/data/asap/fold_0.tsv")).unwrap();
    let mut long = asap::parse_fold("fold_0.tsv", &content)
        .unwrap()
        .into_iter()
        .filter(|e| e.set == 1 && e.text.split_whitespace().count() > 300)
        .map(|e| e.text);
    (long.next().unwrap(), long.next().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_passage_is_found_quoted_text_is_not_and_the_grade_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    app.assignments
        .create_assignment(new_assignment(
            "letters",
            "Write a letter to your local newspaper about the effects computers have on people.",
        ))
        .await
        .unwrap();
    let (source, other) = two_long_essays();
    let words: Vec<&str> = source.split_whitespace().collect();
    let chunk = words[20..260].join(" ");
    let copied = format!("{other} {chunk}");
    let quoted = format!("{other} As one letter put it, \"{}\"", words[20..60].join(" "));
    let store = |text: String| {
        let mut essays = app.essays.clone();
        async move {
            let mut e = essay(&text);
            e.assignment_id = "letters".into();
            essays
                .create_essay(create(e))
                .await
                .unwrap()
                .into_inner()
                .essay
                .unwrap()
                .id
        }
    };
    let source_id = store(source.clone()).await;
    let copied_id = store(copied.clone()).await;
    store(quoted.clone()).await;

    let mut similarity = SimilarityServiceClient::connect(app.endpoint()).await.unwrap();
    let find = |q: v1::find_similar_essays_request::Query| v1::FindSimilarEssaysRequest {
        query: Some(q),
        threshold: 0.0,
        limit: 0,
    };
    let matches = similarity
        .find_similar_essays(find(v1::find_similar_essays_request::Query::EssayId(copied_id.clone())))
        .await
        .unwrap()
        .into_inner()
        .matches;
    let hit = matches
        .iter()
        .find(|m| m.essay_id == source_id)
        .expect("the source essay is found");
    assert!(hit.coverage > 0.2 && hit.coverage < 0.7, "coverage {}", hit.coverage);
    for p in &hit.passages {
        assert_eq!(&copied[p.query_start as usize..p.query_end as usize], p.query_text);
        assert_eq!(&source[p.match_start as usize..p.match_end as usize], p.match_text);
        assert!(chunk.contains(p.query_text.split_whitespace().next().unwrap()));
    }
    // Quoting the same words is not copying; an inline text is searched too.
    let quoted_matches = similarity
        .find_similar_essays(find(v1::find_similar_essays_request::Query::Text(format!(
            "My own words about computers and people. \"{}\"",
            words[20..60].join(" ")
        ))))
        .await
        .unwrap()
        .into_inner()
        .matches;
    assert!(quoted_matches.is_empty(), "{quoted_matches:?}");
    let inline = similarity
        .find_similar_essays(find(v1::find_similar_essays_request::Query::Text(chunk.clone())))
        .await
        .unwrap()
        .into_inner()
        .matches;
    assert!(inline.iter().any(|m| m.essay_id == source_id));

    // The grade of the copy says so and goes to a teacher.
    let grade = GradingServiceClient::connect(app.endpoint())
        .await
        .unwrap()
        .grade_essay(v1::GradeEssayRequest {
            essay_id: copied_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    assert!(
        grade.flags.contains(&(v1::GradeFlag::Copied as i32)),
        "{:?}",
        grade.flags
    );
    assert!(grade.copied_from.contains(&source_id));
    assert!(grade.needs_review);
    assert_eq!(grade.lti_score.unwrap().grading_progress, "PendingManual");

    // Deleting the source deletes its fingerprints: nothing is found any more.
    app.essays
        .delete_essay(v1::DeleteEssayRequest { id: source_id.clone() })
        .await
        .unwrap();
    let after = similarity
        .find_similar_essays(find(v1::find_similar_essays_request::Query::EssayId(copied_id)))
        .await
        .unwrap()
        .into_inner()
        .matches;
    assert!(after.iter().all(|m| m.essay_id != source_id));
    app.stop().await;
}

/// A job's copy check is GradeEssay's: the same flags, levels and sources,
/// against every essay of the tenant, not only the job's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_flags_a_copy_of_an_essay_outside_it_as_grade_essay_does() {
    use essayd::proto::v1::{grading_job_result::Outcome, grading_job_service_client::GradingJobServiceClient};

    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let question = "Write a letter to your local newspaper about the effects computers have on people.";
    for id in ["letters", "earlier"] {
        app.assignments
            .create_assignment(new_assignment(id, question))
            .await
            .unwrap();
    }
    let content = std::fs::read_to_string(repo_root().join("../shared/data/asap/fold_0.tsv")).unwrap();
    let long: Vec<String> = asap::parse_fold("fold_0.tsv", &content)
        .unwrap()
        .into_iter()
        .filter(|e| e.set == 1 && e.text.split_whitespace().count() > 300)
        .map(|e| e.text)
        .take(6)
        .collect();
    let (source, other) = (&long[0], &long[1]);
    let words: Vec<&str> = source.split_whitespace().collect();
    let copied = format!("{other} {}", words[20..260].join(" "));
    let store = |text: String, assignment: &'static str| {
        let mut essays = app.essays.clone();
        async move {
            let mut e = essay(&text);
            e.assignment_id = assignment.into();
            essays
                .create_essay(create(e))
                .await
                .unwrap()
                .into_inner()
                .essay
                .unwrap()
                .id
        }
    };
    // The source belongs to another assignment: the job does not grade it.
    let source_id = store(source.clone(), "earlier").await;
    let copied_id = store(copied, "letters").await;
    for text in &long[2..] {
        store(text.clone(), "letters").await;
    }

    let mut jobs = GradingJobServiceClient::connect(app.endpoint()).await.unwrap();
    let job = jobs
        .create_grading_job(job_for("letters"))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let mut results = Vec::new();
    while results.len() < 5 {
        let page = jobs
            .list_grading_job_results(v1::ListGradingJobResultsRequest {
                job_id: job.id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .results;
        if page.len() == 5 {
            results = page;
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    let mut grading = GradingServiceClient::connect(app.endpoint()).await.unwrap();
    let mut flagged = Vec::new();
    for r in results {
        let Some(Outcome::Grade(from_job)) = r.outcome else {
            panic!("essay {} not graded: {:?}", r.essay_id, r.outcome);
        };
        let direct = grading
            .grade_essay(v1::GradeEssayRequest {
                essay_id: r.essay_id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .grade
            .unwrap();
        assert_eq!(from_job.flags, direct.flags, "essay {}", r.essay_id);
        assert_eq!(from_job.copied_from, direct.copied_from, "essay {}", r.essay_id);
        assert_eq!(from_job.needs_review, direct.needs_review, "essay {}", r.essay_id);
        let levels = |g: &v1::Grade| g.criteria.iter().map(|c| c.level).collect::<Vec<_>>();
        assert_eq!(levels(&from_job), levels(&direct), "essay {}", r.essay_id);
        if from_job.flags.contains(&(v1::GradeFlag::Copied as i32)) {
            flagged.push((r.essay_id, from_job.copied_from));
        }
    }
    assert_eq!(flagged, [(copied_id, vec![source_id])]);
    app.stop().await;
}
