//! Where the embedded stylesheet and icon are served: the URL carries the version so a new
//! build is fetched at once. `web::assets` serves them at these paths.

pub const STYLESHEET_PATH: &str = concat!("/assets/style-", env!("CARGO_PKG_VERSION"), ".css");
pub const ICON_PATH: &str = concat!("/assets/icon-", env!("CARGO_PKG_VERSION"), ".svg");
pub const QUICK_EXIT_SCRIPT_PATH: &str =
    concat!("/assets/quick-exit-", env!("CARGO_PKG_VERSION"), ".js");
/// The little script that preselects the browser's time zone in a picker left at UTC.
pub const TZ_SCRIPT_PATH: &str = concat!("/assets/tz-", env!("CARGO_PKG_VERSION"), ".js");
