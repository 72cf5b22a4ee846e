//! `trellis mail ...`: queue a test message to check the mail settings, and deliver the
//! outbox once from the command line (cron, or a benchmark against a local SMTP sink).

use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;

use super::{worker, Mailer};
use crate::config::Settings;
use crate::db::{self, outbox};

/// What `trellis mail` can do.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Queue a plain test message to an address (delivered by the worker or `mail deliver`).
    SendTest {
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// How many copies to queue (load tests).
        #[arg(long, default_value_t = 1, hide = true)]
        count: u32,
    },
    /// Deliver everything due now, then print what happened and exit.
    Deliver,
    /// Show how many messages are pending, sending, sent, failed and expired, and how long
    /// the oldest waiting one has waited.
    Status,
}

/// Run one `trellis mail` command.
pub fn run(settings: &Settings, command: MailCommand) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?;
    match command {
        MailCommand::SendTest { to, count } => {
            let to = to.trim().to_string();
            to.parse::<lettre::Address>()
                .context("--to is not an email address")?;
            let base_url = settings.server.base_url.clone();
            let queued = db
                .write_blocking(move |conn| {
                    let now = db::now();
                    for _ in 0..count {
                        outbox::enqueue(conn, &test_message(&to, &base_url, now))?;
                    }
                    Ok(count)
                })
                .context("Failed to queue the test message")?;
            println!("Queued {queued} test message(s).");
            Ok(())
        }
        MailCommand::Deliver => deliver(settings, db),
        MailCommand::Status => {
            let (c, oldest) = db
                .read_blocking(|conn| Ok((outbox::counts(conn)?, outbox::oldest_waiting(conn)?)))
                .context("Failed to count the outbox messages")?;
            println!("{}", status_line(&c, oldest, db::now()));
            Ok(())
        }
    }
}

/// Deliver everything due now and print the counts.
pub fn deliver(settings: &Settings, db: db::Db) -> anyhow::Result<()> {
    let email = settings.email.clone();
    actix_web::rt::System::new().block_on(async move {
        // Inside the runtime: the SMTP pool starts its cleanup task when built.
        let mailer = Mailer::from_settings(&email).context("Failed to set up the mailer")?;
        let started = Instant::now();
        let mut total = worker::DeliveryReport::default();
        let mut worker = worker::Worker::for_this_process();
        loop {
            let r = worker.deliver_due(&db, &mailer, &email, db::now()).await?;
            total.add(&r);
            if r.claimed == 0 || r.server_down {
                break;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            total.sent as f64 / seconds
        } else {
            0.0
        };
        println!(
            "sent {}  retried {}  failed {}  expired {}  deferred {}  in {seconds:.2} s ({rate:.0} msgs/s)",
            total.sent, total.retried, total.failed, total.expired, total.deferred
        );
        if total.server_down {
            println!("The mail server could not be reached; the messages stay queued.");
        }
        Ok(())
    })
}

/// What `trellis mail status` prints: the counts, then the oldest waiting message's age.
pub fn status_line(
    c: &outbox::Counts,
    oldest_waiting: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> String {
    let oldest = match oldest_waiting {
        Some(at) => crate::views::mail::age_text(now - at),
        None => "none".to_string(),
    };
    format!(
        "pending {}  sending {}  sent {}  failed {}  expired {}  oldest waiting {oldest}",
        c.pending, c.sending, c.sent, c.failed, c.expired
    )
}

fn test_message(to: &str, base_url: &str, now: chrono::NaiveDateTime) -> outbox::NewOutboxMessage {
    let text = format!(
        "This is a test message from Trellis. If you can read it, outgoing mail works.\n\n{base_url}\n"
    );
    let html = maud::html! {
        p { "This is a test message from Trellis. If you can read it, outgoing mail works." }
        p { a href=(base_url) { (base_url) } }
    }
    .into_string();
    outbox::NewOutboxMessage::new("test", to, "", "Trellis test message", text, html, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_gives_the_counts_and_the_oldest_waiting_age() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap();
        let counts = outbox::Counts {
            pending: 3,
            sending: 1,
            sent: 10,
            failed: 2,
            expired: 1,
        };
        assert_eq!(
            status_line(&counts, Some(now - chrono::Duration::minutes(75)), now),
            "pending 3  sending 1  sent 10  failed 2  expired 1  oldest waiting 1 h 15 min"
        );
        assert!(status_line(&outbox::Counts::default(), None, now).ends_with("oldest waiting none"));
    }
}
