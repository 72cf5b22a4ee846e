//! The counselor dashboard's attention flags: which couples need a look this week, and why.
//!
//! Each flag is one rule over figures the caller has already gathered ([`CoupleFigures`]);
//! nothing here touches the database or the clock. Missing data (no rating yet, no setback
//! logged) never raises a flag on its own, except silence from a partner who has never
//! written once the couple has been in work long enough.

/// Limits at which each flag is raised. Every limit is treated as at least 1, so a
/// misconfigured zero never flags couples for "a drop of 0" or "0 overdue entries".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// A setback of at least this severity raises [`Flag::SevereSetback`] (default 4).
    pub severe_setback_min: i32,
    /// A fall in a partner's trust rating of at least this much raises [`Flag::TrustDrop`] (default 2).
    pub trust_drop: i32,
    /// Partners' latest trust ratings this far apart or more raise [`Flag::TrustGap`] (default 3).
    pub trust_gap: i32,
    /// This many days or more without an entry raises [`Flag::Silence`] (default 5).
    pub silence_days: i64,
    /// At least this many overdue entries are needed for [`Flag::Overdue`] (default 1).
    pub overdue_min: i32,
    /// ... and they must be at least this share (in percent) of what was owed over the
    /// dashboard's window (default 30): one missed day in a fortnight is not a pattern.
    pub overdue_percent: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            severe_setback_min: 4,
            trust_drop: 2,
            trust_gap: 3,
            silence_days: 5,
            overdue_min: 1,
            overdue_percent: 30,
        }
    }
}

/// What the dashboard knows about one partner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartnerFigures {
    /// Display name used in reasons; an empty name reads "Partner 1" / "Partner 2".
    pub name: String,
    /// Most recent trust rating, if any.
    pub latest_trust: Option<i32>,
    /// The trust rating before the latest one, if any.
    pub previous_trust: Option<i32>,
    /// Whole days since the partner's last submitted entry; `None` if never.
    pub days_since_last_entry: Option<i64>,
    /// Days the couple has been in work (since start date), for partners with no entry yet.
    pub days_in_work: i64,
    /// Number of entries past their due instant and not submitted.
    pub overdue: i32,
    /// Number of entries owed over the window (made, overdue or still open today).
    pub owed: i32,
}

/// What the dashboard knows about one couple.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoupleFigures {
    /// The partners, normally two.
    pub partners: Vec<PartnerFigures>,
    /// Highest severity of setbacks logged since the last session (or ever, if none).
    pub max_setback_severity: Option<i32>,
}

/// One reason a couple may need the counselor's attention. Ordered by importance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// A severe setback was logged.
    SevereSetback,
    /// A partner's trust rating fell sharply.
    TrustDrop,
    /// The partners' trust ratings are far apart.
    TrustGap,
    /// A partner has not written for several days.
    Silence,
    /// A partner has overdue entries.
    Overdue,
}

impl Flag {
    /// Every flag, in order.
    pub const ALL: [Flag; 5] = [
        Flag::SevereSetback,
        Flag::TrustDrop,
        Flag::TrustGap,
        Flag::Silence,
        Flag::Overdue,
    ];

    /// Stable code for URLs, filters and storage.
    pub fn code(self) -> &'static str {
        match self {
            Flag::SevereSetback => "severe_setback",
            Flag::TrustDrop => "trust_drop",
            Flag::TrustGap => "trust_gap",
            Flag::Silence => "silence",
            Flag::Overdue => "overdue",
        }
    }

    /// The flag with this [`code`](Flag::code), if any.
    pub fn parse(code: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Short label for badges, e.g. "Severe setback".
    pub fn label(self) -> &'static str {
        match self {
            Flag::SevereSetback => "Severe setback",
            Flag::TrustDrop => "Trust drop",
            Flag::TrustGap => "Trust gap",
            Flag::Silence => "Silence",
            Flag::Overdue => "Overdue",
        }
    }

    /// How much the flag weighs when sorting the dashboard (higher = more urgent). Each
    /// weighs more than all the less serious ones together, so the sum of a couple's
    /// weights orders couples by their most serious flag first, then the next one.
    pub fn weight(self) -> i32 {
        match self {
            Flag::SevereSetback => 16,
            Flag::TrustDrop => 8,
            Flag::TrustGap => 4,
            Flag::Silence => 2,
            Flag::Overdue => 1,
        }
    }
}

/// A flag raised for a couple, with the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// Which flag.
    pub flag: Flag,
    /// Why, in words a counselor reads, naming the partner(s), e.g.
    /// "Sam's trust rating fell from 7 to 4."
    pub reason: String,
}

/// The flags raised for a couple, in [`Flag`] order, each at most once. When both partners
/// qualify for the same flag, one reason sentence names them both.
pub fn evaluate(f: &CoupleFigures, t: &Thresholds) -> Vec<Raised> {
    [
        severe_setback(f, t),
        trust_drop(f, t),
        trust_gap(f, t),
        silence(f, t),
        overdue(f, t),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Sum of the raised flags' weights, for sorting the dashboard (higher first).
pub fn score(raised: &[Raised]) -> i32 {
    raised.iter().map(|r| r.flag.weight()).sum()
}

fn severe_setback(f: &CoupleFigures, t: &Thresholds) -> Option<Raised> {
    let severity = f.max_setback_severity?;
    (severity >= t.severe_setback_min.max(1)).then(|| Raised {
        flag: Flag::SevereSetback,
        reason: format!("A setback of severity {severity} was logged since the last session."),
    })
}

fn trust_drop(f: &CoupleFigures, t: &Thresholds) -> Option<Raised> {
    let min = t.trust_drop.max(1);
    let clauses: Vec<String> = partners(f)
        .filter_map(|(name, p)| {
            let (prev, latest) = (p.previous_trust?, p.latest_trust?);
            (prev.saturating_sub(latest) >= min)
                .then(|| format!("{name}'s trust rating fell from {prev} to {latest}"))
        })
        .collect();
    raise(Flag::TrustDrop, &clauses)
}

fn trust_gap(f: &CoupleFigures, t: &Thresholds) -> Option<Raised> {
    let rated: Vec<(String, i32)> = partners(f)
        .filter_map(|(name, p)| p.latest_trust.map(|r| (name, r)))
        .collect();
    // Every partner must have rated; with two partners that is simply "both".
    if rated.len() < 2 || rated.len() != f.partners.len() {
        return None;
    }
    let mut widest: Option<(usize, usize, i32)> = None;
    for i in 0..rated.len() {
        for j in (i + 1)..rated.len() {
            let gap = rated[i].1.abs_diff(rated[j].1);
            let gap = i32::try_from(gap).unwrap_or(i32::MAX);
            if widest.is_none_or(|(_, _, g)| gap > g) {
                widest = Some((i, j, gap));
            }
        }
    }
    let (i, j, gap) = widest?;
    if gap < t.trust_gap.max(1) {
        return None;
    }
    let ((a, ra), (b, rb)) = (&rated[i], &rated[j]);
    Some(Raised {
        flag: Flag::TrustGap,
        reason: format!("{a} and {b} rate trust {gap} points apart ({ra} and {rb})."),
    })
}

fn silence(f: &CoupleFigures, t: &Thresholds) -> Option<Raised> {
    let min = t.silence_days.max(1);
    let clauses: Vec<String> = partners(f)
        .filter_map(|(name, p)| match p.days_since_last_entry {
            Some(days) if days >= min => {
                Some(format!("nothing from {name} for {}", days_text(days)))
            }
            Some(_) => None,
            None if p.days_in_work >= min => Some(format!(
                "nothing from {name} at all in {} of work",
                days_text(p.days_in_work)
            )),
            None => None,
        })
        .collect();
    raise(Flag::Silence, &clauses)
}

fn overdue(f: &CoupleFigures, t: &Thresholds) -> Option<Raised> {
    let min = t.overdue_min.max(1);
    let clauses: Vec<String> = partners(f)
        .filter(|(_, p)| p.overdue >= min && overdue_share_reached(p, t))
        .map(|(name, p)| {
            let noun = if p.owed == 1 { "entry" } else { "entries" };
            format!(
                "{name} missed {} of {} {noun} owed ({}%)",
                p.overdue,
                p.owed.max(p.overdue),
                percent(p.overdue, p.owed)
            )
        })
        .collect();
    raise(Flag::Overdue, &clauses)
}

/// Whether the partner's overdue entries make up at least `overdue_percent` of what they
/// owed (a partner who owed nothing has missed nothing).
pub fn overdue_share_reached(p: &PartnerFigures, t: &Thresholds) -> bool {
    let share = i64::from(t.overdue_percent.clamp(1, 100));
    let owed = i64::from(p.owed.max(p.overdue));
    owed > 0 && i64::from(p.overdue) * 100 >= share * owed
}

/// `part` of `whole` in whole percent, rounded down (0 when nothing was owed).
fn percent(part: i32, whole: i32) -> i64 {
    let whole = i64::from(whole.max(part));
    if whole == 0 {
        return 0;
    }
    i64::from(part) * 100 / whole
}

/// Partners with the name to use in reasons.
fn partners(f: &CoupleFigures) -> impl Iterator<Item = (String, &PartnerFigures)> {
    f.partners.iter().enumerate().map(|(i, p)| {
        let name = p.name.trim();
        let name = if name.is_empty() {
            format!("Partner {}", i + 1)
        } else {
            name.to_string()
        };
        (name, p)
    })
}

/// A raised flag whose reason joins the clauses into one sentence; `None` if no clause.
fn raise(flag: Flag, clauses: &[String]) -> Option<Raised> {
    if clauses.is_empty() {
        return None;
    }
    Some(Raised {
        flag,
        reason: format!("{}.", capitalize(&join_and(clauses))),
    })
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The text with its first character upper-cased.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "1 day", "6 days".
fn days_text(days: i64) -> String {
    if days == 1 {
        "1 day".to_string()
    } else {
        format!("{days} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(name: &str) -> PartnerFigures {
        PartnerFigures {
            name: name.to_string(),
            days_since_last_entry: Some(0),
            days_in_work: 30,
            ..PartnerFigures::default()
        }
    }

    /// A calm couple: both wrote today, nothing overdue, no ratings or setbacks.
    fn couple() -> CoupleFigures {
        CoupleFigures {
            partners: vec![partner("Sam"), partner("Alex")],
            max_setback_severity: None,
        }
    }

    fn flags(f: &CoupleFigures) -> Vec<Flag> {
        evaluate(f, &Thresholds::default())
            .into_iter()
            .map(|r| r.flag)
            .collect()
    }

    fn reason(f: &CoupleFigures, flag: Flag) -> Option<String> {
        evaluate(f, &Thresholds::default())
            .into_iter()
            .find(|r| r.flag == flag)
            .map(|r| r.reason)
    }

    #[test]
    fn defaults() {
        let t = Thresholds::default();
        assert_eq!(
            (
                t.severe_setback_min,
                t.trust_drop,
                t.trust_gap,
                t.silence_days,
                t.overdue_min,
                t.overdue_percent
            ),
            (4, 2, 3, 5, 1, 30)
        );
    }

    #[test]
    fn flag_codes_labels_weights() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.code()), Some(f));
            assert!(!f.label().is_empty());
        }
        assert_eq!(Flag::parse("nope"), None);
        assert_eq!(Flag::SevereSetback.code(), "severe_setback");
        assert_eq!(Flag::Overdue.label(), "Overdue");
        let weights: Vec<i32> = Flag::ALL.iter().map(|f| f.weight()).collect();
        assert_eq!(weights, vec![16, 8, 4, 2, 1]);
        // Each flag outweighs every less serious flag together.
        for (i, f) in Flag::ALL.iter().enumerate() {
            let below: i32 = Flag::ALL[i + 1..].iter().map(|g| g.weight()).sum();
            assert!(f.weight() > below, "{f:?}");
        }
        let mut sorted = Flag::ALL;
        sorted.sort();
        assert_eq!(sorted, Flag::ALL);
    }

    #[test]
    fn missing_data_never_raises() {
        assert!(flags(&couple()).is_empty());
        assert!(flags(&CoupleFigures::default()).is_empty());
        // Only one rating each, one partner unrated: no drop, no gap.
        let mut f = couple();
        f.partners[0].latest_trust = Some(9);
        f.partners[1].previous_trust = Some(9);
        assert!(flags(&f).is_empty());
        // Previous rating without a latest one: no drop.
        let mut f = couple();
        f.partners[0].previous_trust = Some(9);
        f.partners[1].previous_trust = Some(1);
        assert!(flags(&f).is_empty());
    }

    #[test]
    fn severe_setback_boundary() {
        let mut f = couple();
        f.max_setback_severity = Some(4);
        assert_eq!(flags(&f), vec![Flag::SevereSetback]);
        assert_eq!(
            reason(&f, Flag::SevereSetback).as_deref(),
            Some("A setback of severity 4 was logged since the last session.")
        );
        f.max_setback_severity = Some(3);
        assert!(flags(&f).is_empty());
    }

    #[test]
    fn trust_drop_boundary() {
        let mut f = couple();
        f.partners[0].previous_trust = Some(7);
        f.partners[0].latest_trust = Some(5);
        assert_eq!(flags(&f), vec![Flag::TrustDrop]);
        assert_eq!(
            reason(&f, Flag::TrustDrop).as_deref(),
            Some("Sam's trust rating fell from 7 to 5.")
        );
        f.partners[0].latest_trust = Some(6);
        assert!(flags(&f).is_empty());
        // A rise is never a drop.
        f.partners[0].latest_trust = Some(10);
        assert!(!flags(&f).contains(&Flag::TrustDrop));
    }

    #[test]
    fn trust_drop_both_partners_one_reason() {
        let mut f = couple();
        f.partners[0].previous_trust = Some(7);
        f.partners[0].latest_trust = Some(4);
        f.partners[1].previous_trust = Some(6);
        f.partners[1].latest_trust = Some(3);
        let raised = evaluate(&f, &Thresholds::default());
        assert_eq!(raised.len(), 1);
        assert_eq!(
            raised[0].reason,
            "Sam's trust rating fell from 7 to 4 and Alex's trust rating fell from 6 to 3."
        );
    }

    #[test]
    fn trust_gap_boundary() {
        let mut f = couple();
        f.partners[0].latest_trust = Some(8);
        f.partners[1].latest_trust = Some(5);
        assert_eq!(flags(&f), vec![Flag::TrustGap]);
        assert_eq!(
            reason(&f, Flag::TrustGap).as_deref(),
            Some("Sam and Alex rate trust 3 points apart (8 and 5).")
        );
        f.partners[1].latest_trust = Some(6);
        assert!(flags(&f).is_empty());
        // Direction does not matter.
        f.partners[0].latest_trust = Some(2);
        assert_eq!(
            reason(&f, Flag::TrustGap).as_deref(),
            Some("Sam and Alex rate trust 4 points apart (2 and 6).")
        );
        // Needs both ratings.
        f.partners[1].latest_trust = None;
        assert!(flags(&f).is_empty());
    }

    #[test]
    fn silence_boundary() {
        let mut f = couple();
        f.partners[0].days_since_last_entry = Some(5);
        assert_eq!(flags(&f), vec![Flag::Silence]);
        assert_eq!(
            reason(&f, Flag::Silence).as_deref(),
            Some("Nothing from Sam for 5 days.")
        );
        f.partners[0].days_since_last_entry = Some(4);
        assert!(flags(&f).is_empty());
    }

    #[test]
    fn silence_of_partner_who_never_wrote() {
        let mut f = couple();
        f.partners[1].days_since_last_entry = None;
        f.partners[1].days_in_work = 2;
        assert!(flags(&f).is_empty(), "a 2-day-old couple is not silent");
        f.partners[1].days_in_work = 4;
        assert!(flags(&f).is_empty());
        f.partners[1].days_in_work = 5;
        assert_eq!(flags(&f), vec![Flag::Silence]);
        assert_eq!(
            reason(&f, Flag::Silence).as_deref(),
            Some("Nothing from Alex at all in 5 days of work.")
        );
        f.partners[0].days_since_last_entry = Some(6);
        assert_eq!(
            reason(&f, Flag::Silence).as_deref(),
            Some("Nothing from Sam for 6 days and nothing from Alex at all in 5 days of work.")
        );
        assert_eq!(flags(&f), vec![Flag::Silence]);
    }

    #[test]
    fn overdue_is_a_share_of_what_was_owed() {
        let mut f = couple();
        f.partners[1].owed = 14;
        // 4 of 14 is 28%: under the default 30%, not raised.
        f.partners[1].overdue = 4;
        assert!(flags(&f).is_empty());
        // 5 of 14 is 35%: raised.
        f.partners[1].overdue = 5;
        assert_eq!(flags(&f), vec![Flag::Overdue]);
        assert_eq!(
            reason(&f, Flag::Overdue).as_deref(),
            Some("Alex missed 5 of 14 entries owed (35%).")
        );
        // Exactly the share counts: 3 of 10 is 30%.
        f.partners[1].owed = 10;
        f.partners[1].overdue = 3;
        assert_eq!(flags(&f), vec![Flag::Overdue]);
        f.partners[1].overdue = 2;
        assert!(flags(&f).is_empty());
        // Both partners in one sentence.
        f.partners[0].owed = 1;
        f.partners[0].overdue = 1;
        f.partners[1].overdue = 7;
        assert_eq!(
            reason(&f, Flag::Overdue).as_deref(),
            Some("Sam missed 1 of 1 entry owed (100%) and Alex missed 7 of 10 entries owed (70%).")
        );
        // Nothing owed, nothing missed.
        let mut f = couple();
        f.partners[0].owed = 0;
        assert!(flags(&f).is_empty());
    }

    #[test]
    fn overdue_share_and_minimum_are_configurable() {
        let mut f = couple();
        f.partners[1].owed = 14;
        f.partners[1].overdue = 2;
        let loose = Thresholds {
            overdue_percent: 10,
            ..Thresholds::default()
        };
        assert_eq!(evaluate(&f, &loose).len(), 1, "2 of 14 is 14%");
        let strict = Thresholds {
            overdue_percent: 15,
            ..Thresholds::default()
        };
        assert!(evaluate(&f, &strict).is_empty());
        // The minimum count still applies: 2 overdue of 2 owed is 100% but under 3.
        f.partners[1].owed = 2;
        let min3 = Thresholds {
            overdue_min: 3,
            ..Thresholds::default()
        };
        assert!(evaluate(&f, &min3).is_empty());
        f.partners[1].owed = 3;
        f.partners[1].overdue = 3;
        assert_eq!(evaluate(&f, &min3).len(), 1);
        // Out-of-range percentages are clamped to 1..=100.
        let zero = Thresholds {
            overdue_percent: 0,
            ..Thresholds::default()
        };
        f.partners[1].owed = 100;
        f.partners[1].overdue = 1;
        assert_eq!(evaluate(&f, &zero).len(), 1, "treated as 1%");
    }

    #[test]
    fn all_flags_in_order_and_unnamed_partners() {
        let mut f = couple();
        f.partners[0].name = String::new();
        f.partners[1].name = "  ".to_string();
        f.max_setback_severity = Some(5);
        f.partners[0].previous_trust = Some(8);
        f.partners[0].latest_trust = Some(2);
        f.partners[1].latest_trust = Some(8);
        f.partners[1].days_since_last_entry = Some(9);
        f.partners[0].overdue = 2;
        f.partners[0].owed = 4;
        let raised = evaluate(&f, &Thresholds::default());
        let got: Vec<Flag> = raised.iter().map(|r| r.flag).collect();
        assert_eq!(got, Flag::ALL.to_vec());
        assert_eq!(
            raised[1].reason,
            "Partner 1's trust rating fell from 8 to 2."
        );
        assert_eq!(
            raised[2].reason,
            "Partner 1 and Partner 2 rate trust 6 points apart (2 and 8)."
        );
        assert_eq!(score(&raised), 31);
    }

    #[test]
    fn score_orders_the_dashboard() {
        let mut setback = couple();
        setback.max_setback_severity = Some(5);
        let mut drop_and_overdue = couple();
        drop_and_overdue.partners[0].previous_trust = Some(8);
        drop_and_overdue.partners[0].latest_trust = Some(5);
        drop_and_overdue.partners[1].overdue = 2;
        let mut silent = couple();
        silent.partners[0].days_since_last_entry = Some(10);
        let mut overdue_both = couple();
        overdue_both.partners[0].overdue = 4;
        overdue_both.partners[1].overdue = 4;
        let calm = couple();

        let t = Thresholds::default();
        let mut ranked: Vec<(i32, &str)> = [
            (&calm, "calm"),
            (&overdue_both, "overdue"),
            (&silent, "silent"),
            (&setback, "setback"),
            (&drop_and_overdue, "drop+overdue"),
        ]
        .iter()
        .map(|(f, n)| (score(&evaluate(f, &t)), *n))
        .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        let order: Vec<&str> = ranked.iter().map(|r| r.1).collect();
        assert_eq!(
            order,
            vec!["setback", "drop+overdue", "silent", "overdue", "calm"]
        );
        // Overdue from both partners still counts once.
        assert_eq!(score(&evaluate(&overdue_both, &t)), 1);
        assert_eq!(score(&[]), 0);
    }
}
