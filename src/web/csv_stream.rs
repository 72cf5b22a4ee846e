//! A CSV export as an HTTP download: `export::stream` writes the CSV on the blocking pool,
//! reading each batch with a short checkout of a reading connection (none is held while the
//! client is slow); this wraps its chunks into a streamed `text/csv` response.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use futures_util::StreamExt;

use crate::db::Db;
use crate::export::stream::{self, ChannelWriter};

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

/// A `text/csv` attachment response with this file name.
pub fn csv_response(filename: &str) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.content_type("text/csv; charset=utf-8").insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{}\"", safe_filename(filename)),
    ));
    res
}

/// A 200 `text/csv` response whose body `produce` writes on the blocking pool, reading
/// through the given handle one batch at a time (an [`export::Source`](crate::export::Source)).
/// Access checks and the audit row must be done before calling this: once the body starts,
/// an error can only cut the download short (and is logged).
pub fn stream<E, F>(db: Db<E>, filename: &str, produce: F) -> HttpResponse
where
    E: Send + 'static,
    F: FnOnce(&mut Db<anyhow::Error>, &mut csv::Writer<ChannelWriter>) -> anyhow::Result<u64>
        + Send
        + 'static,
{
    let mut db = db.with_error::<anyhow::Error>();
    let body = stream::spawn(move |out| produce(&mut db, out));
    csv_response(filename).streaming(body.map(|chunk| chunk.map(Bytes::from)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(safe_filename("couple-3 \"x\".csv"), "couple-3__x_.csv");
    }
}
