//! The exercise library: built-in exercises (installed idempotently at start-up) and
//! each counselor's own. A counselor sees the built-ins and their own, never another's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{exercise_prompts, exercises};
use super::DbConnection;
use crate::domain::exercise::{ExerciseDef, Metric, Performer, PromptDef, PromptKind, Visibility};
use crate::insert_returning_id;

/// Bump when the built-in texts change; start-up then refreshes them in place.
pub const BUILTIN_VERSION: i32 = 2;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercises)]
pub struct ExerciseRow {
    pub id: i32,
    pub counselor_id: Option<i32>,
    pub slug: Option<String>,
    pub builtin_version: i32,
    pub title: String,
    pub summary: String,
    pub elements: String,
    pub performer: String,
    pub cadence_hint: String,
    pub default_visibility: Visibility,
    pub visibility_choice: bool,
    pub paired_reveal: bool,
    pub safety_check: bool,
    pub shared_journal: bool,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ExerciseRow {
    pub fn is_builtin(&self) -> bool {
        self.counselor_id.is_none()
    }

    pub fn performer(&self) -> Performer {
        Performer::parse(&self.performer).unwrap_or(Performer::Both)
    }

    pub fn visibility(&self) -> Visibility {
        self.default_visibility
    }

    pub fn element_numbers(&self) -> Vec<u8> {
        self.elements
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercise_prompts)]
pub struct PromptRow {
    pub id: i32,
    pub exercise_id: i32,
    pub position: i32,
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub scale_min: Option<i32>,
    pub scale_max: Option<i32>,
    pub scale_low_label: Option<String>,
    pub scale_high_label: Option<String>,
    pub options: String,
    pub metric: Option<String>,
}

impl PromptRow {
    pub fn kind(&self) -> PromptKind {
        match self.kind.as_str() {
            "long_text" => PromptKind::LongText,
            "scale" => PromptKind::Scale {
                min: self.scale_min.unwrap_or(1),
                max: self.scale_max.unwrap_or(5),
                low_label: self.scale_low_label.clone().unwrap_or_default(),
                high_label: self.scale_high_label.clone().unwrap_or_default(),
            },
            "yes_no" => PromptKind::YesNo,
            "checklist" => PromptKind::Checklist {
                options: self.option_list(),
            },
            "list" => PromptKind::List,
            "date" => PromptKind::Date,
            _ => PromptKind::ShortText,
        }
    }

    pub fn option_list(&self) -> Vec<String> {
        self.options
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    pub fn metric(&self) -> Option<Metric> {
        self.metric.as_deref().and_then(Metric::parse)
    }

    pub fn to_def(&self) -> PromptDef {
        PromptDef {
            label: self.label.clone(),
            help: self.help.clone(),
            required: self.required,
            kind: self.kind(),
            metric: self.metric(),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = exercises)]
struct ExerciseValues<'a> {
    counselor_id: Option<i32>,
    slug: Option<&'a str>,
    builtin_version: i32,
    title: &'a str,
    summary: &'a str,
    elements: String,
    performer: &'a str,
    cadence_hint: &'a str,
    default_visibility: Visibility,
    visibility_choice: bool,
    paired_reveal: bool,
    safety_check: bool,
    shared_journal: bool,
    updated_at: NaiveDateTime,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = exercise_prompts)]
#[diesel(treat_none_as_null = true)]
struct PromptValues<'a> {
    exercise_id: i32,
    position: i32,
    kind: &'a str,
    label: &'a str,
    help: &'a str,
    required: bool,
    scale_min: Option<i32>,
    scale_max: Option<i32>,
    scale_low_label: Option<&'a str>,
    scale_high_label: Option<&'a str>,
    options: String,
    metric: Option<&'a str>,
}

fn exercise_values(
    def: &ExerciseDef,
    counselor_id: Option<i32>,
    version: i32,
) -> ExerciseValues<'_> {
    ExerciseValues {
        counselor_id,
        slug: def.slug.as_deref(),
        builtin_version: version,
        title: &def.title,
        summary: &def.summary,
        elements: def
            .elements
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(","),
        performer: def.performer.as_str(),
        cadence_hint: &def.cadence_hint,
        default_visibility: def.default_visibility,
        visibility_choice: def.visibility_choice,
        paired_reveal: def.paired_reveal,
        safety_check: def.safety_check,
        shared_journal: def.shared_journal,
        updated_at: super::now(),
    }
}

fn prompt_values(exercise_id: i32, position: i32, p: &PromptDef) -> PromptValues<'_> {
    let (scale_min, scale_max, low, high) = match &p.kind {
        PromptKind::Scale {
            min,
            max,
            low_label,
            high_label,
        } => (
            Some(*min),
            Some(*max),
            Some(low_label.as_str()),
            Some(high_label.as_str()),
        ),
        _ => (None, None, None, None),
    };
    let options = match &p.kind {
        PromptKind::Checklist { options } => options.join("\n"),
        _ => String::new(),
    };
    PromptValues {
        exercise_id,
        position,
        kind: p.kind.code(),
        label: &p.label,
        help: &p.help,
        required: p.required,
        scale_min,
        scale_max,
        scale_low_label: low,
        scale_high_label: high,
        options,
        metric: p.metric.map(Metric::as_str),
    }
}

/// Install or refresh the built-in library. Safe to run at every start-up.
pub fn install_builtins(conn: &mut DbConnection, defs: &[ExerciseDef]) -> QueryResult<usize> {
    let mut changed = 0;
    for def in defs {
        let Some(slug) = def.slug.as_deref() else {
            continue;
        };
        let existing: Option<(i32, i32)> = exercises::table
            .filter(exercises::slug.eq(slug))
            .select((exercises::id, exercises::builtin_version))
            .first(conn)
            .optional()?;
        match existing {
            Some((_, version)) if version >= BUILTIN_VERSION => {}
            Some((id, _)) => {
                diesel::update(exercises::table.find(id))
                    .set(exercise_values(def, None, BUILTIN_VERSION))
                    .execute(conn)?;
                write_prompts(conn, id, &def.prompts)?;
                changed += 1;
            }
            None => {
                let values = exercise_values(def, None, BUILTIN_VERSION);
                let id = insert_exercise(conn, &values)?;
                write_prompts(conn, id, &def.prompts)?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

fn insert_exercise(conn: &mut DbConnection, values: &ExerciseValues<'_>) -> QueryResult<i32> {
    let now = super::now();
    insert_returning_id!(conn, exercises, (values, exercises::created_at.eq(now)))
}

/// Replace prompts position by position. Prompts already answered keep their ids (answers
/// refer to them); prompts beyond the new count are moved out of the form, not deleted.
fn write_prompts(
    conn: &mut DbConnection,
    exercise_id: i32,
    prompts: &[PromptDef],
) -> QueryResult<()> {
    let existing: Vec<(i32, i32)> = exercise_prompts::table
        .filter(exercise_prompts::exercise_id.eq(exercise_id))
        .filter(exercise_prompts::position.ge(0))
        .select((exercise_prompts::id, exercise_prompts::position))
        .order(exercise_prompts::position.asc())
        .load(conn)?;
    for (i, p) in prompts.iter().enumerate() {
        let position = i as i32;
        let values = prompt_values(exercise_id, position, p);
        match existing.iter().find(|(_, pos)| *pos == position) {
            Some((id, _)) => {
                diesel::update(exercise_prompts::table.find(*id))
                    .set(&values)
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(exercise_prompts::table)
                    .values(&values)
                    .execute(conn)?;
            }
        }
    }
    for (id, pos) in existing
        .iter()
        .filter(|(_, pos)| *pos >= prompts.len() as i32)
    {
        // Negative positions mark retired prompts: kept for old answers, never shown.
        diesel::update(exercise_prompts::table.find(*id))
            .set(exercise_prompts::position.eq(-1 - pos))
            .execute(conn)?;
    }
    Ok(())
}

/// Filters for the library page.
#[derive(Debug, Default, Clone)]
pub struct LibraryFilter {
    pub element: Option<u8>,
    pub performer: Option<Performer>,
    pub include_archived: bool,
}

/// The exercises a counselor may use: built-ins plus their own.
pub fn visible_to(
    conn: &mut DbConnection,
    counselor_id: i32,
    filter: &LibraryFilter,
) -> QueryResult<Vec<ExerciseRow>> {
    let mut q = exercises::table
        .filter(
            exercises::counselor_id
                .is_null()
                .or(exercises::counselor_id.eq(counselor_id)),
        )
        .select(ExerciseRow::as_select())
        .order((
            exercises::counselor_id.is_null().desc(),
            exercises::title.asc(),
        ))
        .into_boxed();
    if !filter.include_archived {
        q = q.filter(exercises::archived_at.is_null());
    }
    if let Some(p) = filter.performer {
        q = q.filter(exercises::performer.eq(p.as_str()));
    }
    let rows = q.load(conn)?;
    Ok(match filter.element {
        Some(e) => rows
            .into_iter()
            .filter(|r| r.element_numbers().contains(&e))
            .collect(),
        None => rows,
    })
}

/// One exercise, if this counselor may see it.
pub fn find_for(conn: &mut DbConnection, counselor_id: i32, id: i32) -> QueryResult<ExerciseRow> {
    exercises::table
        .find(id)
        .filter(
            exercises::counselor_id
                .is_null()
                .or(exercises::counselor_id.eq(counselor_id)),
        )
        .select(ExerciseRow::as_select())
        .first(conn)
}

/// A counselor's own exercise (editable), or NotFound.
pub fn find_own(conn: &mut DbConnection, counselor_id: i32, id: i32) -> QueryResult<ExerciseRow> {
    exercises::table
        .find(id)
        .filter(exercises::counselor_id.eq(counselor_id))
        .select(ExerciseRow::as_select())
        .first(conn)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<ExerciseRow> {
    exercises::table
        .filter(exercises::slug.eq(slug))
        .select(ExerciseRow::as_select())
        .first(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<ExerciseRow> {
    exercises::table
        .find(id)
        .select(ExerciseRow::as_select())
        .first(conn)
}

/// The prompts shown on the form, in order.
pub fn prompts(conn: &mut DbConnection, exercise_id: i32) -> QueryResult<Vec<PromptRow>> {
    exercise_prompts::table
        .filter(exercise_prompts::exercise_id.eq(exercise_id))
        .filter(exercise_prompts::position.ge(0))
        .order(exercise_prompts::position.asc())
        .select(PromptRow::as_select())
        .load(conn)
}

pub fn create_own(
    conn: &mut DbConnection,
    counselor_id: i32,
    def: &ExerciseDef,
) -> QueryResult<i32> {
    let values = exercise_values(def, Some(counselor_id), 0);
    let id = insert_exercise(conn, &values)?;
    write_prompts(conn, id, &def.prompts)?;
    Ok(id)
}

pub fn update_own(
    conn: &mut DbConnection,
    counselor_id: i32,
    id: i32,
    def: &ExerciseDef,
) -> QueryResult<()> {
    let row = find_own(conn, counselor_id, id)?;
    diesel::update(exercises::table.find(row.id))
        .set(exercise_values(def, Some(counselor_id), 0))
        .execute(conn)?;
    write_prompts(conn, row.id, &def.prompts)
}

pub fn set_archived(
    conn: &mut DbConnection,
    counselor_id: i32,
    id: i32,
    archived: bool,
) -> QueryResult<()> {
    let row = find_own(conn, counselor_id, id)?;
    diesel::update(exercises::table.find(row.id))
        .set(exercises::archived_at.eq(archived.then(super::now)))
        .execute(conn)?;
    Ok(())
}

/// The stored exercise as a definition (for the edit form).
pub fn to_def(row: &ExerciseRow, prompts: &[PromptRow]) -> ExerciseDef {
    ExerciseDef {
        slug: row.slug.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        elements: row.element_numbers(),
        performer: row.performer(),
        cadence_hint: row.cadence_hint.clone(),
        default_visibility: row.visibility(),
        visibility_choice: row.visibility_choice,
        paired_reveal: row.paired_reveal,
        safety_check: row.safety_check,
        shared_journal: row.shared_journal,
        prompts: prompts.iter().map(PromptRow::to_def).collect(),
    }
}
