//! The one place where core errors become gRPC statuses (AIP-193): every
//! status carries an `ErrorInfo` with a stable reason, and invalid arguments
//! a `BadRequest` naming the field.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::{
    core::{CoreError, ErrorKind, ItemFailure},
    proto::v1,
};

/// The `ErrorInfo.domain` of every error essayd returns.
pub const ERROR_DOMAIN: &str = "essayd";

/// The gRPC code of each kind of error: the one mapping, used by statuses
/// and by the item errors of batches and jobs alike.
pub fn code(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::InvalidArgument => Code::InvalidArgument,
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::AlreadyExists => Code::AlreadyExists,
        ErrorKind::FailedPrecondition => Code::FailedPrecondition,
        ErrorKind::Unavailable => Code::Unavailable,
        ErrorKind::ResourceExhausted => Code::ResourceExhausted,
        ErrorKind::Internal => Code::Internal,
    }
}

impl From<CoreError> for Status {
    fn from(e: CoreError) -> Self {
        let message = e.to_string();
        let code = code(e.kind());
        let mut details = match &e {
            CoreError::InvalidArgument { field, description, .. } => {
                ErrorDetails::with_bad_request_violation(field.clone(), description.clone())
            }
            CoreError::NotFound { resource, id } => {
                ErrorDetails::with_resource_info(*resource, id.clone(), "", "not found")
            }
            CoreError::FailedPrecondition {
                field,
                description,
                reason,
            } => ErrorDetails::with_precondition_failure_violation(*reason, field.clone(), description.clone()),
            CoreError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                ErrorDetails::new()
            }
            CoreError::AlreadyExists { .. } | CoreError::Unavailable(_) | CoreError::StorageFull(_) => {
                ErrorDetails::new()
            }
        };
        details.set_error_info(e.reason(), ERROR_DOMAIN, HashMap::new());
        Status::with_error_details(code, message, details)
    }
}

/// A core error as a batch item's error: the same code, message and details
/// the single-item RPC would have returned.
pub fn item_error(e: CoreError, prefix: &str) -> v1::ItemError {
    let status = Status::from(e.within(prefix));
    let details = status.get_error_details();
    v1::ItemError {
        code: status.code() as i32,
        message: status.message().to_owned(),
        reason: details.error_info().map(|i| i.reason.clone()).unwrap_or_default(),
        field_violations: details
            .bad_request()
            .map(|b| {
                b.field_violations
                    .iter()
                    .map(|v| v1::FieldViolation {
                        field: v.field.clone(),
                        description: v.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A stored item failure (a job's essay that could not be graded) as the
/// API's ItemError, with the code its kind maps to.
pub fn failure_to_item_error(f: &ItemFailure) -> v1::ItemError {
    v1::ItemError {
        code: code(f.kind) as i32,
        message: f.message.clone(),
        reason: f.reason.clone(),
        field_violations: Vec::new(),
    }
}
