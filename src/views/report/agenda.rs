//! The report's suggested agenda: what prints, and the form (not printed) where the
//! counselor puts the items in their order, drops some and adds a note to each.

use maud::{html, Markup};

use super::Extras;
use crate::domain::report::{ReportQuery, SessionReport};
use crate::views::Ctx;

pub(super) fn section(ctx: &Ctx, r: &SessionReport, q: &ReportQuery, x: &Extras) -> Markup {
    html! {
        section.report-section aria-labelledby="agenda-h" {
            h2 id="agenda-h" { "Agenda for the session" }
            @if r.include_safety {
                p.muted { "No agenda is suggested while private safety checks are included: they are for a conversation with that partner alone, never a joint session. Show the report without them to see the suggestion." }
            } @else if x.agenda.is_empty() {
                p.muted {
                    @if x.arranged { "You left every suggested item out." }
                    @else { "Nothing in this period stands out for the agenda." }
                }
            } @else {
                @if !x.arranged {
                    p.muted.small.no-print { "Suggested from the period. Change the order, leave items out or add a note below, then print." }
                }
                ol.agenda {
                    @for a in &x.agenda {
                        li {
                            (a.item.text)
                            @if !a.note.is_empty() { p.agenda-note.prewrap { (a.note) } }
                        }
                    }
                }
            }
            @if !x.suggested.is_empty() {
                details.no-print open[x.arranged] {
                    summary { "Arrange the agenda" }
                    form.form method="post" action={"/couples/" (r.couple.id) "/report" (q.link_suffix())} {
                        (ctx.csrf_field())
                        @for (i, item) in x.suggested.iter().enumerate() {
                            @let chosen = x.agenda.iter().position(|a| a.item.key == item.key);
                            @let note = chosen.map(|p| x.agenda[p].note.as_str()).unwrap_or("");
                            @let position = chosen.map_or(i + 1, |p| p + 1);
                            @let key = &item.key;
                            fieldset.field.agenda-item {
                                legend { (item.text) }
                                input type="hidden" name="item" value=(key);
                                div.row {
                                    span.checkbox-row {
                                        input type="checkbox" id={"keep_" (key)} name={"keep_" (key)} value="on" checked[chosen.is_some() || !x.arranged];
                                        label for={"keep_" (key)} { "On the agenda" }
                                    }
                                    label for={"pos_" (key)} { "Place" }
                                    input.narrow type="number" id={"pos_" (key)} name={"pos_" (key)} value=(position) min="1" max="999";
                                }
                                label for={"note_" (key)} { "Note" }
                                textarea id={"note_" (key)} name={"note_" (key)} rows="2" maxlength="500" { (note) }
                            }
                        }
                        div.actions {
                            button.btn.btn-primary type="submit" { "Update the agenda" }
                        }
                    }
                }
            }
        }
    }
}
