//! The OpenAPI 3 document of the HTTP/JSON API, made from the protos'
//! HTTP bindings and messages. The build script includes this file and
//! writes the document once, at build time; the server serves that text at
//! `/v1/openapi.json`.

use std::collections::BTreeMap;

use prost_reflect::{Kind, MessageDescriptor};
use serde_json::{Value as Json, json};

use super::http_rule::{Binding, BodyRule};

/// The document for `bindings`, titled with the crate's `version`.
pub fn document(bindings: &[Binding], version: &str) -> Json {
    let mut schemas = BTreeMap::new();
    let mut paths: BTreeMap<String, serde_json::Map<String, Json>> = BTreeMap::new();
    for b in bindings {
        let input = b.rpc.input();
        let path_fields: Vec<&str> = b.template.fields().collect();
        let mut parameters: Vec<Json> = path_fields
            .iter()
            .map(|f| json!({"name": f, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut operation = serde_json::Map::new();
        operation.insert(
            "operationId".into(),
            json!(format!("{}_{}", b.rpc.parent_service().name(), b.rpc.name())),
        );
        operation.insert("tags".into(), json!([b.rpc.parent_service().name()]));
        operation.insert("summary".into(), json!(b.rpc.full_name()));
        match &b.body {
            BodyRule::None => {
                // Every top-level field not bound by the path is a query parameter.
                for field in input.fields() {
                    if path_fields.contains(&field.name()) {
                        continue;
                    }
                    let mut schema = field_schema(&field, &mut schemas);
                    if field.is_list() {
                        schema = json!({"type": "array", "items": schema["items"].clone()});
                    }
                    parameters.push(json!({"name": field.json_name(), "in": "query", "schema": schema}));
                }
            }
            BodyRule::Whole => {
                operation.insert("requestBody".into(), request_body(message_ref(&input, &mut schemas)));
            }
            BodyRule::Field(name) => {
                if let Some(field) = input.get_field_by_name(name) {
                    operation.insert("requestBody".into(), request_body(field_schema(&field, &mut schemas)));
                }
            }
        }
        operation.insert("parameters".into(), Json::Array(parameters));
        let output = message_ref(&b.rpc.output(), &mut schemas);
        let ok = if b.rpc.is_server_streaming() {
            json!({"description": "One JSON message a line (application/x-ndjson); an error ends the stream with a line {\"error\": Status}.",
                   "content": {"application/x-ndjson": {"schema": output}}})
        } else {
            json!({"description": "OK", "content": {"application/json": {"schema": output}}})
        };
        operation.insert(
            "responses".into(),
            json!({
                "200": ok,
                "default": {"description": "An error: the google.rpc.Status JSON, with the HTTP status its code maps to.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/google.rpc.Status"}}}}
            }),
        );
        paths
            .entry(b.template.raw.clone())
            .or_default()
            .insert(b.verb.to_lowercase(), Json::Object(operation));
    }
    schemas.insert(
        "google.rpc.Status".into(),
        json!({
            "type": "object",
            "properties": {
                "code": {"type": "integer", "format": "int32", "description": "The google.rpc.Code."},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object", "properties": {"@type": {"type": "string"}}, "additionalProperties": true}}
            }
        }),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "essayd",
            "version": version,
            "description": "The essay.v1 API as JSON over HTTP: the same RPCs as gRPC (AIP-127 bindings), proto3 JSON bodies, `authorization: Bearer` API keys."
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas
        }
    })
}

fn request_body(schema: Json) -> Json {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// A `$ref` to `message`'s schema, added to `schemas` (with the messages it
/// uses) if it is not there yet; well-known types as their JSON forms.
fn message_ref(message: &MessageDescriptor, schemas: &mut BTreeMap<String, Json>) -> Json {
    if let Some(wkt) = well_known(message.full_name()) {
        return wkt;
    }
    let name = message.full_name().to_owned();
    if !schemas.contains_key(&name) {
        schemas.insert(name.clone(), Json::Null); // reserved: recursion stops here
        let mut properties = serde_json::Map::new();
        for field in message.fields() {
            properties.insert(field.json_name().to_owned(), field_schema(&field, schemas));
        }
        schemas.insert(name.clone(), json!({"type": "object", "properties": properties}));
    }
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn field_schema(field: &prost_reflect::FieldDescriptor, schemas: &mut BTreeMap<String, Json>) -> Json {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return json!({"type": "object"});
        };
        let value = entry.map_entry_value_field();
        return json!({"type": "object", "additionalProperties": kind_schema(&value.kind(), schemas)});
    }
    let schema = kind_schema(&field.kind(), schemas);
    if field.is_list() {
        json!({"type": "array", "items": schema})
    } else {
        schema
    }
}

fn kind_schema(kind: &Kind, schemas: &mut BTreeMap<String, Json>) -> Json {
    match kind {
        Kind::Double | Kind::Float => json!({"type": "number"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => json!({"type": "integer", "format": "int32"}),
        Kind::Uint32 | Kind::Fixed32 => json!({"type": "integer", "format": "int64", "minimum": 0}),
        // proto3 JSON writes 64-bit integers as strings.
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => {
            json!({"type": "string", "format": "int64"})
        }
        Kind::Bool => json!({"type": "boolean"}),
        Kind::String => json!({"type": "string"}),
        Kind::Bytes => json!({"type": "string", "format": "byte"}),
        Kind::Enum(e) => json!({"type": "string", "enum": e.values().map(|v| v.name().to_owned()).collect::<Vec<_>>()}),
        Kind::Message(m) => message_ref(m, schemas),
    }
}

fn well_known(name: &str) -> Option<Json> {
    Some(match name {
        "google.protobuf.Timestamp" => json!({"type": "string", "format": "date-time"}),
        "google.protobuf.Duration" => json!({"type": "string", "example": "1.5s"}),
        "google.protobuf.FieldMask" => json!({"type": "string", "example": "title,question"}),
        "google.protobuf.Empty" => json!({"type": "object"}),
        "google.protobuf.Struct" => json!({"type": "object", "additionalProperties": true}),
        "google.protobuf.Value" => json!({}),
        "google.protobuf.StringValue" => json!({"type": "string"}),
        "google.protobuf.BoolValue" => json!({"type": "boolean"}),
        "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => json!({"type": "number"}),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => json!({"type": "integer"}),
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => json!({"type": "string", "format": "int64"}),
        _ => return None,
    })
}
