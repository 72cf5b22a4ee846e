//! "Are you sure?" pages for the changes a counselor cannot simply take back: closing a
//! couple, ending an assignment, cancelling a session. Each says what will happen and what
//! will not, and posts the change only from its own button.

use maud::{html, Markup};

use super::layout::{page, Ctx};

/// One confirmation page.
pub struct Confirm<'a> {
    /// The page's heading, e.g. "Close the work with Rivera & Chen?".
    pub title: &'a str,
    /// What pressing the button will do, one sentence per line.
    pub happens: &'a [String],
    /// Where the button posts.
    pub action: &'a str,
    /// Extra hidden fields the change needs (e.g. the status to set).
    pub hidden: &'a [(&'a str, &'a str)],
    /// The button's words, e.g. "Close the couple".
    pub button: &'a str,
    /// Where "keep it as it is" goes back to.
    pub back: &'a str,
}

/// The form field whose presence says the counselor saw this page.
pub const CONFIRMED: &str = "confirmed";

pub fn confirm_page(ctx: &Ctx, c: &Confirm<'_>) -> Markup {
    page(
        ctx,
        c.title,
        html! {
            section.card.stack.confirm {
                h1 { (c.title) }
                ul {
                    @for line in c.happens { li { (line) } }
                }
                div.actions {
                    form.inline-form method="post" action=(c.action) {
                        (ctx.csrf_field())
                        input type="hidden" name=(CONFIRMED) value="yes";
                        @for (name, value) in c.hidden {
                            input type="hidden" name=(name) value=(value);
                        }
                        button.btn.btn-danger type="submit" { (c.button) }
                    }
                    a.btn.btn-secondary href=(c.back) { "Keep it as it is" }
                }
            }
        },
    )
}
