//! Banners after a redirect, chosen by a fixed key in the URL so no user text ever travels
//! in a URL: every key a handler redirects with, and the sentence it shows.

/// Banners after a redirect, chosen by key so no user text ever travels in a URL.
pub fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "welcome" => "Your practice is set up. Welcome to Trellis.",
        "signed-out" => "You have signed out.",
        "counselor-added" => "The counselor was added. Share their email and password with them in person or by phone.",
        "counselor-deactivated" => "The counselor was deactivated and signed out everywhere.",
        "counselor-reactivated" => "The counselor can sign in again.",
        "exercise-created" => "Your exercise was saved to the library.",
        "exercise-updated" => "Your changes to the exercise were saved.",
        "exercise-archived" => "The exercise was archived. Existing assignments keep working.",
        "exercise-restored" => "The exercise is back in the library.",
        "already-submitted" => "That form had already been sent, so nothing was saved twice.",
        _ => return extra_notice(key),
    })
}

/// Notices added by later areas.
fn extra_notice(key: &str) -> Option<&'static str> {
    if let Some(text) = portal_notice(key) {
        return Some(text);
    }
    if let Some(text) = safety_notice(key) {
        return Some(text);
    }
    if let Some(text) = week_notice(key) {
        return Some(text);
    }
    if let Some(text) = account_notice(key) {
        return Some(text);
    }
    Some(match key {
        "couple-created" => {
            "The couple was added. Next, assign an exercise or book their first session."
        }
        "couple-updated" => "The couple's details were saved.",
        "couple-paused" => {
            "The work with this couple is paused. They are off your dashboard until you resume."
        }
        "couple-resumed" => "The work with this couple has resumed.",
        "couple-closed-now" => "The couple is closed. Their record stays readable.",
        "couple-closed" => "This couple is closed, so nothing was changed.",
        "couple-reassigned" => "The couple was reassigned.",
        "assignment-created" => "The exercise was assigned.",
        "assignment-paused" => "The assignment is paused; nothing is owed until you resume it.",
        "assignment-resumed" => "The assignment has resumed from today.",
        "assignment-ended" => "The assignment has ended; nothing is owed after today.",
        "session-booked" => "The session was booked.",
        "session-moved" => "The session was moved.",
        "session-cancelled" => "The session was cancelled.",
        _ => return None,
    })
}

/// Banners for the portal's redirects.
fn portal_notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "entry-submitted" => "Thank you. Your entry has been submitted.",
        "entry-updated" => "Your changes were saved. The earlier version is kept.",
        "draft-saved" => "Your draft is saved. Only you can see it until you submit it.",
        "journal-added" => "Your journal entry was added.",
        "setback-saved" => "Your note was saved. Setbacks are a normal part of this work; thank you for writing it down.",
        "password-set" => "Your password was saved.",
        "reminders-saved" => "Your reminder settings were saved.",
        "edit-window-closed" => "This entry can no longer be changed; it is shown as you submitted it.",
        "invitations-sent" => "Invitations were sent to both partners.",
        "invitations-closed" => "This couple's work is closed, so no invitations were sent.",
        "entry-flagged" => "The entry is flagged for your next session.",
        "entry-unflagged" => "The flag was removed.",
        "setback-updated" => "Your changes were saved. The earlier wording is kept.",
        "promise-rated" => "Thank you. Your answer was saved and shared as the form said.",
        "comment-added" => "Your comment was added. The partner who wrote the entry will see it.",
        _ => return None,
    })
}

/// Notices of the safety-alert area.
fn safety_notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "alert-acknowledged" => "Recorded. The alert has left your dashboard and stays in the couple's record.",
        "alert-already-acknowledged" => "This alert had already been acknowledged, so nothing was recorded twice.",
        "safety-settings-saved" => "The safety settings were saved.",
        "checkin-sent" => "Thank you. Your check-in has been sent to your counselor.",
        "entry-not-for-session" => "Safety check answers are for you and the partner alone, never for a joint session: nothing was changed.",
        _ => return None,
    })
}

/// Banners for the counselor's week (#15): reopening, assignment edits.
fn week_notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "couple-reopened" => "The couple is open again and back on your dashboard.",
        "assignment-updated" => {
            "The assignment was changed from today on; what was owed before stays as it was."
        }
        "assignment-unchanged" => "Nothing was different, so the assignment was left as it was.",
        _ => return None,
    })
}

/// Banners for counselor accounts.
fn account_notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "sign-in-again" => "Your sign-in took too long to finish. Please sign in again.",
        "password-changed" => "Your password was changed. Every other browser was signed out.",
        "password-saved" => "Your password was saved. Sign in with it now.",
        "password-confirmed" => "Thank you. Please repeat the change you were making.",
        "two-factor-off" => "Two-step sign-in is off.",
        "two-factor-required" => "Your practice requires two-step sign-in, so it stays on.",
        "browser-forgotten" => "That browser will be asked for a code again.",
        "signed-out-elsewhere" => "Every other browser was signed out.",
        "counselor-invited" => {
            "The counselor was added and invited by email to choose their password."
        }
        "two-factor-reset" => {
            "Their two-step sign-in was reset; they were signed out and told by email."
        }
        "two-factor-rule-saved" => "The practice's sign-in rule was saved.",
        _ => return None,
    })
}
