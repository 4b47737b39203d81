"""The ODF suite: OASIS OpenDocument 1.2-1.4 packages and schemas, producers and consumers."""

from pydantic import BaseModel, ConfigDict, Field

from conformance.api import SuiteDeclaration
from suites.odf.limits import DEFAULT_LIMITS, Limits


class ODFSettings(BaseModel):
    """``[settings.odf]`` of a candidate manifest: the commands that drive the product."""

    model_config = ConfigDict(extra="forbid")
    # Document kind (text, spreadsheet, …) -> command that opens {input} and saves it as ODF.
    roundtrip: dict[str, list[str]] = Field(default_factory=dict)
    # Export format (txt, html, pdf, csv) -> command that converts {input} to it.
    export: dict[str, list[str]] = Field(default_factory=dict)
    # Export format -> command that opens a password-encrypted {input} with {password} and
    # converts it (none: the candidate does not open encrypted documents).
    export_with_password: dict[str, list[str]] = Field(default_factory=dict)
    timeout: float = Field(default=120, gt=0)
    # How much of a saved document the suite unpacks (suite README, "Limits"): a part past
    # one is not read, and the requirements that needed it are cantTell.
    max_part_bytes: int = Field(
        default=DEFAULT_LIMITS.max_part_bytes, gt=0,
        description="unpacked bytes of any one part of a saved package")
    max_total_bytes: int = Field(
        default=DEFAULT_LIMITS.max_total_bytes, gt=0,
        description="unpacked bytes of all parts of a saved package together")
    max_ratio: float = Field(
        default=DEFAULT_LIMITS.max_ratio, ge=1,
        description="unpacked to stored bytes of one part, judged past 1 MiB unpacked")
    max_entries: int = Field(
        default=DEFAULT_LIMITS.max_entries, gt=0,
        description="entries of a saved package's ZIP archive")
    max_xml_nodes: int = Field(
        default=DEFAULT_LIMITS.max_xml_nodes, gt=0,
        description="elements, attributes, comments and processing instructions of one "
        "parsed XML part")

    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.names()})


SUITE = SuiteDeclaration(
    faults="faults:FAULTS",
    exemptions="faults:EXEMPTIONS",
    commands="commands:COMMANDS",
    settings=ODFSettings,
    # An office suite converting a document may take minutes on a loaded machine.
    check_deadline_seconds=900,
    # The interoperability matrix of a campaign's ODF tools (interop.py).
    campaign_page="interop:campaign_page",
)
