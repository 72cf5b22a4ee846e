//! CSV exports, written row by row into any `csv::Writer` (an HTTP stream or a file), for
//! the web handlers and the `trellis export` command alike.
//!
//! Rows are read in keyset-paginated batches (by id, queries in `db::export`), so memory
//! stays flat however large the export. Each batch is read through a [`Source`]: with a
//! [`Db`] that is a short checkout (take a reading connection, run the batch's queries, give
//! it back), and the batch's rows are written afterwards with no connection held, so a
//! reader that stops taking the CSV never keeps a pooled connection waiting (DESIGN.md).
//! The price: batches are separate reads, so rows written during a long export may or may
//! not appear in it. Text written by people goes through
//! [`inert`](crate::domain::csv_cell::inert) so a spreadsheet never runs it; numbers and
//! dates are written as they are. Timestamps are ISO 8601 with the offset of the partner's
//! (or, for sessions, the counselor's) time zone. The columns are documented in the README
//! under "CSV exports". These functions run on a blocking thread; errors are `anyhow` (a
//! stream that fails part-way can only be cut off).
//!
//! Layer: `export` uses `db` and `domain` only; the web handler wraps [`stream`]'s chunks
//! into a response.

pub mod audit;
mod completion;
mod couple;
mod partner;
mod practice;
mod promises;
mod report;
pub mod stream;

use std::io::Write;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::db::{Db, DbConnection};
use crate::domain::csv_cell::iso_in_zone;

pub use completion::{completion_csv, COMPLETION_HEADER};
pub use couple::{couple_csv, COUPLE_HEADER};
pub use partner::{partner_csv, PARTNER_HEADER};
pub use practice::{practice_csv, PRACTICE_HEADER};
pub use promises::promise_rows;
pub use report::{report_csv, REPORT_HEADER};

/// Rows per keyset batch.
pub const BATCH: i64 = 1000;

/// Called with the number of rows written so far, after each batch.
pub type Progress<'a> = &'a mut dyn FnMut(u64);

/// Where an export reads from: each call runs one batch's queries with a connection that
/// is only held for that call.
pub trait Source {
    fn read<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T>;
}

/// A short checkout per batch: the reading connection goes back to the pool before the
/// batch's rows are written.
impl Source for Db<anyhow::Error> {
    fn read<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.read_blocking(f)
    }
}

/// The CSV writer every export uses: RFC 4180 quoting (only where needed), CRLF line ends.
pub fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(32 * 1024)
        .from_writer(w)
}

fn iso(t: NaiveDateTime, tz: Tz) -> String {
    iso_in_zone(t.and_utc(), tz)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
