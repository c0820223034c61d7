"""The floor for ``make bench-digest``: the Monday digest sweep as hand-written PostgreSQL.

Does the work the engine's timed sweep (``digests.services.digests_queue``) does, set-based
for every active plan at once: one ``SELECT`` of the action rows for the spreadsheets, one
workbook per plan written by the engine's own writer (``digests.spreadsheet``, on
``actions.tabular``: there is no cheaper honest way to write the same file), and one
statement that works out every figure, inserts each board's snapshot (content, state,
recipients, spreadsheet, queued) and its ledger rows (``ON CONFLICT DO NOTHING``).

Figures gathered, as the engine's snapshot holds them (``benchmarks.digest_compare`` picks
them out of either's stored content and compares them for every snapshot):

- the headline: actions, complete, on track, at risk, off track, overdue, cancelled,
  % complete (rounded half to even, as Python's ``round``), milestones, due, met on time;
- the chart: the RAG mix at the end of each of the 8 weeks' days, from the progress updates
  inside the window (the last point is the headline's);
- stale actions: the count and the 20 listed (reference, owner, days);
- open escalations still late, by level and audience, each item's label and working days
  overdue (from a calendar of working-day numbers built before timing, as the engine keeps
  its own in a cache);
- success measures: latest reading with its unit, direction of travel, target met;
- milestones in the next 4 weeks (with the lead's name, or role for the forum);
- each recommendation's progress (the forum), decisions counted (the Lead Member);
- the updates owed for the board's current meeting; the people we could not reach;
- whether there is an earlier snapshot to compare with ("since", first or not);
- and, stored beside the content as the engine stores it: the state (each action and
  milestone), the recipients, the spreadsheet, one ledger row per recipient.

Left out, and why: the words and most dates the engine writes around the figures (such as
"on track", long dates, "the previous reading", the escalation audience's words): rendering,
a few string operations per line; the comparison with the previous snapshot's state ("since":
the benchmark starts with no earlier snapshots, so the engine's section is its one-line
"first digest"; both still look for one). A snapshot already stored but not queued is not
queued again by the floor (the benchmark starts with none). Only today's digest is covered
(the engine's past days read the audit history; the sweep never does).
"""

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from django.db import connection

from actions.dates import working_day_number
from actions.models import OPEN_STATUSES, Cadence
from benchmarks.reminders import CALENDAR_SQL
from digests.content import LIST_LIMIT, MILESTONE_HORIZON_DAYS, STALE_DAYS
from digests.periods import period_of
from digests.selectors import chart_days, end_of_day
from digests.spreadsheet import action_list_xlsx


def _percent(part: str, whole: str) -> str:
    """SQL for Python's ``round(100 * part / whole)`` (half to even), 0 for nothing."""
    return (
        f"CASE WHEN COALESCE({whole}, 0) = 0 THEN 0"
        f" WHEN (200 * {part}) %% (2 * {whole}) = {whole}"
        f" THEN 100 * {part} / {whole} + (100 * {part} / {whole}) %% 2"
        f" ELSE round(100.0 * {part} / {whole})::int END"
    )


SHEET_ROWS_SQL = """
SELECT p.id AS plan_id, p.title AS plan_title, a.id, r.number AS recommendation__number,
       a.reference, a.title, u.name AS owner__name, a.start_date, a.due_date, a.status, a.rag,
       a.completed_on, a.last_progress_at, pu.commentary AS latest_update__commentary
FROM actions_plan p
LEFT JOIN actions_action a ON a.plan_id = p.id
LEFT JOIN actions_recommendation r ON r.id = a.recommendation_id
LEFT JOIN accounts_user u ON u.id = a.owner_id
LEFT JOIN actions_progressupdate pu ON pu.id = a.latest_update_id
WHERE p.status = 'active'
ORDER BY p.id, r.number, a.due_date, a.reference, a.id
"""

_FIGURES = """
WITH plans AS (
    SELECT id, title, slug, local_area, board_id, start_date
    FROM actions_plan WHERE status = 'active'
),
today AS (SELECT n FROM bench_calendar WHERE day = %(as_of)s),
acts AS (
    SELECT a.id, a.plan_id, a.reference, a.title, a.status, a.rag, a.start_date, a.due_date,
           a.last_progress_at, a.created_at, a.owner_id, r.number AS rec,
           a.status <> 'cancelled' AS counted, a.status = ANY(%(open)s) AS open,
           a.status = ANY(%(open)s) AND a.due_date < %(as_of)s AS overdue
    FROM actions_action a
    JOIN plans p ON p.id = a.plan_id
    JOIN actions_recommendation r ON r.id = a.recommendation_id
),
headline AS (
    SELECT plan_id,
           count(*) FILTER (WHERE counted) AS actions,
           count(*) FILTER (WHERE status = 'completed') AS complete,
           count(*) FILTER (WHERE counted AND rag = 'blue') AS blue,
           count(*) FILTER (WHERE counted AND rag = 'green') AS green,
           count(*) FILTER (WHERE counted AND rag = 'amber') AS amber,
           count(*) FILTER (WHERE counted AND rag = 'red') AS red,
           count(*) FILTER (WHERE counted AND overdue) AS overdue,
           count(*) FILTER (WHERE NOT counted) AS cancelled,
           count(*) FILTER (WHERE rag = 'red' AND open) AS off_track_open,
           jsonb_object_agg(id::text, jsonb_build_object(
               'reference', reference, 'title', title, 'status', status, 'rag', rag,
               'due', to_char(due_date, 'YYYY-MM-DD'), 'overdue', overdue)) AS state
    FROM acts GROUP BY plan_id
),
leads AS (
    SELECT r.plan_id, r.number, r.title, u.name,
           COALESCE(NULLIF(u.job_title, ''), 'Accountable lead') AS role
    FROM actions_recommendation r
    JOIN plans p ON p.id = r.plan_id
    JOIN accounts_user u ON u.id = r.lead_id
),
ms AS (
    SELECT m.id, r.plan_id, m.title, m.due_date, m.achieved_on, r.number AS rec
    FROM actions_milestone m
    JOIN actions_recommendation r ON r.id = m.recommendation_id
    JOIN plans p ON p.id = r.plan_id
),
milestone_figures AS (
    SELECT m.plan_id, count(*) AS milestones,
           count(*) FILTER (WHERE m.due_date <= %(as_of)s) AS due,
           count(*) FILTER (WHERE m.due_date <= %(as_of)s AND m.achieved_on <= m.due_date)
               AS met,
           jsonb_object_agg(m.id::text, jsonb_build_object(
               'title', m.title, 'recommendation', m.rec,
               'due', to_char(m.due_date, 'YYYY-MM-DD'),
               'achieved_on', to_char(m.achieved_on, 'YYYY-MM-DD'))) AS state,
           jsonb_agg(jsonb_build_object('title', m.title, 'recommendation', m.rec,
                                        'lead', l.name)
                     ORDER BY m.due_date, m.rec, m.id) FILTER (WHERE ahead) AS named,
           jsonb_agg(jsonb_build_object('title', m.title, 'recommendation', m.rec,
                                        'lead', l.role)
                     ORDER BY m.due_date, m.rec, m.id) FILTER (WHERE ahead) AS roles
    FROM (SELECT *, achieved_on IS NULL AND due_date BETWEEN %(as_of)s AND %(horizon)s
                    AS ahead FROM ms) m
    JOIN leads l ON l.plan_id = m.plan_id AND l.number = m.rec
    GROUP BY m.plan_id
),
moments AS (SELECT * FROM unnest(%(days)s::date[], %(moments)s::timestamptz[]) AS m(day, moment)),
ups AS (
    SELECT u.id, u.action_id, u.created_at, u.previous_status, u.status, u.previous_rag, u.rag
    FROM actions_progressupdate u JOIN acts a ON a.id = u.action_id
    WHERE u.created_at >= %(window_start)s
),
firsts AS (
    SELECT DISTINCT ON (action_id) action_id, previous_status AS status, previous_rag AS rag
    FROM ups ORDER BY action_id, created_at, id
),
lasts AS (
    SELECT DISTINCT ON (u.action_id, m.day) u.action_id, m.day, u.status, u.rag
    FROM ups u JOIN moments m ON u.created_at < m.moment
    ORDER BY u.action_id, m.day, u.created_at DESC, u.id DESC
),
-- Only actions updated inside the window stood otherwise than now at a past point: the
-- mix then is today's, moved by what each of them was then instead of now.
moved AS (
    SELECT a.plan_id, m.day, a.status AS now_status, a.rag AS now_rag,
           CASE WHEN l.action_id IS NULL THEN f.status ELSE l.status END AS status,
           CASE WHEN l.action_id IS NULL THEN f.rag ELSE l.rag END AS rag
    FROM firsts f JOIN acts a ON a.id = f.action_id CROSS JOIN moments m
    LEFT JOIN lasts l ON l.action_id = f.action_id AND l.day = m.day
),
shift AS (
    SELECT plan_id, day,
           sum((status <> 'cancelled' AND rag = 'blue')::int
               - (now_status <> 'cancelled' AND now_rag = 'blue')::int) AS blue,
           sum((status <> 'cancelled' AND rag = 'green')::int
               - (now_status <> 'cancelled' AND now_rag = 'green')::int) AS green,
           sum((status <> 'cancelled' AND rag = 'amber')::int
               - (now_status <> 'cancelled' AND now_rag = 'amber')::int) AS amber,
           sum((status <> 'cancelled' AND rag = 'red')::int
               - (now_status <> 'cancelled' AND now_rag = 'red')::int) AS red
    FROM moved GROUP BY plan_id, day
),
chart AS (
    SELECT p.id AS plan_id, jsonb_agg(jsonb_build_object(
               'on', to_char(m.day, 'YYYY-MM-DD'), 'label', to_char(m.day, 'FMDD Mon'),
               'complete', COALESCE(h.blue, 0) + COALESCE(s.blue, 0),
               'on_track', COALESCE(h.green, 0) + COALESCE(s.green, 0),
               'at_risk', COALESCE(h.amber, 0) + COALESCE(s.amber, 0),
               'off_track', COALESCE(h.red, 0) + COALESCE(s.red, 0)) ORDER BY m.day) AS points
    FROM plans p CROSS JOIN moments m
    LEFT JOIN headline h ON h.plan_id = p.id
    LEFT JOIN shift s ON s.plan_id = p.id AND s.day = m.day
    GROUP BY p.id
),
stale AS (
    SELECT a.plan_id, a.reference, u.name AS owner,
           row_number() OVER (PARTITION BY a.plan_id
                              ORDER BY a.days DESC, a.reference COLLATE "C") AS place, a.days
    FROM (SELECT *, %(as_of)s - (COALESCE(last_progress_at, created_at)
                                 AT TIME ZONE 'Europe/London')::date AS days
          FROM acts WHERE open AND (start_date IS NULL OR start_date <= %(as_of)s)) a
    JOIN accounts_user u ON u.id = a.owner_id
    WHERE a.days >= %(stale_days)s
),
stale_figures AS (
    SELECT plan_id, count(*) AS count,
           jsonb_agg(jsonb_build_object('reference', reference, 'owner', owner, 'days', days)
                     ORDER BY place) FILTER (WHERE place <= %(limit)s) AS shown
    FROM stale GROUP BY plan_id
),
esc AS (
    SELECT e.id, e.plan_id, e.level, e.audience, t.n - c.n AS days,
           CASE WHEN e.action_id IS NOT NULL THEN 'Action ' || a.reference
                ELSE 'Milestone of recommendation ' || m.rec END AS label,
           COALESCE(a.title, m.title) AS title
    FROM notifications_escalation e
    JOIN plans p ON p.id = e.plan_id
    LEFT JOIN acts a ON a.id = e.action_id AND a.plan_id = e.plan_id
    LEFT JOIN ms m ON m.id = e.milestone_id AND m.plan_id = e.plan_id
    JOIN bench_calendar c ON c.day = e.due_date
    CROSS JOIN today t
    WHERE e.resolved_at IS NULL
      -- Still late against the due date it was escalated for.
      AND CASE WHEN e.action_id IS NOT NULL THEN a.overdue AND a.due_date = e.due_date
               ELSE m.achieved_on IS NULL AND m.due_date < %(as_of)s
                    AND m.due_date = e.due_date END
),
esc_figures AS (
    SELECT plan_id, jsonb_agg(jsonb_build_object(
               'level', level, 'audience', audience, 'count', count, 'items', items)
               ORDER BY level, audience COLLATE "C") AS levels,
           COALESCE(sum(count) FILTER (WHERE audience = 'lead_member'), 0) AS to_lead_member
    FROM (SELECT plan_id, level, audience, count(*) AS count,
                 jsonb_agg(jsonb_build_object('label', label, 'title', title, 'days', days)
                           ORDER BY days DESC, id) AS items
          FROM esc GROUP BY plan_id, level, audience) levels
    GROUP BY plan_id
),
readings AS (
    SELECT mr.measure_id, mr.value,
           row_number() OVER (PARTITION BY mr.measure_id ORDER BY mr.taken_on DESC) AS back
    FROM actions_measurereading mr
    JOIN actions_successmeasure sm ON sm.id = mr.measure_id
    JOIN actions_recommendation r ON r.id = sm.recommendation_id
    JOIN plans p ON p.id = r.plan_id
    WHERE mr.taken_on <= %(as_of)s
),
measure_figures AS (
    SELECT plan_id, jsonb_agg(jsonb_build_object(
               'name', name, 'recommendation', rec,
               'latest', CASE WHEN latest IS NULL THEN NULL
                              WHEN unit IN ('', '%%') THEN trim_scale(latest)::text || unit
                              ELSE trim_scale(latest)::text || ' ' || unit END,
               'travel', CASE WHEN latest IS NULL THEN 'no readings yet'
                              WHEN latest = compared THEN 'no change'
                              WHEN (latest > compared) = higher THEN 'improving'
                              ELSE 'worsening' END,
               'met', latest IS NOT NULL
                      AND CASE WHEN higher THEN latest >= target ELSE latest <= target END)
               ORDER BY rec, name, id) AS lines
    FROM (SELECT r.plan_id, sm.id, sm.name, r.number AS rec, sm.target, btrim(sm.unit) AS unit,
                 sm.direction = 'higher' AS higher, latest.value AS latest,
                 COALESCE(previous.value, sm.baseline) AS compared
          FROM actions_successmeasure sm
          JOIN actions_recommendation r ON r.id = sm.recommendation_id
          JOIN plans p ON p.id = r.plan_id
          LEFT JOIN readings latest ON latest.measure_id = sm.id AND latest.back = 1
          LEFT JOIN readings previous ON previous.measure_id = sm.id AND previous.back = 2
         ) m
    GROUP BY plan_id
),
recommendation_figures AS (
    SELECT l.plan_id, jsonb_agg(jsonb_build_object(
               'number', l.number, 'title', l.title, 'lead_role', l.role,
               'actions', COALESCE(c.actions, 0), 'complete', COALESCE(c.complete, 0),
               'percent_complete', {rec_percent}) ORDER BY l.number) AS lines
    FROM leads l
    LEFT JOIN (SELECT plan_id, rec, count(*) FILTER (WHERE counted) AS actions,
                      count(*) FILTER (WHERE status = 'completed') AS complete
               FROM acts GROUP BY plan_id, rec) c
      ON c.plan_id = l.plan_id AND c.rec = l.number
    GROUP BY l.plan_id
),
meeting AS (
    -- The soonest meeting on or after the day whose request window has opened.
    SELECT DISTINCT ON (p.id) p.id AS plan_id, bm.meets_on,
           COALESCE((SELECT max(pm.meets_on) FROM actions_boardmeeting pm
                     WHERE pm.board_id = bm.board_id AND pm.meets_on < bm.meets_on) + 1,
                    p.start_date)::timestamp AT TIME ZONE 'Europe/London' AS since
    FROM plans p
    JOIN actions_board b ON b.id = p.board_id
    JOIN actions_boardmeeting bm ON bm.board_id = b.id AND bm.meets_on >= %(as_of)s
    JOIN bench_calendar c ON c.day = bm.papers_due_on
    CROSS JOIN today t
    WHERE c.n - b.update_request_working_days <= t.n
    ORDER BY p.id, bm.meets_on
),
awaiting AS (
    SELECT m.plan_id, jsonb_build_object(
               'meets_on', to_char(m.meets_on, 'YYYY-MM-DD'),
               'actions', COALESCE(jsonb_agg(a.reference ORDER BY a.rec, a.due_date,
                                             a.reference, a.id)
                                   FILTER (WHERE a.id IS NOT NULL), '[]')) AS owed
    FROM meeting m
    LEFT JOIN acts a ON a.plan_id = m.plan_id AND a.open
         AND (a.last_progress_at IS NULL OR a.last_progress_at < m.since)
    GROUP BY m.plan_id, m.meets_on
),
unreached AS (
    SELECT u.id, u.name, u.email, min(ua.since) AS since
    FROM notifications_unreachableaddress ua
    JOIN accounts_user u ON lower(u.email) = lower(ua.email) AND u.is_active
    GROUP BY u.id
),
parts AS (
    SELECT a.plan_id, a.owner_id AS user_id, 1 AS part
    FROM acts a JOIN unreached x ON x.id = a.owner_id WHERE a.counted
    UNION SELECT a.plan_id, s.user_id, 2 FROM actions_action_supporting_owners s
          JOIN unreached x ON x.id = s.user_id JOIN acts a ON a.id = s.action_id
    UNION SELECT r.plan_id, r.lead_id, 3 FROM actions_recommendation r
          JOIN unreached x ON x.id = r.lead_id JOIN plans p ON p.id = r.plan_id
    UNION SELECT p.id, bm.user_id, 4 FROM plans p
          JOIN actions_boardmembership bm ON bm.board_id = p.board_id
          JOIN unreached x ON x.id = bm.user_id
    UNION SELECT pob.plan_id, bm.user_id, 4 FROM actions_plan_other_boards pob
          JOIN plans p ON p.id = pob.plan_id
          JOIN actions_boardmembership bm ON bm.board_id = pob.board_id
          JOIN unreached x ON x.id = bm.user_id
),
unreachable AS (
    SELECT plan_id, jsonb_agg(jsonb_build_object(
               'name', COALESCE(NULLIF(name, ''), email), 'email', email,
               'since', to_char(since AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY'),
               'roles', roles) ORDER BY name, email) AS people
    FROM (SELECT pt.plan_id, x.name, x.email, x.since, concat_ws(', ',
                 CASE WHEN bool_or(pt.part = 1) THEN 'action owner' END,
                 CASE WHEN bool_or(pt.part = 2) THEN 'supporting owner' END,
                 CASE WHEN bool_or(pt.part = 3) THEN 'accountable lead' END,
                 CASE WHEN bool_or(pt.part = 4) THEN 'board member' END) AS roles
          FROM parts pt JOIN unreached x ON x.id = pt.user_id
          GROUP BY pt.plan_id, x.id, x.name, x.email, x.since) people
    GROUP BY plan_id
),
figures AS (
    SELECT p.id AS plan_id, p.title, p.slug, p.local_area,
           jsonb_build_object(
               'actions', COALESCE(h.actions, 0), 'complete', COALESCE(h.complete, 0),
               'on_track', COALESCE(h.green, 0), 'at_risk', COALESCE(h.amber, 0),
               'off_track', COALESCE(h.red, 0), 'overdue', COALESCE(h.overdue, 0),
               'cancelled', COALESCE(h.cancelled, 0),
               'percent_complete', {headline_percent},
               'milestones', COALESCE(mf.milestones, 0), 'milestones_due', COALESCE(mf.due, 0),
               'milestones_met_on_time', COALESCE(mf.met, 0)) AS headline,
           c.points || jsonb_build_array(jsonb_build_object(
               'on', to_char(%(as_of)s::date, 'YYYY-MM-DD'),
               'label', to_char(%(as_of)s::date, 'FMDD Mon'),
               'complete', COALESCE(h.blue, 0), 'on_track', COALESCE(h.green, 0),
               'at_risk', COALESCE(h.amber, 0), 'off_track', COALESCE(h.red, 0))) AS chart,
           COALESCE(ef.levels, '[]') AS escalations,
           COALESCE(ef.to_lead_member, 0) + COALESCE(h.off_track_open, 0) AS decisions,
           jsonb_build_object('count', COALESCE(sf.count, 0),
                              'shown', COALESCE(sf.shown, '[]'),
                              'more', greatest(0, COALESCE(sf.count, 0) - %(limit)s)) AS stale,
           COALESCE(meas.lines, '[]') AS measures, COALESCE(rf.lines, '[]') AS recommendations,
           COALESCE(mf.named, '[]') AS named, COALESCE(mf.roles, '[]') AS roles,
           aw.owed AS awaiting, COALESCE(un.people, '[]') AS unreachable,
           jsonb_build_object('actions', COALESCE(h.state, '{{}}'),
                              'milestones', COALESCE(mf.state, '{{}}')) AS state
    FROM plans p
    LEFT JOIN headline h ON h.plan_id = p.id
    LEFT JOIN milestone_figures mf ON mf.plan_id = p.id
    LEFT JOIN chart c ON c.plan_id = p.id
    LEFT JOIN stale_figures sf ON sf.plan_id = p.id
    LEFT JOIN esc_figures ef ON ef.plan_id = p.id
    LEFT JOIN measure_figures meas ON meas.plan_id = p.id
    LEFT JOIN recommendation_figures rf ON rf.plan_id = p.id
    LEFT JOIN awaiting aw ON aw.plan_id = p.id
    LEFT JOIN unreachable un ON un.plan_id = p.id
),
"""

_STORE = """
boards AS (
    SELECT pb.plan_id, b.id AS board_id, b.name, b.audience, b.cadence,
           CASE b.cadence WHEN %(monthly)s THEN %(monthly_period)s
                          WHEN %(fortnightly)s THEN %(fortnightly_period)s
                          ELSE %(weekly_period)s END AS period
    FROM (SELECT id AS plan_id, board_id FROM plans WHERE board_id IS NOT NULL
          UNION SELECT pob.plan_id, pob.board_id FROM actions_plan_other_boards pob
                JOIN plans p ON p.id = pob.plan_id) pb
    JOIN actions_board b ON b.id = pb.board_id
),
recipients AS (
    SELECT bm.board_id, jsonb_agg(jsonb_build_object('id', u.id, 'email', u.email)
                                  ORDER BY u.name, u.id) AS people
    FROM actions_boardmembership bm
    JOIN accounts_user u ON u.id = bm.user_id AND u.is_active AND u.email <> ''
    LEFT JOIN notifications_notificationpreference np ON np.user_id = u.id
    WHERE bm.board_id IN (SELECT board_id FROM boards) AND np.digests IS DISTINCT FROM FALSE
    GROUP BY bm.board_id
),
sheets AS (
    SELECT * FROM unnest(%(sheet_plans)s::bigint[], %(sheets)s::bytea[]) AS s(plan_id, book)
),
new_snapshots AS (
    INSERT INTO digests_digestsnapshot (plan_id, board_id, audience, period, as_of, created_at,
                                        queued_at, content, state, recipients, spreadsheet)
    SELECT b.plan_id, b.board_id, b.audience, b.period, %(as_of)s, %(now)s, %(now)s,
           jsonb_build_object(
               'audience', b.audience,
               'plan', jsonb_build_object('id', f.plan_id, 'title', f.title, 'slug', f.slug,
                                          'area', f.local_area),
               'board', b.name, 'cadence', b.cadence, 'period', b.period,
               'as_of', to_char(%(as_of)s::date, 'YYYY-MM-DD'),
               'headline', f.headline, 'chart', f.chart,
               'since', jsonb_build_object('first', NOT EXISTS (
                   SELECT 1 FROM digests_digestsnapshot e WHERE e.plan_id = b.plan_id
                   AND e.board_id = b.board_id AND e.as_of < %(as_of)s)))
           || CASE b.audience
              WHEN 'parent_carer_forum' THEN jsonb_build_object(
                  'recommendations', f.recommendations, 'measures', f.measures,
                  'milestones_ahead', f.roles)
              WHEN 'lead_member' THEN jsonb_build_object(
                  'decisions', jsonb_build_object('count', f.decisions),
                  'escalations', f.escalations, 'milestones_ahead', f.named)
              ELSE jsonb_build_object(
                  'escalations', f.escalations, 'stale', f.stale, 'measures', f.measures,
                  'milestones_ahead', f.named, 'awaiting', f.awaiting,
                  'unreachable', f.unreachable) END,
           f.state, COALESCE(r.people, '[]'),
           CASE WHEN b.audience = 'executive' THEN COALESCE(s.book, '') ELSE '' END
    FROM boards b
    JOIN figures f ON f.plan_id = b.plan_id
    LEFT JOIN recipients r ON r.board_id = b.board_id
    LEFT JOIN sheets s ON s.plan_id = b.plan_id
    WHERE NOT EXISTS (SELECT 1 FROM digests_digestsnapshot e WHERE e.plan_id = b.plan_id
                      AND e.board_id = b.board_id AND e.period = b.period
                      AND e.queued_at IS NOT NULL)
    ON CONFLICT DO NOTHING
    RETURNING id, audience, period, recipients
),
ledger AS (
    INSERT INTO notifications_notification (
        recipient_id, kind, subject_key, occurrence, items, to_email, subject, body_text,
        body_html, status, attempts, last_error, message_id, created_at, next_attempt_at,
        claimed_at, sent_at, updated_at, provider_id, delivery_status, delivery_status_at)
    SELECT (person ->> 'id')::bigint,
           CASE s.audience WHEN 'lead_member' THEN 'briefing'
                           WHEN 'parent_carer_forum' THEN 'summary' ELSE 'digest' END,
           'snapshot:' || s.id, s.period, '[]', person ->> 'email', '', '', '', 'queued', 0,
           '', '', %(now)s, %(now)s, NULL, NULL, %(now)s, '', '', NULL
    FROM new_snapshots s CROSS JOIN jsonb_array_elements(s.recipients) person
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM new_snapshots), (SELECT count(*) FROM ledger)
"""

SWEEP_SQL = (
    _FIGURES.format(
        headline_percent=_percent("h.complete", "h.actions"),
        rec_percent=_percent("c.complete", "c.actions"),
    )
    + _STORE
)


def floor_calendar(*, as_of: dt.date) -> int:
    """The working-day numbers the floor joins (``pg_temp.bench_calendar``), built once.

    From the earliest due date of an action, milestone or escalation to well past the furthest
    board-meeting window that can be open on ``as_of`` (60 working days at most).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LEAST((SELECT min(due_date) FROM actions_action),"
            " (SELECT min(due_date) FROM actions_milestone),"
            " (SELECT min(due_date) FROM notifications_escalation))"
        )
        first = min(cursor.fetchone()[0] or as_of, as_of - dt.timedelta(days=366))
        last = as_of + dt.timedelta(days=120)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        params: dict[str, Any] = {
            "days": days,
            "numbers": [working_day_number(day) for day in days],
        }
        for statement in CALENDAR_SQL:
            cursor.execute(statement, params if "%(" in statement else None)
    return len(days)


def _sheets(*, as_of: dt.date, now: dt.datetime) -> tuple[list[int], list[bytes]]:
    """Each active plan's action list, as the engine's workbook."""
    with connection.cursor() as cursor:
        cursor.execute(SHEET_ROWS_SQL)
        names = [column.name for column in cursor.description]
        by_plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
        titles: dict[int, str] = {}
        for row in cursor.fetchall():
            action = dict(zip(names, row, strict=True))
            titles[action["plan_id"]] = action["plan_title"]
            actions = by_plan[action["plan_id"]]  # a plan without actions has an empty sheet
            if action["id"] is not None:
                actions.append(action)
    plan_ids = sorted(by_plan)
    books = [
        action_list_xlsx(
            data=SimpleNamespace(actions=by_plan[plan_id], as_of=as_of),
            title=titles[plan_id],
            made_at=now,
        )
        for plan_id in plan_ids
    ]
    return plan_ids, books


def floor_sweep(*, today: dt.date, now: dt.datetime) -> tuple[int, int]:
    """The sweep's work for every active plan: (snapshots stored, ledger rows queued).

    Needs ``floor_calendar`` built on the connection first.
    """
    sheet_plans, sheets = _sheets(as_of=today, now=now)
    days = chart_days(today)[:-1]
    params: dict[str, Any] = {
        "as_of": today,
        "now": now,
        "open": [str(status) for status in OPEN_STATUSES],
        "days": days,
        "moments": [end_of_day(day) for day in days],
        "window_start": end_of_day(chart_days(today)[0]),
        "horizon": today + dt.timedelta(days=MILESTONE_HORIZON_DAYS),
        "stale_days": STALE_DAYS,
        "limit": LIST_LIMIT,
        "sheet_plans": sheet_plans,
        "sheets": sheets,
        "monthly": str(Cadence.MONTHLY),
        "fortnightly": str(Cadence.FORTNIGHTLY),
        **{
            f"{cadence}_period": period_of(cadence=cadence, day=today)
            for cadence in ("weekly", "fortnightly", "monthly")
        },
    }
    with connection.cursor() as cursor:
        cursor.execute(SWEEP_SQL, params)
        snapshots, rows = cursor.fetchone()
    return snapshots, rows
