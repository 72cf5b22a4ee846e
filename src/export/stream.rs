//! Streaming a CSV export: a blocking task reads rows in batches and writes CSV into a
//! bounded channel; the receiving end is a stream of chunks (the web handler makes it a
//! response body). Memory stays at a few chunks whatever the export's size, and a reader
//! that goes away stops the export at the next chunk. A reader that stays connected but
//! takes nothing for [`STALL`] stops it too, so a dead client does not keep a blocking
//! thread forever (the producer holds no database connection while it waits: see
//! [`Source`](super::Source)).

use std::fmt::Debug;
use std::future::Future;
use std::io::{self, Write};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use futures_util::Stream;
use tokio::sync::mpsc;

use super::csv_writer;

/// Bytes gathered before a chunk is handed to the reader.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait in the channel: at most CHANNEL × CHUNK bytes in flight.
const CHANNEL: usize = 8;
/// How long a chunk may wait for the reader to make room before the export is given up.
pub const STALL: Duration = Duration::from_secs(30);

/// A piece of the CSV, or the error that cut the export short.
pub type Chunk = io::Result<Vec<u8>>;

/// An `io::Write` that sends what is written as chunks over a bounded channel, blocking
/// while the channel is full (so a slow reader slows the export, not the memory), for at
/// most `stall` per chunk.
pub struct ChannelWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
    stall: Duration,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<Chunk>, stall: Duration) -> ChannelWriter {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
            stall,
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        match block_on_for(self.tx.reserve(), self.stall) {
            Some(Ok(permit)) => {
                let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
                permit.send(Ok(chunk));
                Ok(())
            }
            Some(Err(_)) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the reader went away",
            )),
            None => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the reader took nothing for too long",
            )),
        }
    }
}

/// Wakes a thread parked in [`block_on_for`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Run `fut` to completion on this (blocking, non-async) thread, parking between polls,
/// for at most `limit`; `None` if it was not done by then. Needs no runtime timer.
fn block_on_for<F: Future>(fut: F, limit: Duration) -> Option<F::Output> {
    let deadline = Instant::now() + limit;
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Some(out);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        thread::park_timeout(left);
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Run `produce` on tokio's blocking pool (call it from inside a tokio runtime) and return
/// the CSV it writes as a stream of chunks. Access checks and the audit row must be done
/// before calling this: once the stream starts, an error can only cut it short (it is
/// logged, and the stream ends with an error item, so the download is cut off rather than
/// looking complete).
pub fn spawn<F, E>(produce: F) -> impl Stream<Item = Chunk> + Send + 'static
where
    F: FnOnce(&mut csv::Writer<ChannelWriter>) -> Result<u64, E> + Send + 'static,
    E: Debug,
{
    spawn_with_stall(STALL, produce)
}

/// [`spawn`] with another limit on how long a chunk may wait for the reader.
pub fn spawn_with_stall<F, E>(
    stall: Duration,
    produce: F,
) -> impl Stream<Item = Chunk> + Send + 'static
where
    F: FnOnce(&mut csv::Writer<ChannelWriter>) -> Result<u64, E> + Send + 'static,
    E: Debug,
{
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL);
    // Set before the sender is dropped; the reader checks it once the channel is empty and
    // closed (waiting to queue an error item could block on a reader that takes nothing).
    let failed = Arc::new(AtomicBool::new(false));
    let failed_in_task = failed.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = csv_writer(ChannelWriter::new(tx, stall));
        let finished = match produce(&mut out) {
            Ok(rows) => match out.flush() {
                Ok(()) => {
                    tracing::info!(rows, "CSV export streamed");
                    true
                }
                Err(e) => {
                    tracing::warn!(error = %e, "CSV export could not be finished");
                    false
                }
            },
            Err(e) => {
                tracing::warn!(error.cause_chain = ?e, "CSV export stopped part-way");
                false
            }
        };
        if !finished {
            failed_in_task.store(true, Ordering::SeqCst);
        }
        // Dropping the writer closes the channel.
        drop(out);
    });
    futures_util::stream::unfold(Some(rx), move |rx| {
        let failed = failed.clone();
        async move {
            let mut rx = rx?;
            match rx.recv().await {
                Some(item) => Some((item, Some(rx))),
                None if failed.load(Ordering::SeqCst) => {
                    Some((Err(io::Error::other("the export failed")), None))
                }
                None => None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn the_writer_sends_chunks_and_stops_when_the_reader_is_gone() {
        let (tx, mut rx) = mpsc::channel(2);
        let mut w = ChannelWriter::new(tx, STALL);
        w.write_all(&vec![b'x'; CHUNK + 1]).unwrap();
        let got = rx.try_recv().unwrap().unwrap();
        assert_eq!(got.len(), CHUNK + 1);
        drop(rx);
        w.write_all(b"more").unwrap();
        assert_eq!(w.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn the_writer_gives_up_on_a_reader_that_takes_nothing() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut w = ChannelWriter::new(tx, Duration::from_millis(50));
        w.write_all(b"first").unwrap();
        w.flush().unwrap();
        w.write_all(b"second").unwrap();
        let started = Instant::now();
        assert_eq!(w.flush().unwrap_err().kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(rx.try_recv().unwrap().unwrap(), b"first");
    }

    #[test]
    fn the_writer_waits_for_a_slow_reader() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut w = ChannelWriter::new(tx, Duration::from_secs(5));
        w.write_all(b"a").unwrap();
        w.flush().unwrap();
        let reader = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            let mut got = Vec::new();
            while let Some(chunk) = rx.blocking_recv() {
                got.extend(chunk.unwrap());
            }
            got
        });
        w.write_all(b"b").unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(reader.join().unwrap(), b"ab");
    }

    #[tokio::test]
    async fn the_stream_carries_the_csv_and_ends_with_an_error_when_it_fails() {
        let ok = spawn(|out| -> Result<u64, String> {
            out.write_record(["a", "b,c"]).map_err(|e| e.to_string())?;
            Ok(1)
        });
        let chunks: Vec<Chunk> = ok.collect().await;
        let bytes: Vec<u8> = chunks.into_iter().flat_map(Result::unwrap).collect();
        assert_eq!(bytes, b"a,\"b,c\"\r\n");

        let failing = spawn(|out| -> Result<u64, String> {
            out.write_record(["a"]).map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
            Err("no".into())
        });
        let chunks: Vec<Chunk> = failing.collect().await;
        assert_eq!(chunks.len(), 2);
        assert!(chunks[0].is_ok());
        assert!(chunks[1].is_err());
    }

    #[tokio::test]
    async fn a_stalled_reader_gets_an_error_at_the_end_not_a_clean_finish() {
        let mut stream = Box::pin(spawn_with_stall(
            Duration::from_millis(50),
            |out| -> Result<u64, std::io::Error> {
                for _ in 0..(CHANNEL + 2) {
                    out.write_record([&"x".repeat(CHUNK)])?;
                }
                out.flush()?;
                Ok(1)
            },
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
        }
        assert!(items.last().is_some_and(Result::is_err), "{}", items.len());
        assert!(items.len() <= CHANNEL + 1);
    }
}
