-- Reports to the regulator (国家网络安全事件报告管理办法 art. 7 and 8):
-- an incident's first report, its supplementary reports and its summary
-- report. A record is written once, when the report was sent, and never
-- changed: a correction is a new supplementary report. fields is a JSON
-- object of the content items (keys from incident.ReportFields), kept as
-- TEXT so what is shown and downloaded is exactly what was stored. seq
-- numbers an incident's reports 1, 2, ... in the order they were recorded.
-- partial marks a first report that carried only the first two items of
-- art. 7 (cause or impact not yet established); a supplementary report is
-- then due at followup_due_at (0: none asked for). via is "form" for a
-- report filled in Bulwark, "shortcut" for one only marked as sent (the
-- content went out by other means).
CREATE TABLE incident_reports (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    partial BOOLEAN NOT NULL DEFAULT FALSE,
    via TEXT NOT NULL DEFAULT 'form',
    recipient TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '{}',
    sent_at BIGINT NOT NULL,
    followup_due_at BIGINT NOT NULL DEFAULT 0,
    submitted_by BIGINT NOT NULL DEFAULT 0,
    submitted_by_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, incident_id, seq)
);
CREATE INDEX incident_reports_incident ON incident_reports (org_id, incident_id, kind);

-- First reports recorded before this migration (the "mark reported"
-- button) become shortcut records, so every first report is a record.
INSERT INTO incident_reports (org_id, incident_id, seq, kind, via, sent_at, created_at)
SELECT org_id, id, 1, 'first', 'shortcut', reported_at, reported_at FROM incidents WHERE reported_at IS NOT NULL;

-- The open incidents' reporting deadlines enter the deadline table, which
-- the scanner announces from. The near windows are those of
-- deadline.DefaultWindows: the first report's last quarter or last 30
-- minutes, whichever opens first; the summary report's last 72 hours.
-- First reports of closed incidents are left out (announcing them now would
-- only be noise); a summary report stays owed after closing, so it enters.
INSERT INTO deadlines (org_id, object_type, object_id, kind, start_at, due_at, near_at, met_at, created_at, updated_at)
SELECT org_id, 'incident', CAST(id AS TEXT), 'report.first', discovered_at, report_due_at,
    CASE WHEN report_due_at - CASE WHEN (report_due_at - discovered_at) / 4 > 1800000000 THEN (report_due_at - discovered_at) / 4 ELSE 1800000000 END < discovered_at
        THEN discovered_at
        ELSE report_due_at - CASE WHEN (report_due_at - discovered_at) / 4 > 1800000000 THEN (report_due_at - discovered_at) / 4 ELSE 1800000000 END END,
    COALESCE(reported_at, 0), updated_at, updated_at
FROM incidents WHERE report_due_at IS NOT NULL AND phase <> 'closed' AND report_due_at >= discovered_at;

INSERT INTO deadlines (org_id, object_type, object_id, kind, start_at, due_at, near_at, met_at, created_at, updated_at)
SELECT org_id, 'incident', CAST(id AS TEXT), 'report.summary', handling_ended_at, summary_due_at,
    CASE WHEN summary_due_at - 259200000000 < handling_ended_at THEN handling_ended_at ELSE summary_due_at - 259200000000 END,
    COALESCE(summary_reported_at, 0), updated_at, updated_at
FROM incidents WHERE summary_due_at IS NOT NULL AND handling_ended_at IS NOT NULL AND summary_due_at >= handling_ended_at;
