//! Identifiers, each parsed once at the boundary so the core never re-checks.

use std::fmt;

use super::CoreError;

/// The school (or other customer) that owns data. Every stored key is scoped
/// by one; until authentication exists every request uses [`TenantId::default`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        parse_name("tenant", raw).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TenantId {
    fn default() -> Self {
        Self("default".into())
    }
}

/// A server-assigned id: a UUIDv7, so ids sort by creation time and listings
/// have a stable order. Each kind of thing has its own type, so that a grade
/// id is never taken for an essay id and errors name the right thing.
macro_rules! server_id {
    ($(#[$doc:meta])* $name:ident, $noun:literal, $a_noun:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Parses the text form a caller sent; `field` names the request
            /// field in errors.
            pub fn parse(field: &str, raw: &str) -> Result<Self, CoreError> {
                if raw.is_empty() {
                    return Err(CoreError::invalid(field, "ID_MISSING", concat!($a_noun, " id is required")));
                }
                uuid::Uuid::try_parse(raw).map(Self).map_err(|_| {
                    CoreError::invalid(
                        field,
                        "ID_MALFORMED",
                        format!(
                            concat!("{:?} is not ", $a_noun, " id (ids look like 01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f)"),
                            raw
                        ),
                    )
                })
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Uuid::from_bytes(bytes))
            }

            pub fn to_bytes(self) -> [u8; 16] {
                *self.0.as_bytes()
            }
        }

        /// Bytes read back from the store: the one place where a stored id's
        /// length is checked.
        impl TryFrom<&[u8]> for $name {
            type Error = CoreError;
            fn try_from(bytes: &[u8]) -> Result<Self, CoreError> {
                <[u8; 16]>::try_from(bytes)
                    .map(Self::from_bytes)
                    .map_err(|_| CoreError::Internal(format!(concat!("stored ", $noun, " id is {} bytes, not 16"), bytes.len())))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

server_id!(
    /// An essay's id.
    EssayId,
    "essay",
    "an essay"
);
server_id!(
    /// A grade's id (grades are kept per essay, newest last).
    GradeId,
    "grade",
    "a grade"
);
server_id!(
    /// A grading job's id.
    JobId,
    "job",
    "a job"
);

/// A caller-chosen name (assignment id, course id, request id, …):
/// 1–128 characters of letters, digits and `-_.:@/`.
pub fn parse_name(field: &str, raw: &str) -> Result<String, CoreError> {
    const MAX: usize = 128;
    if raw.is_empty() {
        return Err(CoreError::invalid(field, "NAME_MISSING", "must not be empty"));
    }
    if raw.len() > MAX {
        return Err(CoreError::invalid(
            field,
            "NAME_TOO_LONG",
            format!("is {} bytes; the limit is {MAX}", raw.len()),
        ));
    }
    if let Some(bad) = raw
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:@/".contains(*c)))
    {
        return Err(CoreError::invalid(
            field,
            "NAME_INVALID",
            format!("contains {bad:?}; use letters, digits and - _ . : @ /"),
        ));
    }
    Ok(raw.to_owned())
}

/// Like [`parse_name`], but empty is allowed and means "none".
pub fn parse_optional_name(field: &str, raw: &str) -> Result<String, CoreError> {
    if raw.is_empty() {
        Ok(String::new())
    } else {
        parse_name(field, raw)
    }
}

/// The id of an LMS assignment, chosen by the LMS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssignmentId(String);

impl AssignmentId {
    pub fn parse(field: &str, raw: &str) -> Result<Self, CoreError> {
        parse_name(field, raw).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AssignmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essay_ids_round_trip_and_sort_by_creation() {
        let a = EssayId::generate();
        let b = EssayId::generate();
        assert!(a.to_bytes() < b.to_bytes());
        assert_eq!(EssayId::parse("id", &a.to_string()).unwrap(), a);
    }

    #[test]
    fn a_malformed_essay_id_names_the_field() {
        let err = EssayId::parse("id", "not-an-id").unwrap_err();
        assert!(matches!(err, CoreError::InvalidArgument { ref field, .. } if field == "id"));
    }

    #[test]
    fn each_kind_of_id_names_itself_in_errors() {
        let err = JobId::parse("id", "nope").unwrap_err().to_string();
        assert!(err.contains("is not a job id"), "{err}");
        let err = GradeId::parse("grade_id", "nope").unwrap_err().to_string();
        assert!(err.contains("is not a grade id"), "{err}");
        let err = EssayId::parse("id", "nope").unwrap_err().to_string();
        assert!(err.contains("is not an essay id"), "{err}");
        let err = JobId::parse("id", "").unwrap_err().to_string();
        assert!(err.contains("a job id is required"), "{err}");
    }

    #[test]
    fn a_stored_id_of_the_wrong_length_is_an_internal_error() {
        let err = GradeId::try_from(&[1u8, 2, 3][..]).unwrap_err();
        assert!(
            matches!(err, CoreError::Internal(ref m) if m.contains("stored grade id is 3 bytes")),
            "{err:?}"
        );
        let id = EssayId::generate();
        assert_eq!(EssayId::try_from(&id.to_bytes()[..]).unwrap(), id);
    }

    #[test]
    fn names_refuse_nul_and_spaces() {
        assert!(parse_name("x", "a\0b").is_err());
        assert!(parse_name("x", "a b").is_err());
        assert!(parse_name("x", "course-101:fall/2026").is_ok());
    }
}
