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
    /// (partner name, ascending (day, rating) points).
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
