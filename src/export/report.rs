//! The session-prep report as CSV: one row per figure, section by section.

use std::io::Write;

use anyhow::Context;
use chrono::NaiveDate;

use super::{iso, opt, yes_no};
use crate::domain::csv_cell::inert;
use crate::domain::report::one_decimal;
use crate::domain::report::{local_day, SessionReport};

pub const REPORT_HEADER: [&str; 8] = [
    "section",
    "partner",
    "item",
    "date",
    "value",
    "previous_value",
    "change",
    "detail",
];

type Out<'a, W> = &'a mut csv::Writer<W>;

/// The session-prep report as CSV: one row per figure, section by section.
pub fn report_csv<W: Write>(r: &SessionReport, out: Out<'_, W>) -> anyhow::Result<()> {
    out.write_record(REPORT_HEADER)?;
    period(r, out)?;
    completion(r, out)?;
    ratings(r, out)?;
    warnings(r, out)?;
    setbacks(r, out)?;
    flagged(r, out)?;
    comments(r, out)?;
    out.flush().context("Failed to write the CSV")?;
    Ok(())
}

fn two_decimals(v: Option<f64>) -> String {
    opt(v.map(|v| format!("{v:.2}")))
}

fn period<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    let tz = r.counselor_tz;
    out.write_record([
        "period",
        "",
        "from",
        &r.period.from.to_string(),
        "",
        &r.previous.from.to_string(),
        "",
        "previous period in previous_value",
    ])?;
    out.write_record([
        "period",
        "",
        "to",
        &r.period.to.to_string(),
        "",
        &r.previous.to.to_string(),
        "",
        "",
    ])?;
    if let Some(t) = r.last_session {
        out.write_record([
            "period",
            "",
            "last_session",
            &local_day(t, tz).to_string(),
            &iso(t, tz),
            "",
            "",
            "",
        ])?;
    }
    Ok(())
}

fn completion<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    for c in &r.completion {
        let missed: Vec<String> = c.missed.iter().map(NaiveDate::to_string).collect();
        out.write_record([
            "completion",
            &inert(r.partner_name(c.partner_id)),
            &inert(&c.title),
            "",
            &c.made.to_string(),
            &c.owed.to_string(),
            "",
            &format!("missed {}: {}", c.missed.len(), missed.join(";")),
        ])?;
    }
    Ok(())
}

fn ratings<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    for pr in &r.ratings {
        let name = inert(r.partner_name(pr.partner_id));
        for (item, s) in [("trust_average", &pr.trust), ("mood_average", &pr.mood)] {
            out.write_record([
                "ratings",
                &name,
                item,
                "",
                &two_decimals(s.average),
                "",
                "",
                &format!(
                    "{} ratings, min {}, max {}",
                    s.count,
                    opt(s.min),
                    opt(s.max)
                ),
            ])?;
        }
        for (d, v) in &pr.trust_points {
            out.write_record([
                "trust",
                &name,
                "trust",
                &d.to_string(),
                &v.to_string(),
                "",
                "",
                "",
            ])?;
        }
    }
    Ok(())
}

fn warnings<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    for w in &r.warnings {
        out.write_record([
            "warning_sign",
            &inert(r.partner_name(w.partner_id)),
            w.sign.metric(),
            "",
            &two_decimals(w.current.average),
            &two_decimals(w.previous.average),
            &two_decimals(w.change()),
            &format!(
                "{}: {} now, {} before ({} and {} ratings)",
                w.sign.label(),
                one_decimal(w.current.average),
                one_decimal(w.previous.average),
                w.current.count,
                w.previous.count
            ),
        ])?;
    }
    Ok(())
}

fn setbacks<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    for s in &r.setbacks {
        out.write_record([
            "setback",
            &inert(r.partner_name(s.partner_id)),
            &inert(&s.what_happened),
            &s.happened_on.to_string(),
            &s.severity.to_string(),
            "",
            "",
            &format!("repair attempted: {}", yes_no(s.repair_attempted)),
        ])?;
    }
    Ok(())
}

fn flagged<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    for f in &r.flagged {
        let name = inert(r.partner_name(f.partner_id));
        for a in &f.answers {
            out.write_record([
                "flagged_entry",
                &name,
                &inert(&f.title),
                &f.date.to_string(),
                &inert(&a.value),
                "",
                "",
                &inert(&a.label),
            ])?;
        }
    }
    Ok(())
}

fn comments<W: Write>(r: &SessionReport, out: Out<'_, W>) -> csv::Result<()> {
    let tz = r.counselor_tz;
    for c in &r.comments {
        out.write_record([
            "comment",
            &inert(r.partner_name(c.partner_id)),
            &inert(&c.entry_title),
            &local_day(c.created_at, tz).to_string(),
            &inert(&c.body),
            "",
            "",
            &iso(c.created_at, tz),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{PartnerInfo, Period, ReportCouple, SessionReport, SetbackItem};
    use crate::export::csv_writer;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_report_csv_writes_sections_in_order_with_inert_text() {
        let r = SessionReport {
            couple: ReportCouple {
                id: 1,
                label: "R".into(),
            },
            partners: vec![PartnerInfo {
                id: 1,
                slot: "a".into(),
                name: "=Sam".into(),
                tz: chrono_tz::UTC,
            }],
            counselor_tz: chrono_tz::America::New_York,
            period: Period {
                from: d("2026-03-08"),
                to: d("2026-03-14"),
            },
            previous: Period {
                from: d("2026-03-01"),
                to: d("2026-03-07"),
            },
            // 02:30 UTC on the 8th: the evening of the 7th in New York.
            last_session: Some(d("2026-03-08").and_hms_opt(2, 30, 0).unwrap()),
            include_safety: false,
            completion: vec![],
            ratings: vec![],
            warnings: vec![],
            setbacks: vec![SetbackItem {
                id: 1,
                partner_id: 1,
                happened_on: d("2026-03-09"),
                what_happened: "-cmd, \"x\"".into(),
                repair_attempted: true,
                repair_text: String::new(),
                severity: 3,
                raise_in_session: false,
            }],
            flagged: vec![],
            comments: vec![],
            sessions: vec![],
        };
        let mut out = csv_writer(Vec::new());
        report_csv(&r, &mut out).unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "section,partner,item,date,value,previous_value,change,detail\r\n\
             period,,from,2026-03-08,,2026-03-01,,previous period in previous_value\r\n\
             period,,to,2026-03-14,,2026-03-07,,\r\n\
             period,,last_session,2026-03-07,2026-03-07T21:30:00-05:00,,,\r\n\
             setback,'=Sam,\"'-cmd, \"\"x\"\"\",2026-03-09,3,,,repair attempted: yes\r\n"
        );
    }
}
