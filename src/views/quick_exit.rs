//! "Leave quickly": a button on every partner page that swaps the page for a neutral one.
//! A plain link (works without JavaScript); `assets/quick-exit.js`, served from 'self',
//! makes it replace the history entry and adds the triple-Escape shortcut.

use maud::{html, Markup, DOCTYPE};

use super::assets::QUICK_EXIT_SCRIPT_PATH;

/// Where the button points: our own neutral page, which forwards to the practice's chosen
/// address when one is set (so pages need not know it).
pub const AWAY_PATH: &str = "/away";

/// The script tag for the page head (deferred; no inline script).
pub fn script() -> Markup {
    html! { script src=(QUICK_EXIT_SCRIPT_PATH) defer {} }
}

/// The button itself, first in the page header so it is visible without scrolling.
pub fn button() -> Markup {
    html! {
        nav.quick-exit-bar aria-label="Quick exit" {
            a.quick-exit href=(AWAY_PATH) data-quick-exit rel="noreferrer"
                title="Leaves this site at once. Pressing Escape three times does the same." {
                "Leave quickly"
            }
        }
    }
}

/// The neutral page: blank, nothing that names the portal.
pub fn away_page() -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { "New tab" }
            }
            body {}
        }
    }
}
