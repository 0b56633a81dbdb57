//! Values read at scrape time: grades stored by band and flag (counted by the
//! core since start), jobs by state, essays queued in jobs, store size.

use std::sync::Arc;

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeMetric},
    metrics::{MetricType, counter::ConstCounter, gauge::ConstGauge},
};

use crate::core::{GradeTally, ServiceStats};

#[derive(Clone)]
pub struct ServiceCollector {
    stats: ServiceStats,
    tally: Arc<GradeTally>,
}

impl std::fmt::Debug for ServiceCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceCollector").finish_non_exhaustive()
    }
}

impl ServiceCollector {
    pub fn new(stats: ServiceStats, tally: Arc<GradeTally>) -> Self {
        Self { stats, tally }
    }
}

impl Collector for ServiceCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut grades = encoder.encode_descriptor(
            "essayd_grades",
            "Grades stored since the server started, by band",
            None,
            MetricType::Counter,
        )?;
        for (band, n) in self.tally.bands() {
            ConstCounter::new(n).encode(grades.encode_family(&[("band", band)])?)?;
        }
        let mut flags = encoder.encode_descriptor(
            "essayd_grade_flags",
            "Grades stored since the server started that carry each flag",
            None,
            MetricType::Counter,
        )?;
        for (flag, n) in self.tally.flags() {
            ConstCounter::new(n).encode(flags.encode_family(&[("flag", flag)])?)?;
        }
        // A store that cannot be read leaves these out of the scrape (the
        // gap is what an operator sees) rather than failing it.
        match self.stats.jobs() {
            Ok(jobs) => {
                let mut by_state =
                    encoder.encode_descriptor("essayd_jobs", "Grading jobs by state", None, MetricType::Gauge)?;
                for (state, n) in &jobs.by_state {
                    ConstGauge::new(*n as i64).encode(by_state.encode_family(&[("state", state.as_str())])?)?;
                }
                ConstGauge::new(jobs.queued_essays as i64).encode(encoder.encode_descriptor(
                    "essayd_job_queue_essays",
                    "Essays of queued and running jobs not graded yet",
                    None,
                    MetricType::Gauge,
                )?)?;
            }
            Err(e) => tracing::warn!(error = %e, "metrics: cannot count jobs"),
        }
        match self.stats.store_bytes() {
            Ok(bytes) => ConstGauge::new(bytes as i64).encode(encoder.encode_descriptor(
                "essayd_store_size_bytes",
                "Bytes the store takes on disk",
                None,
                MetricType::Gauge,
            )?)?,
            Err(e) => tracing::warn!(error = %e, "metrics: cannot read the store size"),
        }
        Ok(())
    }
}
