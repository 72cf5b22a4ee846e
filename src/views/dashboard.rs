//! The counselor's dashboard: every active couple, the figures per partner, and the flags
//! that say which couples need a look, each with its reason in words.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use maud::{html, Markup};

use super::format::local_datetime;
use super::layout::{page, Ctx};
use crate::domain::attention::Flag;
use crate::domain::dashboard::{CoupleSummary, PartnerSummary, SPARK_DAYS, WINDOW_DAYS};

pub struct DashboardPage<'a> {
    pub name: &'a str,
    /// Rows to show (already filtered), drawn by [`couple_rows`].
    pub rows: &'a [&'a Markup],
    /// Active couples in total, before filtering.
    pub total: usize,
    pub counts: &'a [(Flag, usize)],
    pub filter: Option<Flag>,
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

/// One couple's rows of the dashboard table (one per partner), sparkline included. Drawn
/// once per computed dashboard and reused until its figures change.
pub fn couple_rows(c: &CoupleSummary, tz: Tz, open_alerts: i64) -> Markup {
    let spark = sparkline(c);
    html! {
        @let rows_span = c.partners.len().max(1);
        @for (i, partner) in c.partners.iter().enumerate() {
            tr.couple-row {
                @if i == 0 {
                    th scope="row" rowspan=(rows_span) {
                        a href={"/couples/" (c.id)} { (c.label) }
                        (super::alerts::couple_mark(open_alerts))
                        div.spark { (spark) }
                        @if !c.flags.is_empty() {
                            ul.flags {
                                @for r in &c.flags {
                                    li { span class=(flag_class(r.flag)) { (r.flag.label()) } }
                                }
                            }
                            @for r in &c.flags {
                                span.attention-reason { (r.reason) }
                            }
                        }
                    }
                }
                td { (partner.name) }
                td.num {
                    @if partner.completion.owed == 0 { span.muted { "–" } }
                    @else { (partner.completion.made) " of " (partner.completion.owed) }
                }
                td.num { @if partner.completion.overdue > 0 { strong { (partner.completion.overdue) } } @else { "0" } }
                td.num { (days_cell(partner)) }
                td.num { (trust_cell(partner)) }
                @if i == 0 {
                    td rowspan=(rows_span) {
                        @match &c.latest_setback {
                            Some(s) => { "Severity " (s.severity) span.attention-reason { (super::format::day_month_year(s.happened_on)) } },
                            None => span.muted { "none" },
                        }
                    }
                    td rowspan=(rows_span) { (next_session(c.next_session, tz)) }
                }
            }
        }
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

fn days_cell(p: &PartnerSummary) -> Markup {
    html! {
        @match p.days_since_last_entry {
            None => span.muted { "never" },
            Some(0) => "today",
            Some(1) => "1 day",
            Some(d) => { (d) " days" },
        }
    }
}

fn next_session(t: Option<NaiveDateTime>, tz: Tz) -> Markup {
    html! {
        @match t {
            Some(t) => { (local_datetime(t, tz)) },
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
                @let flagged = p.counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
                p.lead {
                    (p.total) @if p.total == 1 { " active couple" } @else { " active couples" }
                    @if flagged == 0 { ". Nothing needs your attention right now." }
                    @else { ", those needing attention first." }
                }
                form.filters method="get" action="/dashboard" {
                    div.field {
                        label for="flag" { "Show" }
                        select id="flag" name="flag" {
                            option value="" selected[p.filter.is_none()] { "All couples" }
                            @for (f, n) in p.counts {
                                option value=(f.code()) selected[p.filter == Some(*f)] { (f.label()) " (" (n) ")" }
                            }
                        }
                    }
                    button.btn.btn-secondary type="submit" { "Filter" }
                }
                @if p.rows.is_empty() {
                    div.empty-state {
                        p { "No couple has this flag right now." }
                        a href="/dashboard" { "Show all couples" }
                    }
                } @else {
                    div.table-wrap {
                        table.data.dashboard {
                            caption.visually-hidden { "Active couples, figures per partner over the last " (WINDOW_DAYS) " days" }
                            thead {
                                tr {
                                    th scope="col" { "Couple" }
                                    th scope="col" { "Partner" }
                                    th.num scope="col" { "Entries" }
                                    th.num scope="col" { "Overdue" }
                                    th.num scope="col" { "Last entry" }
                                    th.num scope="col" { "Trust" }
                                    th scope="col" { "Latest setback" }
                                    th scope="col" { "Next session" }
                                }
                            }
                            tbody {
                                @for row in p.rows { (row) }
                            }
                        }
                    }
                    p.small.muted {
                        "Entries: made of owed over the last " (WINDOW_DAYS) " days in each partner's time zone. "
                        "Trust: the latest rating and its change from the one before. The line under each couple shows both partners' ratings over the last " (SPARK_DAYS / 7) " weeks (the second partner dashed)."
                    }
                }
            }
        },
    )
}
