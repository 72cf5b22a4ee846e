//! The practice's email delivery page: queue counts and the rows that need a look.
//! Shows addresses, kinds and errors; never a subject or a body.

use maud::{html, Markup};

use super::format::local_timestamp;
use super::layout::{page, Ctx};
use crate::db::outbox::{Counts, OutboxSummary};
use chrono_tz::Tz;

/// A banner after a retry, chosen by the handler from a fixed set.
pub fn retry_notice(retried: bool) -> &'static str {
    if retried {
        "The message is queued again and will be sent within a few seconds."
    } else {
        "That message was no longer in the failed list, so nothing changed."
    }
}

/// A banner after "Retry all failed".
pub fn retry_all_notice(count: u32) -> String {
    match count {
        0 => "No message was in the failed list, so nothing changed.".to_string(),
        1 => "1 message is queued again and will be sent within a few seconds.".to_string(),
        n => format!("{n} messages are queued again and will be sent within a few seconds."),
    }
}

/// A wait as people say it: "less than a minute", "12 min", "3 h 5 min", "2 days 4 h".
pub fn age_text(age: chrono::Duration) -> String {
    let minutes = age.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "less than a minute".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

/// The whole page.
pub fn page_for(
    ctx: &Ctx,
    counts: &Counts,
    failed: &[OutboxSummary],
    pending: &[OutboxSummary],
    oldest_waiting: Option<chrono::Duration>,
    notice: Option<&str>,
    tz: Tz,
) -> Markup {
    page(
        ctx,
        "Email delivery",
        html! {
            p.small { a href="/practice" { "← Practice" } }
            h1 { "Email delivery" }
            @if let Some(text) = notice {
                p.flash.flash-success role="status" { (text) }
            }
            section.card.stack {
                h2 { "Queue" }
                p.muted.small { "Messages are sent by a background worker with retries. Their contents are not shown here, and are removed after delivery: once a message is sent, its link expires or it fails for good, only its subject, recipient, kind and times are kept." }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Waiting" } th { "Sending now" } th { "Sent" } th { "Failed" } th { "Link expired" } } }
                        tbody {
                            tr {
                                td { (counts.pending) }
                                td { (counts.sending) }
                                td { (counts.sent) }
                                td { @if counts.failed > 0 { span.badge.badge-danger { (counts.failed) } } @else { "0" } }
                                td { (counts.expired) }
                            }
                        }
                    }
                }
                p {
                    "Oldest waiting message: "
                    strong { @match oldest_waiting { Some(age) => (age_text(age)), None => "none" } }
                }
            }
            section.card.stack {
                h2 { "Failed" }
                @if failed.is_empty() {
                    p.muted { "No message has failed." }
                } @else {
                    p.muted.small { "These were refused by the mail server, ran out of attempts or waited too long. Check the address, then retry." }
                    form.inline-form method="post" action="/practice/mail/retry-failed" {
                        (ctx.csrf_field())
                        button.btn.btn-small type="submit" { "Retry all failed" }
                    }
                    (rows_table(ctx, failed, true, tz))
                }
            }
            section.card.stack {
                h2 { "Waiting" }
                @if pending.is_empty() {
                    p.muted { "Nothing is waiting to be sent." }
                } @else {
                    (rows_table(ctx, pending, false, tz))
                }
            }
        },
    )
}

fn rows_table(ctx: &Ctx, rows: &[OutboxSummary], retry: bool, tz: Tz) -> Markup {
    html! {
        div.table-wrap {
            table.data {
                thead {
                    tr {
                        th { "#" } th { "To" } th { "Kind" } th { "Attempts" } th { "Last error" }
                        th { @if retry { "Queued" } @else { "Next attempt" } " (" (tz.name()) ")" }
                        @if retry { th { span.visually-hidden { "Actions" } } }
                    }
                }
                tbody {
                    @for r in rows {
                        tr {
                            td { (r.id) }
                            td { (r.to_address) }
                            td { (r.kind) }
                            td { (r.attempts) }
                            td.small { (r.last_error.as_deref().unwrap_or("")) }
                            td {
                                @if retry { (local_timestamp(r.created_at, tz)) }
                                @else { (local_timestamp(r.next_attempt_at, tz)) }
                            }
                            @if retry && r.content_removed {
                                td.small { "Content removed after delivery" }
                            } @else if retry {
                                td {
                                    form.inline-form method="post" action={"/practice/mail/" (r.id) "/retry"} {
                                        (ctx.csrf_field())
                                        button.btn.btn-small.btn-secondary type="submit" { "Retry" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::OutboxStatus;
    use chrono::NaiveDate;

    fn summary(id: i32, status: OutboxStatus) -> OutboxSummary {
        let at = NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(7, 0, 0))
            .unwrap();
        OutboxSummary {
            id,
            kind: "reminder".into(),
            to_address: "<sam>@example.org".into(),
            status,
            attempts: 8,
            next_attempt_at: at,
            last_error: Some("550 <mailbox> unavailable".into()),
            sent_at: None,
            created_at: at,
            content_removed: false,
        }
    }

    #[test]
    fn failed_rows_get_a_retry_form_and_text_is_escaped() {
        let ctx = Ctx {
            user: None,
            csrf: "csrf-token-value".into(),
            notice: None,
            path: "/practice/mail".into(),
            request_id: String::new(),
        };
        let counts = Counts {
            pending: 1,
            sending: 0,
            sent: 5,
            failed: 1,
            expired: 0,
        };
        let html = page_for(
            &ctx,
            &counts,
            &[summary(3, OutboxStatus::Failed)],
            &[summary(4, OutboxStatus::Pending)],
            Some(chrono::Duration::minutes(125)),
            Some(retry_notice(true)),
            chrono_tz::UTC,
        )
        .into_string();
        assert!(html.contains(r#"action="/practice/mail/3/retry""#));
        assert!(!html.contains("/practice/mail/4/retry"));
        assert!(html.contains("csrf-token-value"));
        assert!(html.contains("&lt;sam&gt;@example.org"));
        assert!(html.contains("550 &lt;mailbox&gt; unavailable"));
        assert!(html.contains("queued again"));
        assert!(html.contains(r#"action="/practice/mail/retry-failed""#));
        assert!(html.contains("Retry all failed"));
        assert!(html.contains("2 h 5 min"), "{html}");
    }

    #[test]
    fn ages_read_as_people_say_them() {
        let text = |minutes| age_text(chrono::Duration::minutes(minutes));
        assert_eq!(text(0), "less than a minute");
        assert_eq!(text(-3), "less than a minute");
        assert_eq!(text(12), "12 min");
        assert_eq!(text(185), "3 h 5 min");
        assert_eq!(text(1440 + 60), "1 day 1 h");
        assert_eq!(text(3 * 1440 + 4 * 60 + 59), "3 days 4 h");
        assert_eq!(
            retry_all_notice(1),
            "1 message is queued again and will be sent within a few seconds."
        );
        assert!(retry_all_notice(0).contains("nothing changed"));
    }
}
