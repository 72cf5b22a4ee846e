//! The report's counselor-only section: the private safety checks of the period, shown only
//! when the counselor asks (`include_safety`), after every joint section and headed as not
//! for a joint session, on screen and in print (it starts a new printed page).

use chrono_tz::Tz;
use maud::{html, Markup};

use crate::db::report::SafetyItem;
use crate::domain::answers::FormPrompt;
use crate::views::entry_form;
use crate::views::format::local_datetime;

pub fn section(items: &[(SafetyItem, Vec<FormPrompt>)], couple_id: i32, tz: Tz) -> Markup {
    html! {
        section.report-section.report-safety.counselor-only aria-labelledby="report-safety" {
            h2 id="report-safety" { "Private safety checks: for the counselor only, not for a joint session" }
            p.small { "Nothing here belongs in a session with both partners. Talk with each partner about their own answers on their own." }
            @if items.is_empty() {
                p.muted { "No safety check was submitted in this period." }
            } @else {
                @for (item, prompts) in items {
                    article.card.stack {
                        h3 {
                            (item.partner_name)
                            @if let Some(t) = item.submitted_at { " · " (local_datetime(t, tz)) }
                        }
                        @for a in &item.alerts {
                            p.small {
                                a href=(crate::views::alerts::alert_href(couple_id, a.id)) { "Safety alert" }
                                " · "
                                @match a.action_taken {
                                    Some(action) => (action.label()),
                                    None => strong { "open" },
                                }
                            }
                        }
                        (entry_form::answers(prompts, &item.answers))
                    }
                }
            }
        }
    }
}
