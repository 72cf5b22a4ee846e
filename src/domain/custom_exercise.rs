//! A counselor's own exercise: the form as typed, and its validation into an
//! [`ExerciseDef`]. The form keeps every field as text so a rejected one comes back filled.

use super::exercise::{ExerciseDef, Performer, PromptDef, PromptKind, Visibility, ELEMENTS};
use super::validation::{optional_text, required_text, Errors};

pub const MAX_PROMPTS: usize = 30;
pub const MAX_OPTIONS: usize = 20;
pub const SCALE_LIMIT: i32 = 100;
pub const TITLE_MAX: usize = 120;
pub const SUMMARY_MAX: usize = 2000;
pub const LABEL_MAX: usize = 300;
pub const HELP_MAX: usize = 500;
pub const OPTION_MAX: usize = 100;
pub const SCALE_LABEL_MAX: usize = 60;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptForm {
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub min: String,
    pub max: String,
    pub low: String,
    pub high: String,
    pub options: String,
    /// Concerning answers raise a safety alert.
    pub alert: bool,
}

impl PromptForm {
    fn is_blank(&self) -> bool {
        self.label.trim().is_empty()
            && self.help.trim().is_empty()
            && self.options.trim().is_empty()
            && self.low.trim().is_empty()
            && self.high.trim().is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseForm {
    pub title: String,
    pub summary: String,
    pub performer: String,
    pub cadence_hint: String,
    pub visibility: String,
    pub visibility_choice: bool,
    pub paired_reveal: bool,
    pub elements: Vec<u8>,
    pub prompts: Vec<PromptForm>,
}

impl Default for ExerciseForm {
    fn default() -> Self {
        ExerciseForm {
            title: String::new(),
            summary: String::new(),
            performer: "both".into(),
            cadence_hint: "Weekly".into(),
            visibility: "counselor".into(),
            visibility_choice: true,
            paired_reveal: false,
            elements: Vec::new(),
            prompts: Vec::new(),
        }
    }
}

impl ExerciseForm {
    /// Read the posted fields. Prompt fields are named `p{i}_{field}`.
    pub fn from_fields(fields: &[(String, String)]) -> ExerciseForm {
        let mut form = ExerciseForm {
            visibility_choice: false,
            ..ExerciseForm::default()
        };
        let mut prompts: Vec<PromptForm> = Vec::new();
        for (key, value) in fields {
            match key.as_str() {
                "title" => form.title = value.clone(),
                "summary" => form.summary = value.clone(),
                "performer" => form.performer = value.clone(),
                "cadence_hint" => form.cadence_hint = value.clone(),
                "visibility" => form.visibility = value.clone(),
                "visibility_choice" => form.visibility_choice = true,
                "paired_reveal" => form.paired_reveal = true,
                "element" => {
                    if let Ok(n) = value.parse::<u8>() {
                        if !form.elements.contains(&n) {
                            form.elements.push(n);
                        }
                    }
                }
                other => {
                    let Some(rest) = other.strip_prefix('p') else {
                        continue;
                    };
                    let Some((index, name)) = rest.split_once('_') else {
                        continue;
                    };
                    let Ok(i) = index.parse::<usize>() else {
                        continue;
                    };
                    if i >= MAX_PROMPTS * 2 {
                        continue;
                    }
                    if prompts.len() <= i {
                        prompts.resize(i + 1, PromptForm::default());
                    }
                    let p = &mut prompts[i];
                    match name {
                        "kind" => p.kind = value.clone(),
                        "label" => p.label = value.clone(),
                        "help" => p.help = value.clone(),
                        "required" => p.required = true,
                        "min" => p.min = value.clone(),
                        "max" => p.max = value.clone(),
                        "low" => p.low = value.clone(),
                        "high" => p.high = value.clone(),
                        "options" => p.options = value.clone(),
                        "alert" => p.alert = true,
                        _ => {}
                    }
                }
            }
        }
        form.elements.sort_unstable();
        form.prompts = prompts;
        form
    }

    /// The form for editing an existing exercise.
    pub fn from_def(def: &ExerciseDef) -> ExerciseForm {
        ExerciseForm {
            title: def.title.clone(),
            summary: def.summary.clone(),
            performer: def.performer.as_str().into(),
            cadence_hint: def.cadence_hint.clone(),
            visibility: def.default_visibility.as_str().into(),
            visibility_choice: def.visibility_choice,
            paired_reveal: def.paired_reveal,
            elements: def.elements.clone(),
            prompts: def
                .prompts
                .iter()
                .map(|p| {
                    let mut f = PromptForm {
                        kind: p.kind.code().into(),
                        label: p.label.clone(),
                        help: p.help.clone(),
                        required: p.required,
                        alert: p.raises_alert,
                        ..PromptForm::default()
                    };
                    match &p.kind {
                        PromptKind::Scale {
                            min,
                            max,
                            low_label,
                            high_label,
                        } => {
                            f.min = min.to_string();
                            f.max = max.to_string();
                            f.low = low_label.clone();
                            f.high = high_label.clone();
                        }
                        PromptKind::Checklist { options } => f.options = options.join("\n"),
                        _ => {}
                    }
                    f
                })
                .collect(),
        }
    }

    /// Blank prompt rows shown after the filled ones.
    pub fn with_spare_rows(mut self, spare: usize) -> Self {
        let filled = self.prompts.iter().filter(|p| !p.is_blank()).count();
        self.prompts.retain(|p| !p.is_blank());
        let target = (filled + spare).min(MAX_PROMPTS);
        while self.prompts.len() < target {
            self.prompts.push(PromptForm {
                kind: "long_text".into(),
                required: true,
                ..PromptForm::default()
            });
        }
        self
    }

    /// Validate; blank prompt rows are ignored.
    pub fn validate(&self) -> Result<ExerciseDef, Errors> {
        let mut errors = Errors::default();
        let title = required_text(&mut errors, "title", &self.title, TITLE_MAX, "a title");
        let summary = optional_text(&mut errors, "summary", &self.summary, SUMMARY_MAX);
        let cadence_hint = optional_text(&mut errors, "cadence_hint", &self.cadence_hint, 60);
        let performer = Performer::parse(&self.performer).unwrap_or_else(|| {
            errors.add("performer", "Choose who does this exercise.");
            Performer::Both
        });
        let visibility = Visibility::parse(&self.visibility).unwrap_or_else(|| {
            errors.add("visibility", "Choose who sees the answers by default.");
            Visibility::CounselorOnly
        });
        if self
            .elements
            .iter()
            .any(|e| !ELEMENTS.iter().any(|(n, _)| n == e))
        {
            errors.add("elements", "Choose practice elements from the list.");
        }

        let mut prompts = Vec::new();
        for (i, p) in self.prompts.iter().enumerate() {
            if p.is_blank() {
                continue;
            }
            let f = |name: &str| format!("p{i}_{name}");
            let label = required_text(
                &mut errors,
                &f("label"),
                &p.label,
                LABEL_MAX,
                "the question",
            );
            let help = optional_text(&mut errors, &f("help"), &p.help, HELP_MAX);
            let kind = match p.kind.as_str() {
                "long_text" => Some(PromptKind::LongText),
                "short_text" => Some(PromptKind::ShortText),
                "yes_no" => Some(PromptKind::YesNo),
                "list" => Some(PromptKind::List),
                "date" => Some(PromptKind::Date),
                "scale" => scale(&mut errors, i, p),
                "checklist" => checklist(&mut errors, i, p),
                _ => {
                    errors.add(f("kind"), "Choose what kind of answer this question takes.");
                    None
                }
            };
            if let Some(kind) = kind {
                if p.alert && !super::safety::may_raise_alert(&kind) {
                    errors.add(
                        f("alert"),
                        "A number scale cannot raise a safety alert; use a yes/no question.",
                    );
                }
                prompts.push(PromptDef {
                    label,
                    help,
                    required: p.required,
                    raises_alert: p.alert,
                    kind,
                    metric: None,
                });
            }
        }
        if prompts.is_empty() && !self.prompts.iter().any(|p| !p.is_blank()) {
            errors.add(
                "prompts",
                "Add at least one question for partners to answer.",
            );
        }
        if self.prompts.iter().filter(|p| !p.is_blank()).count() > MAX_PROMPTS {
            errors.add(
                "prompts",
                format!("An exercise can hold up to {MAX_PROMPTS} questions."),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ExerciseDef {
            slug: None,
            title,
            summary,
            elements: self.elements.clone(),
            performer,
            cadence_hint,
            default_visibility: visibility,
            visibility_choice: self.visibility_choice,
            paired_reveal: self.paired_reveal,
            safety_check: false,
            shared_journal: false,
            prompts,
        })
    }
}

fn scale(errors: &mut Errors, i: usize, p: &PromptForm) -> Option<PromptKind> {
    let f = |name: &str| format!("p{i}_{name}");
    let parse = |errors: &mut Errors, name: &str, v: &str| match v.trim().parse::<i32>() {
        Ok(n) if (-SCALE_LIMIT..=SCALE_LIMIT).contains(&n) => Some(n),
        Ok(_) => {
            errors.add(
                f(name),
                format!("Use a whole number between -{SCALE_LIMIT} and {SCALE_LIMIT}."),
            );
            None
        }
        Err(_) => {
            errors.add(f(name), "Enter a whole number.");
            None
        }
    };
    let min = parse(errors, "min", &p.min);
    let max = parse(errors, "max", &p.max);
    let low = required_text(
        errors,
        &f("low"),
        &p.low,
        SCALE_LABEL_MAX,
        "a label for the low end",
    );
    let high = required_text(
        errors,
        &f("high"),
        &p.high,
        SCALE_LABEL_MAX,
        "a label for the high end",
    );
    let (min, max) = (min?, max?);
    if min >= max {
        errors.add(f("max"), "The high end must be above the low end.");
        return None;
    }
    Some(PromptKind::Scale {
        min,
        max,
        low_label: low,
        high_label: high,
    })
}

fn checklist(errors: &mut Errors, i: usize, p: &PromptForm) -> Option<PromptKind> {
    let field = format!("p{i}_options");
    let options: Vec<String> = p
        .options
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if options.len() < 2 {
        errors.add(field, "List at least two options, one per line.");
        return None;
    }
    if options.len() > MAX_OPTIONS {
        errors.add(
            field,
            format!("A checklist can hold up to {MAX_OPTIONS} options."),
        );
        return None;
    }
    if options.iter().any(|o| o.chars().count() > OPTION_MAX) {
        errors.add(
            field,
            format!("Keep each option to {OPTION_MAX} characters or fewer."),
        );
        return None;
    }
    Some(PromptKind::Checklist { options })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_form_becomes_an_exercise() {
        let form = ExerciseForm::from_fields(&fields(&[
            ("title", "Evening reflection"),
            ("performer", "both"),
            ("visibility", "partner"),
            ("element", "8"),
            ("element", "13"),
            ("p0_kind", "scale"),
            ("p0_label", "How close did you feel?"),
            ("p0_min", "0"),
            ("p0_max", "4"),
            ("p0_low", "Distant"),
            ("p0_high", "Very close"),
            ("p0_required", "on"),
            ("p1_kind", "checklist"),
            ("p1_label", "What helped?"),
            ("p1_options", "A walk\nA talk\n"),
            ("p2_kind", "long_text"),
        ]));
        let def = form.validate().unwrap();
        assert_eq!(def.title, "Evening reflection");
        assert_eq!(def.elements, vec![8, 13]);
        assert_eq!(def.prompts.len(), 2, "the blank third row is ignored");
        assert!(def.prompts[0].required);
        assert!(!def.prompts[1].required);
        assert!(matches!(
            def.prompts[0].kind,
            PromptKind::Scale { min: 0, max: 4, .. }
        ));
    }

    #[test]
    fn a_counselor_marks_which_questions_raise_a_safety_alert_but_not_a_scale() {
        let base = [
            ("title", "Between sessions"),
            ("performer", "both"),
            ("visibility", "counselor"),
            ("p0_kind", "yes_no"),
            ("p0_label", "Do you feel unsafe at home?"),
            ("p0_alert", "on"),
            ("p1_kind", "short_text"),
            ("p1_label", "Anything else?"),
        ];
        let def = ExerciseForm::from_fields(&fields(&base))
            .validate()
            .unwrap();
        assert!(def.prompts[0].raises_alert);
        assert!(!def.prompts[1].raises_alert);
        // The edit form keeps the mark.
        assert!(ExerciseForm::from_def(&def).prompts[0].alert);
        let mut scale = base.to_vec();
        scale.extend([
            ("p2_kind", "scale"),
            ("p2_label", "How afraid?"),
            ("p2_min", "1"),
            ("p2_max", "5"),
            ("p2_low", "Not"),
            ("p2_high", "Very"),
            ("p2_alert", "on"),
        ]);
        let errors = ExerciseForm::from_fields(&fields(&scale))
            .validate()
            .unwrap_err();
        assert!(errors.get("p2_alert").is_some());
    }

    #[test]
    fn missing_title_and_no_prompts_are_both_reported() {
        let errors = ExerciseForm::from_fields(&fields(&[("title", "  ")]))
            .validate()
            .unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("prompts").is_some());
    }

    #[test]
    fn a_scale_whose_low_end_is_above_its_high_end_is_refused() {
        let errors = ExerciseForm::from_fields(&fields(&[
            ("title", "T"),
            ("p0_kind", "scale"),
            ("p0_label", "Rate it"),
            ("p0_min", "5"),
            ("p0_max", "1"),
            ("p0_low", "Low"),
            ("p0_high", "High"),
        ]))
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.get("p0_max"),
            Some("The high end must be above the low end.")
        );
    }

    #[test]
    fn over_long_fields_and_thin_checklists_are_refused() {
        let long = "x".repeat(TITLE_MAX + 1);
        let errors = ExerciseForm::from_fields(&fields(&[
            ("title", &long),
            ("p0_kind", "checklist"),
            ("p0_label", "Pick"),
            ("p0_options", "only one"),
            ("p1_kind", "bogus"),
            ("p1_label", "What?"),
        ]))
        .validate()
        .unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("p0_options").is_some());
        assert!(errors.get("p1_kind").is_some());
    }

    #[test]
    fn an_edit_form_round_trips_a_definition() {
        for def in crate::domain::library::builtin_exercises().unwrap() {
            let again = ExerciseForm::from_def(&def).validate().unwrap();
            assert_eq!(again.prompts.len(), def.prompts.len(), "{}", def.title);
            assert_eq!(again.title, def.title);
        }
    }
}
