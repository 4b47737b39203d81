"""Requirements catalogues: loading, consistency errors, section URLs and suite digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conformance.errors import InputError
from conformance.suite.catalogue import find_suite_directory, load_suite, tree_digest
from conformance.suite.discovery import discover_suites
from tests.helpers import Req, catalogue_text, write

REQUIREMENTS = [
    Req("demo.a", "MUST", section="4.1"),
    Req("demo.b", "SHOULD", section="4.2"),
    Req("demo.c", "MAY", profiles=()),
]


def make_suite(directory: Path, text: str) -> Path:
    write(directory / "catalogue.toml", text)
    write(directory / "checks" / "test_demo.py", "# checks\n")
    return directory


def load_error(directory: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_suite(directory)
    return str(caught.value)


def test_load_suite(tmp_path: Path) -> None:
    directory = make_suite(tmp_path / "demo", catalogue_text(REQUIREMENTS))
    suite = load_suite(directory)
    catalogue = suite.catalogue
    assert suite.standard == "demo"
    assert suite.directory == directory.resolve()
    assert list(catalogue.by_id) == ["demo.a", "demo.b", "demo.c"]
    assert catalogue.by_id["demo.b"].level == "SHOULD"
    assert [r.id for r in catalogue.profile_requirements("core")] == ["demo.a", "demo.b"]
    catalogue_bytes = (directory / "catalogue.toml").read_bytes()
    assert suite.catalogue_digest == "sha256:" + hashlib.sha256(catalogue_bytes).hexdigest()
    assert suite.suite_digest == tree_digest(directory)


@pytest.mark.parametrize(
    ("requirements", "expected"),
    [
        ([Req("demo.a"), Req("demo.a")], "requirement id 'demo.a' appears twice"),
        ([Req("demo.a", spec="rfc0000")], "requirement 'demo.a' cites unknown spec 'rfc0000'"),
        ([Req("demo.a", profiles=("gold",))], "requirement 'demo.a' names unknown profile 'gold'"),
    ],
    ids=["duplicate-id", "unknown-spec", "unknown-profile"],
)
def test_inconsistent_catalogue(tmp_path: Path, requirements: list[Req], expected: str) -> None:
    directory = make_suite(tmp_path / "demo", catalogue_text(requirements))
    message = load_error(directory)
    assert str(directory / "catalogue.toml") in message
    assert expected in message


def test_bad_level(tmp_path: Path) -> None:
    directory = make_suite(tmp_path / "demo", catalogue_text([Req("demo.a", "MUSTN'T")]))
    message = load_error(directory)
    assert str(directory / "catalogue.toml") in message
    assert "field 'requirements.0.level'" in message
    assert "'MUST', 'SHOULD' or 'MAY'" in message


def test_missing_catalogue(tmp_path: Path) -> None:
    message = load_error(tmp_path)
    assert str(tmp_path / "catalogue.toml") in message
    assert "file not found" in message


def test_url_of_uses_section_template_unless_the_requirement_has_a_url(tmp_path: Path) -> None:
    text = catalogue_text([Req("demo.a", section="5.3.1"), Req("demo.b")])
    text = text.replace('summary = "Requirement demo.b"',
                        'summary = "Requirement demo.b"\nurl = "https://example.org/errata/7"')
    catalogue = load_suite(make_suite(tmp_path / "demo", text)).catalogue
    assert catalogue.url_of(catalogue.by_id["demo.a"]) == "https://example.org/spec#section-5.3.1"
    assert catalogue.url_of(catalogue.by_id["demo.b"]) == "https://example.org/errata/7"


def test_url_of_without_section_template_is_the_spec_url(tmp_path: Path) -> None:
    text = catalogue_text([Req("demo.a")]).replace(
        'section_url = "https://example.org/spec#section-{section}"\n', "")
    catalogue = load_suite(make_suite(tmp_path / "demo", text)).catalogue
    assert catalogue.url_of(catalogue.by_id["demo.a"]) == "https://example.org/spec"


def test_tree_digest_follows_content_and_ignores_pycache(tmp_path: Path) -> None:
    directory = make_suite(tmp_path / "demo", catalogue_text(REQUIREMENTS))
    before = tree_digest(directory)
    assert before == tree_digest(directory)

    # Byte code and other non-source files do not change what the suite is.
    write(directory / "checks" / "__pycache__" / "test_demo.cpython-311.py", "junk")
    write(directory / "checks" / "__pycache__" / "stale.py", "junk")
    (directory / "checks" / "test_demo.cpython-311.pyc").write_bytes(b"\x00")
    assert tree_digest(directory) == before

    write(directory / "checks" / "test_demo.py", "# checks, edited\n")
    edited = tree_digest(directory)
    assert edited != before

    # Moving a file changes the digest too: paths are part of it.
    (directory / "checks" / "test_demo.py").rename(directory / "checks" / "test_moved.py")
    assert tree_digest(directory) not in (before, edited)


def test_find_suite_directory(tmp_path: Path) -> None:
    directory = make_suite(tmp_path / "demo", catalogue_text(REQUIREMENTS))
    assert find_suite_directory(directory / "checks") == directory
    assert find_suite_directory(directory) == directory
    assert find_suite_directory(tmp_path) is None


def test_the_real_caldav_catalogue_loads() -> None:
    suites = discover_suites()
    assert "caldav" in suites
    catalogue = suites["caldav"].catalogue
    assert "caldav-core" in catalogue.profiles
    assert catalogue.profile_requirements("caldav-core")
    for requirement in catalogue.requirements:
        assert requirement.id.startswith("caldav.")
        assert catalogue.url_of(requirement).startswith("https://")
