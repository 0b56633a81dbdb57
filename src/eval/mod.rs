//! Measuring the grader against examiners.
//!
//! - [`agreement`]: exact and adjacent agreement, quadratic weighted kappa, Spearman.
//! - [`history`]: the history cases-file format, and the evaluation that grades every case and
//!   checks every relation (ladders, drops, not-higher, at-most).
//! - [`asap_files`]: reading the ASAP fold files used by benchmarks and evaluations.

pub mod agreement;
pub mod asap_files;
pub mod history;
