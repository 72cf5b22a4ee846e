//! A partner's own view of progress: their trust ratings (and the other partner's, only
//! those shared with them) over the last weeks, placed on a small chart.

use chrono::{Days, NaiveDate};

/// Weeks the progress page covers.
pub const PROGRESS_WEEKS: u64 = 12;

/// The first day the page covers, for `today`.
pub fn window_start(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new(PROGRESS_WEEKS * 7 - 1))
        .unwrap_or(today)
}

/// A point's place on a chart `width` wide and `height` high with `pad` around it: x by day
/// from `from` to `to`, y by a 0..=10 rating (10 at the top). Values outside are clamped.
pub fn place(
    day: NaiveDate,
    value: i32,
    from: NaiveDate,
    to: NaiveDate,
    (width, height, pad): (f64, f64, f64),
) -> (f64, f64) {
    let span = (to - from).num_days().max(1) as f64;
    let offset = ((day - from).num_days() as f64).clamp(0.0, span);
    let x = pad + offset / span * (width - 2.0 * pad);
    let v = f64::from(value.clamp(0, 10));
    let y = pad + (10.0 - v) / 10.0 * (height - 2.0 * pad);
    (x, y)
}

/// A short sentence for a series: how many ratings and the latest one.
pub fn summary(points: &[(NaiveDate, i32)]) -> Option<(usize, NaiveDate, i32)> {
    let latest = points.iter().max_by_key(|(d, _)| *d)?;
    Some((points.len(), latest.0, latest.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn points_fill_the_box_inside_its_padding() {
        let size = (320.0, 140.0, 20.0);
        assert_eq!(place(d(3, 1), 10, d(3, 1), d(3, 11), size), (20.0, 20.0));
        assert_eq!(place(d(3, 11), 0, d(3, 1), d(3, 11), size), (300.0, 120.0));
        assert_eq!(place(d(3, 6), 5, d(3, 1), d(3, 11), size), (160.0, 70.0));
        // Out of range is clamped, never drawn outside.
        assert_eq!(place(d(4, 1), 14, d(3, 1), d(3, 11), size), (300.0, 20.0));
    }

    #[test]
    fn the_window_is_twelve_weeks_and_the_summary_names_the_latest() {
        let today = d(5, 31);
        assert_eq!(window_start(today), today - chrono::Duration::days(83));
        assert_eq!(summary(&[]), None);
        assert_eq!(
            summary(&[(d(3, 2), 4), (d(3, 9), 6), (d(3, 5), 8)]),
            Some((3, d(3, 9), 6))
        );
    }
}
