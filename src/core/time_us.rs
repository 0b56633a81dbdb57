//! Times are stored as unix microseconds.

use time::OffsetDateTime;

use super::CoreError;

pub fn from_time(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

pub fn to_time(us: i64) -> Result<OffsetDateTime, CoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .map_err(|e| CoreError::Internal(format!("stored time {us} is out of range: {e}")))
}

/// Now, at the precision times are stored with, so that what a write returns
/// equals what a later read returns.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}
