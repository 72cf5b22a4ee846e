//! The figures a trust chart draws: both partners' dated trust ratings, with setbacks and
//! sessions to mark on the time axis. Pure: built from loaded rows or from a report.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::session::{local_day, SessionReport};
use super::{PartnerInfo, Period};

/// Dated trust ratings of both partners, with setbacks and sessions to mark on the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustChartData {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One series per line: (its name, ascending (day, rating) points). One per partner,
    /// or one per partner and exercise ([`trust_chart_by_exercise`]).
    pub partners: Vec<(String, Vec<(NaiveDate, i32)>)>,
    /// (day, severity).
    pub setbacks: Vec<(NaiveDate, i32)>,
    pub sessions: Vec<NaiveDate>,
}

/// A stored trust rating: partner, occurrence date, submitted at, rating.
pub type TrustRow = (i32, Option<NaiveDate>, Option<NaiveDateTime>, Option<i32>);

/// The chart over `span` from loaded rows: each rating dated by its occurrence (or the
/// partner's local day of submission), booked sessions by the counselor's day.
pub fn trust_chart(
    span: Period,
    partners: &[PartnerInfo],
    ratings: &[TrustRow],
    setbacks: Vec<(NaiveDate, i32)>,
    sessions: &[NaiveDateTime],
    counselor_tz: Tz,
) -> TrustChartData {
    let series = partners
        .iter()
        .map(|p| {
            let mut mine: Vec<(NaiveDate, i32)> = ratings
                .iter()
                .filter(|r| r.0 == p.id)
                .filter_map(|r| {
                    let day = r.1.or_else(|| r.2.map(|t| local_day(t, p.tz)))?;
                    span.contains(day).then_some((day, r.3?))
                })
                .collect();
            mine.sort_by_key(|(d, _)| *d);
            (p.name.clone(), mine)
        })
        .collect();
    TrustChartData {
        from: span.from,
        to: span.to,
        partners: series,
        setbacks,
        sessions: sessions
            .iter()
            .map(|t| local_day(*t, counselor_tz))
            .filter(|d| span.contains(*d))
            .collect(),
    }
}

/// A trust rating with the exercise it was given in (its id), for charts that keep each
/// question apart.
pub type ExerciseTrustRow = (i32, TrustRow);

/// The chart over `span` with one series per partner and exercise: a daily check-in's
/// "trust today" and a weekly check-in's overall trust are different questions and are
/// never joined into one line. `names` gives each exercise's label (e.g. "Daily
/// check-in: trust today"). Series with no rating are left out; with no rating at all,
/// one empty series per partner remains so the chart can say so.
pub fn trust_chart_by_exercise(
    span: Period,
    partners: &[PartnerInfo],
    ratings: &[ExerciseTrustRow],
    names: &[(i32, String)],
    setbacks: Vec<(NaiveDate, i32)>,
    sessions: &[NaiveDateTime],
    counselor_tz: Tz,
) -> TrustChartData {
    let mut exercises: Vec<(i32, &str)> = names.iter().map(|(id, n)| (*id, n.as_str())).collect();
    exercises.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
    let mut series = Vec::new();
    for p in partners {
        for (exercise, label) in &exercises {
            let rows: Vec<TrustRow> = ratings
                .iter()
                .filter(|(x, r)| x == exercise && r.0 == p.id)
                .map(|(_, r)| *r)
                .collect();
            let one = trust_chart(
                span,
                std::slice::from_ref(p),
                &rows,
                Vec::new(),
                &[],
                counselor_tz,
            );
            for (name, points) in one.partners {
                if !points.is_empty() {
                    series.push((format!("{name}: {label}"), points));
                }
            }
        }
    }
    let mut data = trust_chart(span, partners, &[], setbacks, sessions, counselor_tz);
    if !series.is_empty() {
        data.partners = series;
    }
    data
}

/// The first day a chart shows: from the first rating, but at least 14 days before `to`
/// and never before `max_from` (the period the counselor chose).
pub fn fitted_from(first: Option<NaiveDate>, to: NaiveDate, max_from: NaiveDate) -> NaiveDate {
    let min_span_from = to.checked_sub_days(chrono::Days::new(13)).unwrap_or(to);
    first
        .unwrap_or(min_span_from)
        .min(min_span_from)
        .max(max_from)
        .min(to)
}

impl TrustChartData {
    /// The same chart with its window fitted to the ratings ([`fitted_from`]).
    pub fn fitted(mut self) -> TrustChartData {
        let first = self
            .partners
            .iter()
            .filter_map(|(_, pts)| pts.iter().map(|(d, _)| *d).min())
            .min();
        self.from = fitted_from(first, self.to, self.from);
        let from = self.from;
        self.setbacks.retain(|(d, _)| *d >= from);
        self.sessions.retain(|d| *d >= from);
        self
    }
}

/// A series' points split where ratings stopped for a while, so a line never bridges a
/// gap: a break comes where two ratings are more than one and a half times the series'
/// usual spacing apart (a missed day in a daily series, a missed week in a weekly one).
/// `points` must be sorted by date.
pub fn unbroken_runs(points: &[(NaiveDate, i32)]) -> Vec<&[(NaiveDate, i32)]> {
    let mut gaps: Vec<i64> = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).num_days())
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return if points.is_empty() {
            Vec::new()
        } else {
            vec![points]
        };
    }
    gaps.sort_unstable();
    let usual = gaps[gaps.len() / 2];
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        let gap = (points[i].0 - points[i - 1].0).num_days();
        if gap * 2 > usual * 3 {
            runs.push(&points[start..i]);
            start = i;
        }
    }
    runs.push(&points[start..]);
    runs
}

impl SessionReport {
    /// The report's trust chart: its period, ratings, setbacks and sessions.
    pub fn chart(&self) -> TrustChartData {
        TrustChartData {
            from: self.period.from,
            to: self.period.to,
            partners: self
                .partners
                .iter()
                .map(|p| {
                    let points = self
                        .ratings
                        .iter()
                        .find(|r| r.partner_id == p.id)
                        .map(|r| r.trust_points.clone())
                        .unwrap_or_default();
                    (p.name.clone(), points)
                })
                .collect(),
            setbacks: self
                .setbacks
                .iter()
                .map(|s| (s.happened_on, s.severity))
                .collect(),
            sessions: self
                .sessions
                .iter()
                .map(|t| local_day(*t, self.counselor_tz))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn partner(id: i32, name: &str) -> PartnerInfo {
        PartnerInfo {
            id,
            slot: "a".to_string(),
            name: name.to_string(),
            tz: chrono_tz::UTC,
        }
    }

    #[test]
    fn each_exercise_is_its_own_series_and_named() {
        let partners = [partner(1, "Sam"), partner(2, "Alex")];
        let r = |x: i32, p: i32, day: &str, v: i32| (x, (p, Some(d(day)), None, Some(v)));
        let ratings = [
            r(10, 1, "2026-03-02", 8),
            r(10, 1, "2026-03-03", 7),
            r(20, 1, "2026-03-05", 4),
            r(10, 2, "2026-03-02", 6),
        ];
        let names = [
            (10, "Daily check-in: trust today".to_string()),
            (20, "Trust check-in: overall trust".to_string()),
        ];
        let span = Period {
            from: d("2026-03-01"),
            to: d("2026-03-31"),
        };
        let data = trust_chart_by_exercise(
            span,
            &partners,
            &ratings,
            &names,
            vec![],
            &[],
            chrono_tz::UTC,
        );
        let got: Vec<(&str, usize)> = data
            .partners
            .iter()
            .map(|(n, p)| (n.as_str(), p.len()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Sam: Daily check-in: trust today", 2),
                ("Sam: Trust check-in: overall trust", 1),
                ("Alex: Daily check-in: trust today", 1),
            ]
        );
        // No rating at all: one empty series per partner.
        let empty =
            trust_chart_by_exercise(span, &partners, &[], &names, vec![], &[], chrono_tz::UTC);
        assert_eq!(empty.partners.len(), 2);
        assert!(empty.partners.iter().all(|(_, p)| p.is_empty()));
    }

    #[test]
    fn the_window_starts_at_the_first_rating_within_limits() {
        let to = d("2026-06-30");
        let max_from = d("2026-04-01");
        // Nine days of history: at least 14 days shown.
        assert_eq!(
            fitted_from(Some(d("2026-06-22")), to, max_from),
            d("2026-06-17")
        );
        // Forty days of history: exactly those.
        assert_eq!(
            fitted_from(Some(d("2026-05-21")), to, max_from),
            d("2026-05-21")
        );
        // Years of history: the chosen period.
        assert_eq!(fitted_from(Some(d("2024-01-01")), to, max_from), max_from);
        // No ratings: the last 14 days.
        assert_eq!(fitted_from(None, to, max_from), d("2026-06-17"));
        // A chosen period shorter than 14 days is never widened.
        assert_eq!(fitted_from(None, to, d("2026-06-25")), d("2026-06-25"));
    }

    #[test]
    fn gaps_break_the_line() {
        let p = |day: &str| (d(day), 5);
        let daily = [
            p("2026-03-01"),
            p("2026-03-02"),
            p("2026-03-03"),
            p("2026-03-06"),
            p("2026-03-07"),
        ];
        let runs = unbroken_runs(&daily);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 3);
        assert_eq!(runs[1].len(), 2);
        let weekly = [
            p("2026-03-01"),
            p("2026-03-08"),
            p("2026-03-16"),
            p("2026-03-30"),
        ];
        let runs = unbroken_runs(&weekly);
        assert_eq!(
            runs.iter().map(|r| r.len()).collect::<Vec<_>>(),
            vec![3, 1],
            "a missed week"
        );
        assert_eq!(unbroken_runs(&[p("2026-03-01")]).len(), 1);
        assert!(unbroken_runs(&[]).is_empty());
        // Two ratings on one day never count as a spacing.
        let same_day = [p("2026-03-01"), p("2026-03-01"), p("2026-03-02")];
        assert_eq!(unbroken_runs(&same_day).len(), 1);
    }
}
