"""Time-zone test data and comparisons for the time-zone and recurrence checks: a
Europe/Berlin VTIMEZONE written out in full (the checks must not depend on the server's own
zone database), events in it, and the UTC moments RFC 5545 gives them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from suites.caldav import ical

# Not an Olson name, so the server must use the VTIMEZONE sent, not its own zone database.
BERLIN = "EOS-Central-European-Time"
# Central European Time: +01:00, summer time +02:00 from the last Sunday of March 02:00 to
# the last Sunday of October 03:00 (RFC 5545 §3.6.5 VTIMEZONE with two RRULE observances).
BERLIN_VTIMEZONE = ical.CRLF.join([
    "BEGIN:VTIMEZONE", f"TZID:{BERLIN}",
    "BEGIN:DAYLIGHT", "DTSTART:19810329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "END:DAYLIGHT",
    "BEGIN:STANDARD", "DTSTART:19961027T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "END:STANDARD",
    "END:VTIMEZONE"]) + ical.CRLF

# Daily at 09:00 Berlin time for ten days from Wednesday 25 March 2026; summer time starts on
# Sunday 29 March, so the instances move from 08:00 to 07:00 UTC.
BERLIN_DAILY_UTC_ALL = [
    *(f"202603{d}T080000Z" for d in ("25", "26", "27", "28")),
    *(f"202603{d}T070000Z" for d in ("29", "30", "31")),
    *(f"202604{d:02d}T070000Z" for d in (1, 2, 3)),
]
# The instances intersecting 23 March - 2 April.
BERLIN_DAILY_UTC = BERLIN_DAILY_UTC_ALL[:8]


def berlin_event(uid: str, *lines: str) -> str:
    """A calendar object with the Berlin VTIMEZONE and one VEVENT made of ``lines``."""
    return ical.calendar_text(BERLIN_VTIMEZONE, ical.component("VEVENT", uid, *lines))


def berlin_daily(uid: str) -> str:
    return berlin_event(uid, f"DTSTART;TZID={BERLIN}:20260325T090000",
                        f"DTEND;TZID={BERLIN}:20260325T100000", "RRULE:FREQ=DAILY;COUNT=10",
                        "SUMMARY:Berlin morning call")


def moment_text(prop: Any) -> str:
    """An iCalendar date or date-time property as text: a UTC moment as ...Z, a floating
    time without Z, a date as YYYYMMDD; an absent property as ''."""
    if prop is None:
        return ""
    value = getattr(prop, "dt", prop)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%dT%H%M%S")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def is_utc(prop: Any) -> bool:
    """True for a DATE-TIME written in UTC form (value ending in Z, no TZID parameter)."""
    params = getattr(prop, "params", {})
    return "TZID" not in params and prop.to_ical().decode().endswith("Z")
