//! API keys: a random token per key, given to the caller once and stored
//! only as its SHA-256; each key acts for one tenant. Tokens look like
//! `essayd_<key id>_<secret>`: the key id is public (for listing and
//! revoking), the secret is 32 random bytes.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{CoreError, TenantId, time_us};
use crate::store::{ApiKeyRecord, Store};

const PREFIX: &str = "essayd_";

/// A key as listed: never its token.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub key_id: String,
    pub tenant: TenantId,
    pub label: String,
    pub create_time: OffsetDateTime,
    pub revoke_time: Option<OffsetDateTime>,
}

/// Why a request was not authenticated. The messages never echo the token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuthError {
    #[error("missing API key: send `authorization: Bearer <key>`")]
    Missing,
    #[error("malformed API key: expected `authorization: Bearer essayd_…`")]
    Malformed,
    #[error("unknown API key")]
    Unknown,
    #[error("revoked API key")]
    Revoked,
    #[error("cannot check the API key: {0}")]
    Store(String),
}

#[derive(Clone)]
pub struct ApiKeys {
    store: Arc<dyn Store>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn random<const N: usize>() -> Result<[u8; N], CoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| CoreError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

impl ApiKeys {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Creates a key for `tenant`; the token is returned once and never stored.
    pub async fn create(&self, tenant: &TenantId, label: &str) -> Result<(ApiKey, String), CoreError> {
        let key_id = hex::encode(random::<6>()?);
        let token = format!("{PREFIX}{key_id}_{}", URL_SAFE_NO_PAD.encode(random::<32>()?));
        let record = ApiKeyRecord {
            key_id: key_id.clone(),
            tenant: tenant.as_str().to_owned(),
            label: label.to_owned(),
            create_time_us: time_us::from_time(time_us::now()),
            revoke_time_us: None,
        };
        self.store.insert_api_key(&hash(&token), &record)?;
        self.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), key_id = %key_id, "API key created");
        Ok((from_record(record)?, token))
    }

    /// The tenant a bearer token acts for.
    pub fn authenticate(&self, token: &str) -> Result<TenantId, AuthError> {
        let well_formed = token
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .is_some_and(|(id, secret)| {
                id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) && secret.len() == 43
            });
        if !well_formed {
            return Err(AuthError::Malformed);
        }
        let record = self
            .store
            .api_key(&hash(token))
            .map_err(|e| AuthError::Store(e.to_string()))?
            .ok_or(AuthError::Unknown)?;
        if record.revoke_time_us.is_some() {
            return Err(AuthError::Revoked);
        }
        TenantId::parse(&record.tenant).map_err(|e| AuthError::Store(e.to_string()))
    }

    pub fn list(&self) -> Result<Vec<ApiKey>, CoreError> {
        self.store.list_api_keys()?.into_iter().map(from_record).collect()
    }

    pub async fn revoke(&self, key_id: &str) -> Result<ApiKey, CoreError> {
        let record = self
            .store
            .revoke_api_key(key_id, time_us::from_time(time_us::now()))?
            .ok_or_else(|| CoreError::NotFound {
                resource: "API key",
                id: key_id.to_owned(),
            })?;
        self.store.sync().await?;
        tracing::info!(key_id = %key_id, "API key revoked");
        from_record(record)
    }
}

fn from_record(r: ApiKeyRecord) -> Result<ApiKey, CoreError> {
    Ok(ApiKey {
        key_id: r.key_id,
        tenant: TenantId::parse(&r.tenant)?,
        label: r.label,
        create_time: time_us::to_time(r.create_time_us)?,
        revoke_time: r.revoke_time_us.map(time_us::to_time).transpose()?,
    })
}
