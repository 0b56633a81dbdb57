//! The core's one error type. Each error has one [`ErrorKind`] and one stable
//! UPPER_SNAKE reason, decided here: the api layer maps the kind to a gRPC
//! code once (`api::status`), and a job records the same kind and reason for
//! an essay it could not grade, so both paths report a failure alike.

use crate::store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// A request field is invalid. `field` is the request's field path
    /// (AIP-193), `reason` a stable UPPER_SNAKE code for machines.
    #[error("{field}: {description}")]
    InvalidArgument {
        field: String,
        description: String,
        reason: &'static str,
    },
    #[error("{resource} {id} not found")]
    NotFound { resource: &'static str, id: String },
    #[error("{description}")]
    AlreadyExists { description: String, reason: &'static str },
    /// The request is valid but the system is not in a state to run it.
    #[error("{field}: {description}")]
    FailedPrecondition {
        field: String,
        description: String,
        reason: &'static str,
    },
    /// Storage failed; retrying later may succeed.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The disk is (nearly) full: nothing was written; retrying after space
    /// is freed will succeed.
    #[error("{0}")]
    StorageFull(String),
    /// Stored data is damaged; an operator must look.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What kind of failure an error is. The discriminants are stored in job
/// results (`error_code`), so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidArgument = 1,
    NotFound = 2,
    FailedPrecondition = 3,
    Unavailable = 4,
    Internal = 5,
    AlreadyExists = 6,
    ResourceExhausted = 7,
}

impl ErrorKind {
    /// The stored form (a job result's `error_code`).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// Reads a stored `error_code`; an unknown one is `Internal`.
    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::InvalidArgument,
            2 => Self::NotFound,
            3 => Self::FailedPrecondition,
            4 => Self::Unavailable,
            6 => Self::AlreadyExists,
            7 => Self::ResourceExhausted,
            _ => Self::Internal,
        }
    }
}

impl CoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            CoreError::FailedPrecondition { .. } => ErrorKind::FailedPrecondition,
            CoreError::Unavailable(_) => ErrorKind::Unavailable,
            CoreError::StorageFull(_) => ErrorKind::ResourceExhausted,
            CoreError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The stable reason machines read (the `ErrorInfo.reason` of a status):
    /// `ESSAY_NOT_FOUND`, `GRADING_JOB_NOT_FOUND`, `STORAGE_FULL`, …
    pub fn reason(&self) -> String {
        match self {
            CoreError::InvalidArgument { reason, .. }
            | CoreError::AlreadyExists { reason, .. }
            | CoreError::FailedPrecondition { reason, .. } => (*reason).to_owned(),
            CoreError::NotFound { resource, .. } => {
                format!("{}_NOT_FOUND", resource.to_uppercase().replace(' ', "_"))
            }
            CoreError::Unavailable(_) => "STORAGE_UNAVAILABLE".to_owned(),
            CoreError::StorageFull(_) => "STORAGE_FULL".to_owned(),
            CoreError::Internal(_) => "INTERNAL".to_owned(),
        }
    }

    /// Whether the same request may succeed later without a change: storage
    /// that was unavailable or full.
    pub fn is_transient(&self) -> bool {
        matches!(self, CoreError::Unavailable(_) | CoreError::StorageFull(_))
    }

    pub fn invalid(field: impl Into<String>, reason: &'static str, description: impl Into<String>) -> Self {
        CoreError::InvalidArgument {
            field: field.into(),
            description: description.into(),
            reason,
        }
    }

    /// The same error with `prefix.` before its field path (for batch items
    /// and nested messages).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            CoreError::InvalidArgument {
                field,
                description,
                reason,
            } => CoreError::InvalidArgument {
                field: format!("{prefix}.{field}"),
                description,
                reason,
            },
            CoreError::FailedPrecondition {
                field,
                description,
                reason,
            } => CoreError::FailedPrecondition {
                field: format!("{prefix}.{field}"),
                description,
                reason,
            },
            other => other,
        }
    }
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(detail) => CoreError::Unavailable(detail),
            full @ StoreError::Full { .. } => CoreError::StorageFull(full.to_string()),
            read_only @ StoreError::ReadOnly => CoreError::Unavailable(read_only.to_string()),
            corrupt @ StoreError::Corrupt { .. } => CoreError::Internal(corrupt.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_reasons_are_upper_snake_case() {
        let e = CoreError::NotFound {
            resource: "grading job",
            id: "x".into(),
        };
        assert_eq!(e.reason(), "GRADING_JOB_NOT_FOUND");
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn stored_kinds_read_back_as_written() {
        for kind in [
            ErrorKind::InvalidArgument,
            ErrorKind::NotFound,
            ErrorKind::FailedPrecondition,
            ErrorKind::Unavailable,
            ErrorKind::Internal,
            ErrorKind::AlreadyExists,
            ErrorKind::ResourceExhausted,
        ] {
            assert_eq!(ErrorKind::from_code(kind.code()), kind);
        }
        assert_eq!(ErrorKind::from_code(99), ErrorKind::Internal);
    }
}
