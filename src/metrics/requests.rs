//! Counts and times every gRPC call by RPC and status code. A call ends when
//! its response body does (so a streaming call is timed to its last
//! message); its code comes from the trailers, or from the headers of a
//! trailers-only error. A body dropped before its end (the client went
//! away) counts as CANCELLED.

use std::{
    collections::HashSet,
    future::Future,
    pin::Pin,
    sync::LazyLock,
    task::{Context, Poll},
    time::Instant,
};

use http_body::{Body, Frame, SizeHint};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};
use prost::Message;
use tonic::Code;
use tower::{Layer, Service};

/// Latency buckets, in seconds: 0.5 ms to 30 s.
const BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The label for a path that names no RPC of ours: callers choose paths, and
/// each new label value would be a new series.
const UNKNOWN_RPC: &str = "unknown";

/// `/package.Service/Method` for every RPC the server serves.
static KNOWN_RPCS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut known = HashSet::new();
    for set in [crate::proto::FILE_DESCRIPTOR_SET, tonic_health::pb::FILE_DESCRIPTOR_SET] {
        let Ok(set) = prost_types::FileDescriptorSet::decode(set) else {
            continue;
        };
        for file in set.file {
            for service in &file.service {
                for method in &service.method {
                    known.insert(format!("/{}.{}/{}", file.package(), service.name(), method.name()));
                }
            }
        }
    }
    for version in ["v1", "v1alpha"] {
        known.insert(format!(
            "/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
        ));
    }
    known
});

/// Both values are static (a known path or `unknown`, a code name), so
/// counting a call allocates nothing.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    rpc: &'static str,
    code: &'static str,
}

type HistogramConstructor = fn() -> Histogram;

#[derive(Clone)]
pub struct RequestMetrics {
    calls: Family<CallLabels, Counter>,
    latency: Family<CallLabels, Histogram, HistogramConstructor>,
}

impl RequestMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let calls = Family::<CallLabels, Counter>::default();
        let latency = Family::new_with_constructor((|| Histogram::new(BUCKETS)) as HistogramConstructor);
        registry.register(
            "essayd_rpc_requests",
            "gRPC calls finished, by RPC and status code",
            calls.clone(),
        );
        registry.register(
            "essayd_rpc_duration_seconds",
            "gRPC call latency to the end of the response, by RPC and status code",
            latency.clone(),
        );
        Self { calls, latency }
    }

    fn record(&self, rpc: &'static str, code: Code, elapsed_secs: f64) {
        let labels = CallLabels {
            rpc,
            code: code_name(code),
        };
        self.calls.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(elapsed_secs);
    }
}

/// The canonical upper-case name of a gRPC code, as in the gRPC spec.
fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The RPC label for a request path: the path itself if it names one of our
/// RPCs, else [`UNKNOWN_RPC`].
fn rpc_label(path: &str) -> &'static str {
    KNOWN_RPCS.get(path).map_or(UNKNOWN_RPC, |known| known.as_str())
}

fn grpc_status(headers: &http::HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?.parse::<i32>().ok()?;
    Some(Code::from_i32(value))
}

#[derive(Clone)]
pub struct RequestMetricsLayer {
    metrics: RequestMetrics,
}

impl RequestMetricsLayer {
    pub fn new(metrics: RequestMetrics) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RequestMetricsService<S> {
    inner: S,
    metrics: RequestMetrics,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<http::Request<B>> for RequestMetricsService<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let call = Call {
            metrics: self.metrics.clone(),
            rpc: rpc_label(request.uri().path()),
            start: Instant::now(),
            header_code: None,
        };
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut call = call;
            let response = response.await?;
            call.header_code = grpc_status(response.headers());
            Ok(response.map(|body| {
                tonic::body::Body::new(MeteredBody {
                    inner: body,
                    call: Some(call),
                })
            }))
        })
    }
}

/// One call being timed until its response ends.
struct Call {
    metrics: RequestMetrics,
    rpc: &'static str,
    start: Instant,
    /// A trailers-only response carries its status in the headers.
    header_code: Option<Code>,
}

impl Call {
    fn finish(self, code: Code) {
        self.metrics.record(self.rpc, code, self.start.elapsed().as_secs_f64());
    }
}

/// A response body that records its call when it ends or is dropped.
struct MeteredBody {
    inner: tonic::body::Body,
    call: Option<Call>,
}

impl Body for MeteredBody {
    type Data = bytes::Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(code) = frame.trailers_ref().and_then(grpc_status)
                    && let Some(call) = self.call.take()
                {
                    call.finish(code);
                }
            }
            Poll::Ready(Some(Err(status))) => {
                if let Some(call) = self.call.take() {
                    call.finish(status.code());
                }
            }
            Poll::Ready(None) => {
                if let Some(call) = self.call.take() {
                    let code = call.header_code.unwrap_or(Code::Unknown);
                    call.finish(code);
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for MeteredBody {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            // A trailers-only response may be dropped without being polled
            // to its end; its code is already known.
            let code = call.header_code.unwrap_or(Code::Cancelled);
            call.finish(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_of_ours_is_a_known_label_and_other_paths_are_not() {
        assert_eq!(
            rpc_label("/essay.v1.EssayService/CreateEssay"),
            "/essay.v1.EssayService/CreateEssay"
        );
        assert_eq!(
            rpc_label("/grpc.health.v1.Health/Check"),
            "/grpc.health.v1.Health/Check"
        );
        assert_eq!(rpc_label("/essay.v1.EssayService/NoSuchMethod"), UNKNOWN_RPC);
        assert_eq!(rpc_label("/random/path"), UNKNOWN_RPC);
    }

    #[test]
    fn code_names_follow_the_grpc_spec() {
        assert_eq!(code_name(Code::Ok), "OK");
        assert_eq!(code_name(Code::ResourceExhausted), "RESOURCE_EXHAUSTED");
        assert_eq!(code_name(Code::from_i32(3)), "INVALID_ARGUMENT");
    }
}
