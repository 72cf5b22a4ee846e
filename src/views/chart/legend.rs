//! The full chart's key: one entry per series, then the setback and session markers.

use maud::{html, Markup};

use super::{
    num, point_mark, style, PLOT_LEFT, PLOT_RIGHT, SESSION_COLOUR, SETBACK_COLOUR, SETBACK_DASH,
};

pub(super) const LEGEND_TOP: f64 = 256.0;
pub(super) const LEGEND_ROW: f64 = 20.0;
const LEGEND_SAMPLE: f64 = 28.0;
const LEGEND_CHAR: f64 = 6.8;
const LEGEND_GAP: f64 = 20.0;
const LEGEND_MAX_CHARS: usize = 40;

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

enum LegendKind {
    Series(usize),
    Setback,
    Session,
}

pub(super) struct LegendItem {
    kind: LegendKind,
    text: String,
    x: f64,
    pub(super) y: f64,
}

/// Places the key's entries left to right, wrapping onto a new row when one would pass the
/// plot's right edge.
pub(super) fn layout_legend(names: &[&str], setbacks: bool, sessions: bool) -> Vec<LegendItem> {
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

/// The key as drawn inside the chart.
pub(super) fn legend(items: &[LegendItem]) -> Markup {
    html! {
        g.chart-legend {
            @for item in items {
                (legend_item(item))
            }
        }
    }
}
