"""Property-based round trips: generated events and tasks, PUT then GET, compared by meaning.

The objects come from hypothesis strategies in ``suites/caldav/ical.py``: unicode text with
commas, semicolons, backslashes, newlines and non-BMP characters; DTSTART/DTEND/DUE as UTC,
floating and DATE values; RRULE variants; CATEGORIES. The harness seeds hypothesis (the seed
is in the report), and hypothesis shrinks a failure to a minimal object before reporting it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from conformance.api import RecordingSession, cant_tell, current_evidence, expect
from suites.caldav import dav, ical

ROUND_TRIP = settings(max_examples=25, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


def round_trip(session: RecordingSession, calendar: str, item: ical.Generated) -> None:
    url = f"{calendar}{item.uid.split('@')[0]}.ics"
    data = item.to_ical()
    response = dav.put_ical(session, url, data)
    if not 200 <= response.status_code < 300:
        # A server may refuse data it cannot hold; then it stored nothing to compare.
        log = current_evidence()
        if log is not None:
            log.note(f"PUT refused ({response.status_code}): {data.decode()[:400]}")
        cant_tell(f"the server refused a generated, valid {item.kind} ({response.status_code})")
    stored = session.request("GET", url)
    expect(stored.status_code == 200, "GET of the stored object answers 200",
           expected=200, actual=stored.status_code)
    problems = ical.differences(item, stored.content)
    expect(not problems, f"the stored {item.kind} means what was sent: {'; '.join(problems)}",
           expected=data.decode()[:600], actual=stored.text[:600])


@pytest.mark.requirement("caldav.put.round-trip")
@ROUND_TRIP
@given(item=ical.generated_events())
@example(item=ical.special_event())
def test_generated_events_survive_a_round_trip(dav_session: RecordingSession, calendar: str,
                                               item: ical.Generated) -> None:
    round_trip(dav_session, calendar, item)


@pytest.mark.requirement("caldav.put.round-trip")
@ROUND_TRIP
@given(item=ical.generated_todos())
@example(item=ical.special_todo())
def test_generated_tasks_survive_a_round_trip(dav_session: RecordingSession, calendar: str,
                                              item: ical.Generated) -> None:
    round_trip(dav_session, calendar, item)
