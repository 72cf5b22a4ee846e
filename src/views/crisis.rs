//! The crisis-resources box a partner sees on the safety check form and after sending a
//! concerning answer. The text is the practice admin's (escaped like any text), or the
//! default that points to local emergency services.

use maud::{html, Markup};

/// `told`: an alert went to the counselor for this partner's answers.
pub fn panel(text: &str, told: bool) -> Markup {
    html! {
        section.crisis aria-labelledby="crisis-title" {
            @if told {
                h2 id="crisis-title" { "Your counselor has been told" }
                p { "They will get in touch with you privately, in a way that keeps this between you. If you are in danger now, do not wait for them:" }
            } @else {
                h2 id="crisis-title" { "If you need help now" }
            }
            p.prewrap { (text) }
        }
    }
}
