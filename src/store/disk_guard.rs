//! Refuses writes before the disk does. sled treats a failed write (disk
//! full, read-only file system) as fatal: every later write fails until the
//! process restarts. So before each write the store asks the file system how
//! much room is left and whether it is writable, and refuses the write while
//! free space is under a reserve — with an error the caller can act on, and
//! nothing written. When space is freed (or the file system is writable
//! again) the next write goes through: no restart needed. Deletes need no
//! reserve, so that an operator can free space through the API.

use std::path::{Path, PathBuf};

use rustix::fs::StatVfsMountFlags;

use super::StoreError;

#[derive(Debug, Clone)]
pub struct DiskGuard {
    dir: PathBuf,
    reserve_bytes: u64,
}

/// What the file system said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    pub available_bytes: u64,
    pub read_only: bool,
}

impl DiskGuard {
    pub fn new(dir: &Path, reserve_bytes: u64) -> Self {
        Self {
            dir: dir.to_path_buf(),
            reserve_bytes,
        }
    }

    fn space(&self) -> Option<DiskSpace> {
        // A file system that cannot be asked (unusual) is not a reason to
        // refuse writes; sled's own errors still stand behind this check.
        let stat = rustix::fs::statvfs(&self.dir).ok()?;
        Some(DiskSpace {
            available_bytes: stat.f_bavail.saturating_mul(stat.f_frsize),
            read_only: stat.f_flag.contains(StatVfsMountFlags::RDONLY),
        })
    }

    /// Ok when `bytes` more can be written and the reserve still stays free.
    pub fn check_write(&self, bytes: usize) -> Result<(), StoreError> {
        let Some(space) = self.space() else { return Ok(()) };
        check(space, bytes as u64, self.reserve_bytes)
    }

    /// Ok when the file system is writable (deletes need no free space).
    pub fn check_delete(&self) -> Result<(), StoreError> {
        let Some(space) = self.space() else { return Ok(()) };
        check(space, 0, 0)
    }
}

fn check(space: DiskSpace, bytes: u64, reserve_bytes: u64) -> Result<(), StoreError> {
    if space.read_only {
        return Err(StoreError::ReadOnly);
    }
    if space.available_bytes < reserve_bytes.saturating_add(bytes) {
        return Err(StoreError::Full {
            available_bytes: space.available_bytes,
            reserve_bytes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(available_bytes: u64, read_only: bool) -> DiskSpace {
        DiskSpace {
            available_bytes,
            read_only,
        }
    }

    #[test]
    fn a_write_must_leave_the_reserve_free() {
        assert!(check(space(1_000, false), 100, 900).is_ok());
        assert!(matches!(
            check(space(1_000, false), 101, 900),
            Err(StoreError::Full {
                available_bytes: 1_000,
                reserve_bytes: 900
            })
        ));
    }

    #[test]
    fn a_read_only_file_system_refuses_every_write_and_delete() {
        assert!(matches!(check(space(u64::MAX, true), 0, 0), Err(StoreError::ReadOnly)));
    }

    #[test]
    fn the_data_dir_of_a_test_is_writable_with_room() {
        let dir = tempfile::tempdir().unwrap();
        let guard = DiskGuard::new(dir.path(), 0);
        assert!(guard.check_write(1).is_ok());
        assert!(guard.space().is_some_and(|s| s.available_bytes > 0 && !s.read_only));
    }
}
