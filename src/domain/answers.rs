//! Answers to an exercise's prompts: reading them from a posted form, checking them per
//! prompt kind, storing them as text, and reading them back for display.
//!
//! Stored forms: text as typed (trimmed); a scale as its number; yes/no as `yes`/`no`; a
//! checklist as the ticked options, one per line, in the order the exercise lists them; a
//! list as its items, one per line; a date as `YYYY-MM-DD`. Empty answers are not stored.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::exercise::{Metric, PromptDef, PromptKind};
use super::validation::Errors;

/// Longest answer to a long-text prompt, in characters.
pub const LONG_MAX: usize = 10_000;
/// Longest answer to a short-text prompt.
pub const SHORT_MAX: usize = 300;
/// Most items in a list answer, and the longest item.
pub const LIST_ITEMS_MAX: usize = 50;
pub const LIST_ITEM_MAX: usize = 500;

/// A prompt as the form shows it: its stored id and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPrompt {
    pub id: i32,
    pub def: PromptDef,
}

/// The form field that carries a prompt's answer.
pub fn field_name(prompt_id: i32) -> String {
    format!("p{prompt_id}")
}

/// What was posted (or stored), per prompt id; a checklist may carry several values.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawAnswers(pub BTreeMap<i32, Vec<String>>);

impl RawAnswers {
    /// Collect every `p{id}` field; other fields are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> RawAnswers {
        let mut map: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            if let Some(id) = k.strip_prefix('p').and_then(|s| s.parse::<i32>().ok()) {
                map.entry(id).or_default().push(v.clone());
            }
        }
        RawAnswers(map)
    }

    /// Stored answers, ready to re-fill a form.
    pub fn from_stored(prompts: &[FormPrompt], stored: &[(i32, String)]) -> RawAnswers {
        let mut map = BTreeMap::new();
        for (id, value) in stored {
            let is_checklist = prompts
                .iter()
                .any(|p| p.id == *id && matches!(p.def.kind, PromptKind::Checklist { .. }));
            let values = if is_checklist {
                value.lines().map(String::from).collect()
            } else {
                vec![value.clone()]
            };
            map.insert(*id, values);
        }
        RawAnswers(map)
    }

    /// The first value sent for a prompt, or "".
    pub fn text(&self, id: i32) -> &str {
        self.0
            .get(&id)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn values(&self, id: i32) -> &[String] {
        self.0.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Drafts may be incomplete; a submission must answer every required prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    Draft,
    Submit,
}

fn too_long(max: usize) -> String {
    format!(
        "This is longer than we can keep ({max} characters at most). Please shorten it a little."
    )
}

/// Check every prompt's answer; on success the answers to store, as (prompt id, value).
/// On failure every problem is reported beside its field, keyed by [`field_name`].
pub fn validate(
    prompts: &[FormPrompt],
    raw: &RawAnswers,
    mode: Strictness,
) -> Result<Vec<(i32, String)>, Errors> {
    let mut errors = Errors::default();
    let mut out = Vec::new();
    for p in prompts {
        let field = field_name(p.id);
        match check_one(&p.def, raw.values(p.id)) {
            Ok(Some(value)) => out.push((p.id, value)),
            Ok(None) => {
                if mode == Strictness::Submit && p.def.required {
                    errors.add(&field, missing_message(&p.def.kind));
                }
            }
            Err(message) => errors.add(&field, message),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn missing_message(kind: &PromptKind) -> &'static str {
    match kind {
        PromptKind::Scale { .. } => "Please choose a number for this one.",
        PromptKind::YesNo => "Please choose yes or no.",
        PromptKind::Checklist { .. } => "Please tick at least one option.",
        PromptKind::Date => "Please enter a date.",
        PromptKind::List => "Please add at least one item.",
        _ => "This question needs an answer before you submit. You can also save a draft and come back.",
    }
}

/// One prompt's answer: `Ok(None)` when empty.
fn check_one(def: &PromptDef, values: &[String]) -> Result<Option<String>, String> {
    let first = values.first().map(|s| s.trim()).unwrap_or("");
    match &def.kind {
        PromptKind::LongText | PromptKind::ShortText => {
            let max = if def.kind == PromptKind::LongText {
                LONG_MAX
            } else {
                SHORT_MAX
            };
            let text = if def.kind == PromptKind::ShortText {
                first.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                first.replace("\r\n", "\n")
            };
            if text.chars().count() > max {
                return Err(too_long(max));
            }
            Ok((!text.is_empty()).then_some(text))
        }
        PromptKind::Scale { min, max, .. } => {
            if first.is_empty() {
                return Ok(None);
            }
            match first.parse::<i32>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(Some(n.to_string())),
                _ => Err(format!("Please choose a number from {min} to {max}.")),
            }
        }
        PromptKind::YesNo => match first {
            "" => Ok(None),
            "yes" | "no" => Ok(Some(first.to_string())),
            _ => Err("Please choose yes or no.".into()),
        },
        PromptKind::Checklist { options } => {
            let ticked: Vec<&str> = values
                .iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            if ticked.iter().any(|v| !options.iter().any(|o| o == v)) {
                return Err("One of the ticked options is not on this list. Please tick from the options shown.".into());
            }
            let chosen: Vec<&str> = options
                .iter()
                .map(String::as_str)
                .filter(|o| ticked.contains(o))
                .collect();
            Ok((!chosen.is_empty()).then(|| chosen.join("\n")))
        }
        PromptKind::List => {
            let text = values.first().map(String::as_str).unwrap_or("");
            let items: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if items.len() > LIST_ITEMS_MAX {
                return Err(format!(
                    "Please keep this to {LIST_ITEMS_MAX} items or fewer."
                ));
            }
            if items.iter().any(|i| i.chars().count() > LIST_ITEM_MAX) {
                return Err(format!(
                    "One item is very long. Please keep each line to {LIST_ITEM_MAX} characters or fewer."
                ));
            }
            Ok((!items.is_empty()).then(|| items.join("\n")))
        }
        PromptKind::Date => {
            if first.is_empty() {
                return Ok(None);
            }
            match NaiveDate::parse_from_str(first, "%Y-%m-%d") {
                Ok(d) if (1900..=2200).contains(&d.year()) => {
                    Ok(Some(d.format("%Y-%m-%d").to_string()))
                }
                _ => Err("Please enter a date such as 2026-03-14.".into()),
            }
        }
    }
}

/// The number a scale prompt with this metric was answered with, if any.
pub fn metric_value(
    prompts: &[FormPrompt],
    answers: &[(i32, String)],
    metric: Metric,
) -> Option<i32> {
    prompts
        .iter()
        .filter(|p| p.def.metric == Some(metric))
        .find_map(|p| {
            answers
                .iter()
                .find(|(id, _)| *id == p.id)
                .and_then(|(_, v)| v.parse::<i32>().ok())
        })
}

/// A stored answer, shaped for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Text(String),
    Items(Vec<String>),
    Scale {
        value: String,
        min: i32,
        max: i32,
        low: String,
        high: String,
    },
    YesNo(bool),
    Date(String),
}

pub fn shown(kind: &PromptKind, value: &str) -> Shown {
    match kind {
        PromptKind::Scale {
            min,
            max,
            low_label,
            high_label,
        } => Shown::Scale {
            value: value.to_string(),
            min: *min,
            max: *max,
            low: low_label.clone(),
            high: high_label.clone(),
        },
        PromptKind::YesNo => Shown::YesNo(value == "yes"),
        PromptKind::Checklist { .. } | PromptKind::List => {
            Shown::Items(value.lines().map(String::from).collect())
        }
        PromptKind::Date => Shown::Date(value.to_string()),
        _ => Shown::Text(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i32, required: bool, kind: PromptKind) -> FormPrompt {
        FormPrompt {
            id,
            def: PromptDef {
                label: format!("Prompt {id}"),
                help: String::new(),
                required,
                kind,
                metric: None,
                raises_alert: false,
            },
        }
    }

    fn prompts() -> Vec<FormPrompt> {
        vec![
            p(1, true, PromptKind::LongText),
            p(2, false, PromptKind::ShortText),
            p(
                3,
                true,
                PromptKind::Scale {
                    min: 0,
                    max: 10,
                    low_label: "None".into(),
                    high_label: "All".into(),
                },
            ),
            p(4, true, PromptKind::YesNo),
            p(
                5,
                false,
                PromptKind::Checklist {
                    options: vec!["Lies".into(), "Secrets".into(), "Stress".into()],
                },
            ),
            p(6, false, PromptKind::List),
            p(7, false, PromptKind::Date),
        ]
    }

    fn raw(fields: &[(&str, &str)]) -> RawAnswers {
        let pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RawAnswers::from_pairs(&pairs)
    }

    #[test]
    fn a_complete_submission_is_stored_in_canonical_form() {
        let r = raw(&[
            ("p1", "  It was a hard week.  "),
            ("p3", "7"),
            ("p4", "no"),
            ("p5", "Stress"),
            ("p5", "Lies"),
            ("p6", "walk daily\n\n  call at lunch \n"),
            ("p7", "2026-03-14"),
            ("csrf_token", "x"),
            ("p999", "ignored"),
        ]);
        let out = validate(&prompts(), &r, Strictness::Submit).unwrap();
        assert_eq!(
            out,
            vec![
                (1, "It was a hard week.".to_string()),
                (3, "7".to_string()),
                (4, "no".to_string()),
                (5, "Lies\nStress".to_string()),
                (6, "walk daily\ncall at lunch".to_string()),
                (7, "2026-03-14".to_string()),
            ]
        );
    }

    #[test]
    fn required_prompts_are_needed_only_on_submit() {
        let r = raw(&[("p1", "   ")]);
        let errors = validate(&prompts(), &r, Strictness::Submit).unwrap_err();
        assert!(errors.get("p1").is_some());
        assert!(errors.get("p3").is_some());
        assert!(errors.get("p4").is_some());
        assert!(errors.get("p2").is_none(), "optional");
        assert_eq!(validate(&prompts(), &r, Strictness::Draft).unwrap(), vec![]);
    }

    #[test]
    fn out_of_range_unknown_and_oversize_answers_are_refused_even_in_drafts() {
        for (field, value) in [
            ("p3", "11"),
            ("p3", "-1"),
            ("p3", "seven"),
            ("p4", "maybe"),
            ("p5", "Something invented"),
            ("p7", "14/03/2026"),
            ("p7", "0001-01-01"),
        ] {
            let r = raw(&[(field, value)]);
            let errors = validate(&prompts(), &r, Strictness::Draft).unwrap_err();
            assert!(errors.get(field).is_some(), "{field}={value} refused");
        }
        let long = "x".repeat(LONG_MAX + 1);
        let r = raw(&[("p1", &long)]);
        assert!(validate(&prompts(), &r, Strictness::Draft)
            .unwrap_err()
            .get("p1")
            .is_some());
        let short = "é".repeat(SHORT_MAX + 1);
        let r = raw(&[("p2", &short)]);
        assert!(validate(&prompts(), &r, Strictness::Draft).is_err());
        let many = (0..=LIST_ITEMS_MAX)
            .map(|i| format!("item {i}\n"))
            .collect::<String>();
        let r = raw(&[("p6", &many)]);
        assert!(validate(&prompts(), &r, Strictness::Draft).is_err());
    }

    #[test]
    fn exactly_the_limit_is_accepted_counting_characters() {
        let r = raw(&[("p1", &"é".repeat(LONG_MAX))]);
        assert!(validate(&prompts(), &r, Strictness::Draft).is_ok());
    }

    #[test]
    fn stored_answers_refill_the_form_and_read_back() {
        let ps = prompts();
        let stored = vec![(5, "Lies\nStress".to_string()), (1, "text".to_string())];
        let r = RawAnswers::from_stored(&ps, &stored);
        assert_eq!(r.values(5), ["Lies".to_string(), "Stress".to_string()]);
        assert_eq!(r.text(1), "text");
        assert_eq!(
            shown(&ps[4].def.kind, "Lies\nStress"),
            Shown::Items(vec!["Lies".into(), "Stress".into()])
        );
        assert_eq!(shown(&ps[3].def.kind, "yes"), Shown::YesNo(true));
    }

    #[test]
    fn metrics_come_from_the_prompt_marked_with_them() {
        let mut ps = prompts();
        ps[2].def.metric = Some(Metric::Trust);
        let answers = vec![(3, "6".to_string())];
        assert_eq!(metric_value(&ps, &answers, Metric::Trust), Some(6));
        assert_eq!(metric_value(&ps, &answers, Metric::Mood), None);
    }
}
