//! The audit log's hash chain: each row's hash covers its own content and the hash of the
//! row before it, so editing, deleting or reordering any row breaks every link after it.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// What a row's hash covers: every column but its id and the hash itself.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_id: Option<i32>,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<i32>,
    pub couple_id: Option<i32>,
    pub request_id: &'a str,
    pub detail: &'a str,
}

/// The hash of a row whose predecessor's hash is `previous` ("" for the first row).
/// Each field is written with its length first, so no two different rows encode alike.
pub fn row_hash(previous: &str, c: &Content<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    let opt = |v: Option<i32>| v.map_or_else(|| "-".to_string(), |n| n.to_string());
    field("trellis audit v1");
    field(previous);
    // Microseconds: what both databases keep of a timestamp.
    field(&c.at.format("%Y-%m-%d %H:%M:%S%.6f").to_string());
    field(c.actor_kind);
    field(&opt(c.actor_id));
    field(c.action);
    field(c.target_kind);
    field(&opt(c.target_id));
    field(&opt(c.couple_id));
    field(c.request_id);
    field(c.detail);
    hex::encode(h.finalize())
}

/// One stored row as the verifier reads it.
#[derive(Debug, Clone)]
pub struct Link<'a> {
    pub id: i32,
    pub content: Content<'a>,
    pub stored_hash: &'a str,
}

/// Walk rows in id order from a chain that starts at `previous`; the id of the first row
/// whose stored hash is not what its content and predecessor give, if any.
pub fn first_broken<'a>(
    previous: &str,
    rows: impl IntoIterator<Item = Link<'a>>,
) -> (Option<i32>, String) {
    let mut prev = previous.to_string();
    for row in rows {
        let expected = row_hash(&prev, &row.content);
        if expected != row.stored_hash {
            return (Some(row.id), prev);
        }
        prev = expected;
    }
    (None, prev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn content(detail: &str) -> Content<'_> {
        Content {
            at: NaiveDate::from_ymd_opt(2026, 3, 1)
                .unwrap()
                .and_hms_micro_opt(9, 30, 0, 123_456)
                .unwrap(),
            actor_kind: "counselor",
            actor_id: Some(1),
            action: "couple.view",
            target_kind: "couple",
            target_id: Some(7),
            couple_id: Some(7),
            request_id: "r1",
            detail,
        }
    }

    #[test]
    fn the_hash_depends_on_the_content_and_the_previous_row() {
        let a = row_hash("", &content(""));
        assert_eq!(a.len(), 64);
        assert_eq!(a, row_hash("", &content("")));
        assert_ne!(a, row_hash("x", &content("")));
        assert_ne!(a, row_hash("", &content("changed")));
        let mut moved = content("");
        moved.target_id = None;
        assert_ne!(a, row_hash("", &moved));
    }

    #[test]
    fn the_first_edited_row_is_reported() {
        let c = [content("a"), content("b"), content("c")];
        let h1 = row_hash("", &c[0]);
        let h2 = row_hash(&h1, &c[1]);
        let h3 = row_hash(&h2, &c[2]);
        let hashes = [h1, h2, h3];
        let links = |cs: &[Content<'static>; 3]| -> Vec<Link<'_>> {
            (0..3)
                .map(|i| Link {
                    id: i as i32 + 1,
                    content: cs[i],
                    stored_hash: &hashes[i],
                })
                .collect()
        };
        assert_eq!(first_broken("", links(&c)).0, None);
        let edited = [content("a"), content("B"), content("c")];
        assert_eq!(first_broken("", links(&edited)).0, Some(2));
    }
}
