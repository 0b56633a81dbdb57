//! The API as JSON over HTTP, with the real binary: every RPC has an HTTP
//! binding; calls behave as over gRPC (API keys, tenant isolation, errors as
//! google.rpc.Status with the mapped HTTP status, load shedding); server
//! streams arrive as newline-delimited JSON; the OpenAPI document lists
//! every binding.

mod common;

use std::collections::BTreeSet;

use common::*;
use essayd::{proto::FILE_DESCRIPTOR_SET, rest::http_rule};
use prost_reflect::DescriptorPool;
use serde_json::{Value, json};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";
const TEXT: &str = "Soviet foreign policy between 1925 and 1945 was largely successful, because the USSR survived. \
                    In 1939 the Nazi-Soviet Pact bought time; however, Geoffrey Roberts argues that Stalin misjudged Hitler.";

/// A running essayd with its HTTP listener, and an HTTP client.
struct Http {
    server: EssaydProcess,
    base: String,
    agent: ureq::Agent,
}

impl Http {
    fn start(dir: &std::path::Path, flags: &[&str]) -> Self {
        let mut all = vec!["--http-listen", "127.0.0.1:0"];
        all.extend_from_slice(flags);
        let server = EssaydProcess::start_with(dir, &all);
        let base = format!("http://{}", server.wait_for_logged_addr("http_addr"));
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Self { server, base, agent }
    }

    /// Sends `method path` with `key` and an optional JSON body; returns the
    /// HTTP status and the body (JSON, or the raw text as a JSON string).
    fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = key.map(|k| format!("Bearer {k}"));
        let response = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("authorization", auth.as_deref().unwrap_or(""))
                .call(),
            ("DELETE", _) => self
                .agent
                .delete(&url)
                .header("authorization", auth.as_deref().unwrap_or(""))
                .call(),
            (m, body) => {
                let builder = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    other => panic!("no {other}"),
                };
                let builder = builder
                    .header("authorization", auth.as_deref().unwrap_or(""))
                    .header("content-type", "application/json");
                builder.send(body.unwrap_or(json!({})).to_string())
            }
        };
        let mut response = response.expect("HTTP call");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }
}

#[test]
fn every_rpc_has_an_http_binding_and_is_in_the_openapi_document() {
    let pool = DescriptorPool::decode(FILE_DESCRIPTOR_SET).unwrap();
    let bound: BTreeSet<String> = http_rule::bindings(&pool)
        .unwrap()
        .iter()
        .map(|b| b.rpc.full_name().to_owned())
        .collect();
    let mut missing = Vec::new();
    for service in pool.services().filter(|s| s.package_name() == "essay.v1") {
        for rpc in service.methods() {
            if !bound.contains(rpc.full_name()) {
                missing.push(rpc.full_name().to_owned());
            }
        }
    }
    assert!(missing.is_empty(), "RPCs with no google.api.http binding: {missing:?}");

    let document: Value = serde_json::from_str(essayd::rest::OPENAPI_JSON).unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    let operations: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, bound.len(), "one operation per binding");
    assert_eq!(
        document["paths"]["/v1/essays/{essay_id}:grade"]["post"]["operationId"],
        "GradingService_GradeEssay"
    );
}

#[test]
fn an_lms_flow_over_http_with_keys_isolation_errors_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let key_a = keys(dir.path(), &["create", "--tenant", "school-a"]);
    let key_b = keys(dir.path(), &["create", "--tenant", "school-b"]);
    let http = Http::start(dir.path(), &[]);
    let (a, b) = (Some(key_a.as_str()), Some(key_b.as_str()));

    // No key, or a bad one: 401 with the gRPC code and message.
    for key in [None, Some("essayd_nope")] {
        let (status, body) = http.call("GET", "/v1/essays", key, None);
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["code"], 16, "{body}");
    }
    // The OpenAPI document needs no key.
    let (status, doc) = http.call("GET", "/v1/openapi.json", None, None);
    assert_eq!(status, 200);
    assert!(doc["paths"]["/v1/essays"]["post"].is_object());

    // Tenant A: an assignment, an essay (body = the essay), a grade, a job.
    let (status, body) = http.call(
        "POST",
        "/v1/assignments",
        a,
        Some(json!({"id": "hw1", "question": QUESTION})),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["assignment"]["question"], QUESTION);
    let (status, body) = http.call(
        "POST",
        "/v1/essays?requestId=req-1",
        a,
        Some(json!({"title": "Pact", "assignmentId": "hw1", "text": TEXT, "author": {"id": "u1"}})),
    );
    assert_eq!(status, 200, "{body}");
    let essay_id = body["essay"]["id"].as_str().unwrap().to_owned();
    // Computed metadata comes back as over gRPC (proto3 JSON, camelCase).
    assert!(body["essay"]["metrics"]["words"].as_u64().unwrap() > 20, "{body}");
    // The same request id again is replayed, not stored twice (as over gRPC).
    let (_, again) = http.call(
        "POST",
        "/v1/essays?requestId=req-1",
        a,
        Some(json!({"title": "Pact", "assignmentId": "hw1", "text": TEXT, "author": {"id": "u1"}})),
    );
    assert_eq!(again["essay"]["id"], essay_id.as_str());

    let (status, body) = http.call("GET", &format!("/v1/essays/{essay_id}?view=ESSAY_VIEW_FULL"), a, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["essay"]["text"], TEXT);
    let (_, listed) = http.call("GET", "/v1/essays?assignmentId=hw1&pageSize=10", a, None);
    assert_eq!(listed["essays"].as_array().unwrap().len(), 1, "{listed}");

    let (status, graded) = http.call("POST", &format!("/v1/essays/{essay_id}:grade"), a, None);
    assert_eq!(status, 200, "{graded}");
    let grade = &graded["grade"];
    assert_eq!(grade["criteria"].as_array().unwrap().len(), 4);
    let spans = grade["criteria"][1]["spans"].as_array().unwrap();
    assert!(spans.iter().any(|s| s["label"] == "date"), "{grade}");
    let grade_id = grade["id"].as_str().unwrap().to_owned();
    let (status, got) = http.call("GET", &format!("/v1/essays/{essay_id}/grades/{grade_id}"), a, None);
    assert_eq!(status, 200);
    assert_eq!(got["grade"]["total"], grade["total"]);

    let (status, job) = http.call("POST", "/v1/jobs", a, Some(json!({"assignmentId": "hw1"})));
    assert_eq!(status, 200, "{job}");
    let job_id = job["job"]["id"].as_str().unwrap().to_owned();
    // The job's progress as newline-delimited JSON, to its end.
    let (status, watched) = http.call("GET", &format!("/v1/jobs/{job_id}:watch"), a, None);
    assert_eq!(status, 200);
    let Value::String(lines) = watched else {
        panic!("NDJSON is not one JSON value: {watched}")
    };
    let events: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        events
            .iter()
            .any(|e| e["progress"]["state"] == "GRADING_JOB_STATE_SUCCEEDED"),
        "{lines}"
    );
    assert!(
        events.iter().any(|e| e["result"]["essayId"] == essay_id.as_str()),
        "{lines}"
    );

    // Errors: the field that is wrong, and the HTTP status of the code.
    let (status, err) = http.call("POST", "/v1/essays", a, Some(json!({"title": "x", "text": "   "})));
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["code"], 3);
    let violations = err["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["@type"] == "type.googleapis.com/google.rpc.BadRequest")
        .unwrap();
    assert_eq!(violations["fieldViolations"][0]["field"], "essay.text", "{err}");
    let (status, err) = http.call(
        "POST",
        "/v1/assignments",
        a,
        Some(json!({"id": "hw1", "question": "Q?"})),
    );
    assert_eq!(status, 409, "{err}");
    let (status, _) = http.call("GET", "/v1/nothing-here", a, None);
    assert_eq!(status, 404);
    let (status, err) = http.call("GET", "/v1/essays?pageSize=ten", a, None);
    assert_eq!(status, 400, "{err}");
    let (status, _) = http.call("PUT", "/v1/essays", a, None);
    assert_eq!(status, 405);

    // Tenant B names A's things and finds nothing (404, never 403), and
    // lists nothing.
    for path in [
        format!("/v1/essays/{essay_id}"),
        format!("/v1/essays/{essay_id}/grades/{grade_id}"),
        format!("/v1/jobs/{job_id}"),
        "/v1/assignments/hw1".to_owned(),
    ] {
        let (status, body) = http.call("GET", &path, b, None);
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, listed) = http.call("GET", "/v1/essays", b, None);
    assert_eq!(status, 200);
    assert_eq!(listed["essays"], json!([]));
    let (status, _) = http.call("DELETE", &format!("/v1/essays/{essay_id}"), b, None);
    assert_eq!(status, 404);
    let (status, _) = http.call("GET", &format!("/v1/essays/{essay_id}"), a, None);
    assert_eq!(status, 200, "A's essay is still there");
    drop(http.server);
}

#[test]
fn a_flood_over_http_is_shed_with_429_and_nothing_else_fails() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::start(dir.path(), &["--insecure-no-auth", "--max-in-flight", "2"]);
    let long = TEXT.repeat(300);
    let results: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|_| {
                let (http, long) = (&http, &long);
                s.spawn(move || {
                    http.call(
                        "POST",
                        "/v1:gradeText",
                        None,
                        Some(json!({"text": long, "question": QUESTION})),
                    )
                    .0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let shed = results.iter().filter(|&&s| s == 429).count();
    let ok = results.iter().filter(|&&s| s == 200).count();
    assert_eq!(shed + ok, results.len(), "only 200 or 429: {results:?}");
    assert!(shed > 0 && ok > 0, "{results:?}");
}

/// Tenant B calls every HTTP binding, naming tenant A's things wherever the
/// path has a variable: nothing of A's comes back (no 403, no 5xx, never A's
/// text, a 2xx only for B's own empty lists), and A's data is unchanged
/// afterwards. A binding added to the protos is walked with no change here.
#[test]
fn another_tenant_reaches_nothing_through_any_http_binding() {
    const SECRET: &str = "Zanzibar-Quokka";
    let dir = tempfile::tempdir().unwrap();
    let key_a = keys(dir.path(), &["create", "--tenant", "school-a"]);
    let key_b = keys(dir.path(), &["create", "--tenant", "school-b"]);
    let http = Http::start(dir.path(), &[]);
    let (a, b) = (Some(key_a.as_str()), Some(key_b.as_str()));
    let question = format!("How successful was the {SECRET} policy in the years 1925–1945?");
    let ok = |(status, body): (u16, Value)| -> Value {
        assert_eq!(status, 200, "{body}");
        body
    };
    ok(http.call(
        "POST",
        "/v1/assignments",
        a,
        Some(json!({"id": "hw1", "question": question})),
    ));
    let essay = ok(http.call(
        "POST",
        "/v1/essays",
        a,
        Some(json!({"title": SECRET, "assignmentId": "hw1", "text": format!("{SECRET}. {TEXT}")})),
    ));
    let essay_id = essay["essay"]["id"].as_str().unwrap().to_owned();
    let grade = ok(http.call("POST", &format!("/v1/essays/{essay_id}:grade"), a, None));
    let grade_id = grade["grade"]["id"].as_str().unwrap().to_owned();
    let job = ok(http.call("POST", "/v1/jobs", a, Some(json!({"assignmentId": "hw1"}))));
    let job_id = job["job"]["id"].as_str().unwrap().to_owned();
    ok(http.call(
        "PUT",
        &format!("/v1/essays/{essay_id}/exemplar"),
        a,
        Some(json!({"scores": [{"trait": "holistic", "score": 4, "scaleMin": 1, "scaleMax": 6}]})),
    ));
    ok(http.call(
        "POST",
        "/v1/rubrics",
        a,
        Some(json!({"name": "secret-rubric", "description": SECRET, "maxMark": 20})),
    ));

    let pool = DescriptorPool::decode(FILE_DESCRIPTOR_SET).unwrap();
    let bindings = http_rule::bindings(&pool).unwrap();
    let mut walked = 0;
    for binding in &bindings {
        let raw = &binding.template.raw;
        let mut path = raw.clone();
        for field in binding.template.fields() {
            let value = match field {
                "grade_id" => grade_id.as_str(),
                "trait" => "holistic",
                "name" | "rubric.name" => "secret-rubric",
                _ if raw.starts_with("/v1/essays") => essay_id.as_str(),
                _ if raw.starts_with("/v1/jobs") => job_id.as_str(),
                _ if raw.starts_with("/v1/assignments") => "hw1",
                other => panic!("{raw}: no value of A's for {{{other}}}; add one here"),
            };
            path = path.replace(&format!("{{{field}}}"), value);
        }
        // Bodies that name A's things where the request takes them.
        let body = match binding.rpc.name() {
            "CreateEssay" => Some(json!({"title": "b", "text": "B's essay.", "assignmentId": "hw1"})),
            "CreateGradingJob" => Some(json!({"assignmentId": "hw1"})),
            "FindSimilarEssays" => Some(json!({"essayId": essay_id})),
            "BatchGrade" => Some(json!({"items": [{"essayId": essay_id}]})),
            "CreateReportLink" => Some(json!({"grade": {"essayId": essay_id}})),
            "ReviewGrade" => Some(json!({"review": {"reviewer": "b", "levels": [1, 1, 1, 1]}})),
            "UpdateAssignment" => Some(json!({"question": "changed by B"})),
            "SetExemplar" => Some(json!({"scores": [{"trait": "holistic", "score": 1, "scaleMin": 1, "scaleMax": 6}]})),
            _ if binding.verb == "GET" || binding.verb == "DELETE" => None,
            _ => Some(json!({})),
        };
        let (status, response) = http.call(binding.verb, &path, b, body);
        let text = response.to_string();
        let what = format!("{} {path} ({})", binding.verb, binding.rpc.name());
        assert!(!text.contains(SECRET), "{what} shows A's text: {text}");
        assert!(![403, 500, 503].contains(&status), "{what}: {status} {text}");
        if status == 200 && !binding.template.fields().any(|_| true) {
            // A list or a call of B's own: nothing of A's in it, but for an
            // item's "not found" naming the id B sent.
            let shown = text.replace("},{", "}\n{");
            for id in [&essay_id, &grade_id, &job_id] {
                assert!(
                    !shown
                        .lines()
                        .any(|l| l.contains(id.as_str()) && !l.contains("not found")),
                    "{what} shows A's id: {text}"
                );
            }
        } else if binding.template.fields().any(|_| true) {
            let refused =
                [400, 404].contains(&status) || (status == 200 && text.lines().all(|l| l.contains("\"error\"")));
            assert!(refused, "{what}: B reached A's thing: {status} {text}");
        }
        walked += 1;
    }
    assert_eq!(walked, bindings.len());

    // A's things are as A left them.
    let (status, kept) = http.call("GET", &format!("/v1/essays/{essay_id}?view=ESSAY_VIEW_FULL"), a, None);
    assert_eq!(status, 200);
    assert!(kept["essay"]["text"].as_str().unwrap().starts_with(SECRET));
    let (_, assignment) = http.call("GET", "/v1/assignments/hw1", a, None);
    assert_eq!(assignment["assignment"]["question"], question.as_str());
    let (_, graded) = http.call("GET", &format!("/v1/essays/{essay_id}/grades/{grade_id}"), a, None);
    assert!(graded["grade"]["review"].is_null(), "{graded}");
    let (status, _) = http.call("GET", &format!("/v1/essays/{essay_id}/exemplar"), a, None);
    assert_eq!(status, 200);
}

#[test]
fn a_callers_deadline_is_honoured_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::start(dir.path(), &["--insecure-no-auth"]);
    let url = format!("{}/v1:gradeText", http.base);
    let body = json!({"text": TEXT.repeat(4000), "question": QUESTION}).to_string();
    let send = |timeout: &str| {
        let mut response = http
            .agent
            .post(&url)
            .header("grpc-timeout", timeout)
            .header("content-type", "application/json")
            .send(body.as_str())
            .unwrap();
        let status = response.status().as_u16();
        let json: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        (status, json)
    };
    let (status, err) = send("1m");
    assert_eq!(status, 504, "{err}");
    assert_eq!(err["code"], 4, "DEADLINE_EXCEEDED: {err}");
    let (status, err) = send("soon");
    assert_eq!(status, 400, "{err}");
    let (status, graded) = send("60S");
    assert_eq!(status, 200, "{graded}");
}
