//! Group commit: writers that wait for durability at the same time share one
//! flush instead of flushing once each.
//!
//! Each waiter takes a ticket after its write was applied. One waiter at a
//! time is the flusher: before flushing it reads the newest ticket, and every
//! write holding a ticket up to that one was applied before the flush began,
//! so the flush covers them all. It then publishes that ticket on a watch
//! channel, which wakes every waiter at once; a waiter whose ticket is
//! covered returns, and one that is not becomes (or waits for) the next
//! flusher. Waking all at once, rather than handing a lock from waiter to
//! waiter, keeps a burst of 64 writers from paying 64 context switches in a row.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::watch;

use super::StoreError;

pub struct GroupCommit {
    db: sled::Db,
    issued: AtomicU64,
    flushing: AtomicBool,
    durable: watch::Sender<u64>,
}

impl GroupCommit {
    pub fn new(db: sled::Db) -> Self {
        Self {
            db,
            issued: AtomicU64::new(0),
            flushing: AtomicBool::new(false),
            durable: watch::Sender::new(0),
        }
    }

    /// Resolves once every write applied before the call is on disk.
    pub async fn sync(&self) -> Result<(), StoreError> {
        let ticket = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let mut durable = self.durable.subscribe();
        loop {
            if *durable.borrow_and_update() >= ticket {
                return Ok(());
            }
            if !self.flushing.swap(true, Ordering::SeqCst) {
                let result = self.flush().await;
                self.flushing.store(false, Ordering::SeqCst);
                match result {
                    Ok(covered) => {
                        self.durable.send_modify(|d| *d = (*d).max(covered));
                    }
                    Err(e) => {
                        // Wake the others: one of them retries the flush.
                        self.durable.send_modify(|_| {});
                        return Err(e);
                    }
                }
                continue;
            }
            // Another waiter is flushing; its publication wakes us. The
            // sender lives as long as `self`, so `changed` cannot fail here.
            let _ = durable.changed().await;
        }
    }

    /// Flushes, returning the newest ticket the flush covers.
    async fn flush(&self) -> Result<u64, StoreError> {
        let covered = self.issued.load(Ordering::SeqCst);
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StoreError::Unavailable(format!("flush task failed: {e}")))??;
        Ok(covered)
    }

    /// Flushes now, from a thread that may block (shutdown).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_waiters_share_flushes_and_all_return() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = std::sync::Arc::new(GroupCommit::new(db.clone()));
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let commit = commit.clone();
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.insert(i.to_be_bytes(), vec![1u8; 100]).unwrap();
                commit.sync().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*commit.durable.borrow(), 64, "every ticket is covered");
    }
}
