//! Authentication: every essay.v1 request carries `authorization: Bearer
//! <API key>`; the key decides the tenant the request acts for, which the
//! handlers read from the request's extensions. Health and reflection stay
//! open for probes and tools. Tokens are never logged.

use tonic::{Request, Status, service::Interceptor};

use crate::core::{ApiKeys, AuthError, TenantId};

/// Checks API keys, or (explicitly, for local development) lets every
/// request act for the default tenant.
#[derive(Clone)]
pub enum Authenticator {
    Keys(ApiKeys),
    Disabled,
}

impl Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let tenant = match self {
            Authenticator::Disabled => TenantId::default(),
            Authenticator::Keys(keys) => {
                let header = request
                    .metadata()
                    .get("authorization")
                    .ok_or(AuthError::Missing)
                    .map_err(unauthenticated)?;
                let token = header
                    .to_str()
                    .ok()
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .ok_or(AuthError::Malformed)
                    .map_err(unauthenticated)?;
                keys.authenticate(token.trim()).map_err(unauthenticated)?
            }
        };
        request.extensions_mut().insert(tenant);
        Ok(request)
    }
}

fn unauthenticated(e: AuthError) -> Status {
    match e {
        AuthError::Store(detail) => {
            tracing::error!(error = %detail, "API key check failed");
            Status::unavailable("cannot check the API key now; retry later")
        }
        other => Status::unauthenticated(other.to_string()),
    }
}

/// The tenant the authenticator put on the request.
pub fn tenant<T>(request: &Request<T>) -> Result<TenantId, Status> {
    request
        .extensions()
        .get::<TenantId>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("the request was not authenticated"))
}
