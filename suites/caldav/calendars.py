"""Calendars the checks create for themselves: the MKCALENDAR body, a fresh collection URL
under the calendar home, and a factory that creates calendars and deletes them afterwards."""

from __future__ import annotations

import contextlib
import uuid

from conformance.api import RecordingSession, cant_tell
from suites.caldav import dav


def mkcalendar_body(name: str, components: list[str] | None = None) -> bytes:
    props = [dav.element(dav.d("displayname"), text=name)]
    if components:
        props.append(dav.element(dav.c("supported-calendar-component-set"),
                                 *(dav.element(dav.c("comp"), name=comp) for comp in components)))
    return dav.serialize(dav.element(dav.c("mkcalendar"),
                                     dav.element(dav.d("set"), dav.element(dav.d("prop"), *props))))


def new_collection_url(calendar_home: str) -> str:
    return f"{calendar_home}eos-{uuid.uuid4().hex[:12]}/"


class CalendarFactory:
    """Creates calendars for a check and deletes them afterwards."""

    def __init__(self, session: RecordingSession, home: str) -> None:
        self.session = session
        self.home = home
        self.created: list[str] = []

    def create(self, components: list[str] | None = None) -> str:
        url = new_collection_url(self.home)
        response = self.session.request("MKCALENDAR", url,
                                        data=mkcalendar_body("eos check", components),
                                        headers={"Content-Type": dav.XML})
        # Provisioning is lenient (any 2xx); caldav.mkcalendar.created checks the exact 201.
        if not 200 <= response.status_code < 300:
            cant_tell(f"could not create a calendar to test in: MKCALENDAR {url} answered "
                      f"{response.status_code}")
        self.created.append(url)
        return url

    def cleanup(self) -> None:
        for url in self.created:
            # Cleanup must not hide the check's own result.
            with contextlib.suppress(Exception):
                self.session.request("DELETE", url)
