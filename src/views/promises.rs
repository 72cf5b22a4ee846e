//! Promises between the partners: the "did they keep it?" card, the partner's promises page,
//! the weekly record, and the counselor's section of the couple page.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::form::{self, Errors};
use super::format;
use super::layout::{page, Ctx};
use crate::domain::exercise::Visibility;
use crate::domain::promise::{total, PromiseOutcome, RatingForm, WeekRecord, NOTE_MAX};

/// A rating as the reader may see it.
#[derive(Debug, Clone)]
pub struct RatingShown {
    pub outcome: PromiseOutcome,
    /// The note, only where the reader may read it.
    pub note: Option<String>,
    /// The note exists but is kept for the counselor (said to the rater only).
    pub note_private: bool,
    pub rated_on: NaiveDate,
    pub by: String,
}

/// One promise in a list.
#[derive(Debug, Clone)]
pub struct PromiseItem {
    pub entry_id: i32,
    /// First name of the partner who made it.
    pub who: String,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub rating: Option<RatingShown>,
}

/// A card that asks for a rating, with the form as typed and its errors.
pub struct RatingCard<'a> {
    pub item: &'a PromiseItem,
    pub form: &'a RatingForm,
    pub errors: &'a Errors,
    /// Whether the couple's policy lets the rater keep the note for the counselor.
    pub choice_allowed: bool,
    /// Heading level: `h2` on the home page and the promises page.
    pub heading_id: String,
}

fn radio(name: &str, id: &str, value: &str, label: &str, checked: bool) -> Markup {
    html! {
        div.checkbox-row {
            input type="radio" id=(id) name=(name) value=(value) checked[checked];
            label for=(id) { (label) }
        }
    }
}

/// "Did {name} keep this promise?" with kept / partly / not kept and an optional note.
pub fn rating_card(ctx: &Ctx, c: &RatingCard<'_>) -> Markup {
    let id = c.item.entry_id;
    let err = |name: &str| {
        c.errors
            .get(name)
            .map(|e| html! { p.error role="alert" { (e) } })
    };
    let note_name = "note";
    let note_id = format!("note-{id}");
    html! {
        section.card.promise-card id={"promise-" (id)} aria-labelledby=(c.heading_id) {
            h2 id=(c.heading_id) { "Did " (c.item.who) " keep this promise?" }
            p.promise-text { (c.item.text) }
            @if let Some(due) = c.item.due { p.small.muted { "Due " (format::long_date(due)) } }
            form.form method="post" action={"/me/promises/" (id) "/rate"} novalidate {
                (ctx.csrf_field())
                (form::summary(c.errors))
                fieldset.field.has-error[c.errors.get("outcome").is_some()] {
                    legend { "How did it go?" }
                    @for o in PromiseOutcome::ALL {
                        (radio("outcome", &format!("outcome-{id}-{}", o.as_str()), o.as_str(), o.label(), c.form.outcome == o.as_str()))
                    }
                    @if let Some(e) = err("outcome") { (e) }
                }
                div.field.has-error[c.errors.get(note_name).is_some()] {
                    label for=(note_id) { "A note for " (c.item.who) " (optional)" }
                    p.hint { "A word of recognition goes a long way." }
                    textarea id=(note_id) name=(note_name) maxlength=(NOTE_MAX) { (c.form.note) }
                    @if let Some(e) = err(note_name) { (e) }
                }
                @if c.choice_allowed {
                    fieldset.field {
                        legend { "Who will see the note?" }
                        (radio("note_visibility", &format!("nv-{id}-p"), Visibility::CounselorAndPartner.as_str(), &format!("{} and your counselor", c.item.who), c.form.note_visibility != Visibility::CounselorOnly.as_str()))
                        (radio("note_visibility", &format!("nv-{id}-c"), Visibility::CounselorOnly.as_str(), "Only your counselor", c.form.note_visibility == Visibility::CounselorOnly.as_str()))
                    }
                } @else {
                    p.small.muted { "Who will see this: " (c.item.who) " and your counselor." }
                }
                div.actions { button.btn.btn-primary type="submit" { "Save my answer" } }
            }
        }
    }
}

fn rating_line(r: &RatingShown, reader_is_rater: bool) -> Markup {
    html! {
        p {
            strong { (r.outcome.label()) }
            span.muted.small { " · " @if reader_is_rater { "your answer" } @else { "from " (r.by) } ", " (format::short_date(r.rated_on)) }
        }
        @if let Some(n) = &r.note { @if !n.is_empty() { blockquote.note { (n) } } }
        @if r.note_private && reader_is_rater { p.small.muted { "Your note is for your counselor only." } }
    }
}

fn promise_list(items: &[PromiseItem], reader_is_rater: bool, waiting: &str) -> Markup {
    html! {
        ul.stack.plain-list {
            @for p in items {
                li.card id={"promise-" (p.entry_id)} {
                    p.promise-text { (p.text) }
                    @if let Some(due) = p.due { p.small.muted { "Due " (format::long_date(due)) } }
                    @match &p.rating {
                        Some(r) => (rating_line(r, reader_is_rater)),
                        None => p.small.muted { (waiting) },
                    }
                }
            }
        }
    }
}

/// The record as a small table: weeks down, made / due / kept / partly / not kept / waiting.
pub fn record_table(caption: &str, weeks: &[WeekRecord]) -> Markup {
    let t = total(weeks);
    html! {
        // Focusable so a keyboard can scroll it on a narrow screen.
        div.table-wrap tabindex="0" role="region" aria-label=(caption) {
            table.data.promise-record {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Week of" }
                    th scope="col" class="num" { "Made" }
                    th scope="col" class="num" { "Due" }
                    th scope="col" class="num" { "Kept" }
                    th scope="col" class="num" { "Partly" }
                    th scope="col" class="num" { "Not kept" }
                    th scope="col" class="num" { "Not rated yet" }
                } }
                tbody {
                    @for w in weeks {
                        tr {
                            th scope="row" { (format::short_date(w.week_start)) }
                            td.num { (w.tally.made) }
                            td.num { (w.tally.due) }
                            td.num { (w.tally.kept) }
                            td.num { (w.tally.partly) }
                            td.num { (w.tally.not_kept) }
                            td.num { (w.tally.awaiting) }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { "All weeks" }
                    td.num { (t.made) }
                    td.num { (t.due) }
                    td.num { (t.kept) }
                    td.num { (t.partly) }
                    td.num { (t.not_kept) }
                    td.num { (t.awaiting) }
                } }
            }
        }
    }
}

/// The partner's promises page.
pub struct PromisesPage {
    pub other_name: String,
    pub to_rate: Vec<PromiseItem>,
    pub made_to_me: Vec<PromiseItem>,
    pub mine: Vec<PromiseItem>,
    /// Record of the couple's promises (both partners), oldest week first.
    pub record_mine: Vec<WeekRecord>,
    pub record_theirs: Vec<WeekRecord>,
    pub choice_allowed: bool,
    /// A refused or invalid rating: (promise, form as typed, errors, a message for the page).
    pub failed: Option<(i32, RatingForm, Errors, Option<String>)>,
}

pub fn partner_page(ctx: &Ctx, p: &PromisesPage) -> Markup {
    let blank = RatingForm::default();
    let no_errors = Errors::default();
    page(
        ctx,
        "Promises",
        html! {
            div.container.narrow.flush {
                h1 { "Promises" }
                p.lead { "Small promises kept day after day. You write yours with the promise tracker; " (p.other_name) " says how each one went once its day has come." }
                @if let Some((_, _, _, Some(message))) = &p.failed {
                    p.flash.flash-error role="alert" { (message) }
                }
                @for (i, item) in p.to_rate.iter().enumerate() {
                    @let (form, errors) = match &p.failed {
                        Some((id, f, e, _)) if *id == item.entry_id => (f, e),
                        _ => (&blank, &no_errors),
                    };
                    (rating_card(ctx, &RatingCard { item, form, errors, choice_allowed: p.choice_allowed, heading_id: format!("rate-{i}") }))
                }
                h2 { "Your promises" }
                @if p.mine.is_empty() {
                    p.muted { "You have not written a promise yet." }
                } @else {
                    (promise_list(&p.mine, false, "Not rated yet."))
                }
                h2 { "Promises " (p.other_name) " made to you" }
                @if p.made_to_me.is_empty() {
                    p.muted { "None yet." }
                } @else {
                    (promise_list(&p.made_to_me, true, "You can say how it went from its day on."))
                }
                h2 { "The last weeks" }
                (record_table("Your promises by week", &p.record_mine))
                (record_table(&format!("{}'s promises by week", p.other_name), &p.record_theirs))
            }
        },
    )
}

/// One partner's promises for the counselor.
pub struct CounselorPromises {
    pub name: String,
    pub items: Vec<PromiseItem>,
    pub record: Vec<WeekRecord>,
}

/// The couple page's promises section: each partner's record and latest promises, with
/// every rating and note (the counselor sees notes kept from the promiser).
pub fn counselor_section(partners: &[CounselorPromises]) -> Markup {
    html! {
        section.card id="promises" aria-labelledby="promises-heading" {
            h2 id="promises-heading" { "Promises" }
            @if partners.iter().all(|p| p.items.is_empty()) {
                p.muted { "No promises written yet." }
            }
            @for p in partners {
                @if !p.items.is_empty() {
                    h3 { (p.name) }
                    (record_table(&format!("{}'s promises by week", p.name), &p.record))
                    ul.plain-list {
                        @for i in p.items.iter().take(10) {
                            li {
                                (i.text)
                                @if let Some(due) = i.due { span.muted.small { " · due " (format::short_date(due)) } }
                                " · "
                                @match &i.rating {
                                    Some(r) => {
                                        strong { (r.outcome.label()) }
                                        @if let Some(n) = &r.note { @if !n.is_empty() { " · “" (n) "”" } }
                                        @if r.note_private { span.muted.small { " (note for you only)" } }
                                    }
                                    None => span.muted { "not rated yet" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
