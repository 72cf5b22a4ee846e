//! The dashboard sparkline: a small trend line with a spoken summary.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::scale::{points_attr, Scale};
use super::{long_date, num, plural, Series};

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
