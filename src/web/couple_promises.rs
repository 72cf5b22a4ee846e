//! The counselor's view of a couple's promises (couple page and session-prep report): each
//! partner's weekly record and latest promises, with every rating and note. Kept apart from
//! the couple page's own loading so either can change without the other.

use chrono::Utc;
use chrono_tz::Tz;
use maud::Markup;

use crate::db::{self, DbConnection};
use crate::domain::promise::record;
use crate::domain::visibility::Viewer;
use crate::error::AppError;
use crate::views::promises::{counselor_section, CounselorPromises};
use crate::web::promises::{item, RECORD_WEEKS};
use crate::web::State;

/// Each partner's promises as the counselor reads them (the couple already scoped).
pub fn load(
    conn: &mut DbConnection,
    couple_id: i32,
    tz: Tz,
) -> Result<Vec<CounselorPromises>, AppError> {
    let partners = db::couples::partners_of(conn, couple_id)?;
    let all = db::promises::for_couple(conn, couple_id, None)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    Ok(partners
        .iter()
        .map(|p| {
            let rater = partners
                .iter()
                .find(|o| o.id != p.id)
                .map_or("", |o| o.first_name());
            let mine: Vec<_> = all.iter().filter(|x| x.promiser_id == p.id).collect();
            let lines: Vec<_> = mine.iter().map(|x| x.line()).collect();
            CounselorPromises {
                name: p.display_name.clone(),
                items: mine
                    .iter()
                    .map(|x| item(x, p.first_name(), rater, Viewer::Counselor, tz))
                    .collect(),
                record: record(&lines, today, RECORD_WEEKS),
            }
        })
        .collect())
}

/// The couple page's promises section. Call only after the couple was scoped to the
/// signed-in counselor (the page's `view_couple` did it and wrote the audit row).
pub async fn section(state: &State, couple_id: i32, tz: Tz) -> Result<Markup, AppError> {
    let partners = state.db.read(move |conn| load(conn, couple_id, tz)).await?;
    Ok(counselor_section(&partners))
}

/// Promises of a period with the partners' (id, name).
pub type InPeriod = (Vec<db::promises::PromiseRow>, Vec<(i32, String)>);

/// The couple's promises due (or, without a due date, made) within `from..=to`, with the
/// partners' names, for the session-prep report and its CSV.
pub fn in_period(
    conn: &mut DbConnection,
    couple_id: i32,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<InPeriod, AppError> {
    let names = db::couples::partners_of(conn, couple_id)?
        .iter()
        .map(|p| (p.id, p.display_name.clone()))
        .collect();
    let rows = db::promises::for_couple(conn, couple_id, None)?
        .into_iter()
        .filter(|p| {
            let day = p.due.unwrap_or(p.made_at.date());
            from <= day && day <= to
        })
        .collect();
    Ok((rows, names))
}

/// The report page's promises section: the same rows as the CSV.
pub fn report_section(
    rows: &[db::promises::PromiseRow],
    names: &[(i32, String)],
    tz: Tz,
) -> Markup {
    let partners: Vec<CounselorPromises> = names
        .iter()
        .map(|(id, name)| {
            let rater = names
                .iter()
                .find(|(o, _)| o != id)
                .map_or(String::new(), |(_, n)| n.clone());
            let mine: Vec<_> = rows.iter().filter(|p| p.promiser_id == *id).collect();
            let today = Utc::now().with_timezone(&tz).date_naive();
            let lines: Vec<_> = mine.iter().map(|x| x.line()).collect();
            CounselorPromises {
                name: name.clone(),
                items: mine
                    .iter()
                    .map(|x| item(x, name, &rater, Viewer::Counselor, tz))
                    .collect(),
                record: record(&lines, today, RECORD_WEEKS),
            }
        })
        .collect();
    counselor_section(&partners)
}
