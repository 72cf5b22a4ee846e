DROP TABLE practice_settings;
ALTER TABLE assignments DROP COLUMN partner_title;
ALTER TABLE exercise_prompts DROP COLUMN raises_alert;
DROP TABLE safety_alerts;
