"""Schedules: intervals and cron lines read, validated and turned into next runs; the scheduler
tick harvests what is due (and only that), and sweeps completeness with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hub.models import CompletenessReport, CountSnapshot, HarvestRun, Repository, utcnow
from hub.scheduling.beat import beat_schedule
from hub.scheduling.runner import due_repositories, start_if_enabled, tick
from hub.scheduling.schedule import Cron, Interval, ScheduleError, next_run, parse_schedule, validate_schedule

SUNDAY = datetime(2026, 3, 1, 10, 17, tzinfo=UTC)


def test_intervals():
    assert parse_schedule("6h") == Interval(6 * 3600)
    assert parse_schedule(" 1D ") == Interval(86400)
    assert parse_schedule("2w") == Interval(14 * 86400)
    assert parse_schedule("") is None
    assert parse_schedule("6h").next_after(SUNDAY) == SUNDAY + timedelta(hours=6)


@pytest.mark.parametrize(("line", "expected"), [
    ("30 2 * * *", datetime(2026, 3, 2, 2, 30, tzinfo=UTC)),
    ("*/15 * * * 1-5", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # 1 March 2026 is a Sunday
    ("0 0 29 2 *", datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),
    ("0 12 * * sun", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
    ("0 12 * * 7", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
    ("0 0 1 * 3", datetime(2026, 3, 4, 0, 0, tzinfo=UTC)),  # day-of-month OR day-of-week
    ("20,40 10 * mar *", datetime(2026, 3, 1, 10, 20, tzinfo=UTC)),
])
def test_cron_next_run(line, expected):
    schedule = parse_schedule(line)
    assert isinstance(schedule, Cron)
    assert schedule.next_after(SUNDAY) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("every day", "cron line"), ("1m", "at least"), ("60 * * * *", "outside 0-59"), ("* 24 * * *", "outside 0-23"),
    ("5-1 * * * *", "backwards"), ("*/0 * * * *", "positive"), ("* * * * * *", "five fields"), ("a * * * *", "not a number"),
    ("0 0 31 2 *", "never matches"),
])
def test_invalid_schedules(text, message):
    with pytest.raises(ScheduleError, match=message):
        if parse_schedule(text) is not None:
            parse_schedule(text).next_after(SUNDAY)


def test_next_run_of_never_harvested_is_now_and_manual_is_none():
    assert next_run("6h", None, SUNDAY) == SUNDAY
    assert next_run("", SUNDAY, SUNDAY) is None
    assert next_run("nonsense", SUNDAY, SUNDAY) is None
    assert validate_schedule("  30   2 * * * ") == "30 2 * * *"


def test_tick_harvests_due_repositories_only(hub, network):
    with hub.db.session() as session:
        session.get(Repository, network.donghai_repo).schedule = "1d"
        session.get(Repository, network.xiling_repo).schedule = ""
    with hub.db.session() as session:
        assert due_repositories(session, hub.settings) == [network.donghai_repo]
    lines = tick(hub)
    assert f"repository {network.donghai_repo}: harvested, succeeded" in lines
    with hub.db.session() as session:
        runs = session.scalars(select(HarvestRun)).all()
        assert [r.repository_id for r in runs] == [network.donghai_repo]
        assert due_repositories(session, hub.settings) == []  # next one in a day
        assert session.scalar(select(func.count(CompletenessReport.id))) == 1
        assert session.scalar(select(func.count(CountSnapshot.id))) == 2
        later = utcnow() + timedelta(days=1, minutes=1)
        assert due_repositories(session, hub.settings, later) == [network.donghai_repo]
    assert not any("harvested" in line for line in tick(hub))


def test_paused_repositories_are_not_due(hub, network):
    from hub.members import set_state
    from hub.states import RepositoryState

    with hub.db.session() as session:
        session.get(Repository, network.donghai_repo).schedule = "6h"
        set_state(session, network.donghai_repo, RepositoryState.PAUSED)
    with hub.db.session() as session:
        assert due_repositories(session, hub.settings) == []


def test_scheduler_thread_is_off_unless_asked(hub):
    assert start_if_enabled(hub) is None
    assert beat_schedule(hub.settings)["chair-scheduler-tick"]["schedule"] == 60.0
