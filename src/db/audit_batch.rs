//! Group commit for audit rows on hot read paths (the dashboard).
//!
//! Every view is audited, and on SQLite each commit waits for an fsync of the WAL
//! (`synchronous=FULL`, about 2-3 ms on these disks) on the one writing connection, so one
//! transaction per view caps a busy page at a few hundred views per second. Here requests
//! hand their row to one flusher that writes everything queued so far in one
//! transaction; each request still waits until its row is committed, so nothing is
//! acknowledged before it is durable and nothing lives only in this process's memory once
//! the response is sent.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::audit::NewAudit;
use super::{Db, DbError};

/// Most rows committed in one transaction.
const MAX_BATCH: usize = 512;

/// A row and where to say how its batch went (one error shared by every row in a batch).
type Pending = (NewAudit, oneshot::Sender<Result<(), Arc<DbError>>>);

/// One per process (a field of `AppState`); the flusher task starts on first use.
#[derive(Default)]
pub struct AuditBatcher {
    tx: OnceLock<mpsc::UnboundedSender<Pending>>,
}

impl AuditBatcher {
    /// Write `event`, batched with whatever other rows are waiting; returns once committed.
    /// Fails with the error type of the handle it is given, like [`Db::write`].
    pub async fn record<E: From<DbError>>(&self, db: &Db<E>, event: NewAudit) -> Result<(), E> {
        let tx = self.tx.get_or_init(|| spawn_flusher(db.with_error()));
        let (done, wait) = oneshot::channel();
        tx.send((event, done))
            .map_err(|_| DbError::AuditWriterGone)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DbError::AuditBatch(e).into()),
            Err(_) => Err(DbError::AuditWriterGone.into()),
        }
    }
}

fn spawn_flusher(db: Db) -> mpsc::UnboundedSender<Pending> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Pending>();
    actix_web::rt::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            let (events, waiters): (Vec<NewAudit>, Vec<_>) = batch.into_iter().unzip();
            let outcome = db
                // One turn of the hash chain for the whole batch (see `audit_chain`).
                .write(move |conn| Ok(super::audit_chain::append(conn, &events)?))
                .await
                .map_err(Arc::new);
            for w in waiters {
                // A request that went away no longer waits; its row is written all the same.
                let _ = w.send(outcome.clone());
            }
        }
    });
    tx
}
