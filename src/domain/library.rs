//! The built-in exercise library: the structured exercises a counselor can assign between
//! sessions, each tied to the practice elements it serves.
//!
//! All wording here is shown to partners or counselors, so it stays calm, warm and
//! non-gendered ("partner", never a marital or gendered role).

use super::exercise::*;

fn prompt(label: &str, help: &str, kind: PromptKind) -> PromptDef {
    PromptDef {
        label: label.to_string(),
        help: help.to_string(),
        required: true,
        kind,
        metric: None,
    }
}

fn long(label: &str, help: &str) -> PromptDef {
    prompt(label, help, PromptKind::LongText)
}

fn short(label: &str, help: &str) -> PromptDef {
    prompt(label, help, PromptKind::ShortText)
}

fn yes_no(label: &str, help: &str) -> PromptDef {
    prompt(label, help, PromptKind::YesNo)
}

fn list(label: &str, help: &str) -> PromptDef {
    prompt(label, help, PromptKind::List)
}

fn date(label: &str, help: &str) -> PromptDef {
    prompt(label, help, PromptKind::Date)
}

fn scale(label: &str, help: &str, min: i32, max: i32, low: &str, high: &str) -> PromptDef {
    prompt(
        label,
        help,
        PromptKind::Scale {
            min,
            max,
            low_label: low.to_string(),
            high_label: high.to_string(),
        },
    )
}

fn checklist(label: &str, help: &str, options: &[&str]) -> PromptDef {
    prompt(
        label,
        help,
        PromptKind::Checklist {
            options: options.iter().map(|o| o.to_string()).collect(),
        },
    )
}

fn optional(mut p: PromptDef) -> PromptDef {
    p.required = false;
    p
}

fn measures(mut p: PromptDef, metric: Metric) -> PromptDef {
    p.metric = Some(metric);
    p
}

/// A 1-5 warning-sign rating where a higher number means more of that worry.
fn warning(label: &str, metric: Metric) -> PromptDef {
    measures(
        scale(
            label,
            "1 means you haven't noticed this at all; 5 means it has worried you a lot. Higher means more concern.",
            1,
            5,
            "Not at all",
            "A lot",
        ),
        metric,
    )
}

/// The common shape of a built-in exercise; the special flags start off and are switched on
/// by the few exercises that need them.
#[allow(clippy::too_many_arguments)]
fn exercise(
    slug: &str,
    title: &str,
    summary: &str,
    elements: &[u8],
    performer: Performer,
    cadence_hint: &str,
    default_visibility: Visibility,
    visibility_choice: bool,
    prompts: Vec<PromptDef>,
) -> ExerciseDef {
    ExerciseDef {
        slug: Some(slug.to_string()),
        title: title.to_string(),
        summary: summary.to_string(),
        elements: elements.to_vec(),
        performer,
        cadence_hint: cadence_hint.to_string(),
        default_visibility,
        visibility_choice,
        paired_reveal: false,
        safety_check: false,
        shared_journal: false,
        prompts,
    }
}

fn paired(mut e: ExerciseDef) -> ExerciseDef {
    e.paired_reveal = true;
    e
}

/// Every built-in exercise, in the order the library shows them.
pub fn builtin_exercises() -> Vec<ExerciseDef> {
    use Performer::{Both, Hurt, Offending};
    use Visibility::{CounselorAndPartner, CounselorOnly};

    let mut co_journal = exercise(
        "co-journal",
        "Co-journal",
        "One shared journal you both write in: everyday moments, small breakthroughs, things \
         that felt hard. It is a window into each other's inner world rather than a scorecard. \
         Every entry is read by both partners and your counselor.",
        &[7, 8],
        Both,
        "Daily or weekly",
        CounselorAndPartner,
        false,
        vec![long(
            "What would you like to share in the journal today?",
            "Anything from daily life counts: something that made you smile, something you \
             struggled with, a small step forward. Your partner and your counselor will both \
             read this.",
        )],
    );
    co_journal.shared_journal = true;

    let mut safety_check = exercise(
        "safety-check",
        "Private safety check",
        "A confidential check on your safety, just between you and your counselor. Your \
         counselor assigns it to each partner separately, and the other partner never sees \
         that it exists: not the exercise, not your answers, not when you filled it in.",
        &[1, 14],
        Both,
        "As your counselor assigns",
        CounselorOnly,
        false,
        vec![
            yes_no(
                "Is anyone in your relationship afraid of the other?",
                "This includes you. Only your counselor will see your answer.",
            ),
            yes_no(
                "Has anyone been hurt or threatened since your last session?",
                "Physically, or with words or actions meant to frighten. Only your counselor \
                 will see your answer.",
            ),
            optional(yes_no(
                "Would you like your counselor to contact you privately before your next session?",
                "Your counselor will reach out in a way that keeps this private.",
            )),
            optional(long(
                "Anything you want your counselor to know privately",
                "Write as much or as little as you like. Your partner will never see this. If \
                 you are in danger right now, contact your local emergency services.",
            )),
        ],
    );
    safety_check.safety_check = true;

    vec![
        exercise(
            "trust-check-in",
            "Trust check-in",
            "A short weekly look at how trust feels and at four signs worth watching over time: \
             communication fading, secrecy, emotional distance and broken promises. This is \
             Trellis's own tracking aid for following trends between sessions; it is not a \
             validated clinical instrument.",
            &[14, 10],
            Both,
            "Weekly",
            CounselorOnly,
            true,
            vec![
                warning(
                    "This week, how much has communication between you been drying up?",
                    Metric::WarnCommunication,
                ),
                warning(
                    "This week, how much have you noticed secrets, evasions or deception?",
                    Metric::WarnSecrecy,
                ),
                warning(
                    "This week, how much emotional distance have you felt between you?",
                    Metric::WarnDistance,
                ),
                warning(
                    "This week, how much have promises between you been broken?",
                    Metric::WarnPromises,
                ),
                measures(
                    scale(
                        "Overall, how much do you trust your partner right now?",
                        "0 means no trust at all, 10 means complete trust. Go with your first \
                         honest sense; it is fine for this to move up and down.",
                        0,
                        10,
                        "No trust at all",
                        "Complete trust",
                    ),
                    Metric::Trust,
                ),
                short(
                    "Sum up your week in one sentence.",
                    "A single line is enough.",
                ),
            ],
        ),
        exercise(
            "daily-check-in",
            "Daily check-in",
            "A one-minute daily note on how you are doing, how trust feels today and what \
             would help. Small, regular check-ins make patterns easier to see.",
            &[4, 8, 14],
            Both,
            "Daily",
            CounselorOnly,
            true,
            vec![
                measures(
                    scale(
                        "How is your mood today?",
                        "1 is very low, 5 is very good.",
                        1,
                        5,
                        "Very low",
                        "Very good",
                    ),
                    Metric::Mood,
                ),
                measures(
                    scale(
                        "How much do you trust your partner today?",
                        "0 means no trust at all, 10 means complete trust.",
                        0,
                        10,
                        "No trust at all",
                        "Complete trust",
                    ),
                    Metric::Trust,
                ),
                short(
                    "What is one thing you need today?",
                    "For example: a phone call at lunch, some quiet time, a hug, a plan for \
                     the evening.",
                ),
                optional(long(
                    "Is there something you appreciated today?",
                    "Optional. A small thing your partner did, or something that went well.",
                )),
            ],
        ),
        paired(exercise(
            "what-happened",
            "What happened",
            "Each partner describes the breach of trust in their own words, what they believe \
             fed into it, and what they need to feel safe from here. Shared answers are held \
             back until you have both finished.",
            &[1],
            Both,
            "Once",
            CounselorOnly,
            true,
            vec![
                long(
                    "In your own words, what happened?",
                    "Describe it as you experienced it. There is no need to be fair or complete; \
                     your counselor will help you both make sense of it.",
                ),
                checklist(
                    "What do you think contributed to it?",
                    "Tick everything that applies.",
                    &[
                        "Dishonesty or lies",
                        "Things kept secret",
                        "Neglect of the relationship",
                        "Withdrawing or shutting down emotionally",
                        "Outside stress, such as work, money or family",
                        "Something else",
                    ],
                ),
                optional(short(
                    "If something else contributed, what was it?",
                    "Only if you ticked \"Something else\".",
                )),
                long(
                    "What do you need in order to feel safe going forward?",
                    "Be as concrete as you can: things you would like to see, hear, or have \
                     agreed.",
                ),
            ],
        )),
        exercise(
            "apology-letter",
            "Apology letter",
            "A letter from the partner who broke trust, written in drafts with the counselor's \
             help. A full apology names the specific hurt, expresses remorse and commits to \
             concrete change.",
            &[2],
            Offending,
            "Once, with drafts",
            CounselorOnly,
            true,
            vec![
                long(
                    "What hurt did you cause?",
                    "Name it specifically and plainly, as your partner lived it.",
                ),
                long(
                    "How do you feel about the pain this caused?",
                    "Speak to your regret for what you did and its effect on your partner.",
                ),
                list(
                    "What will you do differently from now on?",
                    "One commitment per line, specific enough that your partner could see it \
                     being kept.",
                ),
                optional(checklist(
                    "Before you send it, read your letter back",
                    "Tick each statement that is true of this draft. If one is not, revise and \
                     save another draft.",
                    &[
                        "I described what I did plainly, without making it sound smaller",
                        "I gave no excuses or justifications",
                        "I put no blame on my partner",
                        "I apologised for my actions, not for how my partner feels",
                    ],
                )),
            ],
        ),
        paired(exercise(
            "listening-to-understand",
            "Listening to understand",
            "One partner speaks while the other listens and reflects back what they heard, \
             without defending. Then you swap. Answers are shown once you have both finished.",
            &[3],
            Both,
            "Weekly",
            CounselorAndPartner,
            true,
            vec![
                short(
                    "What was the conversation about?",
                    "A few words are enough.",
                ),
                long(
                    "What did you hear your partner say?",
                    "Put it in your own words, as faithfully as you can, without adding your \
                     view or a response.",
                ),
                scale(
                    "When it was your turn to speak, how heard did you feel?",
                    "1 means not heard at all, 5 means fully heard.",
                    1,
                    5,
                    "Not heard at all",
                    "Fully heard",
                ),
                yes_no(
                    "While listening, did you notice an urge to defend yourself?",
                    "Noticing it is part of the practice; there is no wrong answer.",
                ),
            ],
        )),
        exercise(
            "transparency-log",
            "Transparency log",
            "A daily note from the partner who broke trust about sharing openly without being \
             asked: plans, changes, feelings, running late, needing space.",
            &[4],
            Offending,
            "Daily",
            CounselorAndPartner,
            true,
            vec![
                long(
                    "What did you share today without being asked?",
                    "Plans, changes, who you were in touch with, how you were feeling, or that \
                     you needed some space.",
                ),
                long(
                    "Was there anything you were tempted to keep back?",
                    "Naming the pull to hide something is part of the work. If nothing comes \
                     to mind, say so.",
                ),
            ],
        ),
        exercise(
            "boundaries-agreement",
            "Boundaries agreement",
            "The two of you set out what is and is not okay from now on. Each partner confirms \
             the list, and you come back to it as things change.",
            &[5],
            Both,
            "Once, revisited",
            CounselorAndPartner,
            false,
            vec![
                list(
                    "Our boundaries",
                    "One per line, in plain words you can both hold to.",
                ),
                yes_no(
                    "I agree to every boundary on this list.",
                    "If you cannot agree to one yet, answer no and bring it to your next \
                     session.",
                ),
                optional(long(
                    "Is there anything you would like to revisit?",
                    "Optional. A boundary that is not working, or one that is missing.",
                )),
            ],
        ),
        exercise(
            "promise-tracker",
            "Promise tracker",
            "Small promises, kept day after day, rebuild trust more than grand gestures. Note a \
             promise and when it is due; your partner then marks how it went, as encouragement \
             rather than scorekeeping.",
            &[6],
            Both,
            "Ongoing",
            CounselorAndPartner,
            false,
            vec![
                short(
                    "What are you promising?",
                    "Keep it small and specific, something your partner can see.",
                ),
                date("By when?", "The day you mean to have kept it."),
                optional(checklist(
                    "How did it go?",
                    "Filled in by the other partner once the date has come. Tick one.",
                    &["Kept", "Partly kept", "Not kept"],
                )),
                optional(long(
                    "A note for your partner",
                    "Filled in by the other partner. A word of recognition goes a long way.",
                )),
            ],
        ),
        co_journal,
        exercise(
            "appreciation-note",
            "Appreciation note",
            "A short note about something your partner did that you noticed and valued.",
            &[8, 13],
            Both,
            "Weekly",
            CounselorAndPartner,
            true,
            vec![long(
                "What effort of your partner's did you notice and value this week?",
                "Say what they did and why it mattered to you.",
            )],
        ),
        exercise(
            "reconnection-ritual",
            "Reconnection ritual",
            "Something you did together to reconnect: a walk, a favourite date revisited, a \
             morning coffee, something new. Small routines build closeness.",
            &[9],
            Both,
            "Weekly",
            CounselorAndPartner,
            true,
            vec![
                short("What did you do together?", "A few words are enough."),
                scale(
                    "How connected did you feel?",
                    "1 means not connected, 5 means very connected.",
                    1,
                    5,
                    "Not connected",
                    "Very connected",
                ),
                long(
                    "What moment would you like to keep?",
                    "A look, a laugh, something one of you said.",
                ),
            ],
        ),
        paired(exercise(
            "what-makes-me-feel-loved",
            "What makes me feel loved",
            "Each partner answers what makes them feel most loved by the other. Answers are \
             revealed together, and then you reflect on what you learned.",
            &[8],
            Both,
            "Once",
            CounselorAndPartner,
            true,
            vec![
                long(
                    "What makes you feel most loved by your partner?",
                    "Think of specific words, actions or moments.",
                ),
                optional(long(
                    "What did you learn from your partner's answer?",
                    "Come back to this once both answers have been revealed.",
                )),
            ],
        )),
        exercise(
            "vulnerability-share",
            "Vulnerability share",
            "A reflection on sharing something vulnerable, such as a fear or a hope, and on \
             how it was received.",
            &[8, 3],
            Both,
            "Weekly",
            CounselorOnly,
            true,
            vec![
                long(
                    "What did you share with your partner?",
                    "A fear, a hope, or something you do not often say out loud.",
                ),
                long(
                    "How did your partner respond?",
                    "Describe what they said or did.",
                ),
                scale(
                    "How safe did it feel to share?",
                    "1 means not safe at all, 5 means completely safe.",
                    1,
                    5,
                    "Not safe at all",
                    "Completely safe",
                ),
            ],
        ),
        exercise(
            "forgiveness-reflection",
            "Forgiveness reflection",
            "For the hurt partner, at their own pace: what you feel ready to let go of, and \
             what you still need. Letting go of resentment is not the same as forgetting.",
            &[11, 10],
            Hurt,
            "When your counselor suggests",
            CounselorOnly,
            true,
            vec![
                long(
                    "What are you ready to let go of?",
                    "It is fine if this is small, or if the answer is nothing yet.",
                ),
                long(
                    "What do you still need?",
                    "From your partner, from yourself, or from time.",
                ),
                scale(
                    "How much resentment are you still carrying?",
                    "There is no right number; healing goes at your own pace.",
                    1,
                    5,
                    "Very little",
                    "A great deal",
                ),
            ],
        ),
        exercise(
            "patterns-and-lessons",
            "Patterns and lessons",
            "A monthly reflection for the partner who broke trust on the patterns and \
             triggers behind it and the new skills that are replacing them.",
            &[12, 10, 2],
            Offending,
            "Monthly",
            CounselorOnly,
            true,
            vec![
                long(
                    "What triggers or patterns have you noticed in yourself?",
                    "Situations, feelings or habits that made the breach more likely.",
                ),
                short(
                    "What skill did you practise this month?",
                    "For example: pausing before reacting, naming a feeling, raising a concern \
                     early.",
                ),
                long(
                    "What do you do differently now?",
                    "Concrete examples help your counselor see the change.",
                ),
            ],
        ),
        exercise(
            "small-wins",
            "Small wins",
            "A moment of progress worth celebrating, however small. Good moments count as \
             much as hard ones.",
            &[13, 10],
            Both,
            "Weekly",
            CounselorAndPartner,
            true,
            vec![long(
                "What moment of progress would you like to celebrate?",
                "A calm conversation, a shared laugh, a good week. Small is welcome.",
            )],
        ),
        safety_check,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn find(slug: &str) -> ExerciseDef {
        builtin_exercises()
            .into_iter()
            .find(|e| e.slug.as_deref() == Some(slug))
            .unwrap_or_else(|| panic!("no exercise {slug}"))
    }

    fn all_strings(e: &ExerciseDef) -> Vec<String> {
        let mut out = vec![
            e.slug.clone().unwrap_or_default(),
            e.title.clone(),
            e.summary.clone(),
            e.cadence_hint.clone(),
        ];
        for p in &e.prompts {
            out.push(p.label.clone());
            out.push(p.help.clone());
            match &p.kind {
                PromptKind::Scale {
                    low_label,
                    high_label,
                    ..
                } => {
                    out.push(low_label.clone());
                    out.push(high_label.clone());
                }
                PromptKind::Checklist { options } => out.extend(options.iter().cloned()),
                _ => {}
            }
        }
        out
    }

    fn metrics(e: &ExerciseDef) -> Vec<Metric> {
        e.prompts.iter().filter_map(|p| p.metric).collect()
    }

    /// One line per exercise: slug, title, who, cadence, visibility, elements, flags, and
    /// each prompt's kind (with its scale range and metric); `?` marks an optional prompt.
    fn shape(e: &ExerciseDef) -> String {
        let prompts: Vec<String> = e
            .prompts
            .iter()
            .map(|p| {
                let mut s = p.kind.code().to_string();
                match &p.kind {
                    PromptKind::Scale { min, max, .. } => s.push_str(&format!("({min}..{max})")),
                    PromptKind::Checklist { options } => {
                        s.push_str(&format!("({})", options.len()))
                    }
                    _ => {}
                }
                if let Some(m) = p.metric {
                    s.push_str(&format!("*{}", m.as_str()));
                }
                if !p.required {
                    s.push('?');
                }
                s
            })
            .collect();
        let mut flags = Vec::new();
        if e.visibility_choice {
            flags.push("choice");
        }
        if e.paired_reveal {
            flags.push("paired");
        }
        if e.safety_check {
            flags.push("safety");
        }
        if e.shared_journal {
            flags.push("journal");
        }
        let elements: Vec<String> = e.elements.iter().map(u8::to_string).collect();
        format!(
            "{} | {} | {} | {} | {} | {} | {} | {}",
            e.slug.as_deref().unwrap_or("-"),
            e.title,
            e.performer.as_str(),
            e.cadence_hint,
            e.default_visibility.as_str(),
            elements.join(","),
            flags.join(","),
            prompts.join(" "),
        )
    }

    /// Stable FNV-1a over every text of every exercise, in order.
    fn text_hash(all: &[ExerciseDef]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for e in all {
            for s in all_strings(e) {
                for b in s.as_bytes().iter().chain([0x1f].iter()) {
                    h ^= u64::from(*b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        h
    }

    /// The library as it stood when it moved from code to data files: any change to an
    /// exercise's shape must be deliberate and show up here.
    const EXPECTED_SHAPES: [&str; 17] = [
        "trust-check-in | Trust check-in | both | Weekly | counselor | 14,10 | choice | scale(1..5)*warn_communication scale(1..5)*warn_secrecy scale(1..5)*warn_distance scale(1..5)*warn_promises scale(0..10)*trust short_text",
        "daily-check-in | Daily check-in | both | Daily | counselor | 4,8,14 | choice | scale(1..5)*mood scale(0..10)*trust short_text long_text?",
        "what-happened | What happened | both | Once | counselor | 1 | choice,paired | long_text checklist(6) short_text? long_text",
        "apology-letter | Apology letter | offending | Once, with drafts | counselor | 2 | choice | long_text long_text list checklist(4)?",
        "listening-to-understand | Listening to understand | both | Weekly | partner | 3 | choice,paired | short_text long_text scale(1..5) yes_no",
        "transparency-log | Transparency log | offending | Daily | partner | 4 | choice | long_text long_text",
        "boundaries-agreement | Boundaries agreement | both | Once, revisited | partner | 5 |  | list yes_no long_text?",
        "promise-tracker | Promise tracker | both | Ongoing | partner | 6 |  | short_text date checklist(3)? long_text?",
        "co-journal | Co-journal | both | Daily or weekly | partner | 7,8 | journal | long_text",
        "appreciation-note | Appreciation note | both | Weekly | partner | 8,13 | choice | long_text",
        "reconnection-ritual | Reconnection ritual | both | Weekly | partner | 9 | choice | short_text scale(1..5) long_text",
        "what-makes-me-feel-loved | What makes me feel loved | both | Once | partner | 8 | choice,paired | long_text long_text?",
        "vulnerability-share | Vulnerability share | both | Weekly | counselor | 8,3 | choice | long_text long_text scale(1..5)",
        "forgiveness-reflection | Forgiveness reflection | hurt | When your counselor suggests | counselor | 11,10 | choice | long_text long_text scale(1..5)",
        "patterns-and-lessons | Patterns and lessons | offending | Monthly | counselor | 12,10,2 | choice | long_text short_text long_text",
        "small-wins | Small wins | both | Weekly | partner | 13,10 | choice | long_text",
        "safety-check | Private safety check | both | As your counselor assigns | counselor | 1,14 | safety | yes_no yes_no yes_no? long_text?",
    ];

    /// Every text (titles, summaries, questions, help, scale ends, options) as it stood then.
    const EXPECTED_TEXT_HASH: u64 = 0x50474bd5354f596a;

    #[test]
    fn the_library_keeps_its_shape() {
        let shapes: Vec<String> = builtin_exercises().iter().map(shape).collect();
        assert_eq!(shapes, EXPECTED_SHAPES);
    }

    #[test]
    fn the_library_keeps_its_wording() {
        assert_eq!(text_hash(&builtin_exercises()), EXPECTED_TEXT_HASH);
    }

    #[test]
    fn has_seventeen_exercises() {
        assert_eq!(builtin_exercises().len(), 17);
    }

    #[test]
    fn slugs_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for e in builtin_exercises() {
            let slug = e.slug.clone().expect("built-in exercises have a slug");
            assert!(!slug.is_empty());
            assert!(
                slug.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{slug} is not kebab-case"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
            assert!(seen.insert(slug.clone()), "duplicate slug {slug}");
        }
    }

    #[test]
    fn expected_slugs_present() {
        let slugs: HashSet<String> = builtin_exercises()
            .into_iter()
            .filter_map(|e| e.slug)
            .collect();
        for s in [
            "trust-check-in",
            "daily-check-in",
            "what-happened",
            "apology-letter",
            "listening-to-understand",
            "transparency-log",
            "boundaries-agreement",
            "promise-tracker",
            "co-journal",
            "appreciation-note",
            "reconnection-ritual",
            "what-makes-me-feel-loved",
            "vulnerability-share",
            "forgiveness-reflection",
            "patterns-and-lessons",
            "small-wins",
            "safety-check",
        ] {
            assert!(slugs.contains(s), "missing {s}");
        }
    }

    #[test]
    fn every_exercise_has_prompts_and_text() {
        for e in builtin_exercises() {
            assert!(!e.prompts.is_empty(), "{} has no prompts", e.title);
            assert!(!e.title.trim().is_empty());
            assert!(!e.summary.trim().is_empty());
            assert!(!e.cadence_hint.trim().is_empty());
            assert!(
                e.prompts.iter().any(|p| p.required),
                "{} has no required prompt",
                e.title
            );
            for p in &e.prompts {
                assert!(!p.label.trim().is_empty());
                assert!(p.label.chars().count() < 200, "label too long: {}", p.label);
                assert!(p.help.chars().count() < 300, "help too long: {}", p.help);
            }
        }
    }

    #[test]
    fn scales_and_checklists_are_well_formed() {
        for e in builtin_exercises() {
            for p in &e.prompts {
                match &p.kind {
                    PromptKind::Scale {
                        min,
                        max,
                        low_label,
                        high_label,
                    } => {
                        assert!(min < max, "{}: bad scale range", p.label);
                        assert!(!low_label.trim().is_empty(), "{}", p.label);
                        assert!(!high_label.trim().is_empty(), "{}", p.label);
                    }
                    PromptKind::Checklist { options } => {
                        assert!(options.len() >= 2, "{}: too few options", p.label);
                        let unique: HashSet<&String> = options.iter().collect();
                        assert_eq!(unique.len(), options.len(), "{}", p.label);
                        for o in options {
                            assert!(!o.trim().is_empty());
                            assert!(o.chars().count() < 100, "option too long: {o}");
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn elements_are_valid_and_all_covered() {
        let mut covered = HashSet::new();
        for e in builtin_exercises() {
            assert!(!e.elements.is_empty(), "{} serves no element", e.title);
            for n in &e.elements {
                assert!(element_name(*n).is_some(), "{}: bad element {n}", e.title);
                covered.insert(*n);
            }
        }
        for (n, name) in ELEMENTS {
            assert!(covered.contains(&n), "element {n} ({name}) not covered");
        }
    }

    #[test]
    fn exactly_one_shared_journal_and_one_safety_check() {
        let all = builtin_exercises();
        let journals: Vec<_> = all.iter().filter(|e| e.shared_journal).collect();
        assert_eq!(journals.len(), 1);
        let j = journals[0];
        assert_eq!(j.slug.as_deref(), Some("co-journal"));
        assert_eq!(j.default_visibility, Visibility::CounselorAndPartner);
        assert!(!j.visibility_choice);

        let checks: Vec<_> = all.iter().filter(|e| e.safety_check).collect();
        assert_eq!(checks.len(), 1);
        let s = checks[0];
        assert_eq!(s.slug.as_deref(), Some("safety-check"));
        assert_eq!(s.performer, Performer::Both);
        assert_eq!(s.default_visibility, Visibility::CounselorOnly);
        assert!(!s.visibility_choice);
        assert!(!s.paired_reveal);
        assert!(!s.shared_journal);
    }

    #[test]
    fn trust_check_in_metrics() {
        let e = find("trust-check-in");
        let m = metrics(&e);
        assert_eq!(m.iter().filter(|x| **x == Metric::Trust).count(), 1);
        for w in [
            Metric::WarnCommunication,
            Metric::WarnSecrecy,
            Metric::WarnDistance,
            Metric::WarnPromises,
        ] {
            assert_eq!(m.iter().filter(|x| **x == w).count(), 1, "{w:?}");
        }
        assert!(!m.contains(&Metric::Mood));
        for p in &e.prompts {
            match (p.metric, &p.kind) {
                (Some(Metric::Trust), PromptKind::Scale { min, max, .. }) => {
                    assert_eq!((*min, *max), (0, 10));
                }
                (Some(_), PromptKind::Scale { min, max, .. }) => {
                    assert_eq!((*min, *max), (1, 5));
                }
                (Some(_), _) => panic!("metric on a non-scale prompt: {}", p.label),
                (None, _) => {}
            }
        }
        assert!(e
            .prompts
            .iter()
            .any(|p| p.metric.is_none() && p.kind == PromptKind::ShortText));
        assert!(e.summary.contains("not a validated clinical instrument"));
    }

    #[test]
    fn daily_check_in_metrics() {
        let e = find("daily-check-in");
        let m = metrics(&e);
        assert_eq!(m.iter().filter(|x| **x == Metric::Mood).count(), 1);
        assert_eq!(m.iter().filter(|x| **x == Metric::Trust).count(), 1);
        assert_eq!(m.len(), 2);
        assert!(e.prompts.iter().any(|p| !p.required));
    }

    #[test]
    fn only_check_ins_carry_metrics() {
        for e in builtin_exercises() {
            let slug = e.slug.clone().unwrap();
            if slug != "trust-check-in" && slug != "daily-check-in" {
                assert!(metrics(&e).is_empty(), "{slug} should have no metrics");
            }
        }
    }

    #[test]
    fn performers_match_the_library() {
        assert_eq!(find("forgiveness-reflection").performer, Performer::Hurt);
        for s in ["apology-letter", "transparency-log", "patterns-and-lessons"] {
            assert_eq!(find(s).performer, Performer::Offending, "{s}");
        }
        for s in [
            "what-happened",
            "listening-to-understand",
            "what-makes-me-feel-loved",
        ] {
            assert!(find(s).paired_reveal, "{s} should be paired");
        }
    }

    #[test]
    fn wording_is_not_gendered() {
        for e in builtin_exercises() {
            for s in all_strings(&e) {
                let lower = s.to_lowercase();
                for word in ["husband", "wife", "boyfriend", "girlfriend"] {
                    assert!(!lower.contains(word), "{:?} contains {word}", s);
                }
            }
        }
    }
}
