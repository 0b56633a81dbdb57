//! Report links: signed, expiring, tenant-scoped URLs of one grade's or one
//! job's report page, which an LMS embeds without giving the browser an API
//! key (the way an LTI tool launch works). A link carries the tenant, the
//! thing's ids, its expiry and an HMAC-SHA256 over all of them; the key is
//! made on first start and kept in the store, so links survive restarts and
//! every server over one database accepts them.
//!
//! [`LinkSigner`] is the pure part (sign and verify, constant-time compare);
//! [`ReportLinks`] makes links for things that exist in the caller's tenant.

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use super::{CoreError, EssayId, GradeId, Grading, GradingJobs, JobId, TenantId};
use crate::store::Store;

/// A link's lifetime when the caller gives none.
pub const DEFAULT_LINK_TTL: Duration = Duration::from_secs(60 * 60);
/// The longest a link may live: a leaked link stops working within a week.
pub const MAX_LINK_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    Grade { essay_id: EssayId, grade_id: GradeId },
    Job(JobId),
}

/// A report's address: what and whose, until when, and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    pub tenant: TenantId,
    pub target: ReportTarget,
    /// Unix seconds.
    pub expires: i64,
    /// base64url HMAC-SHA256 of the rest.
    pub signature: String,
}

impl SignedLink {
    /// The path and query of the report page, e.g.
    /// `/reports/jobs/ID?tenant=T&expires=E&sig=S`. Tenant names hold only
    /// characters a query may carry as they are (see `parse_name`).
    pub fn path_and_query(&self) -> String {
        format!("{}{}", self.path(), self.query())
    }

    pub fn path(&self) -> String {
        match self.target {
            ReportTarget::Grade { essay_id, grade_id } => format!("/reports/grades/{essay_id}/{grade_id}"),
            ReportTarget::Job(id) => format!("/reports/jobs/{id}"),
        }
    }

    /// `?tenant=…&expires=…&sig=…`.
    pub fn query(&self) -> String {
        format!(
            "?tenant={}&expires={}&sig={}",
            self.tenant.as_str(),
            self.expires,
            self.signature
        )
    }
}

/// Why a link is refused. All of them are shown as one plain 403 page: the
/// reason is logged, never told to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

/// Signs and checks report links with the server's key.
#[derive(Clone)]
pub struct LinkSigner {
    /// Keyed once; each link clones it.
    keyed: HmacSha256,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(…)")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl LinkSigner {
    pub fn new(key: [u8; 32]) -> Self {
        // HMAC accepts a key of any length: this cannot fail.
        let keyed = HmacSha256::new_from_slice(&key).expect("HMAC takes a key of any length");
        Self { keyed }
    }

    fn mac(&self, tenant: &TenantId, target: ReportTarget, expires: i64) -> HmacSha256 {
        // Fields separated by newlines, which no field can hold, so two
        // different links never sign the same bytes.
        let message = match target {
            ReportTarget::Grade { essay_id, grade_id } => {
                format!(
                    "essayd-report/v1\n{}\ngrade\n{essay_id}\n{grade_id}\n{expires}",
                    tenant.as_str()
                )
            }
            ReportTarget::Job(id) => format!("essayd-report/v1\n{}\njob\n{id}\n{expires}", tenant.as_str()),
        };
        let mut mac = self.keyed.clone();
        mac.update(message.as_bytes());
        mac
    }

    /// A link to `target` of `tenant`, valid until `expires` (unix seconds).
    pub fn sign(&self, tenant: &TenantId, target: ReportTarget, expires: i64) -> SignedLink {
        let signature = URL_SAFE_NO_PAD.encode(self.mac(tenant, target, expires).finalize().into_bytes());
        SignedLink {
            tenant: tenant.clone(),
            target,
            expires,
            signature,
        }
    }

    /// Checks a link's signature (in constant time) and then its expiry
    /// against `now` (unix seconds).
    pub fn verify(&self, link: &SignedLink, now: i64) -> Result<(), LinkError> {
        let signature = URL_SAFE_NO_PAD
            .decode(link.signature.as_bytes())
            .map_err(|_| LinkError::BadSignature)?;
        self.mac(&link.tenant, link.target, link.expires)
            .verify_slice(&signature)
            .map_err(|_| LinkError::BadSignature)?;
        if now >= link.expires {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}

/// The current time in unix seconds.
pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A link as the API returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLink {
    pub url: String,
    pub expire_time: OffsetDateTime,
}

/// Makes report links for grades and jobs that exist in the caller's tenant.
#[derive(Clone)]
pub struct ReportLinks {
    signer: LinkSigner,
    /// `https://host[:port]` without a trailing slash; `None` when the
    /// server has no HTTP listener, so there is nothing to link to.
    base_url: Option<Arc<str>>,
    grading: Grading,
    jobs: GradingJobs,
}

impl ReportLinks {
    /// The store's signing key, made (and flushed) on the first start.
    pub async fn load_signer(store: &Arc<dyn Store>) -> Result<LinkSigner, CoreError> {
        let mut candidate = [0u8; 32];
        getrandom::fill(&mut candidate).map_err(|e| CoreError::Internal(format!("no randomness: {e}")))?;
        let key = store.report_signing_key(&candidate)?;
        store.sync().await?;
        Ok(LinkSigner::new(key))
    }

    pub fn new(signer: LinkSigner, base_url: Option<String>, grading: Grading, jobs: GradingJobs) -> Self {
        Self {
            signer,
            base_url: base_url.map(|u| Arc::from(u.trim_end_matches('/'))),
            grading,
            jobs,
        }
    }

    pub fn signer(&self) -> &LinkSigner {
        &self.signer
    }

    /// A link to a grade (the essay's latest when `grade_id` is `None`).
    pub fn for_grade(
        &self,
        tenant: &TenantId,
        essay_id: EssayId,
        grade_id: Option<GradeId>,
        ttl: Option<Duration>,
    ) -> Result<ReportLink, CoreError> {
        let base = self.base_url()?;
        let ttl = check_ttl(ttl)?;
        let grade_id = match grade_id {
            Some(id) => self.grading.get(tenant, essay_id, id)?.id,
            None => self
                .grading
                .list(tenant, essay_id, None, 1)?
                .items
                .first()
                .and_then(|g| g.id),
        }
        .ok_or_else(|| CoreError::NotFound {
            resource: "grade",
            id: format!("latest of essay {essay_id}"),
        })?;
        Ok(self.link(base, tenant, ReportTarget::Grade { essay_id, grade_id }, ttl))
    }

    /// A link to a grading job's report.
    pub fn for_job(&self, tenant: &TenantId, job_id: JobId, ttl: Option<Duration>) -> Result<ReportLink, CoreError> {
        let base = self.base_url()?;
        let ttl = check_ttl(ttl)?;
        self.jobs.get(tenant, job_id)?;
        Ok(self.link(base, tenant, ReportTarget::Job(job_id), ttl))
    }

    fn base_url(&self) -> Result<&str, CoreError> {
        self.base_url.as_deref().ok_or_else(|| CoreError::FailedPrecondition {
            field: String::new(),
            description: "reports are off: start essayd with --http-listen to serve them".into(),
            reason: "REPORTS_OFF",
        })
    }

    fn link(&self, base: &str, tenant: &TenantId, target: ReportTarget, ttl: Duration) -> ReportLink {
        let now = OffsetDateTime::now_utc();
        let expires = now.unix_timestamp() + ttl.as_secs() as i64;
        let link = self.signer.sign(tenant, target, expires);
        ReportLink {
            url: format!("{base}{}", link.path_and_query()),
            expire_time: OffsetDateTime::from_unix_timestamp(expires).unwrap_or(now),
        }
    }
}

fn check_ttl(ttl: Option<Duration>) -> Result<Duration, CoreError> {
    match ttl {
        None => Ok(DEFAULT_LINK_TTL),
        Some(t) if t.is_zero() => Ok(DEFAULT_LINK_TTL),
        Some(t) if t > MAX_LINK_TTL => Err(CoreError::invalid(
            "ttl",
            "TTL_TOO_LONG",
            format!(
                "is {} s; a link lives at most 7 days ({} s)",
                t.as_secs(),
                MAX_LINK_TTL.as_secs()
            ),
        )),
        Some(t) => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> LinkSigner {
        LinkSigner::new([7; 32])
    }

    fn job() -> ReportTarget {
        ReportTarget::Job(JobId::generate())
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let tenant = TenantId::parse("school-a").unwrap();
        let link = signer().sign(&tenant, job(), 1_000);
        assert_eq!(signer().verify(&link, 999), Ok(()));
        assert_eq!(signer().verify(&link, 1_000), Err(LinkError::Expired));
    }

    #[test]
    fn changing_any_part_of_a_link_breaks_its_signature() {
        let tenant = TenantId::parse("school-a").unwrap();
        let link = signer().sign(&tenant, job(), 1_000);
        let other_tenant = SignedLink {
            tenant: TenantId::parse("school-b").unwrap(),
            ..link.clone()
        };
        let other_job = SignedLink {
            target: job(),
            ..link.clone()
        };
        let later = SignedLink {
            expires: 2_000,
            ..link.clone()
        };
        let grade = SignedLink {
            target: ReportTarget::Grade {
                essay_id: EssayId::generate(),
                grade_id: GradeId::generate(),
            },
            ..link.clone()
        };
        let garbage = SignedLink {
            signature: "not base64!".into(),
            ..link.clone()
        };
        for forged in [other_tenant, other_job, later, grade, garbage] {
            assert_eq!(signer().verify(&forged, 0), Err(LinkError::BadSignature), "{forged:?}");
        }
        assert_eq!(
            LinkSigner::new([8; 32]).verify(&link, 0),
            Err(LinkError::BadSignature),
            "another server's key"
        );
    }

    #[test]
    fn links_put_everything_in_the_path_and_query() {
        let tenant = TenantId::parse("school-a").unwrap();
        let id = JobId::generate();
        let link = signer().sign(&tenant, ReportTarget::Job(id), 1_000);
        assert_eq!(
            link.path_and_query(),
            format!("/reports/jobs/{id}?tenant=school-a&expires=1000&sig={}", link.signature)
        );
    }

    #[test]
    fn ttls_past_a_week_are_refused() {
        assert_eq!(check_ttl(None).unwrap(), DEFAULT_LINK_TTL);
        assert_eq!(check_ttl(Some(Duration::ZERO)).unwrap(), DEFAULT_LINK_TTL);
        assert!(check_ttl(Some(MAX_LINK_TTL + Duration::from_secs(1))).is_err());
    }
}
