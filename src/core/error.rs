//! The core's one error type. The api layer maps each variant to exactly one
//! gRPC code (`api::status`).

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

impl CoreError {
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
