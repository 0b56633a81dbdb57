//! essayd stores student essays and grades them against a rubric, over gRPC.
//!
//! The map, top to bottom:
//! - [`api`]: the tonic handlers of `essay.v1` — decode, validate into core
//!   types, call the core, encode; core errors become gRPC statuses in one
//!   place ([`api::status`]).
//! - [`core`]: essays and assignments in plain Rust — validation of what
//!   callers send, computed metadata ([`core::text_metrics`]), import of
//!   essay-site pages ([`core::essay_site`]). No tonic, no sled.
//! - [`web`]: the HTML adapter beside [`api`] — grade and job report pages
//!   for LMS iframes on an HTTP listener of their own, reached through signed,
//!   expiring links ([`core::ReportLinks`]); templates are pure functions
//!   ([`web::pages`]).
//! - [`store`]: the [`store::Store`] trait the core talks to and its sled
//!   implementation, with group commit so that an acknowledged write is on disk.
//! - [`startup`]: builds the application from a [`config::ServerConfig`] and a
//!   listener (the binary and the tests run the same code); [`shutdown`] and
//!   [`telemetry`] are its small helpers; [`metrics`] is the optional
//!   Prometheus endpoint (requests by RPC and code, grades, jobs, store size).
//! - [`grader`]: the history-rubric grader, a pure library (text, question and
//!   rubric in; levels, feedback, spans, flags out; no I/O), and [`eval`], which
//!   measures it against examiner levels.
//! - [`calibration`]: learned scoring models trained from essays a teacher
//!   has marked (TF-IDF and writing features, ridge, QWK-fitted cut points).
//! - [`copies`]: copy detection — winnowing fingerprints over normalised text
//!   (quotations left out) and the shared passages between two essays.
//! - [`rest`]: the same API as JSON over HTTP, transcoded by the protos'
//!   `google.api.http` annotations and served beside gRPC
//!   (`--http-listen`), with its OpenAPI document.
//! - [`cli`]: `essayctl`, the command-line client, with its load tool.
//! - [`proto`]: the generated API.

//!
//! The grader is usable on its own, without the service:
//!
//! ```
//! use essayd::grader::{Criterion, Rubric, grade};
//!
//! let essay = "Soviet foreign policy between 1925 and 1945 was largely successful, because the USSR \
//!              survived the war. In 1939 the Nazi-Soviet Pact bought time; however, Geoffrey Roberts \
//!              argues that Stalin misjudged Hitler.";
//! let grade = grade(essay, "How successful was Soviet foreign policy in the years 1925–1945?", &Rubric::history_default())
//!     .expect("a non-empty essay is graded");
//! assert_eq!(grade.criteria.len(), 4);
//! assert!(grade.level(Criterion::Evidence) >= 1);
//! // Every span is a byte range of the text, on character boundaries.
//! for span in grade.criteria.iter().flat_map(|c| &c.spans) {
//!     assert!(essay.is_char_boundary(span.start) && essay.is_char_boundary(span.end));
//! }
//! ```

pub mod admin;
pub mod api;
pub mod calibration;
pub mod cli;
pub mod config;
pub mod copies;
pub mod core;
pub mod eval;
pub mod grader;
pub mod metrics;
pub mod proto;
pub mod rest;
pub mod shutdown;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
