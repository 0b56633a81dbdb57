//! The gRPC layer: thin adapters that decode a request, validate it into
//! core types, call the core and encode the answer. Core errors become
//! statuses in one place, [`status`].

mod assignments;
pub mod auth;
mod calibration;
pub mod convert;
mod essays;
mod grading;
mod jobs;
pub mod limits;
pub mod page_token;
mod reports;
mod similarity;
pub mod status;

pub use assignments::AssignmentApi;
pub use calibration::CalibrationApi;
pub use essays::{EssayApi, MAX_BATCH_ITEMS};
pub use grading::GradingApi;
pub use jobs::{GradingJobApi, MAX_BATCH_GRADE_ITEMS};
pub use reports::ReportApi;
pub use similarity::SimilarityApi;

use auth::tenant;
