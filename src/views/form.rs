//! Form widgets that show an error beside their field and keep what was typed.

use maud::{html, Markup};

pub use crate::domain::validation::Errors;

/// A banner at the top of a form that came back.
pub fn summary(errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.flash.flash-error role="alert" {
                "Please correct the " (if errors.len() == 1 { "field" } else { "fields" }) " marked below. Nothing has been saved yet."
            }
        }
    }
}

/// A labelled control with an optional hint and its error message.
pub fn field(
    name: &str,
    label: &str,
    hint: Option<&str>,
    errors: &Errors,
    control: Markup,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.field.has-error[error.is_some()] {
            label for=(name) { (label) }
            @if let Some(h) = hint { p.hint id={(name) "-hint"} { (h) } }
            (control)
            @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
        }
    }
}

pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub max: usize,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input {
            name,
            label,
            value,
            kind: "text",
            required: true,
            max: 200,
            hint: None,
            autocomplete: None,
        }
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn max(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    /// HTML allows `maxlength` only on text-like inputs (not on date, time or number).
    fn takes_maxlength(&self) -> bool {
        matches!(
            self.kind,
            "text" | "email" | "password" | "search" | "tel" | "url"
        )
    }

    pub fn render(&self, errors: &Errors) -> Markup {
        let invalid = errors.get(self.name).is_some();
        let control = html! {
            input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                required[self.required] maxlength=[self.takes_maxlength().then_some(self.max)]
                autocomplete=[self.autocomplete]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| format!("{}-error", self.name))];
        };
        field(self.name, self.label, self.hint, errors, control)
    }
}

pub fn textarea(
    name: &str,
    label: &str,
    value: &str,
    max: usize,
    required: bool,
    hint: Option<&str>,
    errors: &Errors,
) -> Markup {
    let invalid = errors.get(name).is_some();
    field(
        name,
        label,
        hint,
        errors,
        html! {
            textarea id=(name) name=(name) maxlength=(max) required[required]
                aria-invalid=[invalid.then_some("true")] { (value) }
        },
    )
}

pub fn select(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
    errors: &Errors,
) -> Markup {
    field(
        name,
        label,
        None,
        errors,
        html! {
            select id=(name) name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        },
    )
}

pub fn checkbox(name: &str, label: &str, checked: bool) -> Markup {
    html! {
        div.checkbox-row {
            input type="checkbox" id=(name) name=(name) value="on" checked[checked];
            label for=(name) { (label) }
        }
    }
}

/// A form-once token: stops a double-clicked or re-sent form from creating twice.
pub fn once_field(token: &str) -> Markup {
    html! { input type="hidden" name="form_once" value=(token); }
}

/// Zones most practices start from, shown first when the practice has none of its own yet.
pub const DEFAULT_COMMON_ZONES: [&str; 6] = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
];

/// A time zone picker listing every IANA zone.
pub fn time_zone_select(name: &str, label: &str, selected: &str, errors: &Errors) -> Markup {
    let common: Vec<String> = DEFAULT_COMMON_ZONES.iter().map(|z| z.to_string()).collect();
    time_zone_select_common(name, label, selected, &common, errors)
}

/// A time zone picker: the `common` zones first (the practice's own), then every IANA zone.
/// While it shows the default (UTC or nothing chosen), `tz.js` preselects the browser's own
/// zone; without script the choice simply stays as it is.
pub fn time_zone_select_common(
    name: &str,
    label: &str,
    selected: &str,
    common: &[String],
    errors: &Errors,
) -> Markup {
    let guess = selected.is_empty() || selected == "UTC";
    let in_common = common.iter().any(|z| z == selected);
    field(
        name,
        label,
        Some("Reminders and due dates follow this zone."),
        errors,
        html! {
            select id=(name) name=(name) data-tz-guess=[guess.then_some("1")] {
                @if !common.is_empty() {
                    optgroup label="Common in this practice" {
                        @for n in common {
                            option value=(n) selected[n == selected] { (n) }
                        }
                    }
                }
                optgroup label="All time zones" {
                    @for tz in chrono_tz::TZ_VARIANTS.iter() {
                        @let n = tz.name();
                        option value=(n) selected[n == selected && !in_common] { (n) }
                    }
                }
            }
        },
    )
}
