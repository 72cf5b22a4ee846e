//! The suggested agenda of a session-prep report: what from the period deserves time in
//! the session (flagged entries, severe setbacks and those marked to raise, falling trust,
//! missed exercises), and the counselor's own order and notes before printing.
//!
//! Items name the partner, the exercise and the date, never what a partner wrote, and a
//! report that includes private safety checks suggests nothing (a safety check is never
//! material for a joint session).

use super::session::SessionReport;

/// One thing to raise in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// Stable within the report, e.g. "entry-12", for the reorder form.
    pub key: String,
    /// The item in words.
    pub text: String,
}

/// An item as the counselor arranged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arranged {
    pub item: AgendaItem,
    /// The counselor's note for the session ("" for none).
    pub note: String,
}

/// What the counselor asked for one item on the arrange form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choice {
    pub key: String,
    /// Position as typed; unreadable positions keep the suggested order.
    pub position: String,
    pub keep: bool,
    pub note: String,
}

/// The longest note kept per item.
pub const NOTE_MAX: usize = 500;

/// A fall in a partner's trust over the period (first to last rating) of at least
/// `trust_drop` points, a setback of at least `severe_min`, or any entry or setback a
/// partner marked for the session makes an item; so does any missed exercise.
pub fn suggest(r: &SessionReport, severe_min: i32, trust_drop: i32) -> Vec<AgendaItem> {
    if r.include_safety {
        return Vec::new();
    }
    let mut items = Vec::new();
    for f in &r.flagged {
        items.push(AgendaItem {
            key: format!("entry-{}", f.id),
            text: format!(
                "{} flagged their “{}” of {} for this session",
                r.partner_name(f.partner_id),
                f.title,
                f.date.format("%A %-d %B")
            ),
        });
    }
    for s in &r.setbacks {
        if s.severity >= severe_min.max(1) || s.raise_in_session {
            let why = if s.raise_in_session {
                "asked to raise it in session"
            } else {
                "a severe one"
            };
            items.push(AgendaItem {
                key: format!("setback-{}", s.id),
                text: format!(
                    "The setback {} logged for {} (severity {} of 5, {why})",
                    r.partner_name(s.partner_id),
                    s.happened_on.format("%A %-d %B"),
                    s.severity
                ),
            });
        }
    }
    for pr in &r.ratings {
        if let (Some(first), Some(last)) = (pr.trust.first, pr.trust.last) {
            if first - last >= trust_drop.max(1) {
                items.push(AgendaItem {
                    key: format!("trust-{}", pr.partner_id),
                    text: format!(
                        "{}'s trust fell from {first} to {last} over the period",
                        r.partner_name(pr.partner_id)
                    ),
                });
            }
        }
    }
    for c in &r.completion {
        if !c.missed.is_empty() {
            items.push(AgendaItem {
                key: format!("missed-{}-{}", c.partner_id, c.assignment_id),
                text: format!(
                    "{} missed {} of {} “{}”",
                    r.partner_name(c.partner_id),
                    c.missed.len(),
                    c.owed,
                    c.title
                ),
            });
        }
    }
    items
}

/// The suggested items in the counselor's order with their notes: items left unticked are
/// dropped, unknown keys ignored, ties and unreadable positions keep the suggested order,
/// notes are trimmed to [`NOTE_MAX`] characters. Without any choice, the suggestion as is.
pub fn arrange(suggested: &[AgendaItem], choices: &[Choice]) -> Vec<Arranged> {
    if choices.is_empty() {
        return suggested
            .iter()
            .map(|item| Arranged {
                item: item.clone(),
                note: String::new(),
            })
            .collect();
    }
    let mut kept: Vec<(i64, usize, Arranged)> = suggested
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let choice = choices.iter().find(|c| c.key == item.key)?;
            if !choice.keep {
                return None;
            }
            let fallback = i64::try_from(i + 1).unwrap_or(i64::MAX);
            let position = choice.position.trim().parse::<i64>().unwrap_or(fallback);
            Some((
                position,
                i,
                Arranged {
                    item: item.clone(),
                    note: choice.note.trim().chars().take(NOTE_MAX).collect(),
                },
            ))
        })
        .collect();
    kept.sort_by_key(|(position, i, _)| (*position, *i));
    kept.into_iter().map(|(_, _, a)| a).collect()
}

/// The arrange form's fields as choices: `item` names each key in order; `pos_KEY`,
/// `keep_KEY` and `note_KEY` carry the rest.
pub fn choices_from_pairs(pairs: &[(String, String)]) -> Vec<Choice> {
    let get = |name: String| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, key)| Choice {
            key: key.clone(),
            position: get(format!("pos_{key}")).unwrap_or_default(),
            keep: get(format!("keep_{key}")).is_some(),
            note: get(format!("note_{key}")).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str) -> AgendaItem {
        AgendaItem {
            key: key.to_string(),
            text: format!("about {key}"),
        }
    }

    fn choice(key: &str, position: &str, keep: bool, note: &str) -> Choice {
        Choice {
            key: key.into(),
            position: position.into(),
            keep,
            note: note.into(),
        }
    }

    fn keys(a: &[Arranged]) -> Vec<&str> {
        a.iter().map(|x| x.item.key.as_str()).collect()
    }

    #[test]
    fn without_choices_the_suggestion_stands() {
        let s = [item("a"), item("b")];
        assert_eq!(keys(&arrange(&s, &[])), vec!["a", "b"]);
    }

    #[test]
    fn the_counselor_reorders_drops_and_annotates() {
        let s = [item("a"), item("b"), item("c")];
        let got = arrange(
            &s,
            &[
                choice("a", "3", true, " start gently "),
                choice("b", "1", true, ""),
                choice("c", "2", false, "not this week"),
                choice("zzz", "0", true, "unknown"),
            ],
        );
        assert_eq!(keys(&got), vec!["b", "a"]);
        assert_eq!(got[1].note, "start gently");
    }

    #[test]
    fn unreadable_positions_and_ties_keep_the_suggested_order() {
        let s = [item("a"), item("b"), item("c")];
        let got = arrange(
            &s,
            &[
                choice("a", "x", true, ""),
                choice("b", "1", true, ""),
                choice("c", "1", true, ""),
            ],
        );
        assert_eq!(keys(&got), vec!["a", "b", "c"]);
        let long = "n".repeat(NOTE_MAX + 50);
        let got = arrange(&s[..1], &[choice("a", "1", true, &long)]);
        assert_eq!(got[0].note.chars().count(), NOTE_MAX);
    }

    #[test]
    fn form_pairs_become_choices() {
        let pairs: Vec<(String, String)> = [
            ("item", "entry-1"),
            ("pos_entry-1", "2"),
            ("keep_entry-1", "on"),
            ("note_entry-1", "ask Sam first"),
            ("item", "trust-3"),
            ("pos_trust-3", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            choices_from_pairs(&pairs),
            vec![
                choice("entry-1", "2", true, "ask Sam first"),
                choice("trust-3", "1", false, ""),
            ]
        );
    }
}
