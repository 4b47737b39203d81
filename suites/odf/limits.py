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

    def __init__(self, part: str, limit: str, value: float, detail: str) -> None:
        self.part = part
        self.limit = limit
        self.value = value
        super().__init__(
            f"{part}: {detail}, over the {limit} limit of {_number(value)} "
            f"(--{limit.replace('_', '-')}, [settings.odf] {limit}); not read further"
        )


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"
