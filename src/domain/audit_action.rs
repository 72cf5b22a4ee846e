//! Who did what, in the audit log's own words. The texts are the ones the log has always
//! held (tests, exports and people reading the log depend on them), one per action.

use super::status::text_word;

text_word! {
    /// One kind of event in the audit log.
    AuditAction, "audit action" {
        AssignmentCreate => "assignment.create",
        AssignmentDenied => "assignment.denied",
        AssignmentEnd => "assignment.end",
        AssignmentPause => "assignment.pause",
        AssignmentResume => "assignment.resume",
        AssignmentViewNew => "assignment.view_new",
        CaseloadView => "caseload.view",
        CompletionExport => "completion.export",
        CounselorCreate => "counselor.create",
        CounselorDeactivate => "counselor.deactivate",
        CounselorReactivate => "counselor.reactivate",
        CoupleClose => "couple.close",
        CoupleCreate => "couple.create",
        CoupleDenied => "couple.denied",
        CoupleExport => "couple.export",
        CoupleInvite => "couple.invite",
        CouplePause => "couple.pause",
        CoupleReassign => "couple.reassign",
        CoupleResume => "couple.resume",
        CoupleStatus => "couple.status",
        CoupleTimelineView => "couple.timeline.view",
        CoupleUpdate => "couple.update",
        CoupleView => "couple.view",
        CoupleViewEdit => "couple.view_edit",
        DashboardView => "dashboard.view",
        EmailRetry => "email.retry",
        EmailRetryAll => "email.retry_all",
        EntryComment => "entry.comment",
        EntryDraft => "entry.draft",
        EntryEdit => "entry.edit",
        EntryFlag => "entry.flag",
        EntryFormView => "entry.form.view",
        EntrySubmit => "entry.submit",
        EntryUnflag => "entry.unflag",
        EntryView => "entry.view",
        ExerciseArchive => "exercise.archive",
        ExerciseCreate => "exercise.create",
        ExerciseRestore => "exercise.restore",
        ExerciseUpdate => "exercise.update",
        JournalAdd => "journal.add",
        JournalView => "journal.view",
        PartnerEntriesView => "partner.entries.view",
        PartnerHomeView => "partner.home.view",
        PartnerPasswordSet => "partner.password.set",
        PartnerRemindersUnsubscribe => "partner.reminders.unsubscribe",
        PartnerSettingsReminders => "partner.settings.reminders",
        PracticeExport => "practice.export",
        PracticeSetup => "practice.setup",
        ReportExport => "report.export",
        ReportView => "report.view",
        SessionCancel => "session.cancel",
        SessionCreate => "session.create",
        SessionDenied => "session.denied",
        SessionUpdate => "session.update",
        SessionViewEdit => "session.view_edit",
        SessionViewForm => "session.view_form",
        SessionViewNew => "session.view_new",
        SetbackCreate => "setback.create",
        SetbackView => "setback.view",
        SetbacksView => "setbacks.view",
        SignIn => "sign_in",
        SignInFailed => "sign_in.failed",
        SignInLinkRefused => "sign_in.link_refused",
        SignInLinkRequested => "sign_in.link_requested",
        SignOut => "sign_out",
        // Clinical safety alerts.
        SafetyAlertRaise => "safety_alert.raise",
        SafetyAlertView => "safety_alert.view",
        SafetyAlertAcknowledge => "safety_alert.acknowledge",
        SafetyAlertEscalate => "safety_alert.escalate",
        SafetyAlertsView => "safety_alerts.view",
        PracticeSafetyUpdate => "practice.safety.update",
        EntryAgendaRefused => "entry.agenda_refused",
        // partner area: promises, setback edits, progress, own download
        PromiseRate => "promise.rate",
        PromisesView => "promises.view",
        SetbackEdit => "setback.edit",
        ProgressView => "progress.view",
        PartnerDownload => "partner.download",
        // The counselor's week (#15): confirmations, reopening, assignment edits.
        CoupleReopen => "couple.reopen",
        ConfirmView => "confirm.view",
        AssignmentUpdate => "assignment.update",
        AssignmentViewEdit => "assignment.view_edit",
        // Counselor accounts.
        TwoFactorEnable => "two_factor.enable",
        TwoFactorDisable => "two_factor.disable",
        TwoFactorReset => "two_factor.reset",
        TwoFactorFailed => "two_factor.failed",
        RecoveryCodeUsed => "two_factor.recovery_code_used",
        RecoveryCodesRenew => "two_factor.recovery_codes_renew",
        BrowserForget => "two_factor.browser_forget",
        PracticeTwoFactorRule => "practice.two_factor_rule",
        PasswordChange => "password.change",
        PasswordResetRequested => "password.reset_requested",
        PasswordReset => "password.reset",
        PasswordLinkRefused => "password.link_refused",
        CounselorInvite => "counselor.invite",
        SessionsEndOthers => "sessions.end_others",
        AuditExport => "audit.export",
        AuditView => "audit.view",
        SignInThrottled => "sign_in.throttled",
    }
}

text_word! {
    /// Who caused an audit event.
    ActorKind, "actor kind" {
        Counselor => "counselor",
        Partner => "partner",
        /// Someone not signed in (a failed sign-in, a link request).
        Anonymous => "anonymous",
        /// The command line or a background job.
        System => "system",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_audit_action_has_its_own_text() {
        let texts: HashSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(texts.len(), AuditAction::ALL.len());
        for &a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(a.to_string().parse::<AuditAction>(), Ok(a));
        }
        assert_eq!(AuditAction::ALL.len(), 98);
    }

    #[test]
    fn audit_texts_are_the_ones_existing_rows_hold() {
        assert_eq!(AuditAction::SignIn.as_str(), "sign_in");
        assert_eq!(
            AuditAction::CoupleTimelineView.as_str(),
            "couple.timeline.view"
        );
        assert_eq!(
            AuditAction::PartnerRemindersUnsubscribe.as_str(),
            "partner.reminders.unsubscribe"
        );
        assert_eq!(AuditAction::SessionViewNew.as_str(), "session.view_new");
        assert_eq!(AuditAction::parse("couple.delete"), None);
    }

    #[test]
    fn every_actor_kind_round_trips() {
        for &k in ActorKind::ALL {
            assert_eq!(k.as_str().parse::<ActorKind>(), Ok(k));
        }
        assert_eq!(ActorKind::Anonymous.to_string(), "anonymous");
    }
}
