//! The counselor's dashboard: every active couple, the figures per partner, and the flags
//! that say which couples need a look, each with its reason in words.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use maud::{html, Markup};

use super::format::{iso_datetime, local_datetime};
use super::layout::{page, Ctx};
use crate::domain::attention::Flag;
use crate::domain::dashboard::{CoupleSummary, PartnerSummary, SPARK_DAYS, WINDOW_DAYS};
use crate::domain::triage::Headline;

pub struct DashboardPage<'a> {
    pub name: &'a str,
    /// Rows to show (already filtered), drawn by [`couple_rows`].
    pub rows: &'a [&'a Markup],
    /// Active couples in total, before filtering.
    pub total: usize,
    pub counts: &'a [(Flag, usize)],
    pub filter: Option<Flag>,
    /// The name searched for, as typed ("" for none).
    pub query: &'a str,
    /// Couples with an open alert or any flag.
    pub needing: usize,
    /// Open safety alerts ([`super::alerts::dashboard_banner`]), above everything else.
    pub alert_banner: Markup,
}

/// Both partners' trust over the last [`SPARK_DAYS`] days, as a small line chart.
pub fn sparkline(c: &CoupleSummary) -> Markup {
    let partners: Vec<(String, Vec<(NaiveDate, i32)>)> = c
        .partners
        .iter()
        .map(|p| (p.name.clone(), p.trust_points.clone()))
        .collect();
    super::report::trust_sparkline(&partners)
}

/// One couple's line of the dashboard: name, sparkline, the most serious reason in words,
/// made of owed, last entry and next session; the reasons and each partner's figures are
/// one click away in a disclosure. Drawn once per computed dashboard and reused until its
/// figures change.
pub fn couple_rows(c: &CoupleSummary, tz: Tz) -> Markup {
    let spark = sparkline(c);
    let headline = c.headline();
    let total = c.completion();
    html! {
        li.triage-row id={"couple-" (c.id)} {
            div.t-name {
                (safety_mark(c))
                a href={"/couples/" (c.id)} { (c.label) }
            }
            div.t-spark { (spark) }
            div.t-flag {
                span.t-key { "Needs" }
                span class=(headline_class(headline)) { (headline.words()) }
                @if c.flags.len() > 1 {
                    span.small.muted { " +" (c.flags.len() - 1) " more" }
                }
            }
            div.t-made {
                span.t-key { "Made of owed" }
                @if total.owed == 0 { span.muted { "nothing owed" } }
                @else { (total.made) " of " (total.owed) }
            }
            div.t-last {
                span.t-key { "Last entry" }
                (days_text(c.days_since_last_entry()))
            }
            div.t-next {
                span.t-key { "Next session" }
                (next_session(c.next_session, tz))
            }
            details.t-more {
                summary { "Reasons and partners" span.visually-hidden { " for " (c.label) } }
                @if c.flags.is_empty() && c.open_alerts == 0 {
                    p.small.muted { "Nothing needs your attention for this couple." }
                } @else {
                    ul.t-reasons {
                        @for r in &c.flags {
                            li { span class=(flag_class(r.flag)) { (r.flag.label()) } " " (r.reason) }
                        }
                    }
                }
                ul.t-partners {
                    @for partner in &c.partners {
                        li { (partner_line(partner)) }
                    }
                }
                p.small {
                    "Latest setback: "
                    @match &c.latest_setback {
                        Some(s) => { "Severity " (s.severity) ", " (super::format::day_month_year(s.happened_on)) },
                        None => span.muted { "none" },
                    }
                }
            }
        }
    }
}

/// The slot at the front of a couple's line for its open safety alerts.
fn safety_mark(c: &CoupleSummary) -> Markup {
    html! {
        span.t-mark { (super::alerts::couple_mark(i64::from(c.open_alerts))) }
    }
}

fn headline_class(h: Headline) -> &'static str {
    match h {
        Headline::SafetyAlert(_) => "badge badge-danger",
        Headline::Flag(f) => flag_class(f),
        Headline::Calm => "badge badge-ok",
    }
}

/// "Sam Rivera: 12 of 14 made, 1 overdue, last entry 2 days ago, trust 6 (-1)".
fn partner_line(p: &PartnerSummary) -> Markup {
    html! {
        strong { (p.name) } ": "
        @if p.completion.owed == 0 { "nothing owed" }
        @else { (p.completion.made) " of " (p.completion.owed) " made" }
        @if p.completion.overdue > 0 { ", " (p.completion.overdue) " overdue" }
        ", last entry " (days_text(p.days_since_last_entry))
        ", trust " (trust_cell(p))
    }
}

fn flag_class(f: Flag) -> &'static str {
    match f {
        Flag::SevereSetback | Flag::TrustDrop => "badge badge-danger",
        _ => "badge badge-flag",
    }
}

fn trust_cell(p: &PartnerSummary) -> Markup {
    html! {
        @match p.latest_trust {
            None => span.muted { "–" },
            Some(t) => {
                (t)
                @match p.trust_change {
                    Some(c) if c > 0 => span.small.muted { " (+" (c) ")" },
                    Some(c) if c < 0 => span.small { " (" (c) ")" },
                    Some(_) => span.small.muted { " (±0)" },
                    None => {},
                }
            }
        }
    }
}

fn days_text(days: Option<i64>) -> Markup {
    html! {
        @match days {
            None => span.muted { "never" },
            Some(0) => "today",
            Some(1) => "yesterday",
            Some(d) => { (d) " days ago" },
        }
    }
}

fn next_session(t: Option<NaiveDateTime>, tz: Tz) -> Markup {
    html! {
        @match t {
            Some(t) => time datetime=(iso_datetime(t, tz)) { (local_datetime(t, tz)) },
            None => span.muted { "none booked" },
        }
    }
}

pub fn dashboard(ctx: &Ctx, p: &DashboardPage<'_>) -> Markup {
    page(
        ctx,
        "Dashboard",
        html! {
            (p.alert_banner)
            div.row {
                h1 { "Good to see you, " (p.name) }
                span.spacer {}
                a.btn.btn-secondary href="/couples/new" { "Add a couple" }
            }
            @if p.total == 0 {
                div.empty-state {
                    p { "Your caseload is empty. Add the first couple you work with: their names, email addresses and time zones, and the confidentiality policy you agreed." }
                    p { "Then assign an exercise from the library and book their next session. This page will show who needs your attention." }
                    div.actions {
                        a.btn.btn-primary href="/couples/new" { "Add your first couple" }
                        a.btn.btn-secondary href="/exercises" { "Browse the exercise library" }
                    }
                }
            } @else {
                p.lead {
                    (p.total) @if p.total == 1 { " active couple" } @else { " active couples" }
                    @if p.needing == 0 { ". Nothing needs your attention right now." }
                    @else { ", " (p.needing) " needing attention, most urgent first." }
                }
                (filters(p))
                @if p.rows.is_empty() {
                    div.empty-state {
                        p { "No couple matches what you asked for." }
                        a href="/dashboard" { "Show all couples" }
                    }
                } @else {
                    div.triage-head aria-hidden="true" {
                        span { "Couple" } span { "Trust, 4 weeks" } span { "Needs" }
                        span { "Made of owed" } span { "Last entry" } span { "Next session" }
                    }
                    ol.triage aria-label="Active couples, most urgent first" {
                        @for row in p.rows { (row) }
                    }
                    p.small.muted {
                        "Made of owed: both partners' entries over the last " (WINDOW_DAYS) " days, in each partner's time zone. "
                        "The line beside each couple shows both partners' trust ratings over the last " (SPARK_DAYS / 7) " weeks (the second partner dashed). "
                        "Couples with an open safety alert come first, then a severe setback, falling trust, trust far apart, silence and missed entries."
                    }
                }
            }
        },
    )
}

/// Search by name and the flag filter: a GET form, so the URL can be bookmarked.
fn filters(p: &DashboardPage<'_>) -> Markup {
    html! {
        form.filters role="search" method="get" action="/dashboard" {
            div.field {
                label for="q" { "Couple name" }
                input id="q" type="search" name="q" value=(p.query) maxlength="100";
            }
            div.field {
                label for="flag" { "Show" }
                select id="flag" name="flag" {
                    option value="" selected[p.filter.is_none()] { "All couples" }
                    @for (f, n) in p.counts {
                        option value=(f.code()) selected[p.filter == Some(*f)] { (f.label()) " (" (n) ")" }
                    }
                }
            }
            button.btn.btn-secondary type="submit" { "Find" }
        }
    }
}
