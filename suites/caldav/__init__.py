"""The CalDAV suite: RFC 4791 with RFC 4918, RFC 6578, RFC 5397 and RFC 6764."""

from pydantic import BaseModel, ConfigDict

from conformance.api import SuiteDeclaration


class CalDAVSettings(BaseModel):
    """``[settings.caldav]`` of a candidate manifest."""

    model_config = ConfigDict(extra="forbid")
    account: str = "primary"  # the manifest account the checks sign in as
    # Where the account's calendars live when the server does not say, e.g. "/{username}/".
    calendar_home: str | None = None
    # Optional features the candidate does not offer: the catalogue marks the requirements
    # conditional on them, which are then inapplicable with this declaration as the signal.
    # Known: "scheduling" (RFC 6638, the caldav-scheduling profile).
    absent: list[str] = []
    # The manifest account of a second principal on the same server (scheduling checks).
    second_account: str = "secondary"


SUITE = SuiteDeclaration(
    faults="faults:FAULTS", exemptions="faults:EXEMPTIONS",
    settings=CalDAVSettings,
)
