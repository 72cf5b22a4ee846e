//! Server-drawn SVG charts: the trust-rating line chart and dashboard sparklines.
//!
//! Everything is plain markup (no JavaScript, no external assets) so it prints and works
//! with a strict CSP. Each chart carries an accessible name and description, and the full
//! chart is followed by a data table that screen readers can browse and that print shows.
//! Series are told apart by colour *and* dash pattern / point fill, so they survive
//! greyscale printing. All user text (series names, marker labels, titles) goes through
//! maud's normal escaping; only numeric strings are built by hand.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

/// One line on a chart, e.g. a partner's trust ratings (usually 0–10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Shown in the legend and as a table column header (user text, escaped).
    pub name: String,
    /// Ratings by date; need not be sorted.
    pub points: Vec<(NaiveDate, i32)>,
}

/// A dated event drawn along the time axis (a setback or a session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// When it happened.
    pub date: NaiveDate,
    /// Short description (user text, escaped).
    pub label: String,
}

/// Everything the full trust chart needs.
#[derive(Debug, Clone, Copy)]
pub struct TrustChart<'a> {
    /// Chart title: the SVG `<title>`, the figure caption and the table caption.
    pub title: &'a str,
    /// First day shown (inclusive). Swapped with `to` if given the wrong way round.
    pub from: NaiveDate,
    /// Last day shown (inclusive).
    pub to: NaiveDate,
    /// Bottom of the value axis.
    pub min: i32,
    /// Top of the value axis.
    pub max: i32,
    /// The lines to draw; points outside `from..=to` are dropped.
    pub series: &'a [Series],
    /// Setbacks, drawn as red dashed lines with a downward triangle.
    pub setbacks: &'a [Marker],
    /// Sessions, drawn as solid teal lines.
    pub sessions: &'a [Marker],
}

// ---------------------------------------------------------------------------------------
// Geometry and palette
// ---------------------------------------------------------------------------------------

const WIDTH: f64 = 720.0;
const PLOT_LEFT: f64 = 44.0;
const PLOT_RIGHT: f64 = 704.0;
const PLOT_TOP: f64 = 20.0;
const PLOT_BOTTOM: f64 = 214.0;
const X_LABEL_Y: f64 = 232.0;
const LEGEND_TOP: f64 = 256.0;
const LEGEND_ROW: f64 = 20.0;
const LEGEND_SAMPLE: f64 = 28.0;
const LEGEND_CHAR: f64 = 6.8;
const LEGEND_GAP: f64 = 20.0;
const LEGEND_MAX_CHARS: usize = 40;
const X_TICKS: i64 = 6;
const MAX_Y_LINES: i64 = 10;

const SETBACK_COLOUR: &str = "#c62828";
const SESSION_COLOUR: &str = "#00796b";
const SETBACK_DASH: &str = "4 3";

/// Series colours: dark enough for 3:1 contrast on white, and none of them red or teal so
/// they never look like markers.
const COLOURS: [&str; 6] = [
    "#1f5fa8", "#b35900", "#6a3d9a", "#3b3b3b", "#7a6a00", "#a0306e",
];
/// Dash patterns, so lines stay distinct in greyscale (`None` = solid).
const DASHES: [Option<&str>; 4] = [None, Some("8 4"), Some("2 3"), Some("10 3 2 3")];

const EMPTY_TEXT: &str = "No ratings in this period yet.";

/// How one series is drawn.
#[derive(Debug, Clone, Copy)]
struct Style {
    colour: &'static str,
    dash: Option<&'static str>,
    hollow: bool,
}

fn style(i: usize) -> Style {
    Style {
        colour: COLOURS[i % COLOURS.len()],
        dash: DASHES[i % DASHES.len()],
        // Alternate solid / hollow points; the pattern flips every four series so the
        // (dash, fill) pair only repeats after eight.
        hollow: (i % 2 == 1) != ((i / 4) % 2 == 1),
    }
}

/// Rounds to one decimal and formats without trailing noise ("12", "12.5", never "-0").
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0 + 0.0;
    format!("{r}")
}

fn short_date(d: NaiveDate, with_year: bool) -> String {
    if with_year {
        d.format("%-d %b %Y").to_string()
    } else {
        d.format("%-d %b").to_string()
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Points inside `lo..=hi`, sorted by date (stable, so same-day ratings keep their order).
fn clipped(points: &[(NaiveDate, i32)], lo: NaiveDate, hi: NaiveDate) -> Vec<(NaiveDate, i32)> {
    let mut v: Vec<_> = points
        .iter()
        .copied()
        .filter(|(d, _)| *d >= lo && *d <= hi)
        .collect();
    v.sort_by_key(|(d, _)| *d);
    v
}

fn clipped_markers(markers: &[Marker], lo: NaiveDate, hi: NaiveDate) -> Vec<&Marker> {
    let mut v: Vec<_> = markers
        .iter()
        .filter(|m| m.date >= lo && m.date <= hi)
        .collect();
    v.sort_by_key(|m| m.date);
    v
}

/// Maps dates and values to SVG coordinates.
struct Scale {
    x0: f64,
    x1: f64,
    y_top: f64,
    y_bottom: f64,
    from: NaiveDate,
    span_days: i64,
    /// The value range actually drawn (widened when min == max).
    lo: f64,
    hi: f64,
    /// The value range points are clamped to.
    min: f64,
    max: f64,
}

impl Scale {
    fn new(
        (x0, x1): (f64, f64),
        (y_top, y_bottom): (f64, f64),
        from: NaiveDate,
        to: NaiveDate,
        min: i32,
        max: i32,
    ) -> Scale {
        let (min, max) = (f64::from(min.min(max)), f64::from(min.max(max)));
        let (lo, hi) = if max > min {
            (min, max)
        } else {
            (min - 1.0, max + 1.0)
        };
        Scale {
            x0,
            x1,
            y_top,
            y_bottom,
            from,
            span_days: (to - from).num_days().max(0),
            lo,
            hi,
            min,
            max,
        }
    }

    fn x(&self, d: NaiveDate) -> f64 {
        if self.span_days == 0 {
            return (self.x0 + self.x1) / 2.0;
        }
        let t = (d - self.from).num_days() as f64 / self.span_days as f64;
        self.x0 + t.clamp(0.0, 1.0) * (self.x1 - self.x0)
    }

    fn y(&self, v: i32) -> f64 {
        let v = f64::from(v).clamp(self.min, self.max);
        self.y_bottom - (v - self.lo) / (self.hi - self.lo) * (self.y_bottom - self.y_top)
    }
}

/// The `points` attribute of a polyline: numbers only, so no escaping concerns.
fn points_attr(scale: &Scale, points: &[(NaiveDate, i32)]) -> String {
    points
        .iter()
        .map(|(d, v)| format!("{},{}", num(scale.x(*d)), num(scale.y(*v))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Value-axis gridline values: multiples of a 1/2/5 step, at most about ten lines.
fn y_ticks(min: i32, max: i32) -> Vec<i32> {
    let (lo, hi) = (i64::from(min.min(max)), i64::from(min.max(max)));
    let range = hi - lo;
    if range == 0 {
        return vec![min];
    }
    let mut step: i64 = 1;
    'outer: loop {
        for m in [1, 2, 5] {
            if range / (step * m) <= MAX_Y_LINES {
                step *= m;
                break 'outer;
            }
        }
        step *= 10;
    }
    let mut v = lo.div_euclid(step) * step;
    if v < lo {
        v += step;
    }
    let mut ticks = Vec::new();
    while v <= hi {
        if let Ok(t) = i32::try_from(v) {
            ticks.push(t);
        }
        v += step;
    }
    ticks
}

/// About six evenly spaced dates from `from` to `to`.
fn x_ticks(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let span = (to - from).num_days().max(0);
    if span == 0 {
        return vec![from];
    }
    let step = ((span + X_TICKS - 2) / (X_TICKS - 1)).max(1);
    (0..=span)
        .step_by(usize::try_from(step).unwrap_or(1))
        .filter_map(|k| from.checked_add_signed(chrono::Duration::days(k)))
        .collect()
}

/// Shortens long names for the in-chart legend (the table always has the full text).
fn legend_text(name: &str) -> String {
    if name.chars().count() > LEGEND_MAX_CHARS {
        let mut s: String = name.chars().take(LEGEND_MAX_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        name.to_owned()
    }
}

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

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

// ---------------------------------------------------------------------------------------
// Full chart
// ---------------------------------------------------------------------------------------

enum LegendKind {
    Series(usize),
    Setback,
    Session,
}

struct LegendItem {
    kind: LegendKind,
    text: String,
    x: f64,
    y: f64,
}

fn layout_legend(names: &[&str], setbacks: bool, sessions: bool) -> Vec<LegendItem> {
    let mut kinds: Vec<(LegendKind, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (LegendKind::Series(i), legend_text(n)))
        .collect();
    if setbacks {
        kinds.push((LegendKind::Setback, "Setback".to_owned()));
    }
    if sessions {
        kinds.push((LegendKind::Session, "Session".to_owned()));
    }
    let mut items = Vec::with_capacity(kinds.len());
    let (mut x, mut y) = (PLOT_LEFT, LEGEND_TOP);
    for (kind, text) in kinds {
        let w = LEGEND_SAMPLE + 6.0 + text.chars().count() as f64 * LEGEND_CHAR;
        if x > PLOT_LEFT && x + w > PLOT_RIGHT {
            x = PLOT_LEFT;
            y += LEGEND_ROW;
        }
        items.push(LegendItem { kind, text, x, y });
        x += w + LEGEND_GAP;
    }
    items
}

fn point_mark(st: Style, x: f64, y: f64, r: f64) -> Markup {
    let fill = if st.hollow { "#fff" } else { st.colour };
    html! {
        circle cx=(num(x)) cy=(num(y)) r=(num(r)) fill=(fill) stroke=(st.colour) stroke-width="1.5" {}
    }
}

fn legend_item(item: &LegendItem) -> Markup {
    let (x, y) = (item.x, item.y);
    let mid = x + LEGEND_SAMPLE / 2.0;
    html! {
        g {
            @match item.kind {
                LegendKind::Series(i) => {
                    @let st = style(i);
                    line x1=(num(x)) y1=(num(y)) x2=(num(x + LEGEND_SAMPLE)) y2=(num(y))
                        stroke=(st.colour) stroke-width="2" stroke-dasharray=[st.dash] {}
                    (point_mark(st, mid, y, 3.5))
                }
                LegendKind::Setback => {
                    line x1=(num(mid)) y1=(num(y - 7.0)) x2=(num(mid)) y2=(num(y + 7.0))
                        stroke=(SETBACK_COLOUR) stroke-width="1.5" stroke-dasharray=(SETBACK_DASH) {}
                    polygon points=(format!("{},{} {},{} {},{}",
                        num(mid - 5.0), num(y - 8.0), num(mid + 5.0), num(y - 8.0), num(mid), num(y - 1.0)))
                        fill=(SETBACK_COLOUR) {}
                }
                LegendKind::Session => {
                    line x1=(num(mid)) y1=(num(y - 7.0)) x2=(num(mid)) y2=(num(y + 7.0))
                        stroke=(SESSION_COLOUR) stroke-width="2" {}
                }
            }
            text x=(num(x + LEGEND_SAMPLE + 6.0)) y=(num(y)) dy="0.35em" font-size="12" fill="currentColor" {
                (item.text)
            }
        }
    }
}

/// A one-paragraph summary for `<desc>`.
fn describe(
    c: &TrustChart,
    from: NaiveDate,
    to: NaiveDate,
    clipped_series: &[Vec<(NaiveDate, i32)>],
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
    let series: Vec<Vec<(NaiveDate, i32)>> = c
        .series
        .iter()
        .map(|s| clipped(&s.points, from, to))
        .collect();
    if series.iter().all(Vec::is_empty) {
        return html! { p.muted.chart-empty { (EMPTY_TEXT) } };
    }
    let setbacks = clipped_markers(c.setbacks, from, to);
    let sessions = clipped_markers(c.sessions, from, to);

    let scale = Scale::new(
        (PLOT_LEFT, PLOT_RIGHT),
        (PLOT_TOP, PLOT_BOTTOM),
        from,
        to,
        c.min,
        c.max,
    );
    let names: Vec<&str> = c.series.iter().map(|s| s.name.as_str()).collect();
    let legend = layout_legend(&names, !setbacks.is_empty(), !sessions.is_empty());
    let legend_bottom = legend.last().map_or(LEGEND_TOP, |i| i.y);
    let height = legend_bottom + LEGEND_ROW + 4.0;
    let with_year = from.year() != to.year();

    let id = chart_id(c);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let desc = describe(c, from, to, &series, setbacks.len(), sessions.len());

    // Table rows: one per distinct date, one cell per series (same-day ratings joined).
    let mut rows: BTreeMap<NaiveDate, Vec<Vec<i32>>> = BTreeMap::new();
    for (i, pts) in series.iter().enumerate() {
        for (d, v) in pts {
            rows.entry(*d)
                .or_insert_with(|| vec![Vec::new(); series.len()])[i]
                .push(*v);
        }
    }
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
        figure.chart {
            figcaption { (c.title) }
            svg xmlns="http://www.w3.org/2000/svg" width="100%"
                viewBox=(format!("0 0 {} {}", num(WIDTH), num(height)))
                role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
                title id=(title_id) { (c.title) }
                desc id=(desc_id) { (desc) }

                // Gridlines and value labels.
                g.chart-grid {
                    @for v in y_ticks(c.min, c.max) {
                        @let y = num(scale.y(v));
                        line x1=(num(PLOT_LEFT)) y1=(y) x2=(num(PLOT_RIGHT)) y2=(y)
                            stroke="currentColor" stroke-opacity="0.15" stroke-width="1" {}
                        text x=(num(PLOT_LEFT - 8.0)) y=(y) dy="0.35em" text-anchor="end"
                            font-size="12" fill="currentColor" { (v) }
                    }
                }

                // Axes.
                g.chart-axes stroke="currentColor" stroke-width="1" {
                    line x1=(num(PLOT_LEFT)) y1=(num(PLOT_TOP)) x2=(num(PLOT_LEFT)) y2=(num(PLOT_BOTTOM)) {}
                    line x1=(num(PLOT_LEFT)) y1=(num(PLOT_BOTTOM)) x2=(num(PLOT_RIGHT)) y2=(num(PLOT_BOTTOM)) {}
                }
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

                // Markers sit behind the data lines.
                g.chart-sessions {
                    @for m in &sessions {
                        @let x = num(scale.x(m.date));
                        g.session {
                            title { "Session, " (long_date(m.date)) ": " (m.label) }
                            line x1=(x) y1=(num(PLOT_TOP)) x2=(x) y2=(num(PLOT_BOTTOM))
                                stroke=(SESSION_COLOUR) stroke-width="2" stroke-opacity="0.8" {}
                        }
                    }
                }
                g.chart-setbacks {
                    @for m in &setbacks {
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

                // Data.
                @for (i, (s, pts)) in c.series.iter().zip(&series).enumerate() {
                    @let st = style(i);
                    g.chart-series {
                        @if pts.len() > 1 {
                            polyline points=(points_attr(&scale, pts)) fill="none" stroke=(st.colour)
                                stroke-width="2" stroke-linejoin="round" stroke-dasharray=[st.dash] {}
                        }
                        @for (d, v) in pts {
                            g {
                                title { (s.name) ", " (long_date(*d)) ": " (v) }
                                (point_mark(st, scale.x(*d), scale.y(*v), 3.5))
                            }
                        }
                    }
                }

                g.chart-legend {
                    @for item in &legend {
                        (legend_item(item))
                    }
                }
            }

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
            @if !events.is_empty() {
                table.chart-table.chart-events.data.visually-hidden {
                    caption { "Setbacks and sessions: " (c.title) }
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
}

// ---------------------------------------------------------------------------------------
// Sparkline
// ---------------------------------------------------------------------------------------

const SPARK_W: f64 = 120.0;
const SPARK_H: f64 = 32.0;
const SPARK_PAD: f64 = 2.0;

/// Summary for the sparkline's `aria-label`, e.g. "Trust for Sam: 4 to 7 over 14 days".
fn spark_summary(label: &str, shown: &[(&Series, Vec<(NaiveDate, i32)>)]) -> String {
    let parts: Vec<String> = shown
        .iter()
        .filter_map(|(s, pts)| {
            let (first, last) = (pts.first()?, pts.last()?);
            let range = if pts.len() == 1 {
                first.1.to_string()
            } else {
                format!("{} to {}", first.1, last.1)
            };
            Some(if shown.len() > 1 {
                format!("{} {}", s.name, range)
            } else {
                range
            })
        })
        .collect();
    let dates = shown.iter().flat_map(|(_, p)| p.iter().map(|(d, _)| *d));
    let first = dates.clone().min();
    let last = dates.max();
    let when = match (first, last) {
        (Some(a), Some(b)) if b > a => {
            format!(
                "over {}",
                plural((b - a).num_days() as usize, "day", "days")
            )
        }
        (Some(a), _) => format!("on {}", long_date(a)),
        _ => String::new(),
    };
    let head = if label.trim().is_empty() {
        "Trend"
    } else {
        label
    };
    format!("{head}: {} {when}", parts.join(", "))
}

/// A 120×32 dashboard sparkline: one thin line per series (only the first two are drawn),
/// no axes, with an `aria-label` summary such as "Trust for Sam: 4 to 7 over 14 days".
///
/// Every point becomes a polyline vertex (a lone point also gets a dot). Values are clamped
/// to `min..=max`; `min == max` is handled. With no points at all the result is an em dash
/// with a visually hidden explanation.
pub fn sparkline(series: &[Series], min: i32, max: i32, label: &str) -> Markup {
    let shown: Vec<(&Series, Vec<(NaiveDate, i32)>)> = series
        .iter()
        .take(2)
        .map(|s| {
            let mut pts = s.points.clone();
            pts.sort_by_key(|(d, _)| *d);
            (s, pts)
        })
        .collect();
    let dates = shown.iter().flat_map(|(_, p)| p.iter().map(|(d, _)| *d));
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return html! {
            span.sparkline-empty {
                span aria-hidden="true" { "—" }
                span.visually-hidden { (label) ": no ratings yet" }
            }
        };
    };
    let scale = Scale::new(
        (SPARK_PAD, SPARK_W - SPARK_PAD),
        (SPARK_PAD, SPARK_H - SPARK_PAD),
        first,
        last,
        min,
        max,
    );
    let summary = spark_summary(label, &shown);
    html! {
        svg.sparkline xmlns="http://www.w3.org/2000/svg" width=(num(SPARK_W)) height=(num(SPARK_H))
            viewBox=(format!("0 0 {} {}", num(SPARK_W), num(SPARK_H)))
            role="img" aria-label=(summary) {
            title { (summary) }
            @for (i, (_, pts)) in shown.iter().enumerate() {
                @if !pts.is_empty() {
                    polyline points=(points_attr(&scale, pts)) fill="none" stroke="currentColor"
                        stroke-width="1.5" stroke-linejoin="round"
                        stroke-dasharray=[(i == 1).then_some("3 2")] {}
                    @if pts.len() == 1 {
                        @for (d, v) in pts {
                            circle cx=(num(scale.x(*d))) cy=(num(scale.y(*v))) r="2" fill="currentColor" {}
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

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    /// Minimal well-formedness check: balanced, properly nested tags, quoted attributes,
    /// no stray `<`, and only valid entity references. Returns the root element names.
    fn check_xml(s: &str) -> Result<Vec<String>, String> {
        fn check_entities(t: &str) -> Result<(), String> {
            let mut rest = t;
            while let Some(i) = rest.find('&') {
                let after = &rest[i + 1..];
                let end = after.find(';').ok_or_else(|| format!("bare & in {t:?}"))?;
                let name = &after[..end];
                let ok = matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
                    || (name.starts_with("#x")
                        && name.len() > 2
                        && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
                    || (name.starts_with('#')
                        && name.len() > 1
                        && name[1..].chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("bad entity &{name}; in {t:?}"));
                }
                rest = &after[end + 1..];
            }
            Ok(())
        }
        let mut stack: Vec<String> = Vec::new();
        let mut roots = Vec::new();
        let mut rest = s;
        while let Some(lt) = rest.find('<') {
            check_entities(&rest[..lt])?;
            if stack.is_empty() && !rest[..lt].trim().is_empty() {
                return Err(format!("text outside root: {:?}", &rest[..lt]));
            }
            let tag_start = &rest[lt + 1..];
            // Find the closing '>' outside quotes.
            let mut quote: Option<char> = None;
            let mut end = None;
            for (i, ch) in tag_start.char_indices() {
                match (quote, ch) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), '<') => return Err("< inside attribute".into()),
                    (Some(_), _) => {}
                    (None, '"') | (None, '\'') => quote = Some(ch),
                    (None, '<') => return Err("< inside tag".into()),
                    (None, '>') => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let tag = &tag_start[..end];
            rest = &tag_start[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or_else(|| format!("stray </{name}>"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == ':')
            {
                return Err(format!("bad tag name in <{tag}>"));
            }
            // Attributes: name="value" pairs.
            let mut attrs = body[name.len()..].trim();
            let mut seen = Vec::new();
            while !attrs.is_empty() {
                let eq = attrs
                    .find('=')
                    .ok_or_else(|| format!("attribute without value in <{tag}>"))?;
                let aname = attrs[..eq].trim();
                if aname.is_empty() || aname.contains(char::is_whitespace) {
                    return Err(format!("bad attribute name in <{tag}>"));
                }
                if seen.contains(&aname) {
                    return Err(format!("duplicate attribute {aname}"));
                }
                seen.push(aname);
                let v = attrs[eq + 1..].trim_start();
                let q = v
                    .chars()
                    .next()
                    .filter(|c| *c == '"' || *c == '\'')
                    .ok_or("unquoted attribute")?;
                let close = v[1..].find(q).ok_or("unterminated attribute")?;
                check_entities(&v[1..1 + close])?;
                attrs = v[close + 2..].trim_start();
            }
            if stack.is_empty() {
                roots.push(name.clone());
            }
            if !self_closing {
                stack.push(name);
            }
        }
        check_entities(rest)?;
        if !rest.trim().is_empty() && stack.is_empty() {
            return Err("text after root".into());
        }
        if let Some(open) = stack.pop() {
            return Err(format!("unclosed <{open}>"));
        }
        Ok(roots)
    }

    fn svg_part(s: &str) -> &str {
        let start = s.find("<svg").expect("has <svg");
        let end = s.find("</svg>").expect("has </svg>") + "</svg>".len();
        &s[start..end]
    }

    fn two_series() -> Vec<Series> {
        vec![
            Series {
                name: "Sam".into(),
                points: vec![(d(3, 10), 6), (d(3, 3), 4), (d(3, 17), 7)],
            },
            Series {
                name: "Alex".into(),
                points: vec![(d(3, 3), 5), (d(3, 12), 5), (d(5, 1), 9)],
            },
        ]
    }

    fn chart<'a>(
        series: &'a [Series],
        setbacks: &'a [Marker],
        sessions: &'a [Marker],
    ) -> TrustChart<'a> {
        TrustChart {
            title: "Trust over time",
            from: d(3, 1),
            to: d(3, 31),
            min: 0,
            max: 10,
            series,
            setbacks,
            sessions,
        }
    }

    /// Fixed inputs whose rendering is pinned byte for byte in `golden/`.
    fn golden_cases() -> Vec<(&'static str, String)> {
        let series = two_series();
        let setbacks = [
            Marker {
                date: d(3, 8),
                label: "Argument & <silence>".into(),
            },
            Marker {
                date: d(3, 21),
                label: "Late night".into(),
            },
        ];
        let sessions = [
            Marker {
                date: d(3, 5),
                label: "Session 4".into(),
            },
            Marker {
                date: d(1, 9),
                label: "Session 1".into(),
            },
        ];
        let full = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
        let many: Vec<Series> = (0..9)
            .map(|i| Series {
                name: format!("Partner number {i} with a rather long name indeed, truly"),
                points: vec![(d(1, 2), i), (d(2, 5), i + 1), (d(2, 5), i + 2)],
            })
            .collect();
        let wide = TrustChart {
            title: "Across the new year",
            from: NaiveDate::from_ymd_opt(2024, 11, 20).unwrap(),
            to: d(2, 14),
            min: 1,
            max: 5,
            series: &many,
            setbacks: &[],
            sessions: &sessions,
        };
        let wide = trust_chart(&wide).into_string();
        let one = vec![Series {
            name: "Sam".into(),
            points: vec![(d(3, 9), 7)],
        }];
        let spark = [
            sparkline(&series, 0, 10, "Trust for Sam and Alex").into_string(),
            sparkline(&one, 0, 10, "Trust for Sam").into_string(),
            sparkline(&[], 0, 10, "Trust for nobody").into_string(),
        ]
        .join("\n");
        vec![
            ("trust.svg", full),
            ("trust_wide.svg", wide),
            ("sparkline.svg", spark),
        ]
    }

    /// The stored renderings were made from the chart code before it was split into
    /// modules; the split (and any later tidying) must keep every byte.
    #[test]
    fn renderings_match_the_stored_ones() {
        let stored = [
            include_str!("chart/golden/trust.svg"),
            include_str!("chart/golden/trust_wide.svg"),
            include_str!("chart/golden/sparkline.svg"),
        ];
        let cases = golden_cases();
        assert_eq!(cases.len(), stored.len());
        for ((name, out), expected) in cases.iter().zip(stored) {
            assert!(
                out == expected,
                "{name} differs from the stored rendering:\n{out}"
            );
        }
    }

    #[test]
    fn checker_rejects_bad_xml() {
        assert!(check_xml("<a><b></a></b>").is_err());
        assert!(check_xml("<a>x & y</a>").is_err());
        assert!(check_xml("<a><b></b>").is_err());
        assert!(check_xml("<a x=1></a>").is_err());
        assert!(check_xml("<a x=\"1\" x=\"2\"></a>").is_err());
        assert!(check_xml("<a x=\"1\"><b/>&amp;&#38;</a>").is_ok());
    }

    #[test]
    fn chart_is_well_formed_and_accessible() {
        let series = two_series();
        let setbacks = [Marker {
            date: d(3, 8),
            label: "Argument".into(),
        }];
        let sessions = [Marker {
            date: d(3, 5),
            label: "Session 4".into(),
        }];
        let out = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
        let svg = svg_part(&out);
        assert_eq!(check_xml(svg), Ok(vec!["svg".to_string()]));
        assert_eq!(check_xml(&out), Ok(vec!["figure".to_string()]));
        assert!(out.starts_with("<figure class=\"chart\">"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"chart-"));
        assert!(svg.contains("<desc id=\"chart-"));
        assert!(svg.contains("viewBox=\"0 0 720 280\""));
        assert!(svg.contains("stroke=\"currentColor\""));
        // aria-labelledby points at the title and desc ids.
        let ids_at = svg.find("aria-labelledby=\"").unwrap() + "aria-labelledby=\"".len();
        let ids = &svg[ids_at..ids_at + svg[ids_at..].find('"').unwrap()];
        for id in ids.split(' ') {
            assert!(svg.contains(&format!("id=\"{id}\"")), "missing id {id}");
        }
        // One polyline per multi-point series, with distinct colour and dash.
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("stroke-dasharray=\"8 4\""));
        assert!(svg.contains(COLOURS[0]) && svg.contains(COLOURS[1]));
        // Alex's 1 May point is clipped: 3 + 2 points in range, plus 2 legend dots.
        assert_eq!(svg.matches("<circle").count(), 5 + 2);
        // Markers and legend.
        assert!(svg.contains(SETBACK_COLOUR) && svg.contains(SESSION_COLOUR));
        assert!(svg.contains(">Setback</text>") && svg.contains(">Session</text>"));
        assert!(svg.contains(">Sam</text>") && svg.contains(">Alex</text>"));
        assert!(svg.contains(">1 Mar</text>") && svg.contains(">7 Mar</text>"));
        assert!(out.contains("<caption>Trust over time</caption>"));
        assert!(out.contains("<td>Argument</td>") && out.contains("<td>Session 4</td>"));
    }

    #[test]
    fn user_text_is_escaped_everywhere() {
        let evil = "<script>&\"";
        let escaped = "&lt;script&gt;&amp;&quot;";
        let series = vec![Series {
            name: evil.into(),
            points: vec![(d(3, 3), 4), (d(3, 9), 6)],
        }];
        let markers = [Marker {
            date: d(3, 4),
            label: evil.into(),
        }];
        let c = TrustChart {
            title: evil,
            ..chart(&series, &markers, &markers)
        };
        let out = trust_chart(&c).into_string();
        assert!(!out.contains("<script"));
        assert!(!out.contains(evil));
        let svg = svg_part(&out);
        assert!(
            svg.contains(&format!(">{escaped}</text>")),
            "legend escaped"
        );
        let table_at = out.find("<table").unwrap();
        let table = &out[table_at..];
        assert!(table.contains(&format!("<th scope=\"col\">{escaped}</th>")));
        assert!(table.contains(&format!("<td>{escaped}</td>")));
        check_xml(svg).unwrap();
        check_xml(&out).unwrap();

        let spark = sparkline(&series, 0, 10, evil).into_string();
        assert!(!spark.contains(evil));
        assert!(spark.contains(escaped));
        check_xml(&spark).unwrap();
    }

    #[test]
    fn table_has_one_row_per_distinct_date() {
        let series = two_series();
        let out = trust_chart(&chart(&series, &[], &[])).into_string();
        let table_at = out.find("<table").unwrap();
        let tbody = &out[out[table_at..].find("<tbody>").unwrap() + table_at..];
        let tbody = &tbody[..tbody.find("</tbody>").unwrap()];
        // In range: 3, 10, 12, 17 March (3 March is shared; 1 May is clipped).
        assert_eq!(tbody.matches("<tr>").count(), 4);
        assert!(tbody.contains("datetime=\"2025-03-03\""));
        assert!(!tbody.contains("2025-05-01"));
        // Rows are in date order and a missing value is a dash.
        let r3 = tbody.find("2025-03-03").unwrap();
        let r10 = tbody.find("2025-03-10").unwrap();
        assert!(r3 < r10);
        assert!(tbody.contains("<td>6</td><td>—</td>"));
        // No marker table without markers.
        assert!(!out.contains("chart-events"));
    }

    #[test]
    fn empty_data_gives_fallback() {
        let none: Vec<Series> = Vec::new();
        let out = trust_chart(&chart(&none, &[], &[])).into_string();
        assert!(out.contains("No ratings in this period yet."));
        assert!(!out.contains("<svg"));

        let outside = vec![Series {
            name: "Sam".into(),
            points: vec![(d(4, 2), 5)],
        }];
        let out = trust_chart(&chart(&outside, &[], &[])).into_string();
        assert!(out.contains("No ratings in this period yet."));

        let empty_series = vec![Series {
            name: "Sam".into(),
            points: vec![],
        }];
        let spark = sparkline(&empty_series, 0, 10, "Trust for Sam").into_string();
        assert!(spark.contains('—'));
        assert!(!spark.contains("<svg"));
        assert!(sparkline(&[], 0, 10, "x").into_string().contains('—'));
    }

    #[test]
    fn single_point_is_a_dot() {
        let series = vec![Series {
            name: "Sam".into(),
            points: vec![(d(3, 9), 7)],
        }];
        let out = trust_chart(&chart(&series, &[], &[])).into_string();
        let svg = svg_part(&out);
        check_xml(svg).unwrap();
        assert!(!svg.contains("<polyline"));
        assert_eq!(svg.matches("<circle").count(), 2); // point + legend
        let spark = sparkline(&series, 0, 10, "Trust for Sam").into_string();
        check_xml(&spark).unwrap();
        assert!(spark.contains("<circle"));
        assert!(spark.contains("Trust for Sam: 7 on 9 Mar 2025"));
    }

    #[test]
    fn min_equal_max_and_degenerate_ranges_do_not_panic() {
        let series = two_series();
        let c = TrustChart {
            min: 5,
            max: 5,
            ..chart(&series, &[], &[])
        };
        let out = trust_chart(&c).into_string();
        check_xml(svg_part(&out)).unwrap();
        assert!(!out.contains("NaN") && !out.contains("inf"));

        // from == to, and from > to.
        let c = TrustChart {
            from: d(3, 3),
            to: d(3, 3),
            ..chart(&series, &[], &[])
        };
        let out = trust_chart(&c).into_string();
        assert!(!out.contains("NaN"));
        let c = TrustChart {
            from: d(3, 31),
            to: d(3, 1),
            ..chart(&series, &[], &[])
        };
        let out = trust_chart(&c).into_string();
        assert!(out.contains("<svg"));

        // Extreme axis values.
        let c = TrustChart {
            min: i32::MIN,
            max: i32::MAX,
            ..chart(&series, &[], &[])
        };
        check_xml(svg_part(&trust_chart(&c).into_string())).unwrap();

        let spark = sparkline(&series, 3, 3, "Trust").into_string();
        assert!(!spark.contains("NaN"));
        let same_day = vec![Series {
            name: "S".into(),
            points: vec![(d(3, 3), 1), (d(3, 3), 2)],
        }];
        let spark = sparkline(&same_day, 0, 0, "Trust").into_string();
        assert!(!spark.contains("NaN"));
    }

    #[test]
    fn markers_outside_range_are_dropped() {
        let series = two_series();
        let setbacks = [
            Marker {
                date: d(2, 20),
                label: "Too early".into(),
            },
            Marker {
                date: d(3, 20),
                label: "Inside".into(),
            },
        ];
        let sessions = [Marker {
            date: d(4, 1),
            label: "Too late".into(),
        }];
        let out = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
        assert!(!out.contains("Too early") && !out.contains("Too late"));
        assert!(out.contains("Inside"));
        assert_eq!(out.matches("<g class=\"setback\">").count(), 1);
        assert_eq!(out.matches("<g class=\"session\">").count(), 0);
        // No session legend entry when no session is in range.
        assert!(!out.contains(">Session</text>"));
    }

    #[test]
    fn sparkline_points_match_data() {
        let series = two_series();
        let out = sparkline(&series, 0, 10, "Trust for Sam and Alex").into_string();
        check_xml(&out).unwrap();
        assert!(out.starts_with("<svg class=\"sparkline\""));
        assert!(out.contains("viewBox=\"0 0 120 32\"") && out.contains("role=\"img\""));
        let counts: Vec<usize> = out
            .match_indices("points=\"")
            .map(|(i, m)| {
                let rest = &out[i + m.len()..];
                rest[..rest.find('"').unwrap()].split_whitespace().count()
            })
            .collect();
        assert_eq!(counts, vec![3, 3]);
        assert!(out.contains(
            "aria-label=\"Trust for Sam and Alex: Sam 4 to 7, Alex 5 to 9 over 59 days\""
        ));
        assert!(!out.contains("<line") && !out.contains("<text"));

        // At most two series.
        let mut three = two_series();
        three.push(Series {
            name: "Third".into(),
            points: vec![(d(3, 3), 1)],
        });
        let out = sparkline(&three, 0, 10, "x").into_string();
        assert_eq!(out.matches("<polyline").count(), 2);

        let one = vec![Series {
            name: "Sam".into(),
            points: vec![(d(3, 3), 4), (d(3, 17), 7)],
        }];
        let out = sparkline(&one, 0, 10, "Trust for Sam").into_string();
        assert!(out.contains("aria-label=\"Trust for Sam: 4 to 7 over 14 days\""));
    }

    #[test]
    fn coordinates_are_rounded_and_sorted() {
        let series = vec![Series {
            name: "Sam".into(),
            points: vec![(d(3, 17), 7), (d(3, 2), 3), (d(3, 9), 6)],
        }];
        let out = trust_chart(&chart(&series, &[], &[])).into_string();
        let at = out.find("<polyline points=\"").unwrap() + "<polyline points=\"".len();
        let pts = &out[at..at + out[at..].find('"').unwrap()];
        let xs: Vec<f64> = pts
            .split_whitespace()
            .map(|p| {
                for n in p.split(',') {
                    let dec = n.split('.').nth(1).map_or(0, str::len);
                    assert!(dec <= 1, "{n} has more than one decimal");
                }
                p.split(',').next().unwrap().parse().unwrap()
            })
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "sorted by date: {pts}");
    }

    #[test]
    fn ticks_are_sensible() {
        assert_eq!(y_ticks(0, 10), (0..=10).collect::<Vec<_>>());
        assert_eq!(
            y_ticks(0, 100),
            (0..=10).map(|v| v * 10).collect::<Vec<_>>()
        );
        assert_eq!(y_ticks(7, 7), vec![7]);
        assert_eq!(y_ticks(10, 0).len(), 11);
        let t = x_ticks(d(3, 1), d(3, 31));
        assert!((4..=7).contains(&t.len()), "{t:?}");
        assert_eq!(t[0], d(3, 1));
        assert_eq!(x_ticks(d(3, 1), d(3, 1)).len(), 1);
        assert_eq!(x_ticks(d(3, 1), d(3, 2)).len(), 2);
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(12.345), "12.3");
    }

    #[test]
    fn long_legends_wrap_and_grow_the_viewbox() {
        let series: Vec<Series> = (0..8)
            .map(|i| Series {
                name: format!("Partner number {i} with a rather long name indeed, truly"),
                points: vec![(d(3, 2), i), (d(3, 5), i + 1)],
            })
            .collect();
        let out = trust_chart(&chart(&series, &[], &[])).into_string();
        let svg = svg_part(&out);
        check_xml(svg).unwrap();
        assert!(!svg.contains("viewBox=\"0 0 720 280\""));
        assert!(svg.contains('…'));
    }
}
