//! The on-disk records: prost messages behind a one-byte format version, so a
//! later release can read what an earlier one wrote (and refuse what it cannot).

use std::collections::BTreeMap;

use prost::Message;

use super::StoreError;

/// The format version written before every record's prost bytes.
pub const FORMAT_VERSION: u8 = 1;

/// Encodes a record as `[FORMAT_VERSION] ++ prost bytes`.
pub fn encode<M: Message>(record: &M) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + record.encoded_len());
    bytes.push(FORMAT_VERSION);
    record.encode(&mut bytes).expect("a Vec grows as needed");
    bytes
}

/// Decodes a record written by [`encode`]; `what` names it in errors.
pub fn decode<M: Message + Default>(what: &'static str, bytes: &[u8]) -> Result<M, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => M::decode(body).map_err(|e| StoreError::Corrupt {
            what,
            detail: e.to_string(),
        }),
        Some((version, _)) => Err(StoreError::Corrupt {
            what,
            detail: format!("unsupported format version {version}"),
        }),
        None => Err(StoreError::Corrupt {
            what,
            detail: "empty record".into(),
        }),
    }
}

/// An essay's metadata. The text is stored apart (see `SledStore`), so that
/// listing and metadata reads never load it.
#[derive(Clone, PartialEq, Message)]
pub struct EssayRecord {
    /// The essay id's 16 bytes (a UUIDv7, so keys sort by creation time).
    #[prost(bytes = "vec", tag = "1")]
    pub id: Vec<u8>,
    #[prost(string, tag = "2")]
    pub title: String,
    #[prost(string, tag = "3")]
    pub author_id: String,
    #[prost(string, tag = "4")]
    pub author_name: String,
    #[prost(string, tag = "5")]
    pub course_id: String,
    #[prost(string, tag = "6")]
    pub assignment_id: String,
    #[prost(string, tag = "7")]
    pub external_id: String,
    #[prost(string, tag = "8")]
    pub category: String,
    /// Unix microseconds.
    #[prost(int64, optional, tag = "9")]
    pub submit_time_us: Option<i64>,
    #[prost(btree_map = "string, string", tag = "10")]
    pub labels: BTreeMap<String, String>,
    #[prost(message, optional, tag = "11")]
    pub declared: Option<DeclaredRecord>,
    #[prost(message, optional, tag = "12")]
    pub metrics: Option<MetricsRecord>,
    /// Unix microseconds.
    #[prost(int64, tag = "13")]
    pub create_time_us: i64,
    /// The AIP-155 request id that created the essay, so that deleting the
    /// essay deletes its idempotency entry too.
    #[prost(string, tag = "14")]
    pub request_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct DeclaredRecord {
    #[prost(uint64, optional, tag = "1")]
    pub views: Option<u64>,
    #[prost(uint32, optional, tag = "2")]
    pub words: Option<u32>,
    #[prost(uint32, optional, tag = "3")]
    pub pages: Option<u32>,
    #[prost(string, tag = "4")]
    pub source: String,
    #[prost(btree_map = "string, string", tag = "5")]
    pub extra: BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Message)]
pub struct MetricsRecord {
    #[prost(uint32, tag = "1")]
    pub words: u32,
    #[prost(uint32, tag = "2")]
    pub characters: u32,
    #[prost(uint32, tag = "3")]
    pub sentences: u32,
    #[prost(uint32, tag = "4")]
    pub paragraphs: u32,
    #[prost(uint32, tag = "5")]
    pub estimated_pages: u32,
    #[prost(double, tag = "6")]
    pub average_sentence_words: f64,
    #[prost(double, tag = "7")]
    pub flesch_kincaid_grade: f64,
    #[prost(bool, tag = "8")]
    pub looks_english: bool,
    #[prost(double, tag = "9")]
    pub english_score: f64,
    #[prost(string, tag = "10")]
    pub content_sha256: String,
}

/// What a request id (AIP-155) was first used for.
#[derive(Clone, PartialEq, Message)]
pub struct IdempotencyRecord {
    /// The essay the first request created.
    #[prost(bytes = "vec", tag = "1")]
    pub essay_id: Vec<u8>,
    /// A digest of the first request, to tell a retry from a different
    /// request that reuses the id.
    #[prost(bytes = "vec", tag = "2")]
    pub request_digest: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct AssignmentRecord {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(string, tag = "2")]
    pub course_id: String,
    #[prost(string, tag = "3")]
    pub title: String,
    #[prost(string, tag = "4")]
    pub question: String,
    #[prost(string, tag = "5")]
    pub rubric: String,
    #[prost(int64, tag = "6")]
    pub create_time_us: i64,
    #[prost(int64, tag = "7")]
    pub update_time_us: i64,
}

/// A grade of a stored essay, with the teacher's review once there is one.
#[derive(Clone, PartialEq, Message)]
pub struct GradeRecord {
    /// The grade id's 16 bytes (a UUIDv7: later grades sort after earlier ones).
    #[prost(bytes = "vec", tag = "1")]
    pub id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub essay_id: Vec<u8>,
    #[prost(string, tag = "3")]
    pub question: String,
    #[prost(message, repeated, tag = "4")]
    pub criteria: Vec<CriterionRecord>,
    #[prost(double, tag = "5")]
    pub total: f64,
    #[prost(double, tag = "6")]
    pub max_mark: f64,
    #[prost(string, tag = "7")]
    pub band: String,
    #[prost(double, tag = "8")]
    pub confidence: f64,
    /// Flag names, as the grader spells them.
    #[prost(string, repeated, tag = "9")]
    pub flags: Vec<String>,
    #[prost(bool, tag = "10")]
    pub needs_review: bool,
    #[prost(string, tag = "11")]
    pub rubric_name: String,
    #[prost(uint32, tag = "12")]
    pub rubric_version: u32,
    #[prost(string, tag = "13")]
    pub grader_version: String,
    #[prost(string, tag = "14")]
    pub summary: String,
    #[prost(int64, tag = "15")]
    pub create_time_us: i64,
    #[prost(message, optional, tag = "16")]
    pub review: Option<ReviewRecord>,
    #[prost(message, optional, tag = "17")]
    pub model_score: Option<ModelScoreRecord>,
    /// Ids of stored essays this one shares too much text with.
    #[prost(bytes = "vec", repeated, tag = "18")]
    pub copied_from: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
pub struct CriterionRecord {
    #[prost(string, tag = "1")]
    pub criterion: String,
    #[prost(uint32, tag = "2")]
    pub level: u32,
    #[prost(double, tag = "3")]
    pub score: f64,
    #[prost(string, tag = "4")]
    pub feedback: String,
    #[prost(message, repeated, tag = "5")]
    pub spans: Vec<SpanRecord>,
}

#[derive(Clone, PartialEq, Message)]
pub struct SpanRecord {
    #[prost(uint32, tag = "1")]
    pub start: u32,
    #[prost(uint32, tag = "2")]
    pub end: u32,
    #[prost(string, tag = "3")]
    pub label: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct ReviewRecord {
    #[prost(string, tag = "1")]
    pub reviewer: String,
    /// A level per criterion, in the grader's criterion order.
    #[prost(uint32, repeated, tag = "2")]
    pub levels: Vec<u32>,
    #[prost(string, tag = "3")]
    pub comment: String,
    #[prost(int64, tag = "4")]
    pub review_time_us: i64,
    #[prost(double, tag = "5")]
    pub total: f64,
    #[prost(string, tag = "6")]
    pub band: String,
}

/// One immutable version of a rubric.
#[derive(Clone, PartialEq, Message)]
pub struct RubricRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(uint32, tag = "2")]
    pub version: u32,
    #[prost(string, tag = "3")]
    pub description: String,
    /// A weight per criterion, in the grader's criterion order.
    #[prost(double, repeated, tag = "4")]
    pub weights: Vec<f64>,
    #[prost(double, tag = "5")]
    pub max_mark: f64,
    #[prost(message, repeated, tag = "6")]
    pub bands: Vec<BandRecord>,
    #[prost(double, tag = "7")]
    pub review_threshold: f64,
    #[prost(double, tag = "8")]
    pub copy_threshold: f64,
    #[prost(int64, tag = "9")]
    pub create_time_us: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct BandRecord {
    #[prost(string, tag = "1")]
    pub label: String,
    #[prost(double, tag = "2")]
    pub min_mark: f64,
}

/// A grading job. Its essays are listed apart (`job_essays`), one key per
/// essay, so that a big job is streamed, not loaded whole.
#[derive(Clone, PartialEq, Message)]
pub struct JobRecord {
    #[prost(bytes = "vec", tag = "1")]
    pub id: Vec<u8>,
    #[prost(string, tag = "2")]
    pub assignment_id: String,
    #[prost(string, tag = "3")]
    pub rubric: String,
    /// The API's GradingJobState number.
    #[prost(int32, tag = "4")]
    pub state: i32,
    #[prost(uint32, tag = "5")]
    pub total: u32,
    #[prost(uint32, tag = "6")]
    pub graded: u32,
    #[prost(uint32, tag = "7")]
    pub failed: u32,
    #[prost(int64, tag = "8")]
    pub create_time_us: i64,
    #[prost(int64, optional, tag = "9")]
    pub start_time_us: Option<i64>,
    #[prost(int64, optional, tag = "10")]
    pub end_time_us: Option<i64>,
}

/// The outcome of one essay of a job: the grade it got, or why not.
#[derive(Clone, PartialEq, Message)]
pub struct JobResultRecord {
    #[prost(bytes = "vec", tag = "1")]
    pub essay_id: Vec<u8>,
    /// Empty when the essay failed.
    #[prost(bytes = "vec", tag = "2")]
    pub grade_id: Vec<u8>,
    /// A google.rpc.Code number when the essay failed.
    #[prost(int32, tag = "3")]
    pub error_code: i32,
    #[prost(string, tag = "4")]
    pub error_message: String,
    #[prost(string, tag = "5")]
    pub error_reason: String,
}

/// An API key, stored under the SHA-256 of its token (the token itself is
/// never stored).
#[derive(Clone, PartialEq, Message)]
pub struct ApiKeyRecord {
    /// The key's public id (part of the token), for listing and revoking.
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(string, tag = "2")]
    pub tenant: String,
    #[prost(string, tag = "3")]
    pub label: String,
    #[prost(int64, tag = "4")]
    pub create_time_us: i64,
    #[prost(int64, optional, tag = "5")]
    pub revoke_time_us: Option<i64>,
}

/// A teacher's scores on an essay (an exemplar for scoring models).
#[derive(Clone, PartialEq, Message)]
pub struct ExemplarRecord {
    #[prost(message, repeated, tag = "1")]
    pub scores: Vec<TraitScoreRecord>,
    #[prost(string, tag = "2")]
    pub marked_by: String,
    #[prost(int64, tag = "3")]
    pub mark_time_us: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct TraitScoreRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(int32, tag = "2")]
    pub score: i32,
    #[prost(int32, tag = "3")]
    pub scale_min: i32,
    #[prost(int32, tag = "4")]
    pub scale_max: i32,
}

/// One version of a trained scoring model: what it reports, and the model
/// itself in the calibration library's own versioned encoding.
#[derive(Clone, PartialEq, Message)]
pub struct ModelRecord {
    #[prost(string, tag = "1")]
    pub assignment_id: String,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(uint32, tag = "3")]
    pub version: u32,
    #[prost(int32, tag = "4")]
    pub scale_min: i32,
    #[prost(int32, tag = "5")]
    pub scale_max: i32,
    #[prost(uint32, tag = "6")]
    pub exemplars: u32,
    #[prost(double, tag = "7")]
    pub cv_qwk: f64,
    /// (exemplars, qwk) pairs.
    #[prost(uint32, repeated, tag = "8")]
    pub curve_sizes: Vec<u32>,
    #[prost(double, repeated, tag = "9")]
    pub curve_qwk: Vec<f64>,
    #[prost(int64, tag = "10")]
    pub create_time_us: i64,
    #[prost(double, tag = "11")]
    pub train_seconds: f64,
    #[prost(bytes = "vec", tag = "12")]
    pub model: Vec<u8>,
}

/// What a scoring model said of a graded essay.
#[derive(Clone, PartialEq, Message)]
pub struct ModelScoreRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(uint32, tag = "2")]
    pub version: u32,
    #[prost(int32, tag = "3")]
    pub score: i32,
    #[prost(double, tag = "4")]
    pub raw: f64,
    #[prost(int32, tag = "5")]
    pub scale_min: i32,
    #[prost(int32, tag = "6")]
    pub scale_max: i32,
    #[prost(string, tag = "7")]
    pub assignment_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_through_its_versioned_encoding() {
        let record = AssignmentRecord {
            id: "a1".into(),
            question: "Why?".into(),
            ..Default::default()
        };
        let bytes = encode(&record);
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(decode::<AssignmentRecord>("assignment", &bytes).unwrap(), record);
    }

    #[test]
    fn an_unknown_format_version_is_refused_not_misread() {
        let mut bytes = encode(&AssignmentRecord::default());
        bytes[0] = 99;
        let err = decode::<AssignmentRecord>("assignment", &bytes).unwrap_err();
        assert!(err.to_string().contains("unsupported format version 99"), "{err}");
    }
}
