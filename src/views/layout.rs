//! The page frame every screen shares, and the request context it needs (built from the
//! request by `web::ctx`).

use maud::{html, Markup, DOCTYPE};

use super::assets::{ICON_PATH, STYLESHEET_PATH};
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

fn nav_link(ctx: &Ctx, href: &str, label: &str) -> Markup {
    let current = ctx.path == href || (href != "/" && ctx.path.starts_with(&format!("{href}/")));
    html! {
        li { a href=(href) class=[current.then_some("current")] aria-current=[current.then_some("page")] { (label) } }
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
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.site-header {
                    a.brand href="/" { "Trellis" }
                    @if let Some(user) = &ctx.user {
                        nav.main-nav aria-label="Main" {
                            ul {
                                @match user.kind {
                                    UserKind::Counselor => {
                                        (nav_link(ctx, "/dashboard", "Dashboard"))
                                        (nav_link(ctx, "/couples", "Couples"))
                                        (nav_link(ctx, "/exercises", "Exercise library"))
                                        @if user.is_admin {
                                            (nav_link(ctx, "/practice", "Practice"))
                                        }
                                        (nav_link(ctx, "/account", "Your account"))
                                    }
                                    UserKind::Partner => {
                                        (nav_link(ctx, "/me", "Home"))
                                        (nav_link(ctx, "/me/journal", "Co-journal"))
                                        (nav_link(ctx, "/me/setbacks/new", "Log a setback"))
                                        (nav_link(ctx, "/me/settings", "Settings"))
                                    }
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
