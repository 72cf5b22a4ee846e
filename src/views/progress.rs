//! "Your progress": the partner's trust ratings (and the other partner's shared ones) on a
//! small SVG chart with the figures in a table, and their kept promises per week.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::format;
use super::layout::{page, Ctx};
use super::promises::record_table;
use crate::domain::progress::{place, summary};
use crate::domain::promise::WeekRecord;

const SIZE: (f64, f64, f64) = (320.0, 150.0, 22.0);

pub struct Progress {
    pub from: NaiveDate,
    pub today: NaiveDate,
    pub mine: Vec<(NaiveDate, i32)>,
    /// The other partner's ratings, only those shared with this partner.
    pub theirs: Vec<(NaiveDate, i32)>,
    pub other_name: String,
    pub promises: Vec<WeekRecord>,
}

fn points(p: &Progress, series: &[(NaiveDate, i32)]) -> Vec<(f64, f64)> {
    let mut s = series.to_vec();
    s.sort();
    s.iter()
        .map(|(d, v)| place(*d, *v, p.from, p.today, SIZE))
        .collect()
}

fn polyline(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(who: &str, series: &[(NaiveDate, i32)]) -> String {
    match summary(series) {
        None => format!("{who}: no ratings in these weeks."),
        Some((n, day, v)) => format!(
            "{who}: {n} rating{}, the latest {v} out of 10 on {}.",
            if n == 1 { "" } else { "s" },
            format::long_date(day)
        ),
    }
}

fn trust_chart(p: &Progress) -> Markup {
    let (w, h, pad) = SIZE;
    let mine = points(p, &p.mine);
    let theirs = points(p, &p.theirs);
    let desc = format!(
        "{} {}",
        describe("You", &p.mine),
        if p.theirs.is_empty() {
            String::new()
        } else {
            describe(&p.other_name, &p.theirs)
        }
    );
    html! {
        figure.chart.progress-chart {
            svg viewBox={"0 0 " (w) " " (h)} width="320" height="150" role="img" aria-labelledby="trust-title trust-desc" {
                title id="trust-title" { "Trust ratings, 0 to 10, over the last twelve weeks" }
                desc id="trust-desc" { (desc) }
                @for v in [0, 5, 10] {
                    @let (_, y) = place(p.from, v, p.from, p.today, SIZE);
                    line x1=(pad) x2=(w - pad) y1=(y) y2=(y) stroke="currentColor" stroke-opacity="0.2" {}
                    text x="2" y=(y + 4.0) font-size="10" fill="currentColor" { (v) }
                }
                @if mine.len() > 1 { polyline points=(polyline(&mine)) fill="none" stroke="currentColor" stroke-width="2" {} }
                @for (x, y) in &mine { circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" fill="currentColor" {} }
                @if theirs.len() > 1 { polyline points=(polyline(&theirs)) fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="5 4" stroke-opacity="0.6" {} }
                @for (x, y) in &theirs { circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" fill="none" stroke="currentColor" {} }
            }
            figcaption.small.muted {
                "Solid line: your ratings."
                @if !p.theirs.is_empty() { " Dashed line: " (p.other_name) "'s ratings they shared with you." }
            }
        }
    }
}

fn figures(p: &Progress) -> Markup {
    let mut rows: Vec<(NaiveDate, String, i32)> = p
        .mine
        .iter()
        .map(|(d, v)| (*d, "You".to_string(), *v))
        .chain(p.theirs.iter().map(|(d, v)| (*d, p.other_name.clone(), *v)))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    html! {
        details.chart-data {
            summary { "The figures" }
            div.table-wrap tabindex="0" role="region" aria-label="Trust ratings, newest first" {
                table.data {
                    caption { "Trust ratings, newest first" }
                    thead { tr { th scope="col" { "Day" } th scope="col" { "Whose" } th scope="col" class="num" { "Rating" } } }
                    tbody {
                        @for (d, who, v) in &rows {
                            tr { td { (format::short_date(*d)) } td { (who) } td.num { (v) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn page_for(ctx: &Ctx, p: &Progress) -> Markup {
    page(
        ctx,
        "Your progress",
        html! {
            div.container.narrow.flush {
                h1 { "Your progress" }
                p.lead { "Rebuilding trust goes at its own pace, with good weeks and hard ones. This is for you; it is not a score." }
                h2 { "Trust over the last twelve weeks" }
                @if p.mine.is_empty() && p.theirs.is_empty() {
                    p.muted { "No trust ratings yet. They come from check-ins that ask how much you trust your partner." }
                } @else {
                    (trust_chart(p))
                    (figures(p))
                }
                p.small.muted { "The trust check-in is Trellis's own tracking aid, not a validated clinical measure." }
                h2 { "Your promises" }
                (record_table("Your promises by week: made, due and how they went", &p.promises))
                p { a href="/me/promises" { "All promises" } }
            }
        },
    )
}
