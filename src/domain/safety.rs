//! Clinical safety: which answers on a safety check are concerning, when an alert is
//! escalated to the practice admin, what a counselor records when they act on one, and the
//! words a partner sees (the discreet title, the crisis resources, the quick-exit address).
//!
//! A prompt marked `raises_alert` says which of its answers are concerning: a "yes" to a
//! yes/no question, any answer at all to a question of another kind (text, list, checklist,
//! date). A scale cannot be marked: no threshold would be right for every scale.

use chrono::{Duration, NaiveDateTime};

use super::answers::FormPrompt;
use super::exercise::{PromptDef, PromptKind};
use super::status::text_word;
use super::validation::{optional_text, required_text, Errors};

/// The title a partner sees for a safety check unless the counselor chose another.
pub const DEFAULT_PARTNER_TITLE: &str = "Personal check-in";
/// Longest discreet title.
pub const PARTNER_TITLE_MAX: usize = 60;
/// Longest note a counselor records when acting on an alert.
pub const NOTE_MAX: usize = 2000;
/// Longest crisis-resources text.
pub const CRISIS_TEXT_MAX: usize = 1500;
/// Longest quick-exit address.
pub const EXIT_URL_MAX: usize = 300;
/// Where "Leave quickly" goes unless the practice set an address: a blank page of ours.
pub const DEFAULT_EXIT_PATH: &str = "/away";

/// What a partner reads about getting help now, unless the practice admin wrote their own.
pub const DEFAULT_CRISIS_TEXT: &str =
    "If you or anyone else is in danger right now, call your local emergency number. \
If you can, go somewhere you feel safe and call from there.";

/// Whether a prompt's kind may carry the "raises an alert" mark.
pub fn may_raise_alert(kind: &PromptKind) -> bool {
    !matches!(kind, PromptKind::Scale { .. })
}

/// Whether `value`, a stored answer to `prompt`, is concerning.
pub fn is_concerning(prompt: &PromptDef, value: &str) -> bool {
    if !prompt.raises_alert {
        return false;
    }
    let v = value.trim();
    match prompt.kind {
        PromptKind::YesNo => v == "yes",
        PromptKind::Scale { .. } => false,
        _ => !v.is_empty(),
    }
}

/// The prompts whose stored answers are concerning (in prompt order). An entry raises an
/// alert when this is not empty.
pub fn concerning_prompts(prompts: &[FormPrompt], answers: &[(i32, String)]) -> Vec<i32> {
    prompts
        .iter()
        .filter(|p| {
            answers
                .iter()
                .any(|(id, value)| *id == p.id && is_concerning(&p.def, value))
        })
        .map(|p| p.id)
        .collect()
}

/// Does this submission raise an alert? Only a submitted entry does (a draft is not yet
/// told to anyone), and not when an alert for the same entry is still open.
pub fn raises_alert(
    prompts: &[FormPrompt],
    answers: &[(i32, String)],
    submitted: bool,
    open_alert_for_entry: bool,
) -> bool {
    submitted && !open_alert_for_entry && !concerning_prompts(prompts, answers).is_empty()
}

/// Is an alert raised at `raised_at` due to go to the practice admin at `now`? Only once,
/// and only while nobody has acknowledged it.
pub fn escalation_due(
    raised_at: NaiveDateTime,
    acknowledged: bool,
    escalated: bool,
    now: NaiveDateTime,
    after_hours: i64,
) -> bool {
    !acknowledged && !escalated && now >= raised_at + Duration::hours(after_hours)
}

/// The title the partner sees for an exercise: a safety check under its discreet title.
pub fn partner_title<'a>(title: &'a str, safety_check: bool, chosen: &'a str) -> &'a str {
    if !safety_check {
        title
    } else if chosen.trim().is_empty() {
        DEFAULT_PARTNER_TITLE
    } else {
        chosen.trim()
    }
}

/// The discreet title typed on the assignment form: optional, short, one line.
pub fn parse_partner_title(errors: &mut Errors, field: &str, value: &str) -> String {
    let v = optional_text(errors, field, value, PARTNER_TITLE_MAX);
    if v.contains(['\n', '\r']) {
        errors.add(field, "Keep the title on one line.");
    }
    v
}

text_word! {
    /// What the counselor did about an alert.
    AlertAction, "alert action" {
        CalledPartner => "called_partner",
        IndividualSession => "individual_session",
        SafetyPlan => "safety_plan",
        NoActionNeeded => "no_action_needed",
    }
}

impl AlertAction {
    pub fn label(self) -> &'static str {
        match self {
            AlertAction::CalledPartner => "Called the partner",
            AlertAction::IndividualSession => "Booked an individual session",
            AlertAction::SafetyPlan => "Made or reviewed a safety plan",
            AlertAction::NoActionNeeded => "No action needed",
        }
    }
}

/// A counselor's record of what they did, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub action: AlertAction,
    pub note: String,
}

/// The acknowledge form as posted, kept as text so a rejected one comes back filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AckForm {
    pub action: String,
    pub note: String,
}

impl AckForm {
    pub fn validate(&self) -> Result<Acknowledgement, Errors> {
        let mut errors = Errors::default();
        let action = AlertAction::parse(self.action.trim());
        if action.is_none() {
            errors.add("action", "Choose what you did.");
        }
        let note = required_text(
            &mut errors,
            "note",
            &self.note,
            NOTE_MAX,
            "a short note on what you did",
        );
        match action {
            Some(action) if errors.is_empty() => Ok(Acknowledgement { action, note }),
            _ => Err(errors),
        }
    }
}

/// The practice's safety settings as typed by the admin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafetySettingsForm {
    pub crisis_text: String,
    pub exit_url: String,
}

/// Validated practice safety settings; empty strings mean "the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafetySettings {
    pub crisis_text: String,
    pub exit_url: String,
}

impl SafetySettings {
    /// The crisis text partners see.
    pub fn crisis_text(&self) -> &str {
        if self.crisis_text.trim().is_empty() {
            DEFAULT_CRISIS_TEXT
        } else {
            &self.crisis_text
        }
    }

    /// Where "Leave quickly" goes.
    pub fn exit_url(&self) -> &str {
        if self.exit_url.trim().is_empty() {
            DEFAULT_EXIT_PATH
        } else {
            &self.exit_url
        }
    }
}

impl SafetySettingsForm {
    pub fn validate(&self) -> Result<SafetySettings, Errors> {
        let mut errors = Errors::default();
        let crisis_text = optional_text(
            &mut errors,
            "crisis_text",
            &self.crisis_text,
            CRISIS_TEXT_MAX,
        );
        let exit_url = optional_text(&mut errors, "exit_url", &self.exit_url, EXIT_URL_MAX);
        if !exit_url.is_empty() && !is_plain_web_address(&exit_url) {
            errors.add(
                "exit_url",
                "Enter a full web address starting with https:// (or leave it empty for a blank page).",
            );
        }
        if errors.is_empty() {
            Ok(SafetySettings {
                crisis_text,
                exit_url,
            })
        } else {
            Err(errors)
        }
    }
}

/// An absolute http(s) address with a host and nothing that could break out of an
/// attribute or carry a script.
fn is_plain_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && host.contains('.')
                && !s.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\')
                })
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(id: i32, kind: PromptKind, raises_alert: bool) -> FormPrompt {
        FormPrompt {
            id,
            def: PromptDef {
                label: format!("q{id}"),
                help: String::new(),
                required: false,
                kind,
                metric: None,
                raises_alert,
            },
        }
    }

    /// The built-in check's shape: fear, harm, contact (yes/no) and a free text.
    fn check() -> Vec<FormPrompt> {
        vec![
            prompt(1, PromptKind::YesNo, true),
            prompt(2, PromptKind::YesNo, true),
            prompt(3, PromptKind::YesNo, true),
            prompt(4, PromptKind::LongText, true),
        ]
    }

    fn a(pairs: &[(i32, &str)]) -> Vec<(i32, String)> {
        pairs.iter().map(|(i, v)| (*i, v.to_string())).collect()
    }

    #[test]
    fn each_concerning_answer_raises_an_alert_on_its_own() {
        let p = check();
        for (id, value) in [
            (1, "yes"),
            (2, "yes"),
            (3, "yes"),
            (4, "he punched the door"),
        ] {
            let answers = a(&[(1, "no"), (2, "no"), (3, "no"), (id, value)]);
            assert!(raises_alert(&p, &answers, true, false), "prompt {id}");
            assert_eq!(concerning_prompts(&p, &answers), vec![id]);
        }
    }

    #[test]
    fn reassuring_answers_raise_nothing() {
        let p = check();
        assert!(!raises_alert(
            &p,
            &a(&[(1, "no"), (2, "no"), (3, "no")]),
            true,
            false
        ));
        assert!(!raises_alert(&p, &a(&[(1, "no"), (4, "   ")]), true, false));
        assert!(!raises_alert(&p, &[], true, false));
    }

    #[test]
    fn drafts_and_entries_with_an_open_alert_raise_nothing_more() {
        let p = check();
        let answers = a(&[(1, "yes")]);
        assert!(!raises_alert(&p, &answers, false, false));
        assert!(!raises_alert(&p, &answers, true, true));
    }

    #[test]
    fn unmarked_prompts_and_scales_are_never_concerning() {
        let p = vec![
            prompt(1, PromptKind::YesNo, false),
            prompt(2, PromptKind::LongText, false),
            prompt(
                3,
                PromptKind::Scale {
                    min: 1,
                    max: 5,
                    low_label: "l".into(),
                    high_label: "h".into(),
                },
                true,
            ),
        ];
        assert!(!raises_alert(
            &p,
            &a(&[(1, "yes"), (2, "text"), (3, "5")]),
            true,
            false
        ));
        assert!(!may_raise_alert(&p[2].def.kind));
        assert!(may_raise_alert(&PromptKind::Checklist { options: vec![] }));
    }

    #[test]
    fn a_marked_checklist_or_list_is_concerning_when_anything_is_given() {
        let p = vec![
            prompt(
                1,
                PromptKind::Checklist {
                    options: vec!["x".into()],
                },
                true,
            ),
            prompt(2, PromptKind::List, true),
        ];
        assert!(raises_alert(&p, &a(&[(1, "x")]), true, false));
        assert!(raises_alert(&p, &a(&[(2, "one")]), true, false));
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn an_alert_escalates_once_after_the_configured_hours_unless_acknowledged() {
        let raised = t("2026-03-02 09:00");
        assert!(!escalation_due(
            raised,
            false,
            false,
            t("2026-03-02 12:59"),
            4
        ));
        assert!(escalation_due(
            raised,
            false,
            false,
            t("2026-03-02 13:00"),
            4
        ));
        assert!(escalation_due(
            raised,
            false,
            false,
            t("2026-03-03 09:00"),
            4
        ));
        assert!(!escalation_due(
            raised,
            true,
            false,
            t("2026-03-02 14:00"),
            4
        ));
        assert!(!escalation_due(
            raised,
            false,
            true,
            t("2026-03-02 14:00"),
            4
        ));
        assert!(escalation_due(
            raised,
            false,
            false,
            t("2026-03-02 10:00"),
            1
        ));
    }

    #[test]
    fn the_safety_check_goes_by_its_discreet_title() {
        assert_eq!(
            partner_title("Private safety check", true, ""),
            DEFAULT_PARTNER_TITLE
        );
        assert_eq!(
            partner_title("Private safety check", true, " Notes "),
            "Notes"
        );
        assert_eq!(
            partner_title("Daily check-in", false, "ignored"),
            "Daily check-in"
        );
        let mut e = Errors::default();
        parse_partner_title(&mut e, "t", "two\nlines");
        assert!(e.get("t").is_some());
        let mut e = Errors::default();
        parse_partner_title(&mut e, "t", &"x".repeat(PARTNER_TITLE_MAX + 1));
        assert!(e.get("t").is_some());
    }

    #[test]
    fn acknowledging_needs_an_action_and_a_note() {
        let ok = AckForm {
            action: "called_partner".into(),
            note: " Spoke at 3pm ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.action, AlertAction::CalledPartner);
        assert_eq!(ok.note, "Spoke at 3pm");
        let bad = AckForm {
            action: "shrug".into(),
            note: String::new(),
        }
        .validate()
        .unwrap_err();
        assert!(bad.get("action").is_some());
        assert!(bad.get("note").is_some());
        for a in AlertAction::ALL {
            assert_eq!(AlertAction::parse(a.as_str()), Some(*a));
        }
    }

    #[test]
    fn the_exit_address_must_be_a_plain_web_address() {
        let ok = |u: &str| {
            SafetySettingsForm {
                crisis_text: String::new(),
                exit_url: u.into(),
            }
            .validate()
            .is_ok()
        };
        assert!(ok(""));
        assert!(ok("https://www.example.org/weather"));
        assert!(ok("http://news.example.com"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://exa mple.org",
            "//example.org",
            "https://x.org/\"onload",
            "data:text/html,hi",
        ] {
            assert!(!ok(bad), "{bad}");
        }
        let s = SafetySettings::default();
        assert_eq!(s.exit_url(), DEFAULT_EXIT_PATH);
        assert_eq!(s.crisis_text(), DEFAULT_CRISIS_TEXT);
    }
}
