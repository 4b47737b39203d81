"""CalDAV provisioning from the manifest: accounts, discovery of the calendar home, and a
fresh calendar per check. Nothing here knows a product by name.

Manifest settings under ``[settings.caldav]`` (all optional):
- ``account``: the account checks run as (default ``primary``). When that account has a
  password the candidate is taken to authenticate users, which is what makes
  caldav.principal.unauthenticated applicable;
- ``calendar_home``: a path template such as ``/{username}/`` when discovery cannot be used
  (it is resolved against the ``base`` endpoint).

Checks create every calendar they use under the calendar home (MKCALENDAR) and delete it
afterwards, so they do not depend on each other or on what the account already holds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.api import CandidateContext, RecordingSession, cant_tell
from suites.caldav import dav
from suites.caldav.calendars import CalendarFactory


@pytest.fixture(scope="session")
def caldav_settings(candidate: CandidateContext) -> dict[str, object]:
    return candidate.settings("caldav")


@pytest.fixture(scope="session")
def account_name(caldav_settings: dict[str, object]) -> str:
    return str(caldav_settings.get("account", "primary"))


@pytest.fixture(scope="session")
def dav_session(candidate: CandidateContext, account_name: str) -> RecordingSession:
    """An HTTP session authenticated as the checks' account; every exchange is evidence."""
    return candidate.session(account_name)


@pytest.fixture
def anonymous_session(candidate: CandidateContext) -> RecordingSession:
    return candidate.session(None)


@pytest.fixture(scope="session")
def principal_url(dav_session: RecordingSession) -> str:
    response = dav.propfind(dav_session, "", [dav.d("current-user-principal")])
    if response.status_code != 207:
        cant_tell("PROPFIND current-user-principal on the base URL answered "
                  f"{response.status_code}")
    found = [dav.href_value(r.prop(dav.d("current-user-principal")))
             for r in dav.parse_multistatus(response, "PROPFIND current-user-principal")]
    href = next((h for h in found if h), None)
    if href is None:
        cant_tell("the base URL names no DAV:current-user-principal href")
    return dav_session.url(href)


@pytest.fixture(scope="session")
def calendar_home(candidate: CandidateContext, caldav_settings: dict[str, object],
                  account_name: str, dav_session: RecordingSession) -> str:
    template = caldav_settings.get("calendar_home")
    if template:
        username = candidate.account(account_name).username
        return dav_session.url(str(template).format(username=username))
    response = dav.propfind(dav_session, "", [dav.d("current-user-principal")])
    principal = next((dav.href_value(r.prop(dav.d("current-user-principal")))
                      for r in dav.parse_multistatus(response, "discovery")), None)
    if not principal:
        cant_tell("cannot discover the principal, and [settings.caldav] names no calendar_home")
    response = dav.propfind(dav_session, principal, [dav.c("calendar-home-set")])
    homes = [dav.href_value(r.prop(dav.c("calendar-home-set")))
             for r in dav.parse_multistatus(response, "PROPFIND calendar-home-set")]
    home = next((h for h in homes if h), None)
    if home is None:
        cant_tell(f"principal {principal} names no CALDAV:calendar-home-set")
    return dav_session.url(home if home.endswith("/") else home + "/")


@pytest.fixture
def calendars(dav_session: RecordingSession, calendar_home: str) -> Iterator[CalendarFactory]:
    factory = CalendarFactory(dav_session, calendar_home)
    yield factory
    factory.cleanup()


@pytest.fixture
def calendar(calendars: CalendarFactory) -> str:
    """A fresh, empty calendar collection URL (ending in '/')."""
    return calendars.create()
