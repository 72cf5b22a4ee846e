//! Growing delays after failed sign-ins: a few free tries, then each failure doubles the
//! wait, up to a ceiling. Nobody is locked out for long: the wait never exceeds the
//! ceiling, and failures older than the window are forgotten.

use chrono::{Duration, NaiveDateTime};

/// How a throttle behaves; the numbers come from settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed with no wait at all.
    pub free_attempts: i32,
    /// The first wait after the free attempts.
    pub base_delay: Duration,
    /// The longest wait, however many failures.
    pub max_delay: Duration,
    /// Failures older than this (from the first of them) are forgotten.
    pub window: Duration,
}

/// A key's recorded failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub failures: i32,
    pub first_failure_at: NaiveDateTime,
    pub blocked_until: NaiveDateTime,
}

impl Policy {
    /// The wait imposed after `failures` failures in the window.
    pub fn delay_after(&self, failures: i32) -> Duration {
        let over = failures.saturating_sub(self.free_attempts);
        if over <= 0 {
            return Duration::zero();
        }
        // 2^(over-1) times the base, capped; the shift is bounded so it cannot overflow.
        let factor = 1i64 << (over - 1).min(30);
        let seconds = self
            .base_delay
            .num_seconds()
            .saturating_mul(factor)
            .min(self.max_delay.num_seconds());
        Duration::seconds(seconds)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(&self, current: Option<State>, now: NaiveDateTime) -> State {
        let (failures, first) = match current {
            Some(s) if now - s.first_failure_at < self.window => {
                (s.failures.saturating_add(1), s.first_failure_at)
            }
            _ => (1, now),
        };
        State {
            failures,
            first_failure_at: first,
            blocked_until: now + self.delay_after(failures),
        }
    }
}

/// Seconds still to wait at `now`, if any.
pub fn wait_left(state: Option<State>, now: NaiveDateTime) -> Option<i64> {
    let s = state?;
    let left = (s.blocked_until - now).num_seconds();
    (s.blocked_until > now).then_some(left.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(sec: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            + Duration::seconds(sec)
    }

    fn policy() -> Policy {
        Policy {
            free_attempts: 3,
            base_delay: Duration::seconds(2),
            max_delay: Duration::seconds(60),
            window: Duration::minutes(60),
        }
    }

    #[test]
    fn the_wait_doubles_after_the_free_attempts_up_to_the_ceiling() {
        let p = policy();
        let waits: Vec<i64> = (1..=10).map(|n| p.delay_after(n).num_seconds()).collect();
        assert_eq!(waits, vec![0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(p.delay_after(i32::MAX).num_seconds(), 60);
    }

    #[test]
    fn failures_accumulate_inside_the_window_and_restart_after_it() {
        let p = policy();
        let mut s = p.after_failure(None, t(0));
        for i in 1..4 {
            s = p.after_failure(Some(s), t(i));
        }
        assert_eq!(s.failures, 4);
        assert_eq!(s.blocked_until, t(3) + Duration::seconds(2));
        assert_eq!(wait_left(Some(s), t(4)), Some(1));
        assert_eq!(wait_left(Some(s), t(5)), None);
        let later = p.after_failure(Some(s), t(3601));
        assert_eq!(later.failures, 1);
        assert_eq!(wait_left(Some(later), t(3601)), None);
    }
}
