//! The same API as JSON over HTTP: every RPC of `essay.v1` at the path its
//! `google.api.http` annotation gives (AIP-127), for clients that cannot
//! speak gRPC (a Moodle plugin in PHP, a Canvas integration in Ruby).
//!
//! Nothing here knows an RPC by name. [`Gateway`] reads the bindings from the
//! descriptor set, turns a request's path variables, query parameters and
//! JSON body into the RPC's request message (proto3 JSON mapping, through
//! `prost-reflect`), and calls the gRPC service in-process, through the same
//! tower layers as a gRPC call (metrics, the in-flight limit) and the same
//! API-key interceptor — so keys, limits, deadlines (`grpc-timeout`),
//! metrics and tenant isolation are the gRPC ones. An RPC added to the
//! protos with an annotation is served with no new code here.
//!
//! Responses are the response message in proto3 JSON with every field
//! present (defaults included); server streams are newline-delimited JSON,
//! one message a line, ended by a line `{"error": Status}` if the stream
//! fails. Errors are the `google.rpc.Status` JSON with the HTTP status that
//! its code maps to ([`status_json`]).

pub mod http_rule;
pub mod openapi;
mod raw_codec;
pub mod status_json;

use std::{convert::Infallible, str::FromStr, sync::Arc, time::Duration};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};
use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage, Kind, MessageDescriptor, SerializeOptions};
use serde_json::{Map, Value as Json};
use tokio_stream::StreamExt;
use tonic::Status;
use tower::util::BoxCloneSyncService;

use self::{
    http_rule::{Binding, BodyRule},
    raw_codec::RawCodec,
};

/// The OpenAPI 3 document, written by the build script from the protos.
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// The gRPC services as the gateway calls them: in-process, with the
/// server's layers.
pub type GrpcService =
    BoxCloneSyncService<http::Request<tonic::body::Body>, http::Response<tonic::body::Body>, Infallible>;

#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    bindings: Vec<Binding>,
    grpc: GrpcService,
    /// The largest body accepted, as for a gRPC message.
    max_body_bytes: usize,
    /// The longest a call may take (`--request-timeout-secs`); a caller's
    /// shorter `grpc-timeout` header is honoured, as over gRPC.
    request_timeout: Duration,
}

impl Gateway {
    /// A gateway over `grpc` for the bindings of `descriptor_set`.
    pub fn new(
        descriptor_set: &[u8],
        grpc: GrpcService,
        max_body_bytes: usize,
        request_timeout: Duration,
    ) -> Result<Self, String> {
        let pool = DescriptorPool::decode(descriptor_set).map_err(|e| format!("descriptor set: {e}"))?;
        let mut bindings = http_rule::bindings(&pool)?;
        // A custom verb is the more specific match: `/v1/jobs/{job_id}:watch`
        // before `/v1/jobs/{id}`, whose id would otherwise take the `:watch`.
        bindings.sort_by_key(|b| !b.template.has_verb());
        Ok(Self {
            inner: Arc::new(Inner {
                bindings,
                grpc,
                max_body_bytes,
                request_timeout,
            }),
        })
    }

    /// The HTTP routes: `/v1/openapi.json` and every binding.
    pub fn router(self) -> Router {
        let limit = self.inner.max_body_bytes;
        Router::new()
            .route("/v1/openapi.json", get(openapi))
            .fallback(transcode)
            .layer(DefaultBodyLimit::max(limit))
            .with_state(self)
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

/// One HTTP request: find its binding, build the RPC's request, call it, and
/// answer with its response as JSON.
async fn transcode(
    State(gateway): State<Gateway>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let mut path_matched = false;
    let mut found = None;
    for b in &gateway.inner.bindings {
        if let Some(bound) = b.template.matches(path) {
            path_matched = true;
            if b.verb == method.as_str() {
                found = Some((b, bound));
                break;
            }
        }
    }
    let Some((binding, bound)) = found else {
        return if path_matched {
            let mut response =
                status_json::response(&Status::unimplemented(format!("{method} is not allowed on {path}")));
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
        } else {
            status_json::response(&Status::not_found(format!(
                "no API method at {method} {path}; see /v1/openapi.json"
            )))
        };
    };
    let request = match request_message(binding, &bound, uri.query().unwrap_or(""), &body) {
        Ok(m) => m,
        Err(status) => return status_json::response(&status),
    };
    call(&gateway, binding, request, &headers).await
}

/// The RPC's request: the JSON body (whole, or as one field), then the path
/// variables and query parameters over it, read with the proto3 JSON mapping.
fn request_message(
    binding: &Binding,
    bound: &[(String, String)],
    query: &str,
    body: &[u8],
) -> Result<DynamicMessage, Status> {
    let input = binding.rpc.input();
    let body_json = || -> Result<Json, Status> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Json::Object(Map::new()));
        }
        serde_json::from_slice(body).map_err(|e| status_json::invalid("body", format!("is not JSON: {e}")))
    };
    let mut root = match &binding.body {
        BodyRule::None => Map::new(),
        BodyRule::Whole => match body_json()? {
            Json::Object(o) => o,
            _ => return Err(status_json::invalid("body", "must be a JSON object")),
        },
        BodyRule::Field(field) => {
            let mut root = Map::new();
            let json_name = input
                .get_field_by_name(field)
                .map(|f| f.json_name().to_owned())
                .unwrap_or_else(|| field.clone());
            root.insert(json_name, body_json()?);
            root
        }
    };
    for (field, value) in bound {
        set_field(&input, &mut root, field, value, false).map_err(|e| status_json::invalid(field, e))?;
    }
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        set_field(&input, &mut root, &key, &value, true).map_err(|e| status_json::invalid(&key, e))?;
    }
    DynamicMessage::deserialize_with_options(input, Json::Object(root), &DeserializeOptions::new())
        .map_err(|e| status_json::invalid("body", e.to_string()))
}

/// Sets `path` (dotted, proto or JSON field names) in `root` to `raw`, a
/// value from the URL: a string, which the proto3 JSON mapping accepts for
/// every scalar but `bool`, and for enums and the well-known types. A query
/// parameter given twice fills a repeated field.
fn set_field(
    message: &MessageDescriptor,
    root: &mut Map<String, Json>,
    path: &str,
    raw: &str,
    repeatable: bool,
) -> Result<(), String> {
    let mut current = message.clone();
    let mut object = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = current
            .get_field_by_name(part)
            .or_else(|| current.get_field_by_json_name(part))
            .ok_or_else(|| format!("{} has no field {part:?}", current.name()))?;
        // One key per field, its JSON name: a body may use either name.
        let key = field.json_name().to_owned();
        if field.name() != key
            && let Some(v) = object.remove(field.name())
        {
            object.entry(key.clone()).or_insert(v);
        }
        if parts.peek().is_some() {
            let Kind::Message(inner) = field.kind() else {
                return Err(format!("{part} is not a message"));
            };
            current = inner;
            let slot = object.entry(key).or_insert_with(|| Json::Object(Map::new()));
            if !slot.is_object() {
                *slot = Json::Object(Map::new());
            }
            object = slot.as_object_mut().ok_or("not an object")?;
            continue;
        }
        let value = match field.kind() {
            Kind::Bool => Json::Bool(match raw {
                "true" | "1" => true,
                "false" | "0" | "" => false,
                other => return Err(format!("{other:?} is not true or false")),
            }),
            _ => Json::String(raw.to_owned()),
        };
        // A value from the path replaces the body's.
        if field.is_list() && repeatable {
            match object.entry(key).or_insert_with(|| Json::Array(Vec::new())) {
                Json::Array(items) => items.push(value),
                slot => *slot = Json::Array(vec![value]),
            }
        } else if field.is_list() {
            object.insert(key, Json::Array(vec![value]));
        } else {
            object.insert(key, value);
        }
    }
    Ok(())
}

/// Calls the binding's RPC in-process with the caller's API key and
/// deadline, and answers with its response (or stream) as JSON.
async fn call(gateway: &Gateway, binding: &Binding, request: DynamicMessage, headers: &HeaderMap) -> Response {
    let rpc = &binding.rpc;
    let Ok(path) = http::uri::PathAndQuery::from_str(&format!("/{}/{}", rpc.parent_service().full_name(), rpc.name()))
    else {
        return status_json::response(&Status::internal("bad RPC path"));
    };
    let mut grpc_request = tonic::Request::new(Bytes::from(prost::Message::encode_to_vec(&request)));
    if let Some(value) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
    {
        grpc_request.metadata_mut().insert("authorization", value);
    }
    // The gRPC server enforces deadlines in its transport, which an
    // in-process call does not pass through: the gateway does it here.
    let deadline = match headers
        .get("grpc-timeout")
        .map(|v| v.to_str().ok().and_then(grpc_timeout))
    {
        Some(None) => {
            return status_json::response(&status_json::invalid(
                "grpc-timeout",
                "is not a gRPC timeout such as 5S or 250m",
            ));
        }
        Some(Some(d)) => d.min(gateway.inner.request_timeout),
        None => gateway.inner.request_timeout,
    };
    let expired = || Status::deadline_exceeded(format!("the call took longer than its {deadline:?} deadline"));
    let mut client = tonic::client::Grpc::new(gateway.inner.grpc.clone());
    if let Err(e) = client.ready().await {
        return status_json::response(&Status::unavailable(format!("the service is not ready: {e}")));
    }
    let output = rpc.output();
    if rpc.is_server_streaming() {
        let stream = match tokio::time::timeout(deadline, client.server_streaming(grpc_request, path, RawCodec)).await {
            Ok(Ok(response)) => response.into_inner(),
            Ok(Err(status)) => return status_json::response(&status),
            Err(_) => return status_json::response(&expired()),
        };
        let lines = stream.map(move |item| {
            let mut line = match item {
                Ok(bytes) => to_json(&output, bytes).unwrap_or_else(|status| error_line(&status)),
                Err(status) => error_line(&status),
            };
            line.push(b'\n');
            Ok::<_, Infallible>(Bytes::from(line))
        });
        return (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"))],
            Body::from_stream(lines),
        )
            .into_response();
    }
    match tokio::time::timeout(deadline, client.unary(grpc_request, path, RawCodec)).await {
        Ok(Ok(response)) => match to_json(&output, response.into_inner()) {
            Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
            Err(status) => status_json::response(&status),
        },
        Ok(Err(status)) => status_json::response(&status),
        Err(_) => status_json::response(&expired()),
    }
}

/// A `grpc-timeout` header's value (`5S`, `250m`, …: at most 8 digits and a
/// unit of H, M, S, m, u or n), as a duration.
fn grpc_timeout(raw: &str) -> Option<Duration> {
    let (digits, unit) = raw.split_at(raw.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// A response message as proto3 JSON, with fields at their defaults too (so
/// that a client reads `"failed": 0`, not a missing key).
fn to_json(output: &MessageDescriptor, bytes: Bytes) -> Result<Vec<u8>, Status> {
    let message = DynamicMessage::decode(output.clone(), bytes)
        .map_err(|e| Status::internal(format!("cannot decode the response: {e}")))?;
    let mut out = serde_json::Serializer::new(Vec::new());
    message
        .serialize_with_options(&mut out, &SerializeOptions::new().skip_default_fields(false))
        .map_err(|e| Status::internal(format!("cannot write the response as JSON: {e}")))?;
    Ok(out.into_inner())
}

fn error_line(status: &Status) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "error": status_json::body(status) })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(rpc: &str) -> Binding {
        let pool = DescriptorPool::decode(crate::proto::FILE_DESCRIPTOR_SET).unwrap();
        http_rule::bindings(&pool)
            .unwrap()
            .into_iter()
            .find(|b| b.rpc.name() == rpc)
            .unwrap()
    }

    #[test]
    fn a_nested_path_variable_keeps_the_body_it_lands_in() {
        let b = binding("SetExemplar");
        let bound = vec![("exemplar.essay_id".to_owned(), "e-1".to_owned())];
        let body = br#"{"scores": [{"trait": "holistic", "score": 4}], "marked_by": "t"}"#;
        let m = request_message(&b, &bound, "", body).unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["exemplar"]["essayId"], "e-1");
        assert_eq!(json["exemplar"]["scores"][0]["score"], 4);
        assert_eq!(json["exemplar"]["markedBy"], "t");
    }

    #[test]
    fn query_parameters_fill_fields_by_either_name_and_repeat_into_lists() {
        let b = binding("ListEssays");
        let m = request_message(&b, &[], "assignment_id=hw1&pageSize=5", b"").unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["assignmentId"], "hw1");
        assert_eq!(json["pageSize"], 5);
        let err = request_message(&b, &[], "nope=1", b"").unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        let err = request_message(&b, &[], "pageSize=ten", b"").unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }

    #[test]
    fn grpc_timeouts_are_read_as_the_grpc_spec_writes_them() {
        assert_eq!(grpc_timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(grpc_timeout("2H"), Some(Duration::from_secs(7200)));
        for bad in ["", "S", "5", "5s", "123456789S", "-1S", "1.5S"] {
            assert_eq!(grpc_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_path_value_wins_over_the_bodys() {
        let b = binding("GradeEssay");
        let bound = vec![("essay_id".to_owned(), "from-path".to_owned())];
        let m = request_message(&b, &bound, "", br#"{"essay_id": "from-body", "question": "Q?"}"#).unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["essayId"], "from-path");
        assert_eq!(json["question"], "Q?");
    }
}
