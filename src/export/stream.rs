//! Streaming a CSV export: a blocking task reads rows in batches and writes CSV into a
//! bounded channel; the receiving end is a stream of chunks (the web handler makes it a
//! response body). Memory stays at a few chunks whatever the export's size, and a reader
//! that goes away stops the export at the next chunk.

use std::fmt::Debug;
use std::io::{self, Write};

use futures_util::Stream;
use tokio::sync::mpsc;

use super::csv_writer;

/// Bytes gathered before a chunk is handed to the reader.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait in the channel: at most CHANNEL × CHUNK bytes in flight.
const CHANNEL: usize = 8;

/// A piece of the CSV, or the error that cut the export short.
pub type Chunk = io::Result<Vec<u8>>;

/// An `io::Write` that sends what is written as chunks over a bounded channel, blocking
/// while the channel is full (so a slow reader slows the query, not the memory).
pub struct ChannelWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<Chunk>) -> ChannelWriter {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader went away"))
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
/// logged, and the stream ends with an error item).
pub fn spawn<F, E>(produce: F) -> impl Stream<Item = Chunk> + Send + 'static
where
    F: FnOnce(&mut csv::Writer<ChannelWriter>) -> Result<u64, E> + Send + 'static,
    E: Debug,
{
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL);
    let failed = tx.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = csv_writer(ChannelWriter::new(tx));
        match produce(&mut out) {
            Ok(rows) => match out.flush() {
                Ok(()) => tracing::info!(rows, "CSV export streamed"),
                Err(e) => tracing::warn!(error = %e, "CSV export could not be finished"),
            },
            Err(e) => {
                tracing::warn!(error.cause_chain = ?e, "CSV export stopped part-way");
                let _ = failed.blocking_send(Err(io::Error::other("the export failed")));
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn the_writer_sends_chunks_and_stops_when_the_reader_is_gone() {
        let (tx, mut rx) = mpsc::channel(2);
        let mut w = ChannelWriter {
            tx,
            buf: Vec::new(),
        };
        w.write_all(&vec![b'x'; CHUNK + 1]).unwrap();
        let got = rx.try_recv().unwrap().unwrap();
        assert_eq!(got.len(), CHUNK + 1);
        drop(rx);
        w.write_all(b"more").unwrap();
        assert!(w.flush().is_err());
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

        let failing = spawn(|_| -> Result<u64, String> { Err("no".into()) });
        let chunks: Vec<Chunk> = failing.collect().await;
        assert!(chunks.last().is_some_and(Result::is_err));
    }
}
