//! Key layout. Every key starts with `tenant 0x00`; ids never contain NUL
//! (the core refuses them), so prefixes cannot collide across tenants.

use super::EssayKey;

/// `tenant 0`.
pub fn tenant_prefix(tenant: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(tenant.len() + 1);
    k.extend_from_slice(tenant.as_bytes());
    k.push(0);
    k
}

/// `tenant 0 id16`: an essay's record and its text, and the prefix of its
/// grades.
pub fn essay(tenant: &str, id: &EssayKey) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(id);
    k
}

/// `tenant 0 name 0`: the prefix of the keys below a caller-chosen name
/// (an assignment's essays in its index, a rubric's versions, an
/// assignment's models).
pub fn name_prefix(tenant: &str, name: &str) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k
}

/// `tenant 0 assignment 0 id16`: an entry of the assignment index.
pub fn assignment_essay(tenant: &str, assignment: &str, id: &EssayKey) -> Vec<u8> {
    let mut k = name_prefix(tenant, assignment);
    k.extend_from_slice(id);
    k
}

/// `tenant 0 assignment 0 external_id`: the external-id index.
pub fn external_id(tenant: &str, assignment: &str, external_id: &str) -> Vec<u8> {
    let mut k = name_prefix(tenant, assignment);
    k.extend_from_slice(external_id.as_bytes());
    k
}

/// `tenant 0 request_id`.
pub fn request_id(tenant: &str, request_id: &str) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(request_id.as_bytes());
    k
}

/// `tenant 0 name`: a record kept under a caller-chosen name (an assignment,
/// or the latest version of a rubric).
pub fn named(tenant: &str, name: &str) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(name.as_bytes());
    k
}

/// `tenant 0 assignment_id`: an assignment.
pub fn assignment(tenant: &str, id: &str) -> Vec<u8> {
    named(tenant, id)
}

/// `tenant 0 name`: the latest version of a rubric.
pub fn rubric_latest(tenant: &str, name: &str) -> Vec<u8> {
    named(tenant, name)
}

/// `tenant 0 essay16 grade16`: a grade of an essay.
pub fn grade(tenant: &str, essay: &EssayKey, grade: &[u8; 16]) -> Vec<u8> {
    let mut k = self::essay(tenant, essay);
    k.extend_from_slice(grade);
    k
}

/// `tenant 0 name 0 version_be32`: a rubric version.
pub fn rubric_version(tenant: &str, name: &str, version: u32) -> Vec<u8> {
    let mut k = name_prefix(tenant, name);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// `tenant 0 job16`: a job, and the prefix of its essays and results.
pub fn job(tenant: &str, job: &[u8; 16]) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(job);
    k
}

/// `tenant 0 job16 sequence_be32`: one essay (or result) of a job.
pub fn job_item(tenant: &str, job: &[u8; 16], sequence: u32) -> Vec<u8> {
    let mut k = self::job(tenant, job);
    k.extend_from_slice(&sequence.to_be_bytes());
    k
}

/// `tenant 0 assignment 0 name`: the latest version of a model.
pub fn model(tenant: &str, assignment: &str, name: &str) -> Vec<u8> {
    let mut k = name_prefix(tenant, assignment);
    k.extend_from_slice(name.as_bytes());
    k
}

/// `tenant 0 assignment 0 name 0 version_be32`: one version of a model.
pub fn model_version(tenant: &str, assignment: &str, name: &str, version: u32) -> Vec<u8> {
    let mut k = model(tenant, assignment, name);
    k.push(0);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// The essay id at the end of an index key.
pub fn trailing_essay_id(key: &[u8]) -> Option<EssayKey> {
    let start = key.len().checked_sub(16)?;
    key[start..].try_into().ok()
}

/// The smallest key after `key` itself (`key 0x00`): where a scan resumes
/// just past the last key it returned. Keys that extend `key` sort after it
/// too, so a caller must not have keys that extend another's.
pub fn successor(key: &[u8]) -> Vec<u8> {
    let mut k = key.to_vec();
    k.push(0);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tenants_prefix_never_covers_anothers_keys() {
        let a = essay("school", &[1; 16]);
        assert!(!a.starts_with(&tenant_prefix("schoo")));
        assert!(a.starts_with(&tenant_prefix("school")));
    }

    #[test]
    fn the_essay_id_is_read_back_from_an_index_key() {
        let k = assignment_essay("t", "a", &[7; 16]);
        assert_eq!(trailing_essay_id(&k), Some([7; 16]));
    }
}
