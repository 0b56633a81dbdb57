//! The web adapter: HTML report pages of a grade or a grading job, for an
//! LMS to show teachers in an iframe. It sits beside the gRPC adapter
//! ([`crate::api`]) over the same core, on an HTTP listener of its own
//! (`--http-listen`, off by default).
//!
//! A browser never holds an API key: every page is reached through a signed,
//! expiring, tenant-scoped link ([`crate::core::ReportLinks`], made by the
//! `CreateReportLink` RPC). A forged, expired or altered link gets a plain
//! 403 page and a missing thing a 404 page, with no data ([`WebError`], the
//! one place web errors become statuses). Pages are rendered by pure
//! functions ([`pages`]); every response carries a strict
//! Content-Security-Policy (only essayd's own stylesheet, no script).

mod charts;
mod highlight;
pub mod pages;

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::get,
};

use crate::core::{
    CoreError, EssayId, EssayView, Essays, GradeId, Grading, GradingJobs, JobId, LinkError, ReportLinks, ReportTarget,
    SignedLink, Similarity, TenantId, unix_now,
};
use pages::{CopyEvidence, GradeReport, JobReport, JobStats, QueueRow};

/// The pages' one stylesheet, served by essayd itself.
const STYLESHEET: &str = include_str!("report.css");
/// The most rows the job report's review queue table shows (the CSV has all).
const MAX_QUEUE_ROWS: usize = 500;

/// The web layer's settings, checked once at start.
#[derive(Clone)]
pub struct WebConfig {
    csp: HeaderValue,
}

impl WebConfig {
    /// `frame_ancestors`: the CSP sources allowed to frame the pages.
    pub fn new(frame_ancestors: &str) -> Result<Self, String> {
        let sources = frame_ancestors.trim();
        if sources.is_empty()
            || sources.contains([';', ','])
            || !sources.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        {
            return Err(format!(
                "--report-frame-ancestors {frame_ancestors:?}: give CSP sources separated by spaces, e.g. https://lms.example.org"
            ));
        }
        let policy = format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {sources}"
        );
        let csp = HeaderValue::from_str(&policy).map_err(|e| format!("--report-frame-ancestors: {e}"))?;
        Ok(Self { csp })
    }
}

/// What the report pages read, through the core.
#[derive(Clone)]
pub struct ReportPages {
    pub links: ReportLinks,
    pub grading: Grading,
    pub essays: Essays,
    pub jobs: GradingJobs,
    pub similarity: Similarity,
    pub config: WebConfig,
}

/// The report pages' routes, under `/reports/`, for the HTTP listener that
/// they share with the JSON API.
pub fn report_router(pages: ReportPages) -> Router {
    let state = Arc::new(pages);
    Router::new()
        .route("/reports/grades/{essay_id}/{grade_id}", get(grade_page))
        .route("/reports/jobs/{job_id}", get(job_page))
        .route("/reports/jobs/{job_id}/results.csv", get(job_csv))
        .route(pages::STYLESHEET_PATH, get(stylesheet))
        // Any other page under /reports is a plain 404 page, not the JSON
        // API's error.
        .route("/reports/{*rest}", get(|| async { WebError::NotFound }))
        .layer(middleware::map_response_with_state(state.clone(), security_headers))
        .with_state(state)
}

/// Why a page is not shown. Each maps to one status and one plain page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("link refused: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<CoreError> for WebError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound { .. } => WebError::NotFound,
            CoreError::Unavailable(d) | CoreError::StorageFull(d) => WebError::Unavailable(d),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<LinkError> for WebError {
    fn from(e: LinkError) -> Self {
        WebError::Forbidden(match e {
            LinkError::BadSignature => "bad signature",
            LinkError::Expired => "expired",
        })
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            WebError::Forbidden(reason) => {
                tracing::info!(reason, "report link refused");
                (
                    StatusCode::FORBIDDEN,
                    "This link is not valid",
                    "The link is wrong or has expired. Open the report again from your learning platform to get a new link.",
                )
            }
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Report not found",
                "There is no such report: the essay, grade or job may have been deleted.",
            ),
            WebError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "report page: storage unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again shortly",
                    "The report cannot be read right now. Reload the page in a minute.",
                )
            }
            WebError::Internal(detail) => {
                tracing::error!(error = %detail, "report page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The report could not be shown. The server's log has the details.",
                )
            }
        };
        (status, Html(pages::error_page(title, message))).into_response()
    }
}

/// Every response: the strict CSP, no sniffing, no referrer (a link's
/// signature must not leak to other sites), and pages never cached.
async fn security_headers(State(pages): State<Arc<ReportPages>>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, pages.config.csp.clone());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("private, no-store"));
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// A link's query: every field optional, so that a missing or malformed one
/// is a plain 403 rather than the framework's error text.
#[derive(Debug, serde::Deserialize)]
struct LinkQuery {
    tenant: Option<String>,
    expires: Option<String>,
    sig: Option<String>,
}

/// The tenant a link grants, once its signature and expiry check out.
fn authorize(
    pages: &ReportPages,
    target: ReportTarget,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<SignedLink, WebError> {
    let Ok(Query(q)) = query else {
        return Err(WebError::Forbidden("malformed query"));
    };
    let (Some(tenant), Some(expires), Some(signature)) = (q.tenant, q.expires, q.sig) else {
        return Err(WebError::Forbidden("missing tenant, expires or sig"));
    };
    let tenant = TenantId::parse(&tenant).map_err(|_| WebError::Forbidden("malformed tenant"))?;
    let expires = expires.parse().map_err(|_| WebError::Forbidden("malformed expires"))?;
    let link = SignedLink {
        tenant,
        target,
        expires,
        signature,
    };
    pages.links.signer().verify(&link, unix_now())?;
    Ok(link)
}

/// An id from the path, read by `parse` (`EssayId::parse`, …); a malformed
/// one names nothing, so it is a 404.
fn path_id<T>(raw: &str, parse: fn(&str, &str) -> Result<T, CoreError>) -> Result<T, WebError> {
    parse("id", raw).map_err(|_| WebError::NotFound)
}

/// Runs a page's store reads and rendering on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, WebError> + Send + 'static) -> Result<T, WebError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WebError::Internal(format!("page task failed: {e}")))?
}

async fn grade_page(
    State(pages): State<Arc<ReportPages>>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Html<String>, WebError> {
    let Path((essay, grade)) = path.map_err(|_| WebError::NotFound)?;
    let (essay_id, grade_id) = (path_id(&essay, EssayId::parse)?, path_id(&grade, GradeId::parse)?);
    let link = authorize(&pages, ReportTarget::Grade { essay_id, grade_id }, query)?;
    let html = blocking(move || render_grade(&pages, &link.tenant, essay_id, grade_id)).await?;
    Ok(Html(html))
}

/// Reads what a grade report shows and renders it.
fn render_grade(
    pages: &ReportPages,
    tenant: &TenantId,
    essay_id: EssayId,
    grade_id: GradeId,
) -> Result<String, WebError> {
    let grade = pages.grading.get(tenant, essay_id, grade_id)?;
    let essay = pages.essays.get(tenant, essay_id, EssayView::Basic)?;
    let text = pages.essays.text(tenant, essay_id)?;
    let copies = grade
        .copied_from
        .iter()
        .map(|&other| {
            Ok(CopyEvidence {
                other,
                found: pages.similarity.shared_with(tenant, &text, other)?,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    Ok(pages::grade_report(&GradeReport {
        grade: &grade,
        essay: &essay,
        text: &text,
        copies: &copies,
    }))
}

async fn job_page(
    State(pages): State<Arc<ReportPages>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Html<String>, WebError> {
    let Path(job) = path.map_err(|_| WebError::NotFound)?;
    let job_id = path_id(&job, JobId::parse)?;
    let link = authorize(&pages, ReportTarget::Job(job_id), query)?;
    let html = blocking(move || render_job(&pages, &link, job_id)).await?;
    Ok(Html(html))
}

/// Every result of a job, a page at a time, to `each`.
fn for_each_result(
    pages: &ReportPages,
    tenant: &TenantId,
    job_id: JobId,
    mut each: impl FnMut(&crate::core::JobResult),
) -> Result<(), WebError> {
    let mut from = 0;
    loop {
        let page = pages.jobs.results(tenant, job_id, from, 1000)?;
        for r in &page.items {
            each(r);
            from = r.sequence + 1;
        }
        if !page.more || page.items.is_empty() {
            return Ok(());
        }
    }
}

/// Reads a job and its results and renders its report. The queue's links
/// to grade reports expire with the job's link that opened the page.
fn render_job(pages: &ReportPages, link: &SignedLink, job_id: JobId) -> Result<String, WebError> {
    let tenant = &link.tenant;
    let job = pages.jobs.get(tenant, job_id)?;
    let mut stats = JobStats::default();
    let mut queue = Vec::new();
    let mut queue_total = 0;
    for_each_result(pages, tenant, job_id, |r| {
        stats.add(r);
        let Ok(view) = &r.outcome else { return };
        let (Some(grade_id), true) = (view.id, view.grade.needs_review) else {
            return;
        };
        queue_total += 1;
        if queue.len() < MAX_QUEUE_ROWS {
            let grade_link = pages.links.signer().sign(
                tenant,
                ReportTarget::Grade {
                    essay_id: r.essay_id,
                    grade_id,
                },
                link.expires,
            );
            queue.push(QueueRow {
                essay_id: r.essay_id,
                external_id: r.external_id.clone(),
                author: r.author.display_name.clone(),
                // The final mark: the teacher's once reviewed.
                total: view.review.as_ref().map_or(view.grade.total, |r| r.total),
                max_mark: view.grade.max_mark,
                band: view.review.as_ref().map_or(&view.grade.band, |r| &r.band).clone(),
                flags: view.grade.flags.iter().map(|f| f.as_str()).collect(),
                confidence: view.grade.confidence,
                reviewed: view.review.is_some(),
                href: grade_link.path_and_query(),
            });
        }
    })?;
    // Pending first; a stable sort keeps the job's order within each.
    queue.sort_by_key(|row| row.reviewed);
    let csv_href = format!("{}/results.csv{}", link.path(), link.query());
    Ok(pages::job_report(&JobReport {
        job: &job,
        stats: &stats,
        queue_more: queue_total - queue.len(),
        queue: &queue,
        csv_href: &csv_href,
    }))
}

async fn job_csv(
    State(pages): State<Arc<ReportPages>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Path(job) = path.map_err(|_| WebError::NotFound)?;
    let job_id = path_id(&job, JobId::parse)?;
    let link = authorize(&pages, ReportTarget::Job(job_id), query)?;
    let csv = blocking(move || {
        pages.jobs.get(&link.tenant, job_id)?;
        let mut csv = format!("{}\n", crate::core::results_csv::HEADER);
        for_each_result(&pages, &link.tenant, job_id, |r| csv.push_str(&pages::csv_row(r)))?;
        Ok(csv)
    })
    .await?;
    let disposition = format!("attachment; filename=\"job-{job_id}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}
