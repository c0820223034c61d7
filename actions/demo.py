"""A demonstration plan: Northshire's SEND Written Statement of Action, ready to explore.

``demo_load(today=...)`` writes it, idempotently: every row is found by a natural key (user
email, board and plan slug, recommendation number, action reference, milestone title,
measure name, reading date) and saved only when a value differs, so a second run on the
same day changes nothing and adds no history. Dates are relative to ``today``; on a later
day they move with it (one saved version per changed row).

Statuses are set through ``actions.services.action_update_status``, as an owner would, and
only for an action that has no progress update yet: the progress history is never added
to twice, and whatever people have since recorded on an action is kept. Each report is then
dated as if it had been made on its day between the action's start and today (a completion on
its completion date), so the history reads like a real one and an overdue action has not been
updated since its due date. On a later day the whole timeline moves with the dates: progress
reports and completion dates move by the same number of days as everything else, so no
action is completed before it started.

For development only: every demo person signs in with ``DEMO_PASSWORD``.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import F

from accounts.models import User
from actions.dates import LONDON, add_working_days
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardAudience,
    BoardMeeting,
    BoardMembership,
    Cadence,
    Direction,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanStatus,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status, validate_instance

M = TypeVar("M", bound=models.Model)

DEMO_PASSWORD = "demo-password-1"
PLAN_SLUG = "northshire-wsoa"


class DemoLogin(NamedTuple):
    role: str
    email: str
    password: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("plan administrator (admin site)", "admin@northshire.example", DEMO_PASSWORD),
    DemoLogin("recommendation lead", "head.of.send@northshire.example", DEMO_PASSWORD),
    DemoLogin("action owner", "ehc.manager@northshire.example", DEMO_PASSWORD),
    DemoLogin("SEND Executive member", "director.childrens@northshire.example", DEMO_PASSWORD),
)

COUNCIL = "Northshire County Council"
ICB = "NHS Northshire Integrated Care Board"
COMMUNITY_TRUST = "Northshire Community Health NHS Trust"
MENTAL_HEALTH_TRUST = "Northshire and Westvale NHS Foundation Trust"
PCF = "Northshire Parent Carer Forum"

# key: (email, name, organisation, job title)
PEOPLE: dict[str, tuple[str, str, str, str]] = {
    "admin": (
        "admin@northshire.example",
        "Priya Shah",
        COUNCIL,
        "SEND Improvement Programme Manager",
    ),
    "dcs": (
        "director.childrens@northshire.example",
        "Simon Ford",
        COUNCIL,
        "Director of Children's Services",
    ),
    "chief_nurse": ("chief.nurse@northshire.example", "Dr Jane Whitaker", ICB, "Chief Nurse"),
    "head_of_send": ("head.of.send@northshire.example", "Helen Marsh", COUNCIL, "Head of SEND"),
    "dco": (
        "dco@northshire.example",
        "Dr Amir Rahman",
        ICB,
        "Designated Clinical Officer for SEND",
    ),
    "head_of_inclusion": (
        "head.of.inclusion@northshire.example",
        "Claire Okafor",
        COUNCIL,
        "Head of Inclusion",
    ),
    "ehc_manager": (
        "ehc.manager@northshire.example",
        "Tom Bradley",
        COUNCIL,
        "EHC Assessment Team Manager",
    ),
    "principal_ep": (
        "principal.ep@northshire.example",
        "Dr Sarah Lin",
        COUNCIL,
        "Principal Educational Psychologist",
    ),
    "quality_lead": (
        "send.quality@northshire.example",
        "Joanne Pike",
        COUNCIL,
        "SEND Quality Assurance Lead",
    ),
    "data_lead": (
        "send.data@northshire.example",
        "Marcus Reid",
        COUNCIL,
        "SEND Performance and Data Lead",
    ),
    "slt_lead": (
        "slt.lead@northshire.example",
        "Fiona Grant",
        COMMUNITY_TRUST,
        "Children's Speech and Language Therapy Service Lead",
    ),
    "camhs_lead": (
        "camhs.lead@northshire.example",
        "Dr Neil Chadwick",
        MENTAL_HEALTH_TRUST,
        "CAMHS Clinical Lead",
    ),
    "nd_commissioner": (
        "nd.commissioner@northshire.example",
        "Rachel Evans",
        ICB,
        "Neurodevelopmental Pathway Commissioner",
    ),
    "headteacher": (
        "head@riverside-primary.example",
        "Mark Hughes",
        "Riverside Primary School",
        "Headteacher",
    ),
    "trust_senco": (
        "senco.lead@northshire-academies.example",
        "Aisha Begum",
        "Northshire Academies Trust",
        "Trust SENCO Lead",
    ),
    "inclusion_officer": (
        "inclusion.officer@northshire.example",
        "David Osei",
        COUNCIL,
        "Inclusion and Attendance Officer",
    ),
    "pfa_lead": (
        "pfa.lead@northshire.example",
        "Karen Doyle",
        COUNCIL,
        "Preparing for Adulthood Lead",
    ),
    "pcf_chair": ("chair@northshire-pcf.example", "Linda Carter", PCF, "Co-chair"),
    "pcf_cochair": ("cochair@northshire-pcf.example", "Sam Patel", PCF, "Co-chair"),
    "sendiass": (
        "manager@northshire-sendiass.example",
        "Gemma Walsh",
        "Northshire SENDIASS",
        "Service Manager",
    ),
    "autism_support": (
        "families@northshire-autism.example",
        "Hannah Price",
        "Northshire Autism Support (charity)",
        "Family Support Manager",
    ),
    "lead_member": (
        "cllr.morgan@northshire.example",
        "Cllr Ruth Morgan",
        COUNCIL,
        "Cabinet Member for Children and Families",
    ),
}

# slug: (name, audience, [(person key, role)])
BOARDS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "northshire-send-executive": (
        "Northshire SEND Executive",
        BoardAudience.EXECUTIVE,
        [
            ("dcs", "Chair"),
            ("chief_nurse", "Vice-chair"),
            ("head_of_send", ""),
            ("dco", ""),
            ("head_of_inclusion", ""),
            ("pcf_chair", "Parent carer representative"),
            ("headteacher", "Schools representative"),
        ],
    ),
    "northshire-lead-member": (
        "Northshire Lead Member briefing",
        BoardAudience.LEAD_MEMBER,
        [("lead_member", "Lead Member for Children's Services"), ("dcs", "")],
    ),
    "northshire-parent-carer-forum": (
        "Northshire Parent Carer Forum",
        BoardAudience.PARENT_CARER_FORUM,
        [("pcf_chair", "Co-chair"), ("pcf_cochair", "Co-chair"), ("sendiass", "")],
    ),
}
# How often each board hears about the plan (the SEND Executive's weekly digest, the Lead
# Member's fortnightly briefing, the Forum's monthly summary).
CADENCES = {
    "northshire-send-executive": Cadence.WEEKLY,
    "northshire-lead-member": Cadence.FORTNIGHTLY,
    "northshire-parent-carer-forum": Cadence.MONTHLY,
}
# The SEND Executive meets every six weeks; papers are due a week before each meeting.
MEETING_EVERY = dt.timedelta(weeks=6)
PAPERS_AHEAD = dt.timedelta(weeks=1)


class Step(NamedTuple):
    """One progress report: new status and RAG, why, and (completing) days ago."""

    status: str
    rag: str | None = None
    commentary: str = ""
    completed_days_ago: int | None = None


class ActionSpec(NamedTuple):
    reference: str
    title: str
    owner: str
    outcome: int
    start: int  # days from today
    due: int  # days from today (working days, if due_in_working_days)
    steps: tuple[Step, ...] = ()
    supporting: tuple[str, ...] = ()
    # Two actions still to come are dated in working days, so that on any working day the
    # demo has something due in 10 and in 3 working days for the reminders to show.
    due_in_working_days: bool = False

    def due_date(self, today: dt.date) -> dt.date:
        if self.due_in_working_days:
            return add_working_days(today, self.due)
        return _d(today, self.due)


class MilestoneSpec(NamedTuple):
    title: str
    due: int
    achieved: int | None
    actions: tuple[str, ...]


class MeasureSpec(NamedTuple):
    name: str
    unit: str
    baseline: str
    target: str
    direction: str
    outcome: int
    readings: tuple[tuple[int, str], ...]  # (days from today, value)


class RecommendationSpec(NamedTuple):
    number: int
    title: str
    lead: str
    outcomes: tuple[str, ...]
    actions: tuple[ActionSpec, ...]
    milestones: tuple[MilestoneSpec, ...]
    measures: tuple[MeasureSpec, ...]


S, R = ActionStatus, Rag
STARTED = Step(S.IN_PROGRESS, R.GREEN, "Work has started; the plan is agreed with partners.")

RECOMMENDATIONS: tuple[RecommendationSpec, ...] = (
    RecommendationSpec(
        number=1,
        title="Improve the timeliness and quality of education, health and care (EHC) plans",
        lead="head_of_send",
        outcomes=(
            "Families receive a final EHC plan within 20 weeks",
            "EHC plans describe each child's needs and outcomes well, with all partners' advice",
        ),
        actions=(
            ActionSpec(
                "1.1",
                "Recruit four additional EHC coordinators and an educational psychologist",
                "ehc_manager",
                1,
                start=-200,
                due=-60,
                steps=(
                    STARTED,
                    Step(S.COMPLETED, None, "All four coordinators and the EP are in post.", 70),
                ),
            ),
            ActionSpec(
                "1.2",
                "Clear the backlog of EHC needs assessments older than 20 weeks",
                "ehc_manager",
                1,
                start=-150,
                due=-10,
                steps=(
                    STARTED,
                    Step(
                        S.IN_PROGRESS,
                        R.AMBER,
                        "Backlog down from 212 to 96 cases; agency EP capacity ends this month.",
                    ),
                    Step(
                        S.IN_PROGRESS,
                        R.RED,
                        "61 cases remain. Completion has slipped to the end of next month "
                        "because of two EP vacancies; agency cover requested.",
                    ),
                ),
                supporting=("principal_ep",),
            ),
            ActionSpec(
                "1.3",
                "Introduce a multi-agency quality assurance framework for EHC plans",
                "quality_lead",
                2,
                start=-120,
                due=2,
                steps=(
                    STARTED,
                    Step(
                        S.IN_PROGRESS,
                        R.AMBER,
                        "Framework drafted; health and social care sign-off still pending.",
                    ),
                ),
                supporting=("dco",),
            ),
            ActionSpec(
                "1.4",
                "Report EHC timeliness data to the SEND Executive every month",
                "data_lead",
                1,
                start=-180,
                due=-90,
                steps=(Step(S.COMPLETED, None, "Monthly dashboard live since June.", 95),),
            ),
            ActionSpec(
                "1.5",
                "Train every EHC coordinator to write outcomes with families",
                "principal_ep",
                2,
                start=-30,
                due=45,
                steps=(STARTED,),
                supporting=("pcf_chair",),
            ),
            ActionSpec(
                "1.6",
                "Review annual reviews so that every EHC plan is reviewed within 12 months",
                "ehc_manager",
                2,
                start=10,
                due=120,
            ),
        ),
        milestones=(
            MilestoneSpec(
                "All EHC needs assessments older than 20 weeks completed",
                due=-5,
                achieved=None,
                actions=("1.1", "1.2"),
            ),
            MilestoneSpec(
                "EHC plans issued within 20 weeks above the national average",
                due=180,
                achieved=None,
                actions=("1.3", "1.5"),
            ),
        ),
        measures=(
            MeasureSpec(
                "EHC plans issued within 20 weeks (excluding exceptions)",
                "%",
                "38",
                "65",
                Direction.HIGHER_IS_BETTER,
                1,
                ((-150, "38"), (-120, "41"), (-90, "47"), (-60, "52"), (-30, "55"), (-3, "58")),
            ),
            MeasureSpec(
                "Families satisfied with their EHC plan (annual survey)",
                "%",
                "54",
                "75",
                Direction.HIGHER_IS_BETTER,
                2,
                ((-180, "54"), (-10, "61")),
            ),
        ),
    ),
    RecommendationSpec(
        number=2,
        title=(
            "Reduce waits for neurodevelopmental assessment and therapies, and improve the "
            "health contribution to EHC plans"
        ),
        lead="dco",
        outcomes=(
            "Children are assessed for autism and ADHD within 52 weeks",
            "Health advice for EHC needs assessments arrives within six weeks",
        ),
        actions=(
            ActionSpec(
                "2.1",
                "Agree a single neurodevelopmental pathway across Northshire",
                "nd_commissioner",
                1,
                start=-200,
                due=-40,
                steps=(
                    STARTED,
                    Step(S.COMPLETED, None, "Pathway signed off by the ICB board.", 45),
                ),
            ),
            ActionSpec(
                "2.2",
                "Reduce the wait for autism assessment to under 52 weeks",
                "nd_commissioner",
                1,
                start=-160,
                due=150,
                steps=(
                    STARTED,
                    Step(
                        S.IN_PROGRESS,
                        R.RED,
                        "The average wait is 78 weeks; extra assessment capacity is being "
                        "commissioned from an independent provider.",
                    ),
                ),
                supporting=("camhs_lead",),
            ),
            ActionSpec(
                "2.3",
                "Recruit three additional speech and language therapists",
                "slt_lead",
                2,
                start=-100,
                due=0,
                steps=(
                    STARTED,
                    Step(S.IN_PROGRESS, R.AMBER, "Two of three posts filled; third re-advertised."),
                ),
            ),
            ActionSpec(
                "2.4",
                "Return CAMHS advice for EHC needs assessments within six weeks",
                "camhs_lead",
                2,
                start=-90,
                due=-3,
                steps=(
                    STARTED,
                    Step(S.IN_PROGRESS, R.AMBER, "71% on time in the last month, up from 40%."),
                ),
            ),
            ActionSpec(
                "2.5",
                "Offer support to families while they wait for assessment",
                "autism_support",
                1,
                start=-60,
                due=10,
                steps=(STARTED,),
                supporting=("pcf_cochair",),
                due_in_working_days=True,
            ),
        ),
        milestones=(
            MilestoneSpec(
                "Single neurodevelopmental pathway live", due=-40, achieved=-42, actions=("2.1",)
            ),
            MilestoneSpec(
                "Autism assessment wait under 52 weeks", due=150, achieved=None, actions=("2.2",)
            ),
        ),
        measures=(
            MeasureSpec(
                "Average wait for an autism assessment",
                "weeks",
                "86",
                "52",
                Direction.LOWER_IS_BETTER,
                1,
                ((-120, "86"), (-90, "84"), (-60, "81"), (-30, "80"), (-3, "78")),
            ),
            MeasureSpec(
                "Health advice returned within six weeks",
                "%",
                "40",
                "90",
                Direction.HIGHER_IS_BETTER,
                2,
                ((-90, "40"), (-60, "52"), (-30, "63"), (-3, "71")),
            ),
        ),
    ),
    RecommendationSpec(
        number=3,
        title="Strengthen inclusion in mainstream schools and co-production with families",
        lead="head_of_inclusion",
        outcomes=(
            "More children with SEND are included and achieve well in mainstream schools",
            "Families shape services as equal partners",
        ),
        actions=(
            ActionSpec(
                "3.1",
                "Launch a graduated approach toolkit for mainstream schools",
                "trust_senco",
                1,
                start=-150,
                due=-30,
                steps=(
                    STARTED,
                    Step(S.COMPLETED, None, "Toolkit launched at the SENCO conference.", 35),
                ),
            ),
            ActionSpec(
                "3.2",
                "Set up an inclusion outreach team to support schools",
                "inclusion_officer",
                1,
                start=-120,
                due=-20,
                steps=(
                    STARTED,
                    Step(
                        S.BLOCKED,
                        R.RED,
                        "Funding for the outreach posts awaits the Schools Forum decision on "
                        "the High Needs Block.",
                    ),
                ),
            ),
            ActionSpec(
                "3.3",
                "Reduce suspensions of pupils with SEND through reasonable adjustments",
                "headteacher",
                1,
                start=-60,
                due=3,
                steps=(STARTED,),
                supporting=("inclusion_officer",),
                due_in_working_days=True,
            ),
            ActionSpec(
                "3.4",
                "Co-produce a new Local Offer website with the Parent Carer Forum",
                "pcf_chair",
                2,
                start=-90,
                due=60,
                steps=(STARTED,),
                supporting=("head_of_inclusion",),
            ),
            ActionSpec(
                "3.5",
                "Publish a co-production charter agreed by all partners",
                "sendiass",
                2,
                start=-200,
                due=-100,
                steps=(Step(S.COMPLETED, None, "Charter signed by all partners.", 110),),
            ),
            ActionSpec(
                "3.6",
                "Start preparation for adulthood planning from Year 9",
                "pfa_lead",
                1,
                start=5,
                due=150,
            ),
            ActionSpec(
                "3.7",
                "Commission a separate helpline for parents",
                "sendiass",
                2,
                start=-100,
                due=30,
                steps=(Step(S.CANCELLED, None, "Merged into the SENDIASS helpline (action 3.5)."),),
            ),
        ),
        milestones=(
            MilestoneSpec(
                "Graduated approach toolkit in use in every school",
                due=-25,
                achieved=-30,
                actions=("3.1",),
            ),
            MilestoneSpec("New Local Offer website launched", due=60, achieved=None, actions=()),
        ),
        measures=(
            MeasureSpec(
                "Suspensions of pupils on SEN support (per 100 pupils)",
                "per 100",
                "4.1",
                "3.0",
                Direction.LOWER_IS_BETTER,
                1,
                ((-150, "4.1"), (-90, "3.9"), (-30, "3.6")),
            ),
            MeasureSpec(
                "Schools using the graduated approach toolkit",
                "%",
                "0",
                "100",
                Direction.HIGHER_IS_BETTER,
                1,
                ((-90, "12"), (-60, "35"), (-30, "58"), (-7, "74")),
            ),
        ),
    ),
)


@dataclass
class DemoSummary:
    plan: Plan
    people: int = 0
    boards: int = 0
    recommendations: int = 0
    actions: int = 0
    milestones: int = 0
    measures: int = 0
    readings: int = 0
    updates_added: int = 0
    logins: tuple[DemoLogin, ...] = field(default=DEMO_LOGINS)

    def line(self) -> str:
        return (
            f'Demo plan "{self.plan.title}" ({self.plan.slug}): {self.recommendations} '
            f"recommendations, {self.actions} actions, {self.milestones} milestones, "
            f"{self.measures} measures with {self.readings} readings, {self.boards} boards, "
            f"{self.people} people; {self.updates_added} progress updates added."
        )


def demo_load(*, today: dt.date) -> DemoSummary:
    """Create or bring up to date the Northshire demo plan, with dates around ``today``."""
    with transaction.atomic():
        people = _load_people()
        admin = people["admin"]
        boards = _load_boards(people, today=today, by=admin)
        plan_type, _ = PlanType.objects.get_or_create(
            slug="written-statement-of-action",
            defaults={"name": "Written Statement of Action (WSOA)"},
        )
        moved = _days_moved(today)
        plan = _upsert(
            Plan,
            {"slug": PLAN_SLUG},
            {
                "title": "Northshire Local Area SEND Written Statement of Action",
                "plan_type": plan_type,
                "local_area": "Northshire",
                "start_date": today - dt.timedelta(days=PLAN_STARTED_DAYS_AGO),
                "end_date": today + dt.timedelta(days=300),
                "status": PlanStatus.ACTIVE,
                "published": True,
                "board": boards["northshire-send-executive"],
                "summary": (
                    "Our response to the joint Ofsted and CQC inspection of the local area "
                    "partnership's SEND arrangements: what the council, the NHS, schools and "
                    "families will do, by when, and how we will know it has worked."
                ),
            },
            by=admin,
        )
        # The Lead Member and the Parent Carer Forum are the plan's other audiences.
        _set_m2m(
            plan.other_boards,
            [boards[slug] for slug in sorted(boards) if slug != "northshire-send-executive"],
        )
        if moved:
            _move_progress(plan, moved)
        summary = DemoSummary(plan=plan, people=len(people), boards=len(boards))
        for spec in RECOMMENDATIONS:
            _load_recommendation(spec, plan=plan, people=people, today=today, summary=summary)
    return summary


PLAN_STARTED_DAYS_AGO = 240


def _days_moved(today: dt.date) -> dt.timedelta:
    """How far the demo's today has moved since the plan was last loaded (zero when new)."""
    start = Plan.objects.filter(slug=PLAN_SLUG).values_list("start_date", flat=True).first()
    if start is None:
        return dt.timedelta(0)
    return today - dt.timedelta(days=PLAN_STARTED_DAYS_AGO) - start


def _move_progress(plan: Plan, moved: dt.timedelta) -> None:
    # queryset.update, not save(): progress updates are append-only for people, but the demo's
    # timeline as a whole moves with today (what was said, by whom, in what order stays).
    # One UPDATE per table; a null date stays null (null + interval is null).
    ProgressUpdate.objects.filter(action__plan=plan).update(
        created_at=F("created_at") + moved, completed_on=F("completed_on") + moved
    )
    Action.objects.filter(plan=plan).update(
        completed_on=F("completed_on") + moved, last_progress_at=F("last_progress_at") + moved
    )


def _date_progress(action: Action, steps: tuple["Step", ...], *, today: dt.date) -> None:
    """Give the reports just made their days: spread from the start to the last report."""
    updates = list(ProgressUpdate.objects.filter(action=action).order_by("pk"))
    assert action.start_date is not None and len(updates) == len(steps)
    last = steps[-1]
    if last.completed_days_ago is not None:
        end = today - dt.timedelta(days=last.completed_days_ago)
    else:
        end = min(action.due_date, today) - dt.timedelta(days=1)
    end = max(end, action.start_date)
    span = (end - action.start_date).days
    for position, update in enumerate(updates, start=1):
        day = action.start_date + dt.timedelta(days=span * position // len(updates))
        # Office hours in London; minutes keep same-day reports in order.
        at = dt.datetime.combine(day, dt.time(10, position), tzinfo=LONDON)
        ProgressUpdate.objects.filter(pk=update.pk).update(created_at=at)
    Action.objects.filter(pk=action.pk).update(last_progress_at=at)


def _d(today: dt.date, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def _upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any], *, by: User) -> M:
    """Find by natural key; create, or save only the values that differ (no empty history)."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
    else:
        changed = False
        for name, value in values.items():
            model_field = model._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            current = getattr(instance, model_field.attname)
            wanted = value.pk if isinstance(value, models.Model) else value
            if current != wanted:
                setattr(instance, name, value)
                changed = True
        if not changed:
            return instance
    validate_instance(instance)
    instance._history_user = by  # type: ignore[attr-defined]
    instance.save()
    return instance


def _set_m2m(manager: Any, wanted: list[Any]) -> None:
    # Only touch the relation when it differs, so that an unchanged load leaves no trace.
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in wanted}:
        manager.set(wanted)


def _load_people() -> dict[str, User]:
    people: dict[str, User] = {}
    password_hash: str | None = None
    administrator = PEOPLE["admin"][0]
    for key, (email, name, organisation, job_title) in PEOPLE.items():
        is_admin = email == administrator
        wanted = {
            "name": name,
            "organisation": organisation,
            "job_title": job_title,
            # A plan administrator as a council would have one: staff, not superuser
            # (accounts.backends gives staff the whole plan; `createsuperuser` for the rest).
            "is_staff": is_admin,
            "is_superuser": False,
            "is_active": True,
        }
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # One hash for everyone: hashing is slow by design, and these are demo logins.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(email=email, password=password_hash, **wanted)
            user.save()
        elif any(getattr(user, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(user, k, v)
            user.save()
        people[key] = user
    return people


def _load_boards(people: dict[str, User], *, today: dt.date, by: User) -> dict[str, Board]:
    boards: dict[str, Board] = {}
    for slug, (name, audience, members) in BOARDS.items():
        board = _upsert(
            Board,
            {"slug": slug},
            {"name": name, "audience": audience, "cadence": CADENCES[slug]},
            by=by,
        )
        wanted_users = set()
        for person, role in members:
            user = people[person]
            wanted_users.add(user.pk)
            _upsert(
                BoardMembership,
                {"board": board, "user": user},
                {"role": role, "joined_on": _d(today, -240)},
                by=by,
            )
        for stale in board.memberships.exclude(user_id__in=wanted_users):
            stale._history_user = by  # type: ignore[attr-defined]
            stale.delete()
        boards[slug] = board
    _load_meetings(boards["northshire-send-executive"], today=today, by=by)
    return boards


def _load_meetings(board: Board, *, today: dt.date, by: User) -> None:
    """The last meeting and the next, placed so that today opens the next one's updates.

    Owners are asked for updates ``update_request_working_days`` working days before the
    papers deadline: with the deadline that many working days ahead, the first sweep of a
    working day asks every owner who has not updated since the last meeting, and the digest
    lists the updates not yet received.
    """
    papers = add_working_days(today, board.update_request_working_days)
    meets = papers + PAPERS_AHEAD
    wanted = {(meets, papers), (meets - MEETING_EVERY, papers - MEETING_EVERY)}
    have = set(board.meetings.values_list("meets_on", "papers_due_on"))
    if have == wanted:
        return
    for stale in board.meetings.all():
        stale._history_user = by  # type: ignore[attr-defined]
        stale.delete()
    for meets_on, papers_due_on in sorted(wanted):
        meeting = BoardMeeting(board=board, meets_on=meets_on, papers_due_on=papers_due_on)
        validate_instance(meeting)
        meeting._history_user = by  # type: ignore[attr-defined]
        meeting.save()


def _load_recommendation(
    spec: RecommendationSpec,
    *,
    plan: Plan,
    people: dict[str, User],
    today: dt.date,
    summary: DemoSummary,
) -> None:
    by = people["admin"]
    recommendation = _upsert(
        Recommendation,
        {"plan": plan, "number": spec.number},
        {"title": spec.title, "lead": people[spec.lead]},
        by=by,
    )
    summary.recommendations += 1
    outcomes = {
        number: _upsert(
            Outcome,
            {"recommendation": recommendation, "number": number},
            {"title": title},
            by=by,
        )
        for number, title in enumerate(spec.outcomes, start=1)
    }

    actions: dict[str, Action] = {}
    for a in spec.actions:
        action = _upsert(
            Action,
            {"plan": plan, "reference": a.reference},
            {
                "recommendation": recommendation,
                "outcome": outcomes[a.outcome],
                "title": a.title,
                "owner": people[a.owner],
                "start_date": _d(today, a.start),
                "due_date": a.due_date(today),
            },
            by=by,
        )
        _set_m2m(action.supporting_owners, [people[p] for p in a.supporting])
        if not ProgressUpdate.objects.filter(action=action).exists():
            for step in a.steps:
                completed_on = (
                    _d(today, -step.completed_days_ago)
                    if step.completed_days_ago is not None
                    else None
                )
                action_update_status(
                    action=action,
                    by=people[a.owner],
                    status=step.status,
                    rag=step.rag,
                    commentary=step.commentary,
                    completed_on=completed_on,
                )
                summary.updates_added += 1
            if a.steps:
                _date_progress(action, a.steps, today=today)
        actions[a.reference] = action
        summary.actions += 1

    for m in spec.milestones:
        milestone = _upsert(
            Milestone,
            {"recommendation": recommendation, "title": m.title},
            {
                "due_date": _d(today, m.due),
                "achieved_on": _d(today, m.achieved) if m.achieved is not None else None,
            },
            by=by,
        )
        _set_m2m(milestone.actions, [actions[ref] for ref in m.actions])
        summary.milestones += 1

    recorder = people["data_lead"]
    for s in spec.measures:
        measure = _upsert(
            SuccessMeasure,
            {"recommendation": recommendation, "name": s.name},
            {
                "outcome": outcomes[s.outcome],
                "unit": s.unit,
                "baseline": Decimal(s.baseline),
                "baseline_date": _d(today, s.readings[0][0]),
                "target": Decimal(s.target),
                "target_date": _d(today, 365),
                "direction": s.direction,
            },
            by=by,
        )
        summary.measures += 1
        dates = []
        for days, value in s.readings:
            taken_on = _d(today, days)
            dates.append(taken_on)
            _upsert(
                MeasureReading,
                {"measure": measure, "taken_on": taken_on},
                {"value": Decimal(value), "recorded_by": recorder},
                by=by,
            )
            summary.readings += 1
        # Readings from an earlier day's run, whose dates have since moved.
        for stale in measure.readings.exclude(taken_on__in=dates):
            stale._history_user = by  # type: ignore[attr-defined]
            stale.delete()
