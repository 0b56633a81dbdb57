//! Measuring the grader against examiners.
//!
//! - [`agreement`]: exact and adjacent agreement, quadratic weighted kappa, Spearman.
//! - [`history`]: the history cases-file format, and the evaluation that grades every case and
//!   checks every relation (ladders, drops, not-higher, at-most).

pub mod agreement;
pub mod history;
