//! essayctl against a real server: what a person at a terminal sees.

mod common;

use std::io::Write;

use common::*;

fn seed_page() -> std::path::PathBuf {
    repo_root().join("../shared/seed/soviet-foreign-policy-1925-1945.txt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_the_seed_page_keeps_its_declared_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let endpoint = app.endpoint();
    let seed = seed_page();
    let out = tokio::task::spawn_blocking(move || {
        essayctl(&endpoint, &["--json", "essays", "import", seed.to_str().unwrap()])
    })
    .await
    .unwrap();
    let (ok, stdout, stderr) = out;
    assert!(ok, "import failed: {stderr}");
    let imported: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = imported[0]["id"].as_str().unwrap().to_owned();

    let endpoint = app.endpoint();
    let (ok, stdout, stderr) =
        tokio::task::spawn_blocking(move || essayctl(&endpoint, &["--json", "essays", "get", &id]))
            .await
            .unwrap();
    assert!(ok, "get failed: {stderr}");
    let essay: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(essay["author"]["display_name"], "mattman123");
    assert_eq!(essay["declared"]["views"], 73);
    assert_eq!(essay["declared"]["words"], 961);
    assert_eq!(essay["declared"]["pages"], 4);
    assert_eq!(essay["declared"]["source"], "essay-site");
    assert_eq!(essay["category"], "World History");
    assert_eq!(essay["submit_time"], "2014-11-04T08:01:00Z");
    assert!(
        essay["text"]
            .as_str()
            .unwrap()
            .starts_with("Soviet foreign policy in the period")
    );
    // What we compute is kept apart from what was declared: the page is a preview.
    let words = essay["metrics"]["words"].as_u64().unwrap();
    assert!(words > 100 && words < 961, "computed words {words}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_file_that_is_not_utf8_gets_a_clear_cli_error() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"Valid start \xff\xfe then garbage").unwrap();
    let endpoint = app.endpoint();
    let path = file.path().to_str().unwrap().to_owned();
    let (ok, _, stderr) = tokio::task::spawn_blocking(move || essayctl(&endpoint, &["essays", "create", &path]))
        .await
        .unwrap();
    assert!(!ok);
    assert!(stderr.contains("is not UTF-8 text"), "{stderr}");
    assert!(stderr.contains("byte offset 12"), "{stderr}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_reach_the_terminal_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let endpoint = app.endpoint();
    let (ok, _, stderr) = tokio::task::spawn_blocking(move || essayctl(&endpoint, &["essays", "get", "nope"]))
        .await
        .unwrap();
    assert!(!ok);
    assert!(stderr.contains("InvalidArgument"), "{stderr}");
    assert!(stderr.contains("field id"), "{stderr}");

    let endpoint = app.endpoint();
    let (ok, stdout, _) = tokio::task::spawn_blocking(move || essayctl(&endpoint, &["health"]))
        .await
        .unwrap();
    assert!(ok);
    assert_eq!(stdout.trim(), "SERVING");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn essayctl_grade_prints_levels_feedback_and_quoted_spans() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let endpoint = app.endpoint();
    let seed = seed_page();
    let (ok, stdout, stderr) = tokio::task::spawn_blocking(move || {
        essayctl(
            &endpoint,
            &[
                "grade",
                "--text",
                seed.to_str().unwrap(),
                "--question",
                "How successful was Soviet foreign policy in the years 1925–1945?",
            ],
        )
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert!(stdout.contains("HISTORIOGRAPHY — level 2 of 5"), "{stdout}");
    assert!(stdout.contains("[historian] \"Chris Korin\""), "{stdout}");
    assert!(stdout.contains("[unanswered_question]"), "{stdout}");
    assert!(stdout.contains("LTI score:"), "{stdout}");
    app.stop().await;
}

#[test]
fn essayctl_eval_history_reports_agreement_and_relations_as_json() {
    let cases = repo_root().join("../shared/data/history-dev/cases.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_essayctl"))
        .args(["--json", "eval", "history", "--cases", cases.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cases).unwrap()).unwrap();
    assert_eq!(report["essays"], file["essays"].as_array().unwrap().len(), "{report}");
    // Pinned at what the grader reaches on the 118-essay dev set (issue #12 raised thesis from
    // 0.745/0.656; the goal is adjacent >= 0.9 and QWK >= 0.8 on each criterion).
    for (c, adjacent, qwk) in [
        ("thesis", 0.847, 0.788),
        ("evidence", 0.847, 0.758),
        ("historiography", 0.915, 0.860),
        ("balance", 0.771, 0.703),
    ] {
        assert!(
            report["criteria"][c]["adjacent"].as_f64().unwrap() >= adjacent,
            "{c}: {report}"
        );
        assert!(report["criteria"][c]["qwk"].as_f64().unwrap() >= qwk, "{c}: {report}");
    }
    assert!(report["relations"]["passed"].as_u64().unwrap() >= 59, "{report}");
    assert!(report["ladders"]["soviet-fp"].as_f64().is_some());
    // The same figures per question, so that a change is checked on questions it was not tuned on.
    let questions = report["questions"].as_object().unwrap();
    assert_eq!(questions.len(), file["questions"].as_array().unwrap().len(), "{report}");
    let per_question_essays: u64 = questions.values().map(|q| q["essays"].as_u64().unwrap()).sum();
    assert_eq!(per_question_essays, report["essays"].as_u64().unwrap());
    assert!(questions["soviet-fp"]["criteria"]["thesis"]["qwk"].as_f64().is_some());
}

#[test]
fn essayctl_eval_arguments_finds_major_claims_and_counter_arguments_in_annotated_essays() {
    let data = repo_root().join("../shared/data/aae/train.json");
    if !data.exists() {
        eprintln!(
            "skipping: {} not found (the research-licensed AAE corpus is not shipped)",
            data.display()
        );
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_essayctl"))
        .args(["--json", "eval", "arguments", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["essays"], 322, "{report}");
    let f = |path: &[&str]| path.iter().fold(&report, |v, k| &v[*k]).as_f64().unwrap();
    // Pinned at what the rules reach (issue #12 goals: found >= 0.9, counter-argument F1 >= 0.6),
    // against the last-sentence-of-introduction baseline computed in the same run.
    assert!(f(&["major_claim", "found"]) >= 0.91, "{report}");
    assert!(f(&["major_claim", "precision"]) >= 0.69, "{report}");
    assert!(f(&["major_claim", "found"]) > f(&["baseline_last_intro_sentence", "found"]) + 0.4);
    assert!(f(&["counter_arguments", "f1"]) >= 0.36, "{report}");
    assert!(f(&["counter_arguments", "precision"]) >= 0.47, "{report}");
    assert!(f(&["claims", "f1"]) >= 0.45, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn essayctl_grades_an_assignment_as_a_job_and_exports_a_csv() {
    use essayd::proto::v1;
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    app.assignments
        .create_assignment(new_assignment(
            "hw",
            "How successful was Soviet foreign policy in the years 1925–1945?",
        ))
        .await
        .unwrap();
    for i in 0..5 {
        let mut e = essay(&format!(
            "Soviet foreign policy from 1925 to 1945 was largely successful, says writer {i}. \
             In 1939 the pact with Germany bought time, \"a pause\" as one put it."
        ));
        e.assignment_id = "hw".into();
        e.external_id = format!("sub-{i}");
        e.author = Some(v1::Author {
            id: format!("u{i}"),
            display_name: format!("Student, {i}"),
        });
        app.essays.create_essay(create(e)).await.unwrap();
    }
    let endpoint = app.endpoint();
    let (ok, stdout, stderr) =
        tokio::task::spawn_blocking(move || essayctl(&endpoint, &["--json", "grade", "--assignment", "hw"]))
            .await
            .unwrap();
    assert!(ok, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["state"], "succeeded");
    assert_eq!(summary["graded"], 5);
    let bands: u64 = summary["bands"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(bands, 5);

    let job = summary["job_id"].as_str().unwrap().to_owned();
    let endpoint = app.endpoint();
    let (ok, csv, stderr) =
        tokio::task::spawn_blocking(move || essayctl(&endpoint, &["results", "--job", &job, "--format", "csv"]))
            .await
            .unwrap();
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(
        lines[0].starts_with("essay_id,external_id,author_id,author_name,thesis,evidence,historiography,balance,total")
    );
    assert!(lines[1].contains(",sub-0,u0,\"Student, 0\","), "{}", lines[1]);
    app.stop().await;
}
