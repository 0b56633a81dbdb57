//! Group commit: writers that wait for durability at the same time share one
//! flush instead of flushing once each.
//!
//! Each waiter takes a ticket after its write was applied. One waiter at a
//! time flushes (the others queue on a fair mutex); before flushing it reads
//! the newest ticket, and every write holding a ticket up to that one was
//! applied before the flush began, so the flush covers them all. Waiters that
//! find their ticket covered when they get the lock return without flushing.

use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

pub struct GroupCommit {
    db: sled::Db,
    issued: AtomicU64,
    durable: AtomicU64,
    flusher: tokio::sync::Mutex<()>,
}

impl GroupCommit {
    pub fn new(db: sled::Db) -> Self {
        Self {
            db,
            issued: AtomicU64::new(0),
            durable: AtomicU64::new(0),
            flusher: tokio::sync::Mutex::new(()),
        }
    }

    /// Resolves once every write applied before the call is on disk.
    pub async fn sync(&self) -> Result<(), StoreError> {
        let ticket = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let _turn = self.flusher.lock().await;
        if self.durable.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        let covered = self.issued.load(Ordering::SeqCst);
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StoreError::Unavailable(format!("flush task failed: {e}")))??;
        self.durable.fetch_max(covered, Ordering::SeqCst);
        Ok(())
    }

    /// Flushes now, from a thread that may block (shutdown).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}
