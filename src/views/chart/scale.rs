//! From data to drawing: dates and values to SVG coordinates, and the axis ticks.

use chrono::NaiveDate;

use super::num;

const X_TICKS: i64 = 6;
const MAX_Y_LINES: i64 = 10;

/// Maps dates and values to SVG coordinates.
pub(super) struct Scale {
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
    pub(super) fn new(
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

    pub(super) fn x(&self, d: NaiveDate) -> f64 {
        if self.span_days == 0 {
            return (self.x0 + self.x1) / 2.0;
        }
        let t = (d - self.from).num_days() as f64 / self.span_days as f64;
        self.x0 + t.clamp(0.0, 1.0) * (self.x1 - self.x0)
    }

    pub(super) fn y(&self, v: i32) -> f64 {
        let v = f64::from(v).clamp(self.min, self.max);
        self.y_bottom - (v - self.lo) / (self.hi - self.lo) * (self.y_bottom - self.y_top)
    }
}

/// The `points` attribute of a polyline: numbers only, so no escaping concerns.
pub(super) fn points_attr(scale: &Scale, points: &[(NaiveDate, i32)]) -> String {
    points
        .iter()
        .map(|(d, v)| format!("{},{}", num(scale.x(*d)), num(scale.y(*v))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Value-axis gridline values: multiples of a 1/2/5 step, at most about ten lines.
pub(super) fn y_ticks(min: i32, max: i32) -> Vec<i32> {
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
pub(super) fn x_ticks(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
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
