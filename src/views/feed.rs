//! "What changed" on the partner's home: one line per item, each a link to it.

use chrono_tz::Tz;
use maud::{html, Markup};

use super::format;
use crate::domain::feed::{FeedItem, FeedKind};

/// The words and link of one item. `other` is the other partner's first name, `counselor`
/// the counselor's name.
pub fn line(item: &FeedItem, other: &str, counselor: &str) -> (String, String) {
    let id = item.target_id;
    match &item.kind {
        FeedKind::Shared { title } => (
            format!("{other} shared their {title}"),
            format!("/me/entries/{id}"),
        ),
        FeedKind::Journal => (
            format!("{other} wrote in the co-journal"),
            format!("/me/journal#entry-{id}"),
        ),
        FeedKind::Revealed { title } => (
            format!("Your answers to {title} are now open to both of you"),
            format!("/me/entries/{id}"),
        ),
        FeedKind::CounselorNote { title } => (
            format!("{counselor} left a note on your {title}"),
            format!("/me/entries/{id}"),
        ),
        FeedKind::PromiseRated => (
            format!("{other} said how your promise went"),
            format!("/me/promises#promise-{id}"),
        ),
        FeedKind::SetbackShared => (
            format!("{other} shared a setback note"),
            format!("/me/setbacks/{id}"),
        ),
    }
}

/// The feed as the home page shows it (the handler leaves it out when empty).
pub struct Feed<'a> {
    pub items: &'a [FeedItem],
    pub other: &'a str,
    pub counselor: &'a str,
    /// The reader's zone: days are shown in it.
    pub tz: Tz,
}

pub fn feed_section(f: &Feed<'_>) -> Markup {
    html! {
        section aria-labelledby="feed-heading" {
            h2 id="feed-heading" { "What changed" }
            ul.feed {
                @for item in f.items {
                    @let (words, href) = line(item, f.other, f.counselor);
                    li {
                        a href=(href) { (words) }
                        span.muted.small { " · " (format::short_date(format::local_day(item.at, f.tz))) }
                    }
                }
            }
        }
    }
}
