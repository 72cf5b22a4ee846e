//! Exercise definitions: the kinds of prompt an exercise can ask, who does it, and who
//! sees the answers. Pure types shared by the built-in library, custom exercises and forms.

use std::fmt;

/// Who an exercise is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Performer {
    Both,
    /// The partner who broke trust.
    Offending,
    /// The partner who was hurt.
    Hurt,
}

impl Performer {
    pub const ALL: [Performer; 3] = [Performer::Both, Performer::Offending, Performer::Hurt];

    pub fn as_str(self) -> &'static str {
        match self {
            Performer::Both => "both",
            Performer::Offending => "offending",
            Performer::Hurt => "hurt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Performer::Both => "Both partners",
            Performer::Offending => "Partner who broke trust",
            Performer::Hurt => "Hurt partner",
        }
    }
}

/// Who can read an entry besides its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the counselor.
    CounselorOnly,
    /// The counselor and the other partner.
    CounselorAndPartner,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::CounselorOnly => "counselor",
            Visibility::CounselorAndPartner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "counselor" => Some(Visibility::CounselorOnly),
            "partner" => Some(Visibility::CounselorAndPartner),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Visibility::CounselorOnly => "Only your counselor",
            Visibility::CounselorAndPartner => "Your counselor and your partner",
        }
    }
}

/// The practice elements of DOMAIN.md, numbered 1..=14.
pub const ELEMENTS: [(u8, &str); 14] = [
    (1, "Naming what broke trust"),
    (2, "Taking responsibility"),
    (3, "Listening to understand"),
    (4, "Transparency"),
    (5, "Boundaries agreed together"),
    (6, "Consistency over grand gestures"),
    (7, "Shared co-journal"),
    (8, "Emotional intimacy"),
    (9, "Shared rituals"),
    (10, "Patience and setbacks"),
    (11, "Forgiveness"),
    (12, "Learning from mistakes"),
    (13, "Celebrating small wins"),
    (14, "Warning signs"),
];

pub fn element_name(n: u8) -> Option<&'static str> {
    ELEMENTS.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
}

/// A prompt's kind, with the settings that kind needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    LongText,
    ShortText,
    /// A whole-number scale from `min` to `max` with a label at each end.
    Scale {
        min: i32,
        max: i32,
        low_label: String,
        high_label: String,
    },
    YesNo,
    /// Tick any of the listed options.
    Checklist {
        options: Vec<String>,
    },
    /// A list of free-text items, one per line.
    List,
    Date,
}

impl PromptKind {
    pub const NAMES: [(&'static str, &'static str); 7] = [
        ("long_text", "Long text"),
        ("short_text", "Short text"),
        ("scale", "Number scale"),
        ("yes_no", "Yes / no"),
        ("checklist", "Checklist"),
        ("list", "List of items"),
        ("date", "Date"),
    ];

    pub fn code(&self) -> &'static str {
        match self {
            PromptKind::LongText => "long_text",
            PromptKind::ShortText => "short_text",
            PromptKind::Scale { .. } => "scale",
            PromptKind::YesNo => "yes_no",
            PromptKind::Checklist { .. } => "checklist",
            PromptKind::List => "list",
            PromptKind::Date => "date",
        }
    }

    pub fn name(&self) -> &'static str {
        let code = self.code();
        Self::NAMES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| *n)
            .unwrap_or("Prompt")
    }
}

/// What a prompt's answer feeds into the counselor's figures (dashboard, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Overall trust, 0-10.
    Trust,
    /// Mood, 1-5.
    Mood,
    /// Warning sign: communication drying up (1-5, higher is more worrying).
    WarnCommunication,
    /// Warning sign: secrets or deception.
    WarnSecrecy,
    /// Warning sign: emotional distance.
    WarnDistance,
    /// Warning sign: broken promises.
    WarnPromises,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Trust,
        Metric::Mood,
        Metric::WarnCommunication,
        Metric::WarnSecrecy,
        Metric::WarnDistance,
        Metric::WarnPromises,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Trust => "trust",
            Metric::Mood => "mood",
            Metric::WarnCommunication => "warn_communication",
            Metric::WarnSecrecy => "warn_secrecy",
            Metric::WarnDistance => "warn_distance",
            Metric::WarnPromises => "warn_promises",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One question of an exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptDef {
    pub label: String,
    pub help: String,
    pub required: bool,
    pub kind: PromptKind,
    pub metric: Option<Metric>,
    /// Concerning answers raise a safety alert (see `domain::safety::is_concerning`).
    pub raises_alert: bool,
}

/// A whole exercise definition, as the library installs it or a counselor writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseDef {
    /// Stable identifier of a built-in exercise; `None` for a counselor's own.
    pub slug: Option<String>,
    pub title: String,
    pub summary: String,
    /// Practice elements served, numbers from [`ELEMENTS`].
    pub elements: Vec<u8>,
    pub performer: Performer,
    pub cadence_hint: String,
    pub default_visibility: Visibility,
    /// May the partner pick the other visibility on the form?
    pub visibility_choice: bool,
    /// Hold a partner's shared answer back until the other partner has submitted theirs.
    pub paired_reveal: bool,
    /// The private safety check: never shown to the other partner in any form.
    pub safety_check: bool,
    /// The shared co-journal: every entry is visible to both partners and the counselor.
    pub shared_journal: bool,
    pub prompts: Vec<PromptDef>,
}

impl fmt::Display for Performer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
