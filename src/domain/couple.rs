//! Couples and partners: the words the product uses for them.

/// Which partner broke trust, as the counselor recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreachBy {
    A,
    B,
    Both,
    Unstated,
}

impl BreachBy {
    pub const ALL: [BreachBy; 4] = [BreachBy::A, BreachBy::B, BreachBy::Both, BreachBy::Unstated];

    pub fn as_str(self) -> &'static str {
        match self {
            BreachBy::A => "a",
            BreachBy::B => "b",
            BreachBy::Both => "both",
            BreachBy::Unstated => "unstated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// Slot of a partner within the couple ("a" is the first named).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    A,
    B,
}

impl Slot {
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::A => "a",
            Slot::B => "b",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "a" => Some(Slot::A),
            "b" => Some(Slot::B),
            _ => None,
        }
    }

    pub fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }
}

/// The couple's confidentiality policy, set when the work starts and shown to both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidentiality {
    NoSecrets,
    LimitedSecrets,
}

impl Confidentiality {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidentiality::NoSecrets => "no_secrets",
            Confidentiality::LimitedSecrets => "limited_secrets",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "no_secrets" => Some(Confidentiality::NoSecrets),
            "limited_secrets" => Some(Confidentiality::LimitedSecrets),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Confidentiality::NoSecrets => "No secrets",
            Confidentiality::LimitedSecrets => "Limited secrets",
        }
    }

    /// The policy in plain words, as partners read it.
    pub fn explanation(self) -> &'static str {
        match self {
            Confidentiality::NoSecrets => {
                "Anything you tell your counselor privately, including entries only your counselor sees, may be brought up in a joint session when it matters for your work together."
            }
            Confidentiality::LimitedSecrets => {
                "Your counselor keeps what you share privately between the two of you, unless keeping it would put someone at risk. Your counselor may encourage you to share it yourself."
            }
        }
    }
}

/// Where a couple is in their work with the counselor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoupleStatus {
    Active,
    Paused,
    Closed,
}

impl CoupleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoupleStatus::Active => "active",
            CoupleStatus::Paused => "paused",
            CoupleStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(CoupleStatus::Active),
            "paused" => Some(CoupleStatus::Paused),
            "closed" => Some(CoupleStatus::Closed),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CoupleStatus::Active => "Active",
            CoupleStatus::Paused => "Paused",
            CoupleStatus::Closed => "Closed",
        }
    }
}
