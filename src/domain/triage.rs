//! The dashboard's ranking: which couple comes first on a Monday morning.
//!
//! Open safety alerts come before everything else (a partner may be at risk); then the
//! attention flags by seriousness: a severe setback, falling trust, partners' trust far
//! apart, silence, and last a share of entries missed. A couple is ranked by its most
//! serious reason first, then by the next one, so three mild flags never outrank one
//! serious one. Ties keep alphabetical order (the caller sorts by name second).

use super::attention::{Flag, Raised};

/// Where a couple stands in the triage: compare two with `>` (more urgent is greater).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Urgency {
    /// Any open safety alert at all: the first tier.
    has_alert: bool,
    /// The raised flags as weights that each outweigh all less serious ones together.
    flags: i32,
    /// More open alerts rank a couple above one with fewer, within the same flags.
    open_alerts: u32,
}

impl Urgency {
    /// The couple's urgency from its count of open safety alerts and its raised flags.
    pub fn of(open_alerts: u32, raised: &[Raised]) -> Urgency {
        Urgency {
            has_alert: open_alerts > 0,
            flags: super::attention::score(raised),
            open_alerts,
        }
    }

    /// Whether nothing at all needs attention.
    pub fn is_calm(self) -> bool {
        !self.has_alert && self.flags == 0
    }

    /// One number that sorts the same way (the practice summary's `attention_score`):
    /// open alerts times 32, plus the flags' weights (at most 31).
    pub fn score(self) -> i32 {
        let alerts = i32::try_from(self.open_alerts.min(1_000_000)).unwrap_or(1_000_000);
        alerts * 32 + self.flags
    }
}

/// What to say first about a couple: the most serious reason, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    /// At least one safety alert is open.
    SafetyAlert(u32),
    /// The most serious raised flag.
    Flag(Flag),
    /// Nothing needs attention.
    Calm,
}

impl Headline {
    /// The headline for a couple with these open alerts and raised flags (in [`Flag`]
    /// order, as [`super::attention::evaluate`] gives them).
    pub fn of(open_alerts: u32, raised: &[Raised]) -> Headline {
        if open_alerts > 0 {
            return Headline::SafetyAlert(open_alerts);
        }
        raised
            .iter()
            .map(|r| r.flag)
            .min()
            .map_or(Headline::Calm, Headline::Flag)
    }

    /// The headline in a few words, e.g. "Trust falling".
    pub fn words(self) -> String {
        match self {
            Headline::SafetyAlert(1) => "Safety alert open".to_string(),
            Headline::SafetyAlert(n) => format!("{n} safety alerts open"),
            Headline::Flag(Flag::SevereSetback) => "Severe setback".to_string(),
            Headline::Flag(Flag::TrustDrop) => "Trust falling".to_string(),
            Headline::Flag(Flag::TrustGap) => "Trust far apart".to_string(),
            Headline::Flag(Flag::Silence) => "Gone quiet".to_string(),
            Headline::Flag(Flag::Overdue) => "Many entries missed".to_string(),
            Headline::Calm => "On track".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raised(flags: &[Flag]) -> Vec<Raised> {
        flags
            .iter()
            .map(|f| Raised {
                flag: *f,
                reason: String::new(),
            })
            .collect()
    }

    fn u(alerts: u32, flags: &[Flag]) -> Urgency {
        Urgency::of(alerts, &raised(flags))
    }

    #[test]
    fn an_open_alert_outranks_every_flag() {
        assert!(u(1, &[]) > u(0, &Flag::ALL));
        assert!(u(2, &[]) > u(1, &[]));
        assert!(u(1, &[Flag::Overdue]) > u(1, &[]));
        assert!(u(1, &[]).score() > u(0, &Flag::ALL).score());
    }

    #[test]
    fn without_alerts_the_order_is_setback_trust_silence_overdue() {
        let order = [
            u(0, &[Flag::SevereSetback]),
            u(0, &[Flag::TrustDrop]),
            u(0, &[Flag::TrustGap]),
            u(0, &[Flag::Silence]),
            u(0, &[Flag::Overdue]),
            u(0, &[]),
        ];
        for pair in order.windows(2) {
            assert!(pair[0] > pair[1], "{pair:?}");
            assert!(pair[0].score() > pair[1].score(), "{pair:?}");
        }
    }

    #[test]
    fn the_most_serious_flag_decides_before_the_number_of_flags() {
        let one_serious = u(0, &[Flag::SevereSetback]);
        let many_mild = u(
            0,
            &[
                Flag::TrustDrop,
                Flag::TrustGap,
                Flag::Silence,
                Flag::Overdue,
            ],
        );
        assert!(one_serious > many_mild);
        // With the same most serious flag, the next one decides.
        assert!(u(0, &[Flag::TrustDrop, Flag::Silence]) > u(0, &[Flag::TrustDrop, Flag::Overdue]));
        assert!(u(0, &[Flag::TrustDrop, Flag::Overdue]) > u(0, &[Flag::TrustDrop]));
    }

    #[test]
    fn calm_is_only_without_alerts_and_flags() {
        assert!(u(0, &[]).is_calm());
        assert!(!u(1, &[]).is_calm());
        assert!(!u(0, &[Flag::Overdue]).is_calm());
        assert_eq!(u(0, &[]).score(), 0);
        assert_eq!(u(3, &[Flag::SevereSetback]).score(), 3 * 32 + 16);
    }

    #[test]
    fn the_headline_names_the_most_serious_reason() {
        assert_eq!(
            Headline::of(0, &raised(&[Flag::Silence, Flag::TrustDrop])),
            Headline::Flag(Flag::TrustDrop)
        );
        assert_eq!(
            Headline::of(2, &raised(&[Flag::SevereSetback])),
            Headline::SafetyAlert(2)
        );
        assert_eq!(Headline::of(0, &[]), Headline::Calm);
        assert_eq!(Headline::SafetyAlert(1).words(), "Safety alert open");
        assert_eq!(Headline::SafetyAlert(3).words(), "3 safety alerts open");
        assert_eq!(Headline::Flag(Flag::Overdue).words(), "Many entries missed");
        assert_eq!(Headline::Calm.words(), "On track");
    }
}
