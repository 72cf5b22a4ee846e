//! The session-prep report page and the server-drawn trust chart.
//!
//! The chart is SVG with `role="img"`, a `<title>` and a description, and the same figures
//! as a table beside it. Partners are told apart by line style and marker shape as well as
//! colour, so the chart also reads in black and white print.

use chrono::{NaiveDate, NaiveDateTime};
use maud::{html, Markup};

use crate::db::couples::CoupleRow;
use crate::domain::report::{AgendaItem, Arranged};
use crate::domain::report::{PeriodError, ReportQuery};
use crate::domain::report::{SessionReport, TrustChartData};
use crate::views::chart::{self, Marker, Series, TrustChart};
use crate::views::format::{datetime_words, full_date, iso_datetime, long_date};
use crate::views::{page as frame, Ctx};

mod agenda;
pub mod safety;
mod sections;

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

/// What the report page shows besides the report's own figures.
pub struct Extras {
    /// The counselor's today, for the print header.
    pub prepared_on: NaiveDate,
    /// The counselor's name, for the print header.
    pub counselor: String,
    /// The next booked session, if any.
    pub next_session: Option<NaiveDateTime>,
    /// Every suggested agenda item, for the arrange form.
    pub suggested: Vec<AgendaItem>,
    /// The agenda as it will print.
    pub agenda: Vec<Arranged>,
    /// Whether the counselor has arranged it (otherwise it is the suggestion as is).
    pub arranged: bool,
}

/// The whole report. `promises` is the promises section
/// (`web::couple_promises::report_section`); `counselor_only` is the private safety checks'
/// section (empty unless asked for), always after the joint sections.
pub fn page(
    ctx: &Ctx,
    r: &SessionReport,
    q: &ReportQuery,
    x: &Extras,
    promises: &Markup,
    counselor_only: Markup,
) -> Markup {
    html! {
        (frame(ctx, &format!("Session prep: {}", r.couple.label), html! {
            article.report {
                div.print-header aria-hidden="true" {
                    "Confidential, prepared " (full_date(x.prepared_on)) " by " (x.counselor) " for " (r.couple.label)
                }
                (head(r, x))
                (period_form(r.couple.id, q, None))
                (actions(r.couple.id, q))
                (agenda::section(ctx, r, q, x))
                (sections::completion(r))
                (sections::ratings(r))
                (sections::warnings(r))
                (sections::setbacks(r))
                (sections::flagged(r))
                (sections::comments(r))
                (promises)
                (counselor_only)
            }
        }))
    }
}

/// The title, the period and what the report includes.
fn head(r: &SessionReport, x: &Extras) -> Markup {
    html! {
        header.report-head {
            p.muted.small.no-print { a href={"/couples/" (r.couple.id)} { "← Back to the couple" } }
            h1 { "Session prep: " (r.couple.label) }
            p.report-period {
                "From " strong { (long_date(r.period.from)) } " to " strong { (long_date(r.period.to)) }
                " (" (r.period.days()) " days), compared with the " (r.previous.days()) " days before ("
                (long_date(r.previous.from)) " to " (long_date(r.previous.to)) ")."
            }
            p.muted.small {
                @match r.last_session {
                    Some(t) => { "Last session: " time datetime=(iso_datetime(t, r.counselor_tz)) { (datetime_words(t, r.counselor_tz)) } "." }
                    None => { "No session recorded yet." }
                }
                " "
                @match x.next_session {
                    Some(t) => { "Next session: " strong { time datetime=(iso_datetime(t, r.counselor_tz)) { (datetime_words(t, r.counselor_tz)) } } "." }
                    None => { "No next session is booked." }
                }
                @if r.include_safety { " Private safety checks are never counted here; they have their own section at the end, for the counselor only." }
                @else { " Private safety checks are left out." }
            }
        }
    }
}

/// The downloads: this report, everything, weekly completion.
fn actions(id: i32, q: &ReportQuery) -> Markup {
    let suffix = q.link_suffix();
    let safety = if q.include_safety {
        "?include_safety=1"
    } else {
        ""
    };
    html! {
        p.report-actions.no-print {
            a.btn href={"/couples/" (id) "/report.csv" (suffix)} { "Download this report (CSV)" }
            " "
            a.btn href={"/couples/" (id) "/export.csv" (safety)} { "Export everything (CSV)" }
            " "
            a.btn href={"/couples/" (id) "/completion.csv" (safety)} { "Weekly completion (CSV)" }
            " "
            span.muted.small { "To print, use your browser's Print command; the page is laid out for A4 and Letter." }
        }
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
