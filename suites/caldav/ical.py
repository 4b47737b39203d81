"""iCalendar builders, parsing and hypothesis strategies for the CalDAV checks.

Fixed test data is written as plain iCalendar text, so each check shows exactly what it sends.
Generated data (hypothesis) goes through the ``icalendar`` library, which escapes and folds
correctly; what comes back is compared semantically, never byte for byte, since a server may
reorder or refold lines and add PRODID or DTSTAMP.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
from hypothesis import assume
from hypothesis import strategies as st

from conformance.api import CheckFailure

CRLF = "\r\n"
ICAL = "text/calendar; charset=utf-8"
DTSTAMP = "20260101T000000Z"


def new_uid() -> str:
    return f"eos-{uuid.uuid4()}@conformance.example"


def utc(value: datetime) -> str:
    """An iCalendar UTC DATE-TIME, e.g. 20260310T100000Z."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """A TEXT property value escaped as RFC 5545 §3.3.11 demands."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def calendar_text(*components: str, method: str | None = None) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//EOS conformance//CalDAV suite//EN"]
    if method:
        lines.append(f"METHOD:{method}")
    body = CRLF.join(lines) + CRLF + "".join(components) + "END:VCALENDAR" + CRLF
    return body


def component(kind: str, uid: str, *properties: str) -> str:
    lines = [f"BEGIN:{kind}", f"UID:{uid}", f"DTSTAMP:{DTSTAMP}", *properties, f"END:{kind}"]
    return CRLF.join(lines) + CRLF


def event(uid: str, summary: str, start: str, end: str | None = None, *extra: str) -> str:
    """A VEVENT component; ``start``/``end`` are full property lines or UTC values."""
    props = [start if ":" in start else f"DTSTART:{start}", f"SUMMARY:{escape_text(summary)}"]
    if end:
        props.append(end if ":" in end else f"DTEND:{end}")
    return component("VEVENT", uid, *props, *extra)


def todo(uid: str, summary: str, *extra: str) -> str:
    return component("VTODO", uid, f"SUMMARY:{escape_text(summary)}", *extra)


def simple_event(uid: str | None = None, summary: str = "Conformance event",
                 start: str = "20260310T100000Z", end: str = "20260310T110000Z",
                 *extra: str) -> str:
    """A whole calendar object holding one ordinary VEVENT."""
    return calendar_text(event(uid or new_uid(), summary, start, end, *extra))


def simple_todo(uid: str | None = None, summary: str = "Conformance task", *extra: str) -> str:
    return calendar_text(todo(uid or new_uid(), summary, *extra))


def parse(data: bytes | str, what: str) -> icalendar.Calendar:
    """Parse iCalendar data; data that does not parse fails the check with evidence."""
    try:
        return icalendar.Calendar.from_ical(data)
    except Exception as error:  # the library raises ValueError and friends
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        raise CheckFailure(f"{what}: not parseable iCalendar ({error})",
                           expected="valid iCalendar", actual=text[:300]) from None


def components(calendar: icalendar.Calendar, kind: str | None = None) -> list[Any]:
    kinds = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"} if kind is None else {kind}
    return [c for c in calendar.walk() if c.name in kinds]


def uids(data: bytes | str, what: str) -> set[str]:
    return {str(c.get("UID")) for c in components(parse(data, what)) if c.get("UID")}


# --- generated objects for the round-trip check -------------------------------------------

def _text_character_ok(char: str) -> bool:
    # iCalendar TEXT carries no control characters but the newline, which it escapes
    # (RFC 5545 §3.3.11); line separators make some parsers split lines, so leave them out.
    if char == "\n":
        return True
    return (char.isprintable() or char == " ") and char not in "\u2028\u2029\x85"


# Characters iCalendar must escape or that stress encodings, drawn often on purpose.
SPECIAL = list(",;:\\\n\"' é€\u00a0\u4e2d\U0001F600\U00010348")

TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPECIAL),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")).filter(_text_character_ok),
    ),
    min_size=1, max_size=60,
).filter(lambda s: s.strip() != "")

CATEGORY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(",; é\U0001F389")),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    ),
    min_size=1, max_size=20,
).filter(lambda s: s.strip() == s and s != "")


@dataclass
class Generated:
    """What a generated calendar object must still say after the server stored it."""

    kind: str
    uid: str
    properties: dict[str, Any] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)

    def to_ical(self) -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("VERSION", "2.0")
        calendar.add("PRODID", "-//EOS conformance//round trip//EN")
        item = icalendar.Event() if self.kind == "VEVENT" else icalendar.Todo()
        item.add("UID", self.uid)
        item.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=UTC))
        for name, value in self.properties.items():
            item.add(name, value)
        if self.categories:
            item.add("CATEGORIES", self.categories)
        calendar.add_component(item)
        return bytes(calendar.to_ical())


def _uid(draw: st.DrawFn) -> str:
    # Drawn, not random, so the run's seed reproduces the same objects.
    return f"eos-{draw(st.uuids())}@conformance.example"


def _moment(kind: str, draw: st.DrawFn) -> date | datetime:
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)))
    if kind == "date":
        return day
    clock = draw(st.times()).replace(microsecond=0)
    moment = datetime.combine(day, clock)
    return moment.replace(tzinfo=UTC) if kind == "utc" else moment


def _rrule(kind: str, start: date | datetime, draw: st.DrawFn) -> dict[str, Any]:
    rule: dict[str, Any] = {"FREQ": draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY",
                                                          "YEARLY"]))}
    if draw(st.booleans()):
        rule["INTERVAL"] = draw(st.integers(min_value=2, max_value=5))
    ending = draw(st.sampled_from(["count", "until", "none"]))
    if ending == "count":
        rule["COUNT"] = draw(st.integers(min_value=1, max_value=30))
    elif ending == "until":
        # UNTIL takes the value type of DTSTART (RFC 5545 §3.3.10).
        until = start + timedelta(days=draw(st.integers(min_value=1, max_value=800)))
        rule["UNTIL"] = until
    if rule["FREQ"] == "WEEKLY" and draw(st.booleans()):
        rule["BYDAY"] = draw(st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA",
                                                       "SU"]), min_size=1, max_size=3,
                                      unique=True))
    if rule["FREQ"] == "MONTHLY" and draw(st.booleans()):
        rule["BYMONTHDAY"] = [draw(st.integers(min_value=1, max_value=28))]
    return rule


@st.composite
def generated_events(draw: st.DrawFn) -> Generated:
    kind = draw(st.sampled_from(["utc", "floating", "date"]))
    start = _moment(kind, draw)
    length = (timedelta(days=draw(st.integers(1, 5))) if kind == "date"
              else timedelta(minutes=draw(st.integers(1, 60 * 48))))
    props: dict[str, Any] = {"SUMMARY": draw(TEXT), "DTSTART": start, "DTEND": start + length}
    if draw(st.booleans()):
        props["DESCRIPTION"] = draw(TEXT)
    if draw(st.booleans()):
        props["LOCATION"] = draw(TEXT)
    if draw(st.booleans()):
        props["RRULE"] = _rrule(kind, start, draw)
    item = Generated("VEVENT", _uid(draw), props, draw(st.lists(CATEGORY, max_size=3)))
    _representable(item)
    return item


@st.composite
def generated_todos(draw: st.DrawFn) -> Generated:
    kind = draw(st.sampled_from(["utc", "floating", "date"]))
    props: dict[str, Any] = {"SUMMARY": draw(TEXT)}
    if draw(st.booleans()):
        props["DESCRIPTION"] = draw(TEXT)
    start = _moment(kind, draw)
    if draw(st.booleans()):
        props["DTSTART"] = start
    if draw(st.booleans()):
        later = timedelta(days=draw(st.integers(0, 30)))
        # DUE comes after DTSTART (RFC 5545 §3.6.2); DATE values need a whole day more.
        props["DUE"] = start + later + (timedelta(days=1) if kind == "date" else timedelta(hours=1))
    props["PRIORITY"] = draw(st.integers(min_value=0, max_value=9))
    props["STATUS"] = draw(st.sampled_from(["NEEDS-ACTION", "IN-PROCESS", "COMPLETED",
                                            "CANCELLED"]))
    item = Generated("VTODO", _uid(draw), props, draw(st.lists(CATEGORY, max_size=3)))
    _representable(item)
    return item


def special_event() -> Generated:
    """A fixed event holding every troublesome kind of text at once (always tried first)."""
    return Generated("VEVENT", "eos-special-event@conformance.example", {
        "SUMMARY": "Café, Ärger; \"quoted\" \\ back\\slash: 😀 𐍈 中文",
        "DESCRIPTION": "line one\nline two, with comma; semicolon\n\nthird after blank " * 3,
        "DTSTART": datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
        "DTEND": datetime(2026, 3, 10, 10, 45, tzinfo=UTC),
        "RRULE": {"FREQ": "WEEKLY", "BYDAY": ["MO", "WE"], "UNTIL": datetime(2026, 6, 1,
                                                                              tzinfo=UTC)},
    }, ["work, urgent", "semi;colon", "émoji 🎉"])


def special_todo() -> Generated:
    return Generated("VTODO", "eos-special-todo@conformance.example", {
        "SUMMARY": "Réviser le rapport; vérifier, signer \\ envoyer 📎",
        "DESCRIPTION": "Steps:\n1. read\n2. sign, date; send",
        "DTSTART": date(2026, 3, 10), "DUE": date(2026, 3, 12),
        "PRIORITY": 1, "STATUS": "IN-PROCESS",
    }, ["admin"])


def _representable(item: Generated) -> None:
    """Keep only objects the comparison oracle itself round-trips, so a failure is the
    server's and never the parser's."""
    try:
        assume(not differences(item, item.to_ical()))
    except CheckFailure:
        assume(False)


def _flat_categories(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(c) for v in values for c in getattr(v, "cats", [v])]


def _normal_rrule(value: Any) -> dict[str, str]:
    """RRULE parts in canonical text, lists sorted: BYDAY=TU,MO equals BYDAY=MO,TU."""
    text = icalendar.vRecur(dict(value)).to_ical().decode().upper()  # type: ignore[no-untyped-call]
    parts = (part.split("=", 1) for part in text.split(";") if "=" in part)
    return {key: ",".join(sorted(val.split(","))) for key, val in sorted(parts)}


def _same_moment(expected: date | datetime, actual: Any) -> bool:
    value = getattr(actual, "dt", None)
    if type(value) is not type(expected):
        return False
    if (isinstance(expected, datetime) and isinstance(value, datetime)
            and (expected.tzinfo is None) != (value.tzinfo is None)):
        return False
    return bool(value == expected)


def differences(item: Generated, stored: bytes | str) -> list[str]:
    """How ``stored`` differs in meaning from ``item``; empty when equivalent."""
    found = [c for c in components(parse(stored, "stored object"), item.kind)
             if str(c.get("UID")) == item.uid]
    if len(found) != 1:
        return [f"expected one {item.kind} with UID {item.uid}, found {len(found)}"]
    got = found[0]
    problems: list[str] = []
    for name, expected in item.properties.items():
        actual = got.get(name)
        if actual is None:
            problems.append(f"{name} is missing")
        elif name in ("DTSTART", "DTEND", "DUE"):
            if not _same_moment(expected, actual):
                problems.append(f"{name}: sent {expected!r}, got {getattr(actual, 'dt', actual)!r}")
        elif name == "RRULE":
            sent = _normal_rrule(icalendar.vRecur(expected))
            if sent != _normal_rrule(actual):
                problems.append(f"RRULE: sent {sent}, got {_normal_rrule(actual)}")
        elif name == "PRIORITY":
            if int(actual) != expected:
                problems.append(f"PRIORITY: sent {expected}, got {actual}")
        elif str(actual) != str(expected):
            problems.append(f"{name}: sent {str(expected)!r}, got {str(actual)!r}")
    if item.categories:
        got_categories = _flat_categories(got.get("CATEGORIES", []))
        if got_categories != item.categories:
            problems.append(f"CATEGORIES: sent {item.categories!r}, got {got_categories!r}")
    return problems
