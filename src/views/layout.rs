//! The page frame every screen shares, and the request context it needs (built from the
//! request by `web::ctx`).

use maud::{html, Markup, DOCTYPE};

use super::assets::{ICON_PATH, STYLESHEET_PATH, TZ_SCRIPT_PATH};
use crate::auth::identity::{Identity, UserKind, CSRF_FIELD};

/// What the layout and forms need from the request: plain data, so views stay free of the
/// HTTP framework.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: Option<Identity>,
    pub csrf: String,
    pub notice: Option<&'static str>,
    pub path: String,
    pub request_id: String,
}

impl Ctx {
    /// The hidden CSRF field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(CSRF_FIELD) value=(self.csrf); }
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin)
    }
}

/// The navigation entries for a signed-in user: (href, label).
fn nav_items(user: &Identity) -> Vec<(&'static str, &'static str)> {
    match user.kind {
        UserKind::Counselor => {
            let mut items = vec![
                ("/dashboard", "Dashboard"),
                ("/couples", "Couples"),
                ("/exercises", "Exercise library"),
            ];
            if user.is_admin {
                items.push(("/practice", "Practice"));
            }
            items.push(("/account", "Your account"));
            items
        }
        UserKind::Partner => vec![
            ("/me", "Home"),
            ("/me/journal", "Co-journal"),
            ("/me/promises", "Promises"),
            ("/me/setbacks", "Setbacks"),
            ("/me/progress", "Your progress"),
            ("/me/settings", "Settings"),
        ],
    }
}

/// The one entry that marks the current page: the longest href that is the path or a
/// folder above it, so "/me/journal" marks Co-journal and not Home as well.
pub fn current_nav<'a>(path: &str, hrefs: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    hrefs
        .into_iter()
        .filter(|href| path == *href || path.starts_with(&format!("{href}/")))
        .max_by_key(|href| href.len())
}

fn nav_link(href: &str, label: &str, current: bool) -> Markup {
    html! {
        li { a href=(href) class=[current.then_some("current")] aria-current=[current.then_some("page")] { (label) } }
    }
}

/// Pages a partner sees: signed in as a partner, or the partner sign-in pages. They carry
/// the "Leave quickly" button.
fn is_partner_page(ctx: &Ctx) -> bool {
    match &ctx.user {
        Some(user) => user.kind == UserKind::Partner,
        None => ctx.path == "/sign-in" || ctx.path.starts_with("/sign-in/"),
    }
}

/// The frame: header with navigation for the signed-in user, notices, content, footer.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) " · Trellis" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                link rel="icon" type="image/svg+xml" href=(ICON_PATH);
                @if is_partner_page(ctx) { (super::quick_exit::script()) }
                script src=(TZ_SCRIPT_PATH) defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                @if is_partner_page(ctx) { (super::quick_exit::button()) }
                header.site-header {
                    a.brand href="/" { "Trellis" }
                    @if let Some(user) = &ctx.user {
                        nav.main-nav aria-label="Main" {
                            ul {
                                @let items = nav_items(user);
                                @let current = current_nav(&ctx.path, items.iter().map(|(h, _)| *h));
                                @for (href, label) in &items {
                                    (nav_link(href, label, current == Some(*href)))
                                }
                                li {
                                    form.inline-form method="post" action="/logout" {
                                        (ctx.csrf_field())
                                        button.btn-link type="submit" { "Sign out" }
                                    }
                                }
                            }
                        }
                        span.signed-in-as { "Signed in as " (user.display_name) }
                    }
                }
                main.container id="main" {
                    @if let Some(text) = ctx.notice {
                        p.flash.flash-success role="status" { (text) }
                    }
                    (body)
                }
                footer.site-footer {
                    p.small.muted { "Trellis · what you write here is kept private as each form describes." }
                }
            }
        }
    }
}

/// A bare frame for pages shown without a signed-in context (error pages).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Trellis" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                link rel="icon" type="image/svg+xml" href=(ICON_PATH);
            }
            body {
                header.site-header { a.brand href="/" { "Trellis" } }
                main.container.narrow id="main" { (body) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::current_nav;

    #[test]
    fn exactly_one_tab_is_current_on_nested_pages() {
        let hrefs = ["/me", "/me/journal", "/me/setbacks", "/me/settings"];
        assert_eq!(current_nav("/me", hrefs), Some("/me"));
        assert_eq!(current_nav("/me/journal", hrefs), Some("/me/journal"));
        assert_eq!(current_nav("/me/setbacks/new", hrefs), Some("/me/setbacks"));
        assert_eq!(current_nav("/me/entries/4", hrefs), Some("/me"));
        assert_eq!(current_nav("/me/settingsx", hrefs), Some("/me"));
        assert_eq!(current_nav("/couples", hrefs), None);
    }
}
