//! The full trust chart: an accessible SVG line chart followed by data tables of the same
//! numbers.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

use super::legend::{layout_legend, legend, LEGEND_ROW, LEGEND_TOP};
use super::scale::{points_attr, x_ticks, y_ticks, Scale};
use super::{
    clipped, clipped_markers, iso_date, long_date, num, plural, point_mark, short_date, style,
    Marker, Series, TrustChart, PLOT_BOTTOM, PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, SESSION_COLOUR,
    SETBACK_COLOUR, SETBACK_DASH, WIDTH, X_LABEL_Y,
};

const EMPTY_TEXT: &str = "No ratings in this period yet.";

/// A series' ratings inside the shown range, sorted by date.
use crate::domain::report::unbroken_runs;

type Points = Vec<(NaiveDate, i32)>;

/// Stable FNV-1a hash, used to give each chart's `<title>`/`<desc>` unique ids.
fn chart_id(c: &TrustChart) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(c.title.as_bytes());
    feed(iso_date(c.from).as_bytes());
    feed(iso_date(c.to).as_bytes());
    for s in c.series {
        feed(s.name.as_bytes());
        feed(&s.points.len().to_le_bytes());
    }
    format!("chart-{h:016x}")
}

/// A one-paragraph summary for `<desc>`.
fn describe(
    c: &TrustChart,
    from: NaiveDate,
    to: NaiveDate,
    clipped_series: &[Points],
    n_setbacks: usize,
    n_sessions: usize,
) -> String {
    let mut s = format!(
        "Line chart from {} to {}, values {} to {}.",
        long_date(from),
        long_date(to),
        c.min.min(c.max),
        c.min.max(c.max)
    );
    for (series, pts) in c.series.iter().zip(clipped_series) {
        match (pts.first(), pts.last()) {
            (Some(first), Some(last)) if pts.len() > 1 => s.push_str(&format!(
                " {}: {}, first {}, last {}.",
                series.name,
                plural(pts.len(), "rating", "ratings"),
                first.1,
                last.1
            )),
            (Some(only), _) => s.push_str(&format!(" {}: 1 rating, {}.", series.name, only.1)),
            _ => s.push_str(&format!(" {}: no ratings.", series.name)),
        }
    }
    if n_setbacks + n_sessions > 0 {
        s.push_str(&format!(
            " {} and {} marked.",
            plural(n_setbacks, "setback", "setbacks"),
            plural(n_sessions, "session", "sessions")
        ));
    }
    s.push_str(" The table after the chart lists every value.");
    s
}

/// The range drawn, and the ratings and markers inside it.
struct Shown<'a> {
    from: NaiveDate,
    to: NaiveDate,
    series: Vec<Points>,
    setbacks: Vec<&'a Marker>,
    sessions: Vec<&'a Marker>,
}

/// The full trust chart: a `<figure class="chart">` holding an accessible SVG line chart
/// (title, description, gridlines, date ticks, one line per series, setback and session
/// markers, legend) followed by data tables of the same numbers.
///
/// Points and markers outside `from..=to` are dropped; values are clamped to `min..=max`
/// for drawing (the table shows them unchanged). When no series has a point in range the
/// result is just a "No ratings in this period yet." paragraph.
pub fn trust_chart(c: &TrustChart) -> Markup {
    let (from, to) = if c.from <= c.to {
        (c.from, c.to)
    } else {
        (c.to, c.from)
    };
    let series: Vec<Points> = c
        .series
        .iter()
        .map(|s| clipped(&s.points, from, to))
        .collect();
    if series.iter().all(Vec::is_empty) {
        return html! { p.muted.chart-empty { (EMPTY_TEXT) } };
    }
    let shown = Shown {
        from,
        to,
        series,
        setbacks: clipped_markers(c.setbacks, from, to),
        sessions: clipped_markers(c.sessions, from, to),
    };
    html! {
        figure.chart {
            figcaption { (c.title) }
            (svg(c, &shown))
            (values_table(c, &shown.series))
            (events_table(c.title, &shown.setbacks, &shown.sessions))
        }
    }
}

/// The drawing itself, with its accessible name and description.
fn svg(c: &TrustChart, shown: &Shown) -> Markup {
    let scale = Scale::new(
        (PLOT_LEFT, PLOT_RIGHT),
        (PLOT_TOP, PLOT_BOTTOM),
        shown.from,
        shown.to,
        c.min,
        c.max,
    );
    let names: Vec<&str> = c.series.iter().map(|s| s.name.as_str()).collect();
    let items = layout_legend(
        &names,
        !shown.setbacks.is_empty(),
        !shown.sessions.is_empty(),
    );
    let legend_bottom = items.last().map_or(LEGEND_TOP, |i| i.y);
    let height = legend_bottom + LEGEND_ROW + 4.0;

    let id = chart_id(c);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let desc = describe(
        c,
        shown.from,
        shown.to,
        &shown.series,
        shown.setbacks.len(),
        shown.sessions.len(),
    );
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width="100%"
            viewBox=(format!("0 0 {} {}", num(WIDTH), num(height)))
            role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (c.title) }
            desc id=(desc_id) { (desc) }
            (grid(&scale, c.min, c.max))
            (axes())
            (date_ticks(&scale, shown.from, shown.to))
            // Markers sit behind the data lines.
            (session_marks(&scale, &shown.sessions))
            (setback_marks(&scale, &shown.setbacks))
            (data_lines(&scale, c.series, &shown.series))
            (legend(&items))
        }
    }
}

/// Gridlines and value labels.
fn grid(scale: &Scale, min: i32, max: i32) -> Markup {
    html! {
        g.chart-grid {
            @for v in y_ticks(min, max) {
                @let y = num(scale.y(v));
                line x1=(num(PLOT_LEFT)) y1=(y) x2=(num(PLOT_RIGHT)) y2=(y)
                    stroke="currentColor" stroke-opacity="0.15" stroke-width="1" {}
                text x=(num(PLOT_LEFT - 8.0)) y=(y) dy="0.35em" text-anchor="end"
                    font-size="12" fill="currentColor" { (v) }
            }
        }
    }
}

fn axes() -> Markup {
    html! {
        g.chart-axes stroke="currentColor" stroke-width="1" {
            line x1=(num(PLOT_LEFT)) y1=(num(PLOT_TOP)) x2=(num(PLOT_LEFT)) y2=(num(PLOT_BOTTOM)) {}
            line x1=(num(PLOT_LEFT)) y1=(num(PLOT_BOTTOM)) x2=(num(PLOT_RIGHT)) y2=(num(PLOT_BOTTOM)) {}
        }
    }
}

/// Date ticks and labels along the time axis; labels carry the year when the range spans
/// two years.
fn date_ticks(scale: &Scale, from: NaiveDate, to: NaiveDate) -> Markup {
    let with_year = from.year() != to.year();
    html! {
        g.chart-x-ticks {
            @for d in x_ticks(from, to) {
                @let x = scale.x(d);
                line x1=(num(x)) y1=(num(PLOT_BOTTOM)) x2=(num(x)) y2=(num(PLOT_BOTTOM + 5.0))
                    stroke="currentColor" stroke-width="1" {}
                text x=(num(x)) y=(num(X_LABEL_Y))
                    text-anchor=(if x > PLOT_RIGHT - 24.0 { "end" } else { "middle" })
                    font-size="12" fill="currentColor" { (short_date(d, with_year)) }
            }
        }
    }
}

fn session_marks(scale: &Scale, sessions: &[&Marker]) -> Markup {
    html! {
        g.chart-sessions {
            @for m in sessions {
                @let x = num(scale.x(m.date));
                g.session {
                    title { "Session, " (long_date(m.date)) ": " (m.label) }
                    line x1=(x) y1=(num(PLOT_TOP)) x2=(x) y2=(num(PLOT_BOTTOM))
                        stroke=(SESSION_COLOUR) stroke-width="2" stroke-opacity="0.8" {}
                }
            }
        }
    }
}

fn setback_marks(scale: &Scale, setbacks: &[&Marker]) -> Markup {
    html! {
        g.chart-setbacks {
            @for m in setbacks {
                @let x = scale.x(m.date);
                g.setback {
                    title { "Setback, " (long_date(m.date)) ": " (m.label) }
                    line x1=(num(x)) y1=(num(PLOT_TOP)) x2=(num(x)) y2=(num(PLOT_BOTTOM))
                        stroke=(SETBACK_COLOUR) stroke-width="1.5" stroke-dasharray=(SETBACK_DASH) {}
                    polygon points=(format!("{},{} {},{} {},{}",
                        num(x - 5.0), num(PLOT_TOP - 10.0), num(x + 5.0), num(PLOT_TOP - 10.0),
                        num(x), num(PLOT_TOP - 1.0)))
                        fill=(SETBACK_COLOUR) {}
                }
            }
        }
    }
}

/// One group per series: its line (when it has two points or more) and a titled dot per
/// rating.
fn data_lines(scale: &Scale, series: &[Series], shown: &[Points]) -> Markup {
    html! {
        @for (i, (s, pts)) in series.iter().zip(shown).enumerate() {
            @let st = style(i);
            g.chart-series {
                // A line only joins ratings given in their usual rhythm: gaps stay gaps.
                @for run in unbroken_runs(pts) {
                    @if run.len() > 1 {
                        polyline points=(points_attr(scale, run)) fill="none" stroke=(st.colour)
                            stroke-width="2" stroke-linejoin="round" stroke-dasharray=[st.dash] {}
                    }
                }
                @for (d, v) in pts {
                    g {
                        title { (s.name) ", " (long_date(*d)) ": " (v) }
                        (point_mark(st, scale.x(*d), scale.y(*v), 3.5))
                    }
                }
            }
        }
    }
}

/// The ratings as a table: one row per distinct date, one cell per series (same-day
/// ratings joined).
fn values_table(c: &TrustChart, shown: &[Points]) -> Markup {
    let mut rows: BTreeMap<NaiveDate, Vec<Vec<i32>>> = BTreeMap::new();
    for (i, pts) in shown.iter().enumerate() {
        for (d, v) in pts {
            rows.entry(*d)
                .or_insert_with(|| vec![Vec::new(); shown.len()])[i]
                .push(*v);
        }
    }
    html! {
        table.chart-table.data.visually-hidden {
            caption { (c.title) }
            thead {
                tr {
                    th scope="col" { "Date" }
                    @for s in c.series {
                        th scope="col" { (s.name) }
                    }
                }
            }
            tbody {
                @for (d, cells) in &rows {
                    tr {
                        th scope="row" { time datetime=(iso_date(*d)) { (long_date(*d)) } }
                        @for vals in cells {
                            td {
                                @if vals.is_empty() {
                                    "—"
                                } @else {
                                    (vals.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Setbacks and sessions in date order as a table; nothing when there are none.
fn events_table(title: &str, setbacks: &[&Marker], sessions: &[&Marker]) -> Markup {
    let mut events: Vec<(NaiveDate, &str, &str)> = setbacks
        .iter()
        .map(|m| (m.date, "Setback", m.label.as_str()))
        .chain(
            sessions
                .iter()
                .map(|m| (m.date, "Session", m.label.as_str())),
        )
        .collect();
    events.sort_by_key(|e| e.0);
    html! {
        @if !events.is_empty() {
            table.chart-table.chart-events.data.visually-hidden {
                caption { "Setbacks and sessions: " (title) }
                thead {
                    tr {
                        th scope="col" { "Date" }
                        th scope="col" { "Kind" }
                        th scope="col" { "Label" }
                    }
                }
                tbody {
                    @for (d, kind, label) in &events {
                        tr {
                            th scope="row" { time datetime=(iso_date(*d)) { (long_date(*d)) } }
                            td { (kind) }
                            td { (label) }
                        }
                    }
                }
            }
        }
    }
}
