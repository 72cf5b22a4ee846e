//! Streaming a CSV export: a blocking task reads rows in batches and writes CSV into a
//! bounded channel; the response body is the receiving end. Memory stays at a few chunks
//! whatever the export's size, and a client that goes away stops the export at the next
//! chunk.

use std::io::{self, Write};

use actix_web::http::header;
use actix_web::HttpResponse;
use anyhow::Context;
use bytes::Bytes;
use tokio::sync::mpsc;

use crate::db::{Db, DbConnection};

/// Bytes gathered before a chunk is handed to the response.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait in the channel: at most CHANNEL × CHUNK bytes in flight.
const CHANNEL: usize = 8;

type Item = Result<Bytes, io::Error>;

/// An `io::Write` that sends what is written as chunks over a bounded channel, blocking
/// while the channel is full (so a slow client slows the query, not the memory).
pub struct ChannelWriter {
    tx: mpsc::Sender<Item>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
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

/// The CSV writer every export uses: RFC 4180 quoting (only where needed), CRLF line ends.
pub fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(32 * 1024)
        .from_writer(w)
}

/// A `Content-Disposition` file name: letters, digits, dot, dash and underscore only.
fn safe_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A 200 `text/csv` response whose body `produce` writes on the blocking pool with a
/// reading connection. Access checks and the audit row must be done before calling this:
/// once the body starts, an error can only cut the download short (and is logged).
pub fn stream<E, F>(db: Db<E>, filename: &str, produce: F) -> HttpResponse
where
    F: FnOnce(&mut DbConnection, &mut csv::Writer<ChannelWriter>) -> anyhow::Result<u64>
        + Send
        + 'static,
{
    let (tx, rx) = mpsc::channel::<Item>(CHANNEL);
    let failed = tx.clone();
    let db = db.with_error::<anyhow::Error>();
    actix_web::rt::task::spawn_blocking(move || {
        let result = db.read_blocking(move |conn| {
            let mut out = csv_writer(ChannelWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            });
            let rows = produce(conn, &mut out)?;
            out.flush().context("Failed to finish the CSV")?;
            Ok(rows)
        });
        match result {
            Ok(rows) => tracing::info!(rows, "CSV export streamed"),
            Err(e) => {
                tracing::warn!(error.cause_chain = ?e, "CSV export stopped part-way");
                let _ = failed.blocking_send(Err(io::Error::other("the export failed")));
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", safe_filename(filename)),
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(safe_filename("couple-3 \"x\".csv"), "couple-3__x_.csv");
    }

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
}
