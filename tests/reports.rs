//! Report pages on the real binary: `CreateReportLink` makes signed links
//! that open a grade's and a job's page over plain HTTP; forged, expired,
//! other-tenant and altered links get a plain 403 and deleted things a 404,
//! with none of the essay's data; the signing key survives a restart.

mod common;

use std::time::Duration;

use common::*;
use essayd::proto::v1::{
    self, assignment_service_client::AssignmentServiceClient, essay_service_client::EssayServiceClient,
    grading_job_service_client::GradingJobServiceClient, grading_service_client::GradingServiceClient,
    report_service_client::ReportServiceClient,
};
use tonic::{Code, transport::Channel};

const QUESTION: &str = "How successful was Soviet foreign policy in the years 1925–1945?";
const TEXT: &str = "Soviet foreign policy between 1925 and 1945 was largely successful because the USSR survived. \
    In 1939 the Nazi-Soviet Pact bought time <script>alert('pwned')</script> for rearmament. However, historians \
    such as Geoffrey Roberts argue that Stalin misjudged Hitler. This shows the policy was only partly successful.";
/// A phrase of TEXT that must never appear on a refused page.
const SECRET_PHRASE: &str = "bought time";

struct Page {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// GET `url`, whatever its status.
fn get(url: &str) -> Page {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut response = agent.get(url).call().expect("an HTTP response");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Page {
        status: response.status().as_u16(),
        headers,
        body: response.body_mut().read_to_string().expect("a text body"),
    }
}

/// The URL with query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((n, _)) if n == name => format!("{n}={value}"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

fn param<'a>(url: &'a str, name: &str) -> &'a str {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap()
}

fn assert_refused(page: &Page, status: u16, what: &str) {
    assert_eq!(page.status, status, "{what}: {}", page.body);
    assert!(
        !page.body.contains(SECRET_PHRASE),
        "{what}: a refused page shows essay text"
    );
    assert!(page.body.contains("<h1>"), "{what}: a plain page, not an empty body");
}

struct School {
    essays: EssayServiceClient<Authed>,
    grading: GradingServiceClient<Authed>,
    jobs: GradingJobServiceClient<Authed>,
    reports: ReportServiceClient<Authed>,
}

/// A tenant's clients, with its assignment `hw1` created.
async fn school(channel: &Channel, key: &str) -> School {
    let c = with_key(channel.clone(), Some(key));
    let _ = AssignmentServiceClient::new(c.clone())
        .create_assignment(new_assignment("hw1", QUESTION))
        .await;
    School {
        essays: EssayServiceClient::new(c.clone()),
        grading: GradingServiceClient::new(c.clone()),
        jobs: GradingJobServiceClient::new(c.clone()),
        reports: ReportServiceClient::new(c),
    }
}

/// An essay of assignment `hw1`, graded; returns (essay id, grade).
async fn graded_essay(s: &mut School, text: &str) -> (String, v1::Grade) {
    let mut e = essay(text);
    e.assignment_id = "hw1".into();
    let id = s
        .essays
        .create_essay(create(e))
        .await
        .unwrap()
        .into_inner()
        .essay
        .unwrap()
        .id;
    let grade = s
        .grading
        .grade_essay(v1::GradeEssayRequest {
            essay_id: id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .grade
        .unwrap();
    (id, grade)
}

fn grade_target(essay_id: &str, grade_id: &str) -> Option<v1::create_report_link_request::Target> {
    Some(v1::create_report_link_request::Target::Grade(v1::GradeReportTarget {
        essay_id: essay_id.into(),
        grade_id: grade_id.into(),
    }))
}

async fn link(
    s: &mut School,
    target: Option<v1::create_report_link_request::Target>,
    ttl_secs: i64,
) -> Result<v1::CreateReportLinkResponse, tonic::Status> {
    s.reports
        .create_report_link(v1::CreateReportLinkRequest {
            target,
            ttl: (ttl_secs != 0).then_some(prost_types::Duration {
                seconds: ttl_secs,
                nanos: 0,
            }),
        })
        .await
        .map(|r| r.into_inner())
}

async fn job_of(s: &mut School, essay_ids: Vec<String>) -> String {
    let job = s
        .jobs
        .create_grading_job(v1::CreateGradingJobRequest {
            job: Some(v1::GradingJob {
                essay_ids,
                ..Default::default()
            }),
        })
        .await;
    let id = job.unwrap().into_inner().job.unwrap().id;
    wait_for_job(&mut s.jobs, &id, v1::GradingJobState::Succeeded).await;
    id
}

async fn start_two_schools(dir: &std::path::Path) -> (EssaydProcess, School, School) {
    let key_a = keys(dir, &["create", "--tenant", "school-a"]);
    let key_b = keys(dir, &["create", "--tenant", "school-b"]);
    let server = EssaydProcess::start_with(dir, &["--http-listen", "127.0.0.1:0"]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let a = school(&channel, &key_a).await;
    let b = school(&channel, &key_b).await;
    (server, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_opens_the_grade_and_job_reports_without_an_api_key() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut a, _b) = start_two_schools(dir.path()).await;
    let http = server.wait_for_logged_addr("http_addr");
    let (essay_id, grade) = graded_essay(&mut a, TEXT).await;

    // The essay's latest grade, when no grade id is given.
    let response = link(&mut a, grade_target(&essay_id, ""), 0).await.unwrap();
    assert!(
        response.url.starts_with(&format!(
            "http://{http}/reports/grades/{essay_id}/{}?tenant=school-a&expires=",
            grade.id
        )),
        "{}",
        response.url
    );
    let expires = response.expire_time.unwrap().seconds;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (3590..=3610).contains(&(expires - now)),
        "an hour by default: {}",
        expires - now
    );
    assert_eq!(param(&response.url, "expires"), expires.to_string());

    let page = get(&response.url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.starts_with("default-src 'none'; style-src 'self';"), "{csp}");
    assert!(!csp.contains("script-src") && !csp.contains("unsafe"), "{csp}");
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    // The essay, escaped; the grade's levels, band and versions.
    assert!(page.body.contains("&lt;script&gt;"), "the essay's markup shows as text");
    assert!(!page.body.contains("<script"), "no script on the page");
    assert!(
        page.body
            .contains(&format!("<span class=\"band\">{}</span>", grade.band))
    );
    for c in &grade.criteria {
        assert!(
            page.body.contains(&format!("id=\"crit-{}\"", c.criterion)),
            "{}",
            c.criterion
        );
    }
    assert!(page.body.contains(&format!(
        "Rubric {} v{} · grader {}",
        grade.rubric_name, grade.rubric_version, grade.grader_version
    )));
    let css = get(&format!("http://{http}/reports/assets/report.css"));
    assert_eq!(
        (css.status, css.header("content-type")),
        (200, Some("text/css; charset=utf-8"))
    );
    assert!(css.body.contains(".essay-panel:has(#show-thesis:not(:checked))"));

    // A job over two essays of the assignment.
    let (second, _) = graded_essay(
        &mut a,
        "Stalin signed the pact in 1939, which shows the policy was a success.",
    )
    .await;
    let job_id = job_of(&mut a, vec![essay_id.clone(), second]).await;
    let job_link = link(
        &mut a,
        Some(v1::create_report_link_request::Target::JobId(job_id.clone())),
        600,
    )
    .await
    .unwrap();
    let page = get(&job_link.url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.body.matches("<svg").count(),
        5,
        "a chart per criterion and one of bands"
    );
    assert!(page.body.contains("<dt>Essays</dt><dd>2</dd>"));
    assert!(page.body.contains("<dt>Graded</dt><dd>2</dd>"));
    assert!(page.body.contains("<dt>Failed</dt><dd>0</dd>"));
    // The CSV link on the page works as it stands.
    let csv_href = page
        .body
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/reports/jobs/{job_id}/results.csv")))
        .and_then(|s| s.split('"').next())
        .expect("a CSV link")
        .replace("&amp;", "&");
    let csv = get(&format!("http://{http}{csv_href}"));
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        rows[0],
        "essay_id,external_id,author_id,author_name,thesis,evidence,historiography,balance,total,max_mark,band,flags,grading_progress,error"
    );
    assert_eq!(rows.len(), 3);
    assert!(rows[1].starts_with(&essay_id), "{}", rows[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_altered_and_other_tenant_links_show_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (server, mut a, mut b) = start_two_schools(dir.path()).await;
    let http = server.wait_for_logged_addr("http_addr");
    let (essay_id, grade) = graded_essay(&mut a, TEXT).await;
    let url = link(&mut a, grade_target(&essay_id, &grade.id), 0).await.unwrap().url;
    assert_eq!(get(&url).status, 200);

    // Forged: the signature changed, or another tenant, expiry or grade put in.
    let sig = param(&url, "sig");
    let flipped = format!("{}{}", if sig.starts_with('A') { "B" } else { "A" }, &sig[1..]);
    assert_refused(&get(&with_param(&url, "sig", &flipped)), 403, "a changed signature");
    assert_refused(&get(&with_param(&url, "sig", "")), 403, "no signature");
    assert_refused(&get(&with_param(&url, "tenant", "school-b")), 403, "another tenant");
    let later = param(&url, "expires").parse::<i64>().unwrap() + 3600;
    assert_refused(
        &get(&with_param(&url, "expires", &later.to_string())),
        403,
        "a later expiry",
    );
    assert_refused(&get(url.split('?').next().unwrap()), 403, "no query at all");

    // Another tenant cannot get a link to A's things, and B's own valid link
    // does not open A's grade when A's ids are put in its path.
    let err = link(&mut b, grade_target(&essay_id, &grade.id), 0).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");
    let (b_essay, b_grade) = graded_essay(&mut b, TEXT).await;
    let b_url = link(&mut b, grade_target(&b_essay, &b_grade.id), 0).await.unwrap().url;
    assert_eq!(get(&b_url).status, 200);
    let swapped = b_url.replace(&b_essay, &essay_id).replace(&b_grade.id, &grade.id);
    assert_refused(&get(&swapped), 403, "B's signature on A's ids");

    // Expired.
    let short = link(&mut a, grade_target(&essay_id, &grade.id), 1).await.unwrap().url;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_refused(&get(&short), 403, "an expired link");

    // Bad requests for links.
    let err = link(&mut a, grade_target(&essay_id, &grade.id), 8 * 24 * 3600)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), violated_field(&err).as_deref()),
        (Code::InvalidArgument, Some("ttl"))
    );
    let err = link(&mut a, None, 0).await.unwrap_err();
    assert_eq!(
        (err.code(), violated_field(&err).as_deref()),
        (Code::InvalidArgument, Some("target"))
    );
    let err = link(&mut a, grade_target("nope", ""), 0).await.unwrap_err();
    assert_eq!(violated_field(&err).as_deref(), Some("grade.essay_id"));

    // A page for something that does not exist is a 404, as is a malformed id.
    assert_refused(
        &get(&format!("http://{http}/reports/grades/nope/nope")),
        404,
        "a malformed id",
    );
    assert_refused(
        &get(&format!("http://{http}/reports/elsewhere")),
        404,
        "another report path",
    );
    // Outside /reports the listener is the JSON API's: a 404 as JSON.
    let elsewhere = get(&format!("http://{http}/elsewhere"));
    assert_eq!(elsewhere.status, 404);
    assert!(elsewhere.body.contains("\"code\":5"), "{}", elsewhere.body);

    // A deleted essay: the link that worked now finds nothing.
    a.essays
        .delete_essay(v1::DeleteEssayRequest { id: essay_id.clone() })
        .await
        .unwrap();
    assert_refused(&get(&url), 404, "a deleted essay");
    let err = link(&mut a, grade_target(&essay_id, ""), 0).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_survive_a_restart_and_reports_are_off_without_http() {
    let dir = tempfile::tempdir().unwrap();
    let key = keys(dir.path(), &["create", "--tenant", "school-a"]);
    let server = EssaydProcess::start_with(dir.path(), &["--http-listen", "127.0.0.1:0"]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut a = school(&channel, &key).await;
    let (essay_id, grade) = graded_essay(&mut a, TEXT).await;
    let url = link(&mut a, grade_target(&essay_id, &grade.id), 0).await.unwrap().url;
    let path = &url[url.find("/reports/").unwrap()..];
    drop(a);
    assert!(server.terminate().success());

    // Restarted (on other ports): the key was kept, so the link still opens.
    let server = EssaydProcess::start_with(dir.path(), &["--http-listen", "127.0.0.1:0"]);
    let http = server.wait_for_logged_addr("http_addr");
    assert_eq!(get(&format!("http://{http}{path}")).status, 200);
    // essayctl prints a link to the essay's latest grade, and its expiry.
    let (ok, out, err) = essayctl(
        &server.endpoint(),
        &["--api-key", &key, "report", &essay_id, "--ttl", "10m"],
    );
    assert!(ok, "{err}");
    let mut lines = out.lines();
    let printed = lines.next().unwrap();
    assert!(
        printed.starts_with(&format!("http://{http}/reports/grades/{essay_id}/{}?", grade.id)),
        "{out}"
    );
    assert!(lines.next().unwrap().starts_with("expires 20"), "{out}");
    assert_eq!(get(printed).status, 200);
    let (ok, _, err) = essayctl(&server.endpoint(), &["--api-key", &key, "report", "--job", "nope"]);
    assert!(!ok && err.contains("job_id"), "{err}");
    assert!(server.terminate().success());

    // Without --http-listen there is nothing to link to.
    let server = EssaydProcess::start_with(dir.path(), &[]);
    let channel = Channel::from_shared(server.endpoint())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut a = school(&channel, &key).await;
    let err = link(&mut a, grade_target(&essay_id, &grade.id), 0).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("--http-listen"), "{}", err.message());
}
