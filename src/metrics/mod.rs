//! Prometheus metrics, served on their own port when `--metrics-listen` is
//! set (off by default): requests and latency by RPC and status code
//! ([`requests`]), and, read at each scrape, grades by band and flag, jobs by
//! state with the essays still queued, and the store's size ([`service`]).

mod endpoint;
mod requests;
mod service;

use std::sync::Arc;

use prometheus_client::registry::Registry;

pub use endpoint::serve_metrics;
pub use requests::{RequestMetrics, RequestMetricsLayer};
pub use service::ServiceCollector;

/// The registry one server exports.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: RequestMetrics,
}

impl Metrics {
    pub fn new(service: ServiceCollector) -> Self {
        let mut registry = Registry::default();
        let requests = RequestMetrics::register(&mut registry);
        registry.register_collector(Box::new(service));
        Self {
            registry: Arc::new(registry),
            requests,
        }
    }

    /// The tower layer that counts and times every gRPC call.
    pub fn layer(&self) -> RequestMetricsLayer {
        RequestMetricsLayer::new(self.requests.clone())
    }

    /// The current values in the OpenMetrics text format. Reads the store
    /// (job records, size on disk): call it off the async threads.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
