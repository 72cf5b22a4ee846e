//! The built-in exercise library: the structured exercises a counselor can assign between
//! sessions, each tied to the practice elements it serves.
//!
//! Each exercise is one TOML file in `library/` beside this module, embedded at build time
//! and read by [`builtin_exercises`]. A file goes through the same validation as a
//! counselor's own exercise ([`ExerciseForm::validate`]), so built-ins obey the same limits;
//! on top of that it may set what only the library can: a stable `slug` (the file's name),
//! the `safety_check` and `shared_journal` flags, and a `metric` on a scale question.
//!
//! A file holds `slug`, `title`, `summary`, `elements` (numbers from [`ELEMENTS`]),
//! `performer` (`both`, `offending` or `hurt`), `cadence`, `visibility` (`counselor` or
//! `partner`), `visibility_choice`, optionally `paired_reveal`, `safety_check` and
//! `shared_journal`, then one `[[prompts]]` table per question: `kind` (a
//! [`PromptKind`] code), `label`, `help`, `required` (true unless given), `min`/`max`/`low`/
//! `high` for a scale, `options` for a checklist, and an optional `metric`.
//!
//! All wording is shown to partners or counselors, so it stays calm, warm and non-gendered
//! ("partner", never a marital or gendered role).

use serde::Deserialize;

use super::custom_exercise::{ExerciseForm, PromptForm};
use super::exercise::{ExerciseDef, Metric, PromptKind};
use super::validation::Errors;

/// The library's files, in the order the library shows them.
const FILES: [(&str, &str); 17] = [
    (
        "trust-check-in.toml",
        include_str!("library/trust-check-in.toml"),
    ),
    (
        "daily-check-in.toml",
        include_str!("library/daily-check-in.toml"),
    ),
    (
        "what-happened.toml",
        include_str!("library/what-happened.toml"),
    ),
    (
        "apology-letter.toml",
        include_str!("library/apology-letter.toml"),
    ),
    (
        "listening-to-understand.toml",
        include_str!("library/listening-to-understand.toml"),
    ),
    (
        "transparency-log.toml",
        include_str!("library/transparency-log.toml"),
    ),
    (
        "boundaries-agreement.toml",
        include_str!("library/boundaries-agreement.toml"),
    ),
    (
        "promise-tracker.toml",
        include_str!("library/promise-tracker.toml"),
    ),
    ("co-journal.toml", include_str!("library/co-journal.toml")),
    (
        "appreciation-note.toml",
        include_str!("library/appreciation-note.toml"),
    ),
    (
        "reconnection-ritual.toml",
        include_str!("library/reconnection-ritual.toml"),
    ),
    (
        "what-makes-me-feel-loved.toml",
        include_str!("library/what-makes-me-feel-loved.toml"),
    ),
    (
        "vulnerability-share.toml",
        include_str!("library/vulnerability-share.toml"),
    ),
    (
        "forgiveness-reflection.toml",
        include_str!("library/forgiveness-reflection.toml"),
    ),
    (
        "patterns-and-lessons.toml",
        include_str!("library/patterns-and-lessons.toml"),
    ),
    ("small-wins.toml", include_str!("library/small-wins.toml")),
    (
        "safety-check.toml",
        include_str!("library/safety-check.toml"),
    ),
];

/// A built-in exercise file that cannot become an exercise: a bug in the shipped library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("built-in exercise {file} is not a valid exercise file")]
    Parse {
        file: &'static str,
        #[source]
        source: toml::de::Error,
    },
    #[error("built-in exercise {file} breaks the exercise rules: {}", describe(.errors))]
    Invalid { file: &'static str, errors: Errors },
}

fn describe(errors: &Errors) -> String {
    errors
        .0
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseFile {
    slug: String,
    title: String,
    summary: String,
    elements: Vec<u8>,
    performer: String,
    cadence: String,
    visibility: String,
    visibility_choice: bool,
    #[serde(default)]
    paired_reveal: bool,
    #[serde(default)]
    safety_check: bool,
    #[serde(default)]
    shared_journal: bool,
    prompts: Vec<PromptFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PromptFile {
    kind: String,
    label: String,
    #[serde(default)]
    help: String,
    #[serde(default = "required_by_default")]
    required: bool,
    min: Option<i32>,
    max: Option<i32>,
    #[serde(default)]
    low: String,
    #[serde(default)]
    high: String,
    #[serde(default)]
    options: Vec<String>,
    metric: Option<String>,
    /// Concerning answers raise a safety alert (`domain::safety`).
    #[serde(default)]
    alert: bool,
}

fn required_by_default() -> bool {
    true
}

impl PromptFile {
    /// The question as a counselor would have typed it into the exercise form.
    fn form(&self) -> PromptForm {
        PromptForm {
            kind: self.kind.clone(),
            label: self.label.clone(),
            help: self.help.clone(),
            required: self.required,
            min: self.min.map(|n| n.to_string()).unwrap_or_default(),
            max: self.max.map(|n| n.to_string()).unwrap_or_default(),
            low: self.low.clone(),
            high: self.high.clone(),
            options: self.options.join("\n"),
            alert: self.alert,
        }
    }
}

impl ExerciseFile {
    /// The exercise as a counselor would have typed it into the exercise form.
    fn form(&self) -> ExerciseForm {
        ExerciseForm {
            title: self.title.clone(),
            summary: self.summary.clone(),
            performer: self.performer.clone(),
            cadence_hint: self.cadence.clone(),
            visibility: self.visibility.clone(),
            visibility_choice: self.visibility_choice,
            paired_reveal: self.paired_reveal,
            elements: self.elements.clone(),
            prompts: self.prompts.iter().map(PromptFile::form).collect(),
        }
    }

    /// Validate as a custom exercise, then add what only the library may set.
    fn into_def(self, file: &str) -> Result<ExerciseDef, Errors> {
        let mut def = self.form().validate()?;
        let mut errors = Errors::default();
        if format!("{}.toml", self.slug) != file {
            errors.add("slug", "The slug must be the file's name.");
        }
        if def.prompts.len() != self.prompts.len() {
            errors.add("prompts", "Every question needs a label.");
        }
        for (i, (prompt, p)) in def.prompts.iter_mut().zip(&self.prompts).enumerate() {
            let Some(code) = &p.metric else { continue };
            match Metric::parse(code) {
                Some(m) if matches!(prompt.kind, PromptKind::Scale { .. }) => {
                    prompt.metric = Some(m)
                }
                Some(_) => errors.add(format!("p{i}_metric"), "Only a scale can feed a metric."),
                None => errors.add(format!("p{i}_metric"), "Unknown metric."),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        def.slug = Some(self.slug);
        def.safety_check = self.safety_check;
        def.shared_journal = self.shared_journal;
        Ok(def)
    }
}

/// Read one library file.
fn load(file: &'static str, text: &str) -> Result<ExerciseDef, LibraryError> {
    let parsed: ExerciseFile =
        toml::from_str(text).map_err(|source| LibraryError::Parse { file, source })?;
    parsed
        .into_def(file)
        .map_err(|errors| LibraryError::Invalid { file, errors })
}

/// Every built-in exercise, in the order the library shows them. The files are part of the
/// program, so an error here is a bug in the shipped library (the unit tests load them all).
pub fn builtin_exercises() -> Result<Vec<ExerciseDef>, LibraryError> {
    FILES.iter().map(|(file, text)| load(file, text)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::exercise::{element_name, Performer, Visibility, ELEMENTS};
    use std::collections::HashSet;

    fn library() -> Vec<ExerciseDef> {
        builtin_exercises().expect("every built-in exercise loads")
    }

    fn find(slug: &str) -> ExerciseDef {
        library()
            .into_iter()
            .find(|e| e.slug.as_deref() == Some(slug))
            .unwrap_or_else(|| panic!("no exercise {slug}"))
    }

    fn all_strings(e: &ExerciseDef) -> Vec<String> {
        let mut out = vec![
            e.slug.clone().unwrap_or_default(),
            e.title.clone(),
            e.summary.clone(),
            e.cadence_hint.clone(),
        ];
        for p in &e.prompts {
            out.push(p.label.clone());
            out.push(p.help.clone());
            match &p.kind {
                PromptKind::Scale {
                    low_label,
                    high_label,
                    ..
                } => {
                    out.push(low_label.clone());
                    out.push(high_label.clone());
                }
                PromptKind::Checklist { options } => out.extend(options.iter().cloned()),
                _ => {}
            }
        }
        out
    }

    fn metrics(e: &ExerciseDef) -> Vec<Metric> {
        e.prompts.iter().filter_map(|p| p.metric).collect()
    }

    /// One line per exercise: slug, title, who, cadence, visibility, elements, flags, and
    /// each prompt's kind (with its scale range and metric); `?` marks an optional prompt.
    fn shape(e: &ExerciseDef) -> String {
        let prompts: Vec<String> = e
            .prompts
            .iter()
            .map(|p| {
                let mut s = p.kind.code().to_string();
                match &p.kind {
                    PromptKind::Scale { min, max, .. } => s.push_str(&format!("({min}..{max})")),
                    PromptKind::Checklist { options } => {
                        s.push_str(&format!("({})", options.len()))
                    }
                    _ => {}
                }
                if let Some(m) = p.metric {
                    s.push_str(&format!("*{}", m.as_str()));
                }
                if !p.required {
                    s.push('?');
                }
                s
            })
            .collect();
        let mut flags = Vec::new();
        if e.visibility_choice {
            flags.push("choice");
        }
        if e.paired_reveal {
            flags.push("paired");
        }
        if e.safety_check {
            flags.push("safety");
        }
        if e.shared_journal {
            flags.push("journal");
        }
        let elements: Vec<String> = e.elements.iter().map(u8::to_string).collect();
        format!(
            "{} | {} | {} | {} | {} | {} | {} | {}",
            e.slug.as_deref().unwrap_or("-"),
            e.title,
            e.performer.as_str(),
            e.cadence_hint,
            e.default_visibility.as_str(),
            elements.join(","),
            flags.join(","),
            prompts.join(" "),
        )
    }

    /// Stable FNV-1a over every text of every exercise, in order.
    fn text_hash(all: &[ExerciseDef]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for e in all {
            for s in all_strings(e) {
                for b in s.as_bytes().iter().chain([0x1f].iter()) {
                    h ^= u64::from(*b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        h
    }

    /// The library as it stood when it moved from code to data files: any change to an
    /// exercise's shape must be deliberate and show up here.
    const EXPECTED_SHAPES: [&str; 17] = [
        "trust-check-in | Trust check-in | both | Weekly | counselor | 14,10 | choice | scale(1..5)*warn_communication scale(1..5)*warn_secrecy scale(1..5)*warn_distance scale(1..5)*warn_promises scale(0..10)*trust short_text",
        "daily-check-in | Daily check-in | both | Daily | counselor | 4,8,14 | choice | scale(1..5)*mood scale(0..10)*trust short_text long_text?",
        "what-happened | What happened | both | Once | counselor | 1 | choice,paired | long_text checklist(6) short_text? long_text",
        "apology-letter | Apology letter | offending | Once, with drafts | counselor | 2 | choice | long_text long_text list checklist(4)?",
        "listening-to-understand | Listening to understand | both | Weekly | partner | 3 | choice,paired | short_text long_text scale(1..5) yes_no",
        "transparency-log | Transparency log | offending | Daily | partner | 4 | choice | long_text long_text",
        "boundaries-agreement | Boundaries agreement | both | Once, revisited | partner | 5 |  | list yes_no long_text?",
        "promise-tracker | Promise tracker | both | Ongoing | partner | 6 |  | short_text date",
        "co-journal | Co-journal | both | Daily or weekly | partner | 7,8 | journal | long_text",
        "appreciation-note | Appreciation note | both | Weekly | partner | 8,13 | choice | long_text",
        "reconnection-ritual | Reconnection ritual | both | Weekly | partner | 9 | choice | short_text scale(1..5) long_text",
        "what-makes-me-feel-loved | What makes me feel loved | both | Once | partner | 8 | choice,paired | long_text long_text?",
        "vulnerability-share | Vulnerability share | both | Weekly | counselor | 8,3 | choice | long_text long_text scale(1..5)",
        "forgiveness-reflection | Forgiveness reflection | hurt | When your counselor suggests | counselor | 11,10 | choice | long_text long_text scale(1..5)",
        "patterns-and-lessons | Patterns and lessons | offending | Monthly | counselor | 12,10,2 | choice | long_text short_text long_text",
        "small-wins | Small wins | both | Weekly | partner | 13,10 | choice | long_text",
        "safety-check | Private safety check | both | As your counselor assigns | counselor | 1,14 | safety | yes_no yes_no yes_no? long_text?",
    ];

    /// Every text (titles, summaries, questions, help, scale ends, options) as it stood then.
    /// After a deliberate change of wording, put the new value from the failure here.
    const EXPECTED_TEXT_HASH: u64 = 0x5f7dd57a3ab6e31f;

    #[test]
    fn the_library_keeps_its_shape() {
        let shapes: Vec<String> = library().iter().map(shape).collect();
        assert_eq!(shapes, EXPECTED_SHAPES);
    }

    #[test]
    fn the_library_keeps_its_wording() {
        let hash = text_hash(&library());
        assert!(
            hash == EXPECTED_TEXT_HASH,
            "the library's wording changed: its hash is now {hash:#018x}"
        );
    }

    #[test]
    fn every_file_parses_and_passes_the_custom_exercise_rules() {
        for (file, text) in FILES {
            let def = load(file, text).unwrap_or_else(|e| panic!("{e}"));
            // The same definition, typed into the counselor's form, is accepted as is.
            let again = ExerciseForm::from_def(&def).validate().unwrap();
            assert_eq!(again.title, def.title, "{file}");
            assert_eq!(again.prompts.len(), def.prompts.len(), "{file}");
        }
    }

    const SMALL: &str = r#"
slug = "small"
title = "Small"
summary = "A test exercise."
elements = [13]
performer = "both"
cadence = "Weekly"
visibility = "partner"
visibility_choice = true

[[prompts]]
kind = "scale"
label = "How was it?"
min = 1
max = 5
low = "Poor"
high = "Good"
metric = "mood"
"#;

    fn load_errors(text: &str) -> Errors {
        match load("small.toml", text) {
            Err(LibraryError::Invalid { errors, .. }) => errors,
            other => panic!("expected a rule error, got {other:?}"),
        }
    }

    #[test]
    fn a_small_file_loads_with_its_library_only_settings() {
        let def = load("small.toml", SMALL).unwrap();
        assert_eq!(def.slug.as_deref(), Some("small"));
        assert_eq!(def.elements, vec![13]);
        assert_eq!(def.default_visibility, Visibility::CounselorAndPartner);
        assert!(def.prompts[0].required);
        assert_eq!(def.prompts[0].metric, Some(Metric::Mood));
        assert!(!def.safety_check && !def.shared_journal && !def.paired_reveal);
    }

    #[test]
    fn built_ins_obey_the_custom_exercise_limits() {
        let long = "x".repeat(crate::domain::custom_exercise::TITLE_MAX + 1);
        let errors =
            load_errors(&SMALL.replace("title = \"Small\"", &format!("title = \"{long}\"")));
        assert!(errors.get("title").is_some());
        let errors = load_errors(&SMALL.replace("max = 5", "max = 1"));
        assert!(errors.get("p0_max").is_some());
        let errors = load_errors(&SMALL.replace("performer = \"both\"", "performer = \"either\""));
        assert!(errors.get("performer").is_some());
        let errors = load_errors(&SMALL.replace("elements = [13]", "elements = [15]"));
        assert!(errors.get("elements").is_some());
    }

    #[test]
    fn library_only_settings_are_checked_too() {
        let errors = load_errors(&SMALL.replace("slug = \"small\"", "slug = \"other\""));
        assert!(errors.get("slug").is_some());
        let errors = load_errors(&SMALL.replace("metric = \"mood\"", "metric = \"joy\""));
        assert!(errors.get("p0_metric").is_some());
        let text = SMALL.replace("kind = \"scale\"", "kind = \"yes_no\"");
        assert!(load_errors(&text).get("p0_metric").is_some());
        let text = format!("{SMALL}\n[[prompts]]\nkind = \"long_text\"\nlabel = \"\"\n");
        assert!(load_errors(&text).get("prompts").is_some());
    }

    #[test]
    fn unknown_fields_and_bad_toml_are_refused() {
        for text in [
            SMALL.replace("cadence =", "cadense ="),
            SMALL.replace("min = 1", "min = \"one\""),
            SMALL.replace("title = \"Small\"", "title = \"Small"),
        ] {
            assert!(
                matches!(load("small.toml", &text), Err(LibraryError::Parse { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn has_seventeen_exercises() {
        assert_eq!(library().len(), 17);
    }

    #[test]
    fn slugs_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for e in library() {
            let slug = e.slug.clone().expect("built-in exercises have a slug");
            assert!(!slug.is_empty());
            assert!(
                slug.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{slug} is not kebab-case"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
            assert!(seen.insert(slug.clone()), "duplicate slug {slug}");
        }
    }

    #[test]
    fn expected_slugs_present() {
        let slugs: HashSet<String> = library().into_iter().filter_map(|e| e.slug).collect();
        for s in [
            "trust-check-in",
            "daily-check-in",
            "what-happened",
            "apology-letter",
            "listening-to-understand",
            "transparency-log",
            "boundaries-agreement",
            "promise-tracker",
            "co-journal",
            "appreciation-note",
            "reconnection-ritual",
            "what-makes-me-feel-loved",
            "vulnerability-share",
            "forgiveness-reflection",
            "patterns-and-lessons",
            "small-wins",
            "safety-check",
        ] {
            assert!(slugs.contains(s), "missing {s}");
        }
    }

    #[test]
    fn every_exercise_has_prompts_and_text() {
        for e in library() {
            assert!(!e.prompts.is_empty(), "{} has no prompts", e.title);
            assert!(!e.title.trim().is_empty());
            assert!(!e.summary.trim().is_empty());
            assert!(!e.cadence_hint.trim().is_empty());
            assert!(
                e.prompts.iter().any(|p| p.required),
                "{} has no required prompt",
                e.title
            );
            for p in &e.prompts {
                assert!(!p.label.trim().is_empty());
                assert!(p.label.chars().count() < 200, "label too long: {}", p.label);
                assert!(p.help.chars().count() < 300, "help too long: {}", p.help);
            }
        }
    }

    #[test]
    fn scales_and_checklists_are_well_formed() {
        for e in library() {
            for p in &e.prompts {
                match &p.kind {
                    PromptKind::Scale {
                        min,
                        max,
                        low_label,
                        high_label,
                    } => {
                        assert!(min < max, "{}: bad scale range", p.label);
                        assert!(!low_label.trim().is_empty(), "{}", p.label);
                        assert!(!high_label.trim().is_empty(), "{}", p.label);
                    }
                    PromptKind::Checklist { options } => {
                        assert!(options.len() >= 2, "{}: too few options", p.label);
                        let unique: HashSet<&String> = options.iter().collect();
                        assert_eq!(unique.len(), options.len(), "{}", p.label);
                        for o in options {
                            assert!(!o.trim().is_empty());
                            assert!(o.chars().count() < 100, "option too long: {o}");
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn elements_are_valid_and_all_covered() {
        let mut covered = HashSet::new();
        for e in library() {
            assert!(!e.elements.is_empty(), "{} serves no element", e.title);
            for n in &e.elements {
                assert!(element_name(*n).is_some(), "{}: bad element {n}", e.title);
                covered.insert(*n);
            }
        }
        for (n, name) in ELEMENTS {
            assert!(covered.contains(&n), "element {n} ({name}) not covered");
        }
    }

    #[test]
    fn exactly_one_shared_journal_and_one_safety_check() {
        let all = library();
        let journals: Vec<_> = all.iter().filter(|e| e.shared_journal).collect();
        assert_eq!(journals.len(), 1);
        let j = journals[0];
        assert_eq!(j.slug.as_deref(), Some("co-journal"));
        assert_eq!(j.default_visibility, Visibility::CounselorAndPartner);
        assert!(!j.visibility_choice);

        let checks: Vec<_> = all.iter().filter(|e| e.safety_check).collect();
        assert_eq!(checks.len(), 1);
        let s = checks[0];
        assert_eq!(s.slug.as_deref(), Some("safety-check"));
        assert_eq!(s.performer, Performer::Both);
        assert_eq!(s.default_visibility, Visibility::CounselorOnly);
        assert!(!s.visibility_choice);
        assert!(!s.paired_reveal);
        assert!(!s.shared_journal);
        // Fear, harm, wanting contact and the free text are all concerning answers.
        assert!(s.prompts.iter().all(|p| p.raises_alert));
        // No other built-in raises alerts.
        for e in all.iter().filter(|e| !e.safety_check) {
            assert!(e.prompts.iter().all(|p| !p.raises_alert), "{}", e.title);
        }
    }

    #[test]
    fn trust_check_in_metrics() {
        let e = find("trust-check-in");
        let m = metrics(&e);
        assert_eq!(m.iter().filter(|x| **x == Metric::Trust).count(), 1);
        for w in [
            Metric::WarnCommunication,
            Metric::WarnSecrecy,
            Metric::WarnDistance,
            Metric::WarnPromises,
        ] {
            assert_eq!(m.iter().filter(|x| **x == w).count(), 1, "{w:?}");
        }
        assert!(!m.contains(&Metric::Mood));
        for p in &e.prompts {
            match (p.metric, &p.kind) {
                (Some(Metric::Trust), PromptKind::Scale { min, max, .. }) => {
                    assert_eq!((*min, *max), (0, 10));
                }
                (Some(_), PromptKind::Scale { min, max, .. }) => {
                    assert_eq!((*min, *max), (1, 5));
                }
                (Some(_), _) => panic!("metric on a non-scale prompt: {}", p.label),
                (None, _) => {}
            }
        }
        assert!(e
            .prompts
            .iter()
            .any(|p| p.metric.is_none() && p.kind == PromptKind::ShortText));
        assert!(e.summary.contains("not a validated clinical instrument"));
    }

    #[test]
    fn daily_check_in_metrics() {
        let e = find("daily-check-in");
        let m = metrics(&e);
        assert_eq!(m.iter().filter(|x| **x == Metric::Mood).count(), 1);
        assert_eq!(m.iter().filter(|x| **x == Metric::Trust).count(), 1);
        assert_eq!(m.len(), 2);
        assert!(e.prompts.iter().any(|p| !p.required));
    }

    #[test]
    fn only_check_ins_carry_metrics() {
        for e in library() {
            let slug = e.slug.clone().unwrap();
            if slug != "trust-check-in" && slug != "daily-check-in" {
                assert!(metrics(&e).is_empty(), "{slug} should have no metrics");
            }
        }
    }

    #[test]
    fn performers_match_the_library() {
        assert_eq!(find("forgiveness-reflection").performer, Performer::Hurt);
        for s in ["apology-letter", "transparency-log", "patterns-and-lessons"] {
            assert_eq!(find(s).performer, Performer::Offending, "{s}");
        }
        for s in [
            "what-happened",
            "listening-to-understand",
            "what-makes-me-feel-loved",
        ] {
            assert!(find(s).paired_reveal, "{s} should be paired");
        }
    }

    #[test]
    fn wording_is_not_gendered() {
        for e in library() {
            for s in all_strings(&e) {
                let lower = s.to_lowercase();
                for word in ["husband", "wife", "boyfriend", "girlfriend"] {
                    assert!(!lower.contains(word), "{:?} contains {word}", s);
                }
            }
        }
    }
}
