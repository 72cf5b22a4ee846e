//! The sections of the session-prep report page, one function each.

use maud::{html, Markup};

use crate::domain::report::SessionReport;
use crate::domain::report::{one_decimal, signed_change, RatingSummary, WarnSign};
use crate::views::format::{day_month, full_date, iso_datetime, local_date};

fn rating_cells(s: &RatingSummary) -> Markup {
    html! {
        td.num { (s.count) }
        td.num { (one_decimal(s.average)) }
        td.num { @match (s.min, s.max) { (Some(a), Some(b)) => { (a) "–" (b) } _ => { "—" } } }
        td.num { @match (s.first, s.last) { (Some(a), Some(b)) => { (a) " → " (b) } _ => { "—" } } }
    }
}

/// Owed, made and missed per partner per assignment.
pub(super) fn completion(r: &SessionReport) -> Markup {
    html! {
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
                                                    time datetime=(d) { (day_month(*d)) }
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
    }
}

/// The trust chart and the rating figures.
pub(super) fn ratings(r: &SessionReport) -> Markup {
    html! {
        section.report-section aria-labelledby="ratings-h" {
            h2 id="ratings-h" { "Trust and mood" }
            (super::trust_chart(&r.chart()))
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
    }
}

/// The four warning signs, now and in the period before.
pub(super) fn warnings(r: &SessionReport) -> Markup {
    html! {
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
                        @for sign in WarnSign::ALL {
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
    }
}

/// Setbacks logged in the period.
pub(super) fn setbacks(r: &SessionReport) -> Markup {
    html! {
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
                                    td { time datetime=(s.happened_on) { (day_month(s.happened_on)) } }
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
    }
}

/// Entries flagged for the session, with their answers.
pub(super) fn flagged(r: &SessionReport) -> Markup {
    html! {
        section.report-section aria-labelledby="flagged-h" {
            h2 id="flagged-h" { "Flagged for this session" }
            @if r.flagged.is_empty() {
                p.muted { "Nothing was flagged for the session." }
            }
            @for f in &r.flagged {
                div.card.report-entry {
                    h3 { (f.title) }
                    p.timeline-meta {
                        (r.partner_name(f.partner_id)) " · " time datetime=(f.date) { (full_date(f.date)) }
                        " · " @if f.visibility == "partner" { "seen by both partners" } @else { "counselor only" }
                    }
                    dl.answers {
                        @for a in &f.answers {
                            dt { (a.label) }
                            dd {
                                @if a.kind == "checklist" || a.kind == "list" {
                                    ul { @for line in a.value.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } }
                                } @else if a.value.is_empty() { span.muted { "(no answer)" } }
                                @else { (a.in_words()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The counselor's own comments in the period.
pub(super) fn comments(r: &SessionReport) -> Markup {
    html! {
        section.report-section aria-labelledby="comments-h" {
            h2 id="comments-h" { "Your comments" }
            @if r.comments.is_empty() {
                p.muted { "You wrote no comments in this period." }
            } @else {
                ul.report-comments {
                    @for c in &r.comments {
                        li {
                            p.timeline-meta {
                                time datetime=(iso_datetime(c.created_at, r.counselor_tz)) { (local_date(c.created_at, r.counselor_tz)) }
                                " · on " (r.partner_name(c.partner_id)) "'s " (c.entry_title)
                            }
                            p.prewrap { (c.body) }
                        }
                    }
                }
            }
        }
    }
}
