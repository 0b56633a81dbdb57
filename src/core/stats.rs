//! What the service counts for its operators: grades stored, by band and by
//! flag, since the server started; jobs by state and the essays still queued
//! in them; the store's size on disk. Plain numbers — `crate::metrics`
//! exports them to Prometheus.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use crate::{
    core::{CoreError, JobState},
    grader::{Flag, Grade},
    store::{GradeRecord, Store},
};

/// Band labels come from rubrics, which tenants write: past this many
/// distinct labels, further ones are counted as `other`, so a tenant cannot
/// grow the metrics without bound.
const MAX_BANDS: usize = 32;
pub const OTHER_BAND: &str = "other";

/// Grades stored since the server started, by band and by flag.
#[derive(Debug, Default)]
pub struct GradeTally {
    counts: Mutex<TallyCounts>,
}

#[derive(Debug, Default)]
struct TallyCounts {
    bands: BTreeMap<String, u64>,
    flags: BTreeMap<&'static str, u64>,
}

impl GradeTally {
    pub fn record(&self, grade: &Grade) {
        self.record_parts(&grade.band, grade.flags.iter().copied());
    }

    /// Counts a stored grade record, whose flags are names.
    pub fn record_stored(&self, grade: &GradeRecord) {
        self.record_parts(&grade.band, grade.flags.iter().filter_map(|f| Flag::parse(f)));
    }

    fn record_parts(&self, band: &str, flags: impl Iterator<Item = Flag>) {
        // A poisoned lock only means another thread panicked mid-increment;
        // the counts are still usable.
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let known = counts.bands.contains_key(band);
        let band = if known || counts.bands.len() < MAX_BANDS {
            band.to_string()
        } else {
            OTHER_BAND.to_string()
        };
        *counts.bands.entry(band).or_default() += 1;
        for flag in flags {
            *counts.flags.entry(flag.as_str()).or_default() += 1;
        }
    }

    /// Grades per band label, in label order.
    pub fn bands(&self) -> Vec<(String, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.bands.iter().map(|(b, n)| (b.clone(), *n)).collect()
    }

    /// Grades carrying each flag, in flag-name order.
    pub fn flags(&self) -> Vec<(&'static str, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.flags.iter().map(|(f, n)| (*f, *n)).collect()
    }
}

/// Jobs of every tenant, by state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobCounts {
    /// Count per state, every state present (zero when none).
    pub by_state: Vec<(JobState, u64)>,
    /// Essays of queued and running jobs not graded or failed yet.
    pub queued_essays: u64,
}

/// Reads the numbers operators watch from the store, on demand.
#[derive(Clone)]
pub struct ServiceStats {
    store: Arc<dyn Store>,
}

impl ServiceStats {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Jobs by state; scans the job records (one small record per job).
    pub fn jobs(&self) -> Result<JobCounts, CoreError> {
        let states = JobState::ALL;
        let all: Vec<i32> = states.iter().map(|s| *s as i32).collect();
        let jobs = self.store.jobs_in_states(&all)?;
        let mut by_state: Vec<(JobState, u64)> = states.iter().map(|s| (*s, 0)).collect();
        let mut queued_essays = 0u64;
        for (_, job) in &jobs {
            if let Some(entry) = by_state.iter_mut().find(|(s, _)| *s as i32 == job.state) {
                entry.1 += 1;
                if !entry.0.is_final() {
                    queued_essays += u64::from(job.total.saturating_sub(job.graded).saturating_sub(job.failed));
                }
            }
        }
        Ok(JobCounts {
            by_state,
            queued_essays,
        })
    }

    /// Bytes the store takes on disk.
    pub fn store_bytes(&self) -> Result<u64, CoreError> {
        Ok(self.store.size_on_disk()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(band: &str, flags: Vec<Flag>) -> Grade {
        Grade {
            criteria: Vec::new(),
            total: 0.0,
            max_mark: 20.0,
            band: band.to_string(),
            confidence: 1.0,
            flags,
            needs_review: false,
            rubric_name: "r".into(),
            rubric_version: 1,
            grader_version: "t".into(),
            summary: String::new(),
        }
    }

    #[test]
    fn tally_counts_grades_by_band_and_flag() {
        let tally = GradeTally::default();
        tally.record(&grade("A", vec![]));
        tally.record(&grade("A", vec![Flag::TooShort, Flag::Copied]));
        tally.record(&grade("C", vec![Flag::TooShort]));
        assert_eq!(tally.bands(), vec![("A".to_string(), 2), ("C".to_string(), 1)]);
        assert_eq!(tally.flags(), vec![("copied", 1), ("too_short", 2)]);
    }

    #[test]
    fn tally_folds_bands_past_the_cap_into_other() {
        let tally = GradeTally::default();
        for i in 0..MAX_BANDS + 5 {
            tally.record(&grade(&format!("band-{i}"), vec![]));
        }
        tally.record(&grade("band-0", vec![]));
        let bands = tally.bands();
        assert_eq!(bands.len(), MAX_BANDS + 1);
        assert!(bands.contains(&(OTHER_BAND.to_string(), 5)));
        assert!(bands.contains(&("band-0".to_string(), 2)));
    }
}
