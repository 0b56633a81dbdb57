//! The `/metrics` HTTP endpoint, on its own listener so that it can stay
//! inside a cluster while the gRPC port faces callers.

use axum::{
    Router,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::net::TcpListener;

use super::Metrics;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `GET /metrics` on `listener` until the task is dropped or aborted.
pub async fn serve_metrics(metrics: Metrics, listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new().route("/metrics", get(move || scrape(metrics.clone())));
    axum::serve(listener, app).await
}

async fn scrape(metrics: Metrics) -> Response {
    match tokio::task::spawn_blocking(move || metrics.encode()).await {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot encode metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "metrics task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
