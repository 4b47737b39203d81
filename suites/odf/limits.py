"""How much of a package the validator will unpack: the defence against ZIP bombs.

Kept free of heavy imports: ``suites/odf/__init__.py`` reads the defaults for the
``[settings.odf]`` model. The numbers and the reasons for them are in the suite README.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MIB = 1 << 20
# Below this many unpacked bytes a part's ratio is not judged: a small repetitive part
# (an empty settings.xml, a blank thumbnail) compresses far better than 1000:1 harmlessly.
RATIO_GRACE_BYTES = 1 * MIB
# Signature files and the parts they sign are read within this fraction of max_part_bytes
# and max_xml_nodes: XML-DSig verification (signxml) serialises, re-parses and
# canonicalises what it digests, holding up to seven copies of a signed XML part at once.
SIGNATURE_SHARE = 8


@dataclass(frozen=True)
class Limits:
    # Unpacked bytes of any one part (the largest images of real documents are tens of MB).
    max_part_bytes: int = 32 * MIB
    # Unpacked bytes of all parts together: bounds the time the CRC check takes.
    max_total_bytes: int = 256 * MIB
    # Unpacked to stored bytes of one part, judged past RATIO_GRACE_BYTES: XML deflates at
    # up to ~100-200:1, DEFLATE itself cannot pass ~1032:1, which is where bombs sit.
    max_ratio: float = 500.0
    # ZIP entries (LibreOffice documents hold tens; one with many pictures a few hundred).
    max_entries: int = 10_000
    # Elements, attributes, comments and processing instructions of one parsed XML part:
    # a parsed node costs ~130-260 bytes, 30 times its text in the worst case.
    max_xml_nodes: int = 200_000

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_LIMITS = Limits()


class LimitExceeded(Exception):
    """A part (or the package) would unpack past a limit: not read further, not judged."""

    def __init__(self, part: str, limit: str, value: float, detail: str,
                 outcome: str = "not read further", share: int = 1) -> None:
        self.part = part
        self.limit = limit
        self.value = value
        shown = f"{_number(value)}:1" if limit == "max_ratio" else _number(value)
        if share > 1:
            shown = (f"{shown} / {share} = {_number(value // share)} for signature "
                     "verification, which holds several copies of what it reads")
        super().__init__(
            f"{part}: {detail}, over the {limit} limit of {shown} "
            f"(--{limit.replace('_', '-')}, [settings.odf] {limit}); {outcome}"
        )


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"
