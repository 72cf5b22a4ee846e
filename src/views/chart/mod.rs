//! Server-drawn SVG charts: the trust-rating line chart and dashboard sparklines.
//!
//! Everything is plain markup (no JavaScript, no external assets) so it prints and works
//! with a strict CSP. Each chart carries an accessible name and description, and the full
//! chart is followed by a data table that screen readers can browse and that print shows.
//! Series are told apart by colour *and* dash pattern / point fill, so they survive
//! greyscale printing. All user text (series names, marker labels, titles) goes through
//! maud's normal escaping; only numeric strings are built by hand.
//!
//! `trust` draws the full chart, `sparkline` the dashboard trend; both map data to the
//! drawing through `scale`, and the full chart's key is laid out by `legend`.

mod legend;
mod scale;
mod sparkline;
#[cfg(test)]
mod tests;
mod trust;

use chrono::NaiveDate;
use maud::{html, Markup};

pub use sparkline::sparkline;
pub use trust::trust_chart;

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

fn point_mark(st: Style, x: f64, y: f64, r: f64) -> Markup {
    let fill = if st.hollow { "#fff" } else { st.colour };
    html! {
        circle cx=(num(x)) cy=(num(y)) r=(num(r)) fill=(fill) stroke=(st.colour) stroke-width="1.5" {}
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

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
