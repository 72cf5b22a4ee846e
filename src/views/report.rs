//! The session-prep report page and the server-drawn trust chart.
//!
//! The chart is SVG with `role="img"`, a `<title>` and a description, and the same figures
//! as a table beside it. Partners are told apart by line style and marker shape as well as
//! colour, so the chart also reads in black and white print.

use chrono::NaiveDate;
use maud::{html, Markup};

use crate::db::couples::CoupleRow;
use crate::db::report::{local_day, SessionReport, TrustChartData};
use crate::domain::csv_cell::iso_in_zone;
use crate::domain::exercise::Visibility;
use crate::domain::report::{one_decimal, signed_change, PeriodError, RatingSummary};
use crate::views::chart::{self, Marker, Series, TrustChart};
use crate::views::{page as frame, Ctx};
use crate::web::reports::ReportQuery;

/// The period form: GET, so it needs no CSRF token and the URL can be bookmarked.
fn period_form(couple_id: i32, q: &ReportQuery, error: Option<&PeriodError>) -> Markup {
    let err = |field: &str| error.filter(|e| e.field == field).map(|e| e.message);
    html! {
        form.filters.report-form.no-print method="get" action={"/couples/" (couple_id) "/report"} {
            div.field.has-error[err("from").is_some()] {
                label for="from" { "From" }
                input id="from" type="date" name="from" value=(q.from) aria-describedby=[err("from").map(|_| "from-error")];
                @if let Some(m) = err("from") { p.error id="from-error" role="alert" { (m) } }
            }
            div.field.has-error[err("to").is_some()] {
                label for="to" { "To" }
                input id="to" type="date" name="to" value=(q.to) aria-describedby=[err("to").map(|_| "to-error")];
                @if let Some(m) = err("to") { p.error id="to-error" role="alert" { (m) } }
            }
            div.field {
                label.checkbox {
                    input type="checkbox" name="include_safety" value="1" checked[q.include_safety];
                    " Include private safety checks"
                }
            }
            button.btn.btn-primary type="submit" { "Show report" }
        }
    }
}

/// 400: the dates did not make a period; the form says why.
pub fn invalid(ctx: &Ctx, couple: &CoupleRow, q: &ReportQuery, error: &PeriodError) -> Markup {
    frame(
        ctx,
        "Session prep",
        html! {
            h1 { "Session prep: " (couple.label) }
            div.flash.flash-error role="alert" { (error.message) }
            (period_form(couple.id, q, Some(error)))
        },
    )
}

fn query_suffix(q: &ReportQuery) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !q.from.is_empty() {
        pairs.push(("from", &q.from));
    }
    if !q.to.is_empty() {
        pairs.push(("to", &q.to));
    }
    if q.include_safety {
        pairs.push(("include_safety", "1"));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(s) if !s.is_empty() => format!("?{s}"),
        _ => String::new(),
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

fn rating_cells(s: &RatingSummary) -> Markup {
    html! {
        td.num { (s.count) }
        td.num { (one_decimal(s.average)) }
        td.num { @match (s.min, s.max) { (Some(a), Some(b)) => { (a) "–" (b) } _ => { "—" } } }
        td.num { @match (s.first, s.last) { (Some(a), Some(b)) => { (a) " → " (b) } _ => { "—" } } }
    }
}

/// The whole report.
pub fn page(ctx: &Ctx, r: &SessionReport, q: &ReportQuery) -> Markup {
    let id = r.couple.id;
    let suffix = query_suffix(q);
    let safety = if q.include_safety {
        "?include_safety=1"
    } else {
        ""
    };
    html! {
        (frame(ctx, &format!("Session prep: {}", r.couple.label), html! {
            article.report {
                header.report-head {
                    p.muted.small.no-print { a href={"/couples/" (id)} { "← Back to the couple" } }
                    h1 { "Session prep: " (r.couple.label) }
                    p.report-period {
                        "From " strong { (long_date(r.period.from)) } " to " strong { (long_date(r.period.to)) }
                        " (" (r.period.days()) " days), compared with the " (r.previous.days()) " days before ("
                        (r.previous.from) " to " (r.previous.to) ")."
                    }
                    p.muted.small {
                        @match r.last_session {
                            Some(t) => { "Last session: " (iso_in_zone(t.and_utc(), r.counselor_tz)) "." }
                            None => { "No session recorded yet." }
                        }
                        @if r.include_safety { " Private safety checks are included." }
                        @else { " Private safety checks are left out." }
                    }
                }
                (period_form(id, q, None))
                p.report-actions.no-print {
                    a.btn href={"/couples/" (id) "/report.csv" (suffix)} { "Download this report (CSV)" }
                    " "
                    a.btn href={"/couples/" (id) "/export.csv" (safety)} { "Export everything (CSV)" }
                    " "
                    a.btn href={"/couples/" (id) "/completion.csv" (safety)} { "Weekly completion (CSV)" }
                    " "
                    span.muted.small { "To print, use your browser's Print command; the page is laid out for A4 and Letter." }
                }

                section.report-section aria-labelledby="completion-h" {
                    h2 id="completion-h" { "Completion" }
                    @for p in &r.partners {
                        h3 { (p.name) }
                        @let rows: Vec<_> = r.completion.iter().filter(|c| c.partner_id == p.id).collect();
                        @if rows.is_empty() {
                            p.muted { "Nothing was assigned to " (p.name) " in this period." }
                        } @else {
                            div.table-wrap {
                                table.data {
                                    thead { tr {
                                        th scope="col" { "Exercise" }
                                        th.num scope="col" { "Owed" }
                                        th.num scope="col" { "Made" }
                                        th.num scope="col" { "Missed" }
                                        th.num scope="col" { "Not yet due" }
                                        th scope="col" { "Dates missed" }
                                    } }
                                    tbody {
                                        @for c in rows {
                                            tr {
                                                th scope="row" { (c.title) }
                                                td.num { (c.owed) }
                                                td.num { (c.made) @if let Some(pc) = c.percent() { " (" (pc) "%)" } }
                                                td.num { (c.missed.len()) }
                                                td.num { (c.pending) }
                                                td.small {
                                                    @if c.missed.is_empty() { "—" }
                                                    @else {
                                                        @for (i, d) in c.missed.iter().enumerate() {
                                                            @if i > 0 { ", " }
                                                            time datetime=(d) { (d.format("%-d %b")) }
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
                }

                section.report-section aria-labelledby="ratings-h" {
                    h2 id="ratings-h" { "Trust and mood" }
                    (trust_chart(&r.chart()))
                    div.table-wrap {
                        table.data {
                            caption { "Ratings in the period" }
                            thead { tr {
                                th scope="col" { "Partner" }
                                th scope="col" { "Rating" }
                                th.num scope="col" { "Ratings" }
                                th.num scope="col" { "Average" }
                                th.num scope="col" { "Range" }
                                th.num scope="col" { "First → last" }
                            } }
                            tbody {
                                @for pr in &r.ratings {
                                    tr { th scope="row" { (r.partner_name(pr.partner_id)) } td { "Trust (0–10)" } (rating_cells(&pr.trust)) }
                                    tr { th scope="row" { (r.partner_name(pr.partner_id)) } td { "Mood (1–5)" } (rating_cells(&pr.mood)) }
                                }
                            }
                        }
                    }
                    p.muted.small { "The trust check-in is Trellis's own tracking aid for following trends between sessions, not a validated clinical instrument." }
                }

                section.report-section aria-labelledby="warn-h" {
                    h2 id="warn-h" { "Warning signs" }
                    p.muted.small { "Average rating from 1 (not noticed) to 5 (worried a lot); a positive change means more concern than in the previous period." }
                    div.table-wrap {
                        table.data {
                            thead { tr {
                                th scope="col" { "Sign" }
                                @for p in &r.partners {
                                    th.num scope="col" { (p.name) ", now" }
                                    th.num scope="col" { "before" }
                                    th.num scope="col" { "change" }
                                }
                            } }
                            tbody {
                                @for sign in crate::domain::report::WarnSign::ALL {
                                    tr {
                                        th scope="row" { (sign.label()) }
                                        @for p in &r.partners {
                                            @if let Some(w) = r.warnings.iter().find(|w| w.partner_id == p.id && w.sign == sign) {
                                                td.num { (one_decimal(w.current.average)) }
                                                td.num { (one_decimal(w.previous.average)) }
                                                td.num.warn-up[w.change().is_some_and(|c| c >= 1.0)] { (signed_change(w.change())) }
                                            } @else {
                                                td.num { "—" } td.num { "—" } td.num { "—" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                section.report-section aria-labelledby="setbacks-h" {
                    h2 id="setbacks-h" { "Setbacks" }
                    @if r.setbacks.is_empty() {
                        p.muted { "No setbacks were logged in this period." }
                    } @else {
                        div.table-wrap {
                            table.data {
                                thead { tr {
                                    th scope="col" { "Date" }
                                    th scope="col" { "Logged by" }
                                    th.num scope="col" { "Severity" }
                                    th scope="col" { "Repair attempted" }
                                    th scope="col" { "What happened" }
                                } }
                                tbody {
                                    @for s in &r.setbacks {
                                        tr {
                                            td { time datetime=(s.happened_on) { (s.happened_on.format("%-d %b")) } }
                                            td { (r.partner_name(s.partner_id)) }
                                            td.num { (s.severity) " / 5" }
                                            td {
                                                @if s.repair_attempted { "Yes" @if !s.repair_text.is_empty() { ": " (s.repair_text) } } @else { "No" }
                                            }
                                            td.prewrap {
                                                (s.what_happened)
                                                @if s.raise_in_session { " " span.badge.badge-flag { "Raise in session" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                section.report-section aria-labelledby="flagged-h" {
                    h2 id="flagged-h" { "Flagged for this session" }
                    @if r.flagged.is_empty() {
                        p.muted { "Nothing was flagged for the session." }
                    }
                    @for f in &r.flagged {
                        div.card.report-entry {
                            h3 { (f.title) }
                            p.timeline-meta {
                                (r.partner_name(f.partner_id)) " · " time datetime=(f.date) { (long_date(f.date)) }
                                " · " @if f.visibility == Visibility::CounselorAndPartner.as_str() { "seen by both partners" } @else { "counselor only" }
                            }
                            dl.answers {
                                @for a in &f.answers {
                                    dt { (a.label) }
                                    dd {
                                        @if a.kind == "checklist" || a.kind == "list" {
                                            ul { @for line in a.value.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } }
                                        } @else if a.value.is_empty() { span.muted { "(no answer)" } }
                                        @else { (a.value) }
                                    }
                                }
                            }
                        }
                    }
                }

                section.report-section aria-labelledby="comments-h" {
                    h2 id="comments-h" { "Your comments" }
                    @if r.comments.is_empty() {
                        p.muted { "You wrote no comments in this period." }
                    } @else {
                        ul.report-comments {
                            @for c in &r.comments {
                                li {
                                    p.timeline-meta {
                                        time datetime=(iso_in_zone(c.created_at.and_utc(), r.counselor_tz)) { (long_date(local_day(c.created_at, r.counselor_tz))) }
                                        " · on " (r.partner_name(c.partner_id)) "'s " (c.entry_title)
                                    }
                                    p.prewrap { (c.body) }
                                }
                            }
                        }
                    }
                }
            }
        }))
    }
}

// ---------------------------------------------------------------------------------------
// Trust charts: drawn by the shared `views::chart`; these helpers turn a couple's loaded
// figures (`db::report::couple_trust_chart`) into its inputs, for the report, the couple
// page and the dashboard.
// ---------------------------------------------------------------------------------------

fn series(data: &TrustChartData) -> Vec<Series> {
    data.partners
        .iter()
        .map(|(name, points)| Series {
            name: name.clone(),
            points: points.clone(),
        })
        .collect()
}

/// The report's chart: the couple's trust over the period.
pub fn trust_chart(data: &TrustChartData) -> Markup {
    couple_trust_chart(data)
}

/// Both partners' trust (0-10) on one chart, setbacks and sessions marked on the time axis,
/// with the figures as a table beside it.
pub fn couple_trust_chart(data: &TrustChartData) -> Markup {
    let names: Vec<&str> = data.partners.iter().map(|(n, _)| n.as_str()).collect();
    let title = format!("Trust ratings of {}", names.join(" and "));
    let series = series(data);
    let setbacks: Vec<Marker> = data
        .setbacks
        .iter()
        .map(|(d, severity)| Marker {
            date: *d,
            label: format!("severity {severity} of 5"),
        })
        .collect();
    let sessions: Vec<Marker> = data
        .sessions
        .iter()
        .map(|d| Marker {
            date: *d,
            label: "session".to_string(),
        })
        .collect();
    chart::trust_chart(&TrustChart {
        title: &title,
        from: data.from,
        to: data.to,
        min: 0,
        max: 10,
        series: &series,
        setbacks: &setbacks,
        sessions: &sessions,
    })
}

/// A small trust line per partner (the second dashed), named in words.
pub fn couple_sparkline(data: &TrustChartData) -> Markup {
    trust_sparkline(&data.partners)
}

/// [`couple_sparkline`] from (partner name, dated ratings) pairs, as the dashboard has them.
pub fn trust_sparkline(partners: &[(String, Vec<(NaiveDate, i32)>)]) -> Markup {
    let series: Vec<Series> = partners
        .iter()
        .map(|(name, points)| Series {
            name: name.clone(),
            points: points.clone(),
        })
        .collect();
    let names: Vec<&str> = partners.iter().map(|(n, _)| n.as_str()).collect();
    chart::sparkline(
        &series,
        0,
        10,
        &format!("Trust for {}", names.join(" and ")),
    )
}
