//! essayctl against a real server: what a person at a terminal sees.

mod common;

use std::io::Write;

use common::*;

/// Runs essayctl off the async runtime; returns (success, stdout, stderr).
async fn ctl(endpoint: &str, args: &[&str]) -> (bool, String, String) {
    let endpoint = endpoint.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        essayctl(&endpoint, &args)
    })
    .await
    .unwrap()
}

/// Runs essayctl with `--json` and parses what it prints, failing on an error.
async fn ctl_json(endpoint: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (ok, stdout, stderr) = ctl(endpoint, &all).await;
    assert!(ok, "essayctl {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("essayctl {args:?}: {e}: {stdout}"))
}

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
    assert!(stderr.contains("\"nope\" is not an essay id"), "{stderr}");
    // --json keeps the server's code, reason and field violations for scripts.
    let (ok, _, stderr) = ctl(&app.endpoint(), &["--json", "essays", "get", "nope"]).await;
    assert!(!ok);
    let error: serde_json::Value = serde_json::from_str(&stderr).unwrap();
    assert_eq!(error["error"]["code"], "InvalidArgument", "{stderr}");
    assert_eq!(error["error"]["reason"], "ID_MALFORMED", "{stderr}");
    assert_eq!(error["error"]["field_violations"][0]["field"], "id", "{stderr}");

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

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_job_grades_can_be_listed_read_and_reviewed_and_jobs_found_again() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let e = app.endpoint();
    let seed = seed_page();
    ctl_json(&e, &["assignments", "create", "--id", "hw", "--question", QUESTION]).await;
    let imported = ctl_json(&e, &["essays", "import", "--assignment", "hw", seed.to_str().unwrap()]).await;
    let id = imported[0]["id"].as_str().unwrap().to_owned();
    let summary = ctl_json(&e, &["grade", "--assignment", "hw"]).await;
    let job = summary["job_id"].as_str().unwrap().to_owned();

    // The job can be found again and read.
    let jobs = ctl_json(&e, &["jobs", "list"]).await;
    assert_eq!(jobs[0]["id"], job.as_str(), "{jobs}");
    let got = ctl_json(&e, &["jobs", "get", &job]).await;
    assert_eq!(got["state"], "succeeded");
    assert_eq!(got["graded"], 1);

    // The latest grade is what `grades get` shows, and `grades list` lists it.
    let latest = ctl_json(&e, &["grades", "get", &id]).await;
    let grades = ctl_json(&e, &["grades", "list", &id]).await;
    assert_eq!(grades.as_array().unwrap().len(), 1);
    assert_eq!(grades[0]["id"], latest["id"]);
    let of_assignment = ctl_json(&e, &["grades", "list", "--assignment", "hw"]).await;
    assert_eq!(of_assignment[0]["id"], latest["id"]);

    // A teacher's review becomes the final mark, and `essays get` shows it.
    let reviewed = ctl_json(
        &e,
        &[
            "grades",
            "review",
            &id,
            "--reviewer",
            "ms-lee",
            "--level",
            "thesis=5",
            "--level",
            "evidence=5",
            "--comment",
            "Well argued.",
        ],
    )
    .await;
    assert_eq!(reviewed["review"]["reviewer"], "ms-lee");
    assert_eq!(reviewed["review"]["comment"], "Well argued.");
    let review_total = reviewed["review"]["total"].as_f64().unwrap();
    assert!(review_total > latest["total"].as_f64().unwrap(), "{reviewed}");
    assert_eq!(reviewed["lti"]["scoreGiven"].as_f64().unwrap(), review_total);
    let (ok, table, stderr) = ctl(&e, &["essays", "get", &id, "--metadata-only"]).await;
    assert!(ok, "{stderr}");
    let line = table.lines().find(|l| l.contains("latest grade")).unwrap();
    assert!(line.contains("teacher's review"), "{line}");
    let (ok, report, _) = ctl(&e, &["grades", "get", &id]).await;
    assert!(ok);
    assert!(report.contains("Teacher's review by ms-lee"), "{report}");
    let waiting = ctl_json(&e, &["grades", "list", "--assignment", "hw", "--needs-review"]).await;
    assert_eq!(waiting, serde_json::json!([]));

    // Cancelling a finished job changes nothing: it stays succeeded.
    let cancelled = ctl_json(&e, &["jobs", "cancel", &job]).await;
    assert_eq!(cancelled["state"], "succeeded");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rubrics_assignments_and_calibration_have_commands() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let e = app.endpoint();
    let created = ctl_json(
        &e,
        &[
            "rubrics",
            "create",
            "--name",
            "strict",
            "--weight",
            "evidence=2",
            "--max-mark",
            "30",
        ],
    )
    .await;
    assert_eq!(created["version"], 1);
    assert_eq!(created["max_mark"], 30.0);
    let updated = ctl_json(&e, &["rubrics", "update", "--name", "strict", "--weight", "evidence=3"]).await;
    assert_eq!(updated["version"], 2);
    let v1 = ctl_json(&e, &["rubrics", "get", "strict", "--version", "1"]).await;
    assert_eq!(v1["max_mark"], 30.0);
    let list = ctl_json(&e, &["rubrics", "list"]).await;
    let names: Vec<_> = list.as_array().unwrap().iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, ["history-default", "strict"]);

    ctl_json(&e, &["assignments", "create", "--id", "hw", "--question", QUESTION]).await;
    let changed = ctl_json(
        &e,
        &[
            "assignments",
            "update",
            "hw",
            "--rubric",
            "strict",
            "--title",
            "Essay 1",
        ],
    )
    .await;
    assert_eq!(changed["rubric"], "strict");
    assert_eq!(changed["title"], "Essay 1");
    assert_eq!(changed["question"], QUESTION, "fields not given stay");

    let seed = seed_page();
    let imported = ctl_json(&e, &["essays", "import", "--assignment", "hw", seed.to_str().unwrap()]).await;
    let id = imported[0]["id"].as_str().unwrap().to_owned();
    let set = ctl_json(
        &e,
        &[
            "calibration",
            "exemplars",
            "set",
            &id,
            "--score",
            "holistic=8",
            "--scale",
            "2..12",
            "--marked-by",
            "t1",
        ],
    )
    .await;
    assert_eq!(set[0]["scores"][0]["score"], 8);
    assert_eq!(set[0]["scores"][0]["scale_max"], 12);
    let listed = ctl_json(&e, &["calibration", "exemplars", "list", "--assignment", "hw"]).await;
    assert_eq!(listed[0]["essay_id"], id.as_str());
    let got = ctl_json(&e, &["calibration", "exemplars", "get", &id]).await;
    assert_eq!(got[0]["marked_by"], "t1");
    // One marked essay is too few to train on: the server's reason reaches the user.
    let (ok, _, stderr) = ctl(&e, &["calibration", "train", "--assignment", "hw"]).await;
    assert!(!ok);
    assert!(stderr.contains("mark at least"), "{stderr}");
    let models = ctl_json(&e, &["calibration", "models", "list", "--assignment", "hw"]).await;
    assert_eq!(models, serde_json::json!([]));
    ctl_json(&e, &["calibration", "exemplars", "delete", &id]).await;
    let listed = ctl_json(&e, &["calibration", "exemplars", "list", "--assignment", "hw"]).await;
    assert_eq!(listed, serde_json::json!([]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_say_what_to_do_in_the_clis_words() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let e = app.endpoint();

    let (ok, _, stderr) = ctl(&e, &["grade", "--assignment", "nope"]).await;
    assert!(!ok);
    assert!(stderr.contains("no assignment \"nope\""), "{stderr}");
    assert!(stderr.contains("essayctl assignments list"), "{stderr}");

    let (ok, stdout, stderr) = ctl(&e, &["results", "--job", "nope"]).await;
    assert!(!ok);
    assert_eq!(stdout, "", "no CSV header before the error");
    assert!(stderr.contains("no grading job \"nope\""), "{stderr}");
    assert!(!stderr.contains("essay id"), "{stderr}");

    let (ok, _, stderr) = ctl(&e, &["grade", "--text", "some words", "--question", "Why?"]).await;
    assert!(!ok);
    assert!(stderr.contains("--text takes a file"), "{stderr}");
    assert!(stderr.contains("--text -"), "{stderr}");

    // A FAILED_PRECONDITION names the command to run, not the RPC.
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"Some essay text about the Soviet Union.").unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let (ok, _, stderr) = ctl(&e, &["essays", "create", "--assignment", "nope", &path]).await;
    assert!(!ok);
    assert!(stderr.contains("essayctl assignments create"), "{stderr}");
    assert!(!stderr.contains("AssignmentService"), "{stderr}");

    // A missing required flag: the usage names it, not the global options
    // (even when the environment sets them).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_essayctl"))
        .args(["assignments", "create", "--id", "x"])
        .env("ESSAYD_ENDPOINT", &e)
        .env("ESSAYD_API_KEY", "essayd_0123456789ab_secret")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("--question <QUESTION>"), "{stderr}");
    assert!(!stderr.contains("--api-key"), "{stderr}");
    assert!(!stderr.contains("--endpoint"), "{stderr}");
    app.stop().await;

    // No server at all.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (ok, _, stderr) = ctl(&closed, &["essays", "list"]).await;
    assert!(!ok);
    assert!(stderr.contains("is it running?"), "{stderr}");
    assert!(stderr.contains(&closed), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_a_stored_page_again_is_skipped_unless_allowed_and_authors_match_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let e = app.endpoint();
    let seed = seed_page();
    let seed = seed.to_str().unwrap();
    ctl_json(&e, &["assignments", "create", "--id", "hw", "--question", QUESTION]).await;
    let first = ctl_json(&e, &["essays", "import", "--assignment", "hw", seed]).await;
    let id = first[0]["id"].as_str().unwrap().to_owned();

    let (ok, stdout, stderr) = ctl(&e, &["essays", "import", "--assignment", "hw", seed]).await;
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains(&format!("skipped: already stored as {id}")), "{stderr}");
    assert_eq!(ctl_json(&e, &["essays", "list"]).await.as_array().unwrap().len(), 1);

    // Another assignment is not a duplicate; --allow-duplicate stores it again.
    ctl_json(&e, &["assignments", "create", "--id", "hw2", "--question", QUESTION]).await;
    ctl_json(&e, &["essays", "import", "--assignment", "hw2", seed]).await;
    ctl_json(
        &e,
        &["essays", "import", "--assignment", "hw", "--allow-duplicate", seed],
    )
    .await;
    assert_eq!(ctl_json(&e, &["essays", "list"]).await.as_array().unwrap().len(), 3);

    // The author the table shows is the one --author finds.
    let (ok, table, _) = ctl(&e, &["essays", "list", "--assignment", "hw2"]).await;
    assert!(ok);
    assert!(table.contains("┆ mattman123 ┆"), "{table}");
    let by_author = ctl_json(&e, &["essays", "list", "--author", "mattman123"]).await;
    assert_eq!(by_author.as_array().unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_into_a_closed_pipe_ends_quietly_with_exit_0() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    // More JSON than a pipe buffers (64 KiB), so essayctl is still writing when the reader goes.
    let requests = (0..400)
        .map(|i| {
            create(essay(&format!(
                "Essay {i}: the Nazi-Soviet Pact of 1939 bought time for the USSR."
            )))
        })
        .collect();
    app.essays
        .batch_create_essays(essayd::proto::v1::BatchCreateEssaysRequest { requests })
        .await
        .unwrap();
    let endpoint = app.endpoint();
    let (status, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_essayctl"))
            .args(["--endpoint", &endpoint, "--json", "essays", "list"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert_eq!(first.trim(), "[");
        // The reader (and the pipe) is gone now, as with `| head -1`.
        let out = child.wait_with_output().unwrap();
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    })
    .await
    .unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert_eq!(stderr, "");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_fits_a_100_column_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_app(dir.path()).await;
    let shared = std::fs::read_to_string(seed_page()).unwrap();
    let mut ids = Vec::new();
    for intro in ["A first student's opening line.", "Another student starts differently."] {
        let created = app
            .essays
            .create_essay(create(essay(&format!("{intro}\n\n{shared}"))))
            .await
            .unwrap()
            .into_inner();
        ids.push(created.essay.unwrap().id);
    }
    let endpoint = app.endpoint();
    let id = ids[0].clone();
    let (ok, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_essayctl"))
            .args(["--endpoint", &endpoint, "similar", &id])
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert!(stdout.contains(&ids[1]), "{stdout}");
    let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "a {widest}-column line:\n{stdout}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_explains_keys_at_each_step() {
    let dir = tempfile::tempdir().unwrap();
    // A server with no key says so, with the command that makes one.
    let server = EssaydProcess::start_with(dir.path(), &[]);
    let logged = server.logs.lock().unwrap().join("\n");
    assert!(logged.contains("no API key exists yet"), "{logged}");
    assert!(logged.contains("keys create --tenant"), "{logged}");
    // essayctl without a key names the three ways out.
    let (ok, _, stderr) = ctl(&server.endpoint(), &["essays", "list"]).await;
    assert!(!ok);
    for hint in ["ESSAYD_API_KEY", "--api-key", "essayd keys create"] {
        assert!(stderr.contains(hint), "{hint}: {stderr}");
    }
    server.terminate();
    // --data-dir works before `keys` as well as after it.
    let token = keys(dir.path(), &["create", "--tenant", "school"]);
    assert!(token.starts_with("essayd_"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_essayd"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["keys", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 2, "{listing}");
    // Columns line up: the header's `created` starts where the row's time does.
    let column = lines[0].find("created").unwrap();
    assert!(lines[1][column..].starts_with("20"), "{listing}");
    assert!(
        lines[1][column..].split_whitespace().next().unwrap().ends_with('Z'),
        "{listing}"
    );
}
