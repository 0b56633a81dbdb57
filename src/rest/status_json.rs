//! Errors over HTTP: a gRPC status as the `google.rpc.Status` JSON (code,
//! message, and its details with their `@type`s), sent with the HTTP status
//! that its code maps to (as google.rpc.Code documents it).

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value as Json, json};
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::core::CoreError;

/// The HTTP status of a gRPC code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An INVALID_ARGUMENT status naming `field` (a request's field path, a
/// query parameter, or `body`), made as the gRPC API's own are: from a
/// core error, through the one mapping to `Status`.
pub fn invalid(field: &str, description: impl Into<String>) -> Status {
    CoreError::invalid(field, "INVALID_JSON_REQUEST", description).into()
}

/// The `google.rpc.Status` JSON of `status`.
pub fn body(status: &Status) -> Json {
    let d = status.get_error_details();
    let mut details = Vec::new();
    if let Some(info) = d.error_info() {
        details.push(json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": info.reason, "domain": info.domain, "metadata": info.metadata,
        }));
    }
    if let Some(bad) = d.bad_request() {
        let violations: Vec<Json> = bad
            .field_violations
            .iter()
            .map(|v| json!({"field": v.field, "description": v.description}))
            .collect();
        details.push(json!({"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}));
    }
    if let Some(pre) = d.precondition_failure() {
        let violations: Vec<Json> = pre
            .violations
            .iter()
            .map(|v| json!({"type": v.r#type, "subject": v.subject, "description": v.description}))
            .collect();
        details.push(json!({"@type": "type.googleapis.com/google.rpc.PreconditionFailure", "violations": violations}));
    }
    if let Some(res) = d.resource_info() {
        details.push(json!({
            "@type": "type.googleapis.com/google.rpc.ResourceInfo",
            "resourceType": res.resource_type, "resourceName": res.resource_name,
            "owner": res.owner, "description": res.description,
        }));
    }
    if let Some(retry) = d.retry_info().and_then(|r| r.retry_delay) {
        details.push(json!({
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            "retryDelay": format!("{}s", retry.as_secs_f64()),
        }));
    }
    json!({"code": status.code() as i32, "message": status.message(), "details": details})
}

/// `status` as an HTTP response.
pub fn response(status: &Status) -> Response {
    (
        http_status(status.code()),
        [(header::CONTENT_TYPE, "application/json")],
        body(status).to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_argument_is_a_400_naming_the_field() {
        let status = invalid("essay.text", "must contain some text");
        let json = body(&status);
        assert_eq!(json["code"], 3);
        assert_eq!(json["details"][1]["@type"], "type.googleapis.com/google.rpc.BadRequest");
        assert_eq!(json["details"][1]["fieldViolations"][0]["field"], "essay.text");
        assert_eq!(response(&status).status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn codes_map_to_the_documented_http_statuses() {
        assert_eq!(http_status(Code::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(http_status(Code::Unauthenticated), StatusCode::UNAUTHORIZED);
        assert_eq!(http_status(Code::ResourceExhausted), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(http_status(Code::AlreadyExists), StatusCode::CONFLICT);
        assert_eq!(http_status(Code::FailedPrecondition), StatusCode::BAD_REQUEST);
        assert_eq!(http_status(Code::Unavailable), StatusCode::SERVICE_UNAVAILABLE);
    }
}
