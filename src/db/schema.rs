// One schema for both back ends; kept in step with migrations/{sqlite,postgres} by hand
// (the integration tests run every migration on both databases and touch every table).

diesel::table! {
    counselors (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        time_zone -> Text,
        active -> Bool,
        created_at -> Timestamp,
        deactivated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    couples (id) {
        id -> Integer,
        counselor_id -> Integer,
        label -> Text,
        breach_by -> Text,
        confidentiality -> Text,
        status -> Text,
        start_date -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        data_version -> BigInt,
    }
}

diesel::table! {
    partners (id) {
        id -> Integer,
        couple_id -> Integer,
        slot -> Text,
        display_name -> Text,
        email -> Text,
        time_zone -> Text,
        password_hash -> Nullable<Text>,
        reminders_enabled -> Bool,
        reminder_hour -> Integer,
        quiet_start_hour -> Nullable<Integer>,
        quiet_end_hour -> Nullable<Integer>,
        invited_at -> Nullable<Timestamp>,
        last_sign_in_at -> Nullable<Timestamp>,
        last_entry_at -> Nullable<Timestamp>,
        latest_trust -> Nullable<Integer>,
        previous_trust -> Nullable<Integer>,
        latest_trust_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reminder_titles -> Bool,
        share_notices -> Bool,
    }
}

diesel::table! {
    exercises (id) {
        id -> Integer,
        counselor_id -> Nullable<Integer>,
        slug -> Nullable<Text>,
        builtin_version -> Integer,
        title -> Text,
        summary -> Text,
        elements -> Text,
        performer -> Text,
        cadence_hint -> Text,
        default_visibility -> Text,
        visibility_choice -> Bool,
        paired_reveal -> Bool,
        safety_check -> Bool,
        shared_journal -> Bool,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    exercise_prompts (id) {
        id -> Integer,
        exercise_id -> Integer,
        position -> Integer,
        kind -> Text,
        label -> Text,
        help -> Text,
        required -> Bool,
        scale_min -> Nullable<Integer>,
        scale_max -> Nullable<Integer>,
        scale_low_label -> Nullable<Text>,
        scale_high_label -> Nullable<Text>,
        options -> Text,
        metric -> Nullable<Text>,
        raises_alert -> Bool,
    }
}

diesel::table! {
    assignments (id) {
        id -> Integer,
        couple_id -> Integer,
        exercise_id -> Integer,
        assignee -> Text,
        cadence -> Text,
        weekdays -> Integer,
        interval_days -> Integer,
        start_date -> Date,
        end_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        note -> Text,
        reminders -> Bool,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        partner_title -> Text,
        replaces_id -> Nullable<Integer>,
    }
}

diesel::table! {
    assignment_changes (id) {
        id -> Integer,
        assignment_id -> Integer,
        counselor_id -> Integer,
        effective_from -> Date,
        summary -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assignment_pauses (id) {
        id -> Integer,
        assignment_id -> Integer,
        start_date -> Date,
        end_date -> Nullable<Date>,
    }
}

diesel::table! {
    entries (id) {
        id -> Integer,
        couple_id -> Integer,
        partner_id -> Integer,
        exercise_id -> Integer,
        assignment_id -> Nullable<Integer>,
        occurrence_date -> Nullable<Date>,
        status -> Text,
        visibility -> Text,
        flagged_for_session -> Bool,
        trust_score -> Nullable<Integer>,
        mood_score -> Nullable<Integer>,
        version -> Integer,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entry_answers (id) {
        id -> Integer,
        entry_id -> Integer,
        prompt_id -> Integer,
        value -> Text,
    }
}

diesel::table! {
    entry_versions (id) {
        id -> Integer,
        entry_id -> Integer,
        version -> Integer,
        answers_json -> Text,
        visibility -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    entry_comments (id) {
        id -> Integer,
        entry_id -> Integer,
        counselor_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    setbacks (id) {
        id -> Integer,
        couple_id -> Integer,
        partner_id -> Integer,
        happened_on -> Date,
        what_happened -> Text,
        trigger_text -> Text,
        reaction -> Text,
        repair_attempted -> Bool,
        repair_text -> Text,
        severity -> Integer,
        do_differently -> Text,
        visibility -> Text,
        raise_in_session -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    therapy_sessions (id) {
        id -> Integer,
        couple_id -> Integer,
        counselor_id -> Integer,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
        status -> Text,
        note -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Integer,
        dedupe_key -> Nullable<Text>,
        kind -> Text,
        to_address -> Text,
        to_name -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        unsubscribe_url -> Nullable<Text>,
        partner_id -> Nullable<Integer>,
        counselor_id -> Nullable<Integer>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        content_removed -> Bool,
    }
}

diesel::table! {
    email_attempts (id) {
        id -> Integer,
        outbox_id -> Integer,
        attempted_at -> Timestamp,
        succeeded -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Integer>,
        action -> Text,
        target_kind -> Text,
        target_id -> Nullable<Integer>,
        couple_id -> Nullable<Integer>,
        request_id -> Text,
        detail -> Text,
        row_hash -> Text,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_kind -> Text,
        user_id -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        user_agent -> Text,
        authenticated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_tokens (id) {
        id -> Integer,
        token_hash -> Text,
        partner_id -> Integer,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    unsubscribe_tokens (id) {
        id -> Integer,
        token_hash -> Text,
        partner_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    form_submissions (token) {
        token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    safety_alerts (id) {
        id -> Integer,
        couple_id -> Integer,
        partner_id -> Integer,
        entry_id -> Integer,
        raised_at -> Timestamp,
        escalated_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Integer>,
        action_taken -> Nullable<Text>,
        note -> Text,
    }
}

diesel::table! {
    practice_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    promise_ratings (id) {
        id -> Integer,
        couple_id -> Integer,
        entry_id -> Integer,
        rater_id -> Integer,
        outcome -> Text,
        note -> Text,
        note_visibility -> Text,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    setback_versions (id) {
        id -> Integer,
        setback_id -> Integer,
        version -> Integer,
        fields_json -> Text,
        saved_at -> Timestamp,
    }
}

// Counselor accounts (two-factor, passwords, throttles, the audit chain).

diesel::table! {
    two_factor (counselor_id) {
        counselor_id -> Integer,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Integer,
        counselor_id -> Integer,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    practice_security (id) {
        id -> Integer,
        require_two_factor -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_challenges (id) {
        id -> Integer,
        token_hash -> Text,
        counselor_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    remembered_browsers (id) {
        id -> Integer,
        token_hash -> Text,
        counselor_id -> Integer,
        user_agent -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    password_tokens (id) {
        id -> Integer,
        token_hash -> Text,
        counselor_id -> Integer,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttles (key) {
        key -> Text,
        failures -> Integer,
        first_failure_at -> Timestamp,
        blocked_until -> Timestamp,
    }
}

diesel::table! {
    audit_chain (id) {
        id -> Integer,
        last_hash -> Text,
        appended -> BigInt,
    }
}

diesel::joinable!(couples -> counselors (counselor_id));
diesel::joinable!(partners -> couples (couple_id));
diesel::joinable!(exercise_prompts -> exercises (exercise_id));
diesel::joinable!(assignments -> couples (couple_id));
diesel::joinable!(assignments -> exercises (exercise_id));
diesel::joinable!(assignment_pauses -> assignments (assignment_id));
diesel::joinable!(assignment_changes -> assignments (assignment_id));
diesel::joinable!(entries -> partners (partner_id));
diesel::joinable!(entries -> exercises (exercise_id));
diesel::joinable!(entry_answers -> entries (entry_id));
diesel::joinable!(entry_answers -> exercise_prompts (prompt_id));
diesel::joinable!(entry_versions -> entries (entry_id));
diesel::joinable!(entry_comments -> entries (entry_id));
diesel::joinable!(setbacks -> partners (partner_id));
diesel::joinable!(therapy_sessions -> couples (couple_id));
diesel::joinable!(email_attempts -> email_outbox (outbox_id));
diesel::joinable!(sign_in_tokens -> partners (partner_id));
diesel::joinable!(unsubscribe_tokens -> partners (partner_id));
diesel::joinable!(safety_alerts -> couples (couple_id));
diesel::joinable!(safety_alerts -> partners (partner_id));
diesel::joinable!(safety_alerts -> entries (entry_id));
diesel::joinable!(promise_ratings -> entries (entry_id));
diesel::joinable!(promise_ratings -> couples (couple_id));
diesel::joinable!(promise_ratings -> partners (rater_id));
diesel::joinable!(setback_versions -> setbacks (setback_id));

diesel::allow_tables_to_appear_in_same_query!(
    counselors,
    couples,
    partners,
    exercises,
    exercise_prompts,
    assignments,
    assignment_changes,
    assignment_pauses,
    entries,
    entry_answers,
    entry_versions,
    entry_comments,
    setbacks,
    therapy_sessions,
    email_outbox,
    email_attempts,
    audit_log,
    web_sessions,
    sign_in_tokens,
    unsubscribe_tokens,
    rate_limits,
    form_submissions,
    server_secrets,
    safety_alerts,
    practice_settings,
    promise_ratings,
    setback_versions,
    two_factor,
    recovery_codes,
    practice_security,
    login_challenges,
    remembered_browsers,
    password_tokens,
    login_throttles,
    audit_chain,
);
