//! The HTTP bindings of the API's RPCs, as their `google.api.http`
//! annotations say (AIP-127): read from the descriptors, with URL path
//! templates parsed and matched here.
//!
//! The build script includes this file too (it writes the OpenAPI document
//! from the same bindings), so it depends on nothing but `prost-reflect`
//! and `percent-encoding`.

use prost_reflect::{DescriptorPool, MethodDescriptor, Value};

/// One RPC reachable over HTTP.
#[derive(Debug, Clone)]
pub struct Binding {
    pub rpc: MethodDescriptor,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub verb: &'static str,
    pub template: PathTemplate,
    /// What the HTTP body holds: nothing, the whole request (`*`), or one
    /// field of it.
    pub body: BodyRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyRule {
    None,
    Whole,
    Field(String),
}

/// A URL path template such as `/v1/essays/{essay_id}:grade`: literal
/// segments, single-segment variables naming (possibly nested) request
/// fields, and an optional custom verb after the last `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    pub raw: String,
    segments: Vec<Segment>,
    verb: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// A dotted field path, e.g. `assignment.id`.
    Field(String),
}

impl PathTemplate {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let rest = raw
            .strip_prefix('/')
            .ok_or_else(|| format!("{raw:?}: a path template starts with /"))?;
        // The custom verb follows the last ':' that is outside braces.
        let mut depth = 0;
        let mut verb_at = None;
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ':' if depth == 0 => verb_at = Some(i),
                _ => {}
            }
        }
        let (path, verb) = match verb_at {
            Some(i) => (&rest[..i], Some(rest[i + 1..].to_owned())),
            None => (rest, None),
        };
        let segments = path
            .split('/')
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(field) if field.contains('=') => {
                    Err(format!("{raw:?}: variables with patterns ({field}) are not supported"))
                }
                Some(field) if !field.is_empty() => Ok(Segment::Field(field.to_owned())),
                Some(_) => Err(format!("{raw:?}: an empty variable")),
                None if s.is_empty() || s.contains(['{', '}']) => Err(format!("{raw:?}: a malformed segment {s:?}")),
                None => Ok(Segment::Literal(s.to_owned())),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            raw: raw.to_owned(),
            segments,
            verb,
        })
    }

    /// Whether the template ends in a custom verb (`…:grade`).
    pub fn has_verb(&self) -> bool {
        self.verb.is_some()
    }

    /// The field paths the template binds, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field(f) => Some(f.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The values a request path binds, percent-decoded, by field path; `None`
    /// if the path does not match. `path` has no query string.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut rest = path.strip_prefix('/')?;
        if let Some(verb) = &self.verb {
            rest = rest.strip_suffix(verb.as_str())?.strip_suffix(':')?;
        }
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut bound = Vec::new();
        for (part, segment) in parts.iter().zip(&self.segments) {
            match segment {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Field(_) if part.is_empty() => return None,
                Segment::Field(f) => {
                    let value = percent_encoding::percent_decode_str(part).decode_utf8().ok()?;
                    bound.push((f.clone(), value.into_owned()));
                }
            }
        }
        Some(bound)
    }
}

/// Every HTTP binding in `pool`'s services (additional bindings included), in
/// the order the services and methods are declared. An RPC without an
/// annotation has no binding (tests/http.rs fails on one of ours).
pub fn bindings(pool: &DescriptorPool) -> Result<Vec<Binding>, String> {
    let Some(http) = pool.get_extension_by_name("google.api.http") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for service in pool.services() {
        for rpc in service.methods() {
            let options = rpc.options();
            if !options.has_extension(&http) {
                continue;
            }
            let Value::Message(rule) = options.get_extension(&http).into_owned() else {
                return Err(format!("{}: google.api.http is not a message", rpc.full_name()));
            };
            push_rule(&rpc, &rule, &mut found)?;
            if let Some(Value::List(more)) = rule.get_field_by_name("additional_bindings").map(|v| v.into_owned()) {
                for extra in more {
                    if let Value::Message(extra) = extra {
                        push_rule(&rpc, &extra, &mut found)?;
                    }
                }
            }
        }
    }
    Ok(found)
}

fn push_rule(
    rpc: &MethodDescriptor,
    rule: &prost_reflect::DynamicMessage,
    found: &mut Vec<Binding>,
) -> Result<(), String> {
    let text = |name: &str| {
        rule.get_field_by_name(name)
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|s| !s.is_empty())
    };
    let (verb, path) = [
        ("GET", "get"),
        ("POST", "post"),
        ("PUT", "put"),
        ("PATCH", "patch"),
        ("DELETE", "delete"),
    ]
    .into_iter()
    .find_map(|(verb, field)| {
        rule.has_field_by_name(field)
            .then(|| text(field).map(|p| (verb, p)))
            .flatten()
    })
    .ok_or_else(|| {
        format!(
            "{}: no supported HTTP verb in its google.api.http rule",
            rpc.full_name()
        )
    })?;
    let template = PathTemplate::parse(&path).map_err(|e| format!("{}: {e}", rpc.full_name()))?;
    let input = rpc.input();
    for field in template.fields() {
        field_path_exists(&input, field).map_err(|e| format!("{}: path variable {e}", rpc.full_name()))?;
    }
    let body = match text("body").as_deref() {
        None => BodyRule::None,
        Some("*") => BodyRule::Whole,
        Some(field) => {
            if input.get_field_by_name(field).is_none() {
                return Err(format!("{}: body names no field {field:?}", rpc.full_name()));
            }
            BodyRule::Field(field.to_owned())
        }
    };
    found.push(Binding {
        rpc: rpc.clone(),
        verb,
        template,
        body,
    });
    Ok(())
}

fn field_path_exists(message: &prost_reflect::MessageDescriptor, path: &str) -> Result<(), String> {
    let mut current = message.clone();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = current
            .get_field_by_name(part)
            .ok_or_else(|| format!("{path:?} names no field of {}", message.full_name()))?;
        if parts.peek().is_some() {
            match field.kind() {
                prost_reflect::Kind::Message(m) => current = m,
                _ => return Err(format!("{path:?}: {part} is not a message")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_bind_fields_and_custom_verbs() {
        let t = PathTemplate::parse("/v1/essays/{essay_id}:grade").unwrap();
        assert_eq!(
            t.matches("/v1/essays/abc:grade"),
            Some(vec![("essay_id".to_owned(), "abc".to_owned())])
        );
        assert_eq!(t.matches("/v1/essays/abc"), None);
        assert_eq!(t.matches("/v1/essays/abc:cancel"), None);
        let t = PathTemplate::parse("/v1:gradeText").unwrap();
        assert_eq!(t.matches("/v1:gradeText"), Some(vec![]));
        assert_eq!(t.matches("/v1/gradeText"), None);
    }

    #[test]
    fn bound_values_are_percent_decoded_and_may_hold_colons_without_a_verb() {
        let t = PathTemplate::parse("/v1/assignments/{id}").unwrap();
        assert_eq!(
            t.matches("/v1/assignments/course:101%2Fweek%203"),
            Some(vec![("id".to_owned(), "course:101/week 3".to_owned())])
        );
        assert_eq!(t.matches("/v1/assignments/"), None);
        assert_eq!(t.matches("/v1/assignments/a/b"), None);
    }

    #[test]
    fn nested_fields_and_malformed_templates() {
        let t = PathTemplate::parse("/v1/assignments/{assignment.id}").unwrap();
        assert_eq!(t.fields().collect::<Vec<_>>(), ["assignment.id"]);
        assert!(PathTemplate::parse("v1/x").is_err());
        assert!(PathTemplate::parse("/v1/{name=shelves/*}").is_err());
        assert!(PathTemplate::parse("/v1//x").is_err());
    }
}
