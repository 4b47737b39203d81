"""The ODF suite: OASIS OpenDocument 1.2-1.4 packages and schemas, producers and consumers."""

from pydantic import BaseModel, ConfigDict, Field

from conformance.api import SuiteDeclaration


class ODFSettings(BaseModel):
    """``[settings.odf]`` of a candidate manifest: the commands that drive the product."""

    model_config = ConfigDict(extra="forbid")
    # Document kind (text, spreadsheet, …) -> command that opens {input} and saves it as ODF.
    roundtrip: dict[str, list[str]] = Field(default_factory=dict)
    # Export format (txt, html, pdf, csv) -> command that converts {input} to it.
    export: dict[str, list[str]] = Field(default_factory=dict)
    timeout: float = Field(default=120, gt=0)


SUITE = SuiteDeclaration(
    faults="faults:FAULTS",
    exemptions="faults:EXEMPTIONS",
    commands="commands:COMMANDS",
    settings=ODFSettings,
    # An office suite converting a document may take minutes on a loaded machine.
    check_deadline_seconds=900,
)
