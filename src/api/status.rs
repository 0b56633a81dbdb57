//! The one place where core errors become gRPC statuses (AIP-193): every
//! status carries an `ErrorInfo` with a stable reason, and invalid arguments
//! a `BadRequest` naming the field.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::{
    core::{CoreError, FailureKind, ItemFailure},
    proto::v1,
};

/// The `ErrorInfo.domain` of every error essayd returns.
pub const ERROR_DOMAIN: &str = "essayd";

impl From<CoreError> for Status {
    fn from(e: CoreError) -> Self {
        let message = e.to_string();
        let (code, details) = match e {
            CoreError::InvalidArgument {
                field,
                description,
                reason,
            } => {
                let mut d = ErrorDetails::with_bad_request_violation(field, description);
                d.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
                (Code::InvalidArgument, d)
            }
            CoreError::NotFound { resource, id } => {
                let mut d = ErrorDetails::with_resource_info(resource, id, "", "not found");
                d.set_error_info(
                    format!("{}_NOT_FOUND", resource.to_uppercase()),
                    ERROR_DOMAIN,
                    HashMap::new(),
                );
                (Code::NotFound, d)
            }
            CoreError::AlreadyExists { reason, .. } => (
                Code::AlreadyExists,
                ErrorDetails::with_error_info(reason, ERROR_DOMAIN, HashMap::new()),
            ),
            CoreError::FailedPrecondition {
                field,
                description,
                reason,
            } => {
                let mut d = ErrorDetails::with_precondition_failure_violation(reason, field, description);
                d.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
                (Code::FailedPrecondition, d)
            }
            CoreError::Unavailable(_) => (
                Code::Unavailable,
                ErrorDetails::with_error_info("STORAGE_UNAVAILABLE", ERROR_DOMAIN, HashMap::new()),
            ),
            CoreError::StorageFull(_) => (
                Code::ResourceExhausted,
                ErrorDetails::with_error_info("STORAGE_FULL", ERROR_DOMAIN, HashMap::new()),
            ),
            CoreError::Internal(ref detail) => {
                tracing::error!(error = %detail, "internal error");
                (
                    Code::Internal,
                    ErrorDetails::with_error_info("INTERNAL", ERROR_DOMAIN, HashMap::new()),
                )
            }
        };
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
    let code = match f.kind {
        FailureKind::InvalidArgument => Code::InvalidArgument,
        FailureKind::NotFound => Code::NotFound,
        FailureKind::FailedPrecondition => Code::FailedPrecondition,
        FailureKind::Unavailable => Code::Unavailable,
        FailureKind::Internal => Code::Internal,
    };
    v1::ItemError {
        code: code as i32,
        message: f.message.clone(),
        reason: f.reason.clone(),
        field_violations: Vec::new(),
    }
}
