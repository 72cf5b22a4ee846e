//! How guessable a new password is, by zxcvbn's estimate (dictionaries, names, keyboard
//! patterns, dates, repeats, and the account's own email and name). A password that would
//! fall to fewer than about 10^8 guesses (score below 3) is refused with the reason in our
//! own words.

use zxcvbn::feedback::Warning;
use zxcvbn::Score;

/// Refuse a guessable password, saying why.
pub fn check(password: &str, user_inputs: &[&str]) -> Result<(), String> {
    // The email's parts count as words a guesser would try.
    let mut inputs: Vec<&str> = Vec::new();
    for i in user_inputs {
        inputs.push(i);
        inputs.extend(i.split(['@', '.', ' ', '-', '_']).filter(|p| p.len() > 2));
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() >= Score::Three {
        return Ok(());
    }
    let why = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(reason)
        .unwrap_or("it is made of parts that are easy to guess");
    Err(format!(
        "This password is too easy to guess: {why}. Try a few unrelated words together."
    ))
}

fn reason(w: Warning) -> &'static str {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess
        | Warning::ShortKeyboardPatternsAreEasyToGuess => "it follows keys in a row on a keyboard",
        Warning::RepeatsLikeAaaAreEasyToGuess
        | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "it repeats the same characters"
        }
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => "it is one of the most used passwords",
        Warning::ThisIsSimilarToACommonlyUsedPassword => "it is close to a much-used password",
        Warning::SequencesLikeAbcAreEasyToGuess => "it contains a run like abc or 123",
        Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => {
            "it leans on a date or a recent year"
        }
        Warning::AWordByItselfIsEasyToGuess => "it is mostly a single word",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => "it is built around a name",
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn guessable_passwords_are_refused_with_a_reason() {
        let e = check("password1234", &[]).unwrap_err();
        assert!(e.contains("most used"), "{e}");
        assert!(check("qwertyuiopasdf", &[]).is_err());
        assert!(check("aaaaaaaaaaaaaaaa", &[]).is_err());
        let mine = check("lovelace2026!", &["ada.lovelace@practice.test"]);
        assert!(mine.is_err(), "the account's own email is guessable");
    }

    #[test]
    fn passphrases_pass() {
        assert!(check("a long enough passphrase", &[]).is_ok());
        assert!(check("copper lantern meadow oath", &[]).is_ok());
    }
}
