//! Measuring the grader against examiners.
//!
//! - [`agreement`]: exact and adjacent agreement, quadratic weighted kappa, Spearman.
//! - [`arguments`]: argument spans against the annotations of argument-annotated essays
//!   (major claims, claims, counter-arguments).
//! - [`history`]: the history cases-file format, and the evaluation that grades every case and
//!   checks every relation (ladders, drops, not-higher, at-most).
//! - [`copies`]: planted copies among the ASAP essays: recall, false positives, lookup latency.
//! - [`asap`]: the ASAP protocol for learned scoring models (train on four folds, score the fifth).

pub mod agreement;
pub mod arguments;
pub mod asap;
pub mod copies;
pub mod history;
