//! The core: essays, assignments, rubrics and grading in plain Rust. It knows the [`Store`]
//! trait below it and nothing of gRPC above it.
//!
//! [`Store`]: crate::store::Store

mod api_keys;
mod assignments;
mod calibration;
mod error;
pub mod essay;
pub mod essay_site;
mod essays;
mod grading;
mod ids;
mod jobs;
mod report_links;
pub mod results_csv;
mod rubrics;
mod similarity;
mod stats;
pub mod text_metrics;
mod time_us;

pub use api_keys::{ApiKey, ApiKeys, AuthError};
pub use assignments::{Assignment, AssignmentField, AssignmentFields, Assignments};
pub use calibration::{Calibration, ExemplarScores, HOLISTIC, ModelInfo, ModelScore, TraitScore};
pub use error::{CoreError, ErrorKind};
pub use essay::{Author, DeclaredMetadata, Essay, EssayDraft, EssayFilter, EssayLimits, EssayView, NewEssay};
pub use essays::{Essays, Page};
pub use grading::{GradeRecordView, Grading, LtiScore, Review, ReviewDraft};
pub use ids::{AssignmentId, EssayId, GradeId, JobId, TenantId, parse_name};
pub use jobs::{GradingJobs, ItemFailure, Job, JobEvent, JobResult, JobState, JobTarget};
pub use report_links::{
    DEFAULT_LINK_TTL, LinkError, LinkSigner, MAX_LINK_TTL, ReportLink, ReportLinks, ReportTarget, SignedLink, unix_now,
};
pub use rubrics::{DEFAULT_RUBRIC, RubricDraft, RubricVersion, Rubrics};
pub use similarity::{SimilarEssay, Similarity, SimilarityQuery};
pub use stats::{GradeTally, JobCounts, ServiceStats};
