"""Candidate manifests: valid ones load; every kind of bad input is a plain InputError that
names the file, the field and what was expected."""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path

import pytest

from conformance.candidate.launchers import launcher_for
from conformance.candidate.manifest import (
    Artefact,
    expand,
    load_manifest,
    resolve_artefact,
    resolve_manifest,
)
from conformance.errors import InputError
from tests.helpers import VALID_MANIFEST, ZERO_DIGEST, write

DIGEST_FORMAT = re.compile(r"^sha256:[0-9a-f]{64}$")


def bad_manifest(tmp_path: Path, old: str, new: str) -> Path:
    """The valid manifest with one edit; the edit must apply, or the test proves nothing."""
    assert old in VALID_MANIFEST
    return write(tmp_path / "candidate.toml", VALID_MANIFEST.replace(old, new, 1))


def input_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    return str(caught.value)


def test_valid_manifest_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "candidate.toml", VALID_MANIFEST)
    loaded = load_manifest(path)
    manifest = loaded.manifest
    assert manifest.id == "demo-server"
    assert manifest.product == "Demo Server"
    assert manifest.claims == {"demo": ["core"]}
    assert manifest.launch["kind"] == "process"
    assert manifest.endpoints["base"] == "http://127.0.0.1:{port}/"
    assert manifest.accounts["primary"].password == "alice-secret"
    assert manifest.artefacts[0].digest == ZERO_DIGEST
    assert DIGEST_FORMAT.match(loaded.sha256)
    assert loaded.path == path.resolve()
    deviation = manifest.deviation_for("demo.b")
    assert deviation is not None and deviation.reason == "not implemented yet"
    assert manifest.deviation_for("demo.a") is None


def test_missing_required_field_names_file_and_field(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'product = "Demo Server"\n', "")
    message = input_error(path)
    assert str(path) in message
    assert "field 'product'" in message
    assert "Field required" in message


def test_wrong_type_names_field_and_expected_type(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'demo = ["core"]', 'demo = "core"')
    message = input_error(path)
    assert str(path) in message
    assert "field 'claims.demo'" in message
    assert "valid list" in message
    assert "'core'" in message  # what was given


def test_command_not_a_list_is_reported_by_the_launcher(tmp_path: Path) -> None:
    # 'launch' settings depend on the launcher kind, so the launcher validates them.
    path = bad_manifest(
        tmp_path,
        'command = ["{python}", "-m", "http.server", "{port}"]',
        'command = "python -m http.server"',
    )
    loaded = load_manifest(path)
    with pytest.raises(InputError) as caught:
        launcher_for("process")(loaded, tmp_path / "out")
    message = str(caught.value)
    assert str(path.resolve()) in message
    assert "field 'launch.command'" in message
    assert "valid list" in message


def test_unknown_launcher_kind_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        launcher_for("teleport")
    assert "launch.kind" in str(caught.value)
    assert "process" in str(caught.value)  # lists the known kinds


def test_unknown_launcher_kind_in_a_manifest_names_the_file(tmp_path: Path) -> None:
    from conformance.candidate.launchers import validate_launch

    path = bad_manifest(tmp_path, 'kind = "process"', 'kind = "teleport"')
    with pytest.raises(InputError) as caught:
        validate_launch(load_manifest(path))
    assert "launch.kind" in str(caught.value)
    assert str(path.resolve()) in str(caught.value)


def test_typo_in_field_name_is_an_extra_field(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, "[endpoints]", "[endpoint]")
    message = input_error(path)
    assert str(path) in message
    assert "field 'endpoint': Extra inputs are not permitted" in message
    assert "field 'endpoints': Field required" in message


def test_invalid_toml_gives_line_information(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'vendor = "Example Vendor"', 'vendor = "Example Vendor')
    message = input_error(path)
    assert str(path) in message
    assert "not valid TOML" in message
    assert re.search(r"line 3\b", message), message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    message = input_error(path)
    assert str(path) in message
    assert "file not found" in message


def test_directory_instead_of_file(tmp_path: Path) -> None:
    message = input_error(tmp_path)
    assert "is a directory" in message


def test_artefact_with_two_digest_sources(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'name = "demo"\n', 'name = "demo"\npath = "demo.bin"\n')
    message = input_error(path)
    assert str(path) in message
    assert "field 'artefacts.0'" in message
    assert "exactly one of 'digest', 'python_distribution', 'path' or 'image'" in message


def test_artefact_with_no_digest_source(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, f'digest = "{ZERO_DIGEST}"\n', "")
    assert "exactly one of" in input_error(path)


def test_artefact_with_malformed_digest(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, ZERO_DIGEST, "md5:1234")
    message = input_error(path)
    assert "field 'artefacts.0.digest'" in message
    assert "sha256:[0-9a-f]{64}" in message  # the expected shape
    assert "'md5:1234'" in message


def test_endpoints_without_base(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'base = "http', 'other = "http')
    message = input_error(path)
    assert str(path) in message
    assert "endpoints must name a 'base' URL" in message


def test_endpoints_without_base_is_labelled_with_the_field(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'base = "http', 'other = "http')
    assert "field 'endpoints" in input_error(path)


def test_launch_without_kind(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'kind = "process"\n', "")
    message = input_error(path)
    assert str(path) in message
    assert "launch must name its 'kind'" in message


def test_bad_id_slug(tmp_path: Path) -> None:
    path = bad_manifest(tmp_path, 'id = "demo-server"', 'id = "Demo Server"')
    message = input_error(path)
    assert "field 'id'" in message
    assert "should match pattern" in message


def test_expand_replaces_known_placeholders() -> None:
    assert expand("http://{host}:{port}/", {"host": "127.0.0.1", "port": "8080"}, "f") == (
        "http://127.0.0.1:8080/"
    )


def test_expand_unknown_placeholder_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        expand("--dir={wrokdir}", {"workdir": "/w", "port": "1"}, "launch.command")
    message = str(caught.value)
    assert "'launch.command'" in message
    assert "{wrokdir}" in message
    assert "{port}, {workdir}" in message  # what is allowed


def test_resolve_manifest_by_bundled_id_and_by_path(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    write(bundled / "demo-server.toml", VALID_MANIFEST)
    write(bundled / "other.toml", VALID_MANIFEST.replace('"demo-server"', '"other"'))
    assert resolve_manifest("demo-server", bundled).manifest.id == "demo-server"

    elsewhere = write(tmp_path / "elsewhere" / "mine.toml", VALID_MANIFEST)
    loaded = resolve_manifest(str(elsewhere), bundled)
    assert loaded.path == elsewhere.resolve()


def test_resolve_manifest_unknown_id_lists_bundled_ids(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    write(bundled / "alpha.toml", VALID_MANIFEST)
    write(bundled / "beta.toml", VALID_MANIFEST)
    with pytest.raises(InputError) as caught:
        resolve_manifest("gamma", bundled)
    message = str(caught.value)
    assert "'gamma'" in message
    assert "alpha, beta" in message


def test_resolve_manifest_missing_toml_path_is_file_not_found(tmp_path: Path) -> None:
    # A .toml argument is a path, never looked up as a bundled id.
    with pytest.raises(InputError, match="file not found"):
        resolve_manifest(str(tmp_path / "nope.toml"), tmp_path)


def test_the_real_bundled_candidates_load() -> None:
    from conformance.locations import bundled_candidates_dir

    directory = bundled_candidates_dir()
    ids = sorted(p.stem for p in directory.glob("*.toml"))
    assert "radicale" in ids
    for candidate_id in ids:
        assert resolve_manifest(candidate_id, directory).manifest.id == candidate_id


def test_resolve_python_distribution() -> None:
    resolved = resolve_artefact(Artefact(name="pytest", python_distribution="pytest"), Path("."))
    assert resolved.kind == "python-distribution"
    assert resolved.digest is not None and DIGEST_FORMAT.match(resolved.digest)
    assert resolved.version == metadata.version("pytest")
    # Reproducible: the same installation gives the same digest.
    again = resolve_artefact(Artefact(name="pytest", python_distribution="pytest"), Path("."))
    assert again.digest == resolved.digest


def test_distributions_have_distinct_digests() -> None:
    one = resolve_artefact(Artefact(name="a", python_distribution="pytest"), Path("."))
    two = resolve_artefact(Artefact(name="b", python_distribution="requests"), Path("."))
    assert one.digest != two.digest


def test_resolve_missing_distribution() -> None:
    artefact = Artefact(name="x", python_distribution="no-such-distribution-eos")
    with pytest.raises(InputError) as caught:
        resolve_artefact(artefact, Path("."))
    assert "'no-such-distribution-eos' is not installed" in str(caught.value)


def test_resolve_file_relative_to_manifest_directory(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "product.bin").write_bytes(b"\x00product bytes")
    resolved = resolve_artefact(Artefact(name="bin", path="build/product.bin"), tmp_path)
    assert resolved.kind == "file"
    assert resolved.digest == "sha256:" + hashlib.sha256(b"\x00product bytes").hexdigest()


def test_resolve_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        resolve_artefact(Artefact(name="bin", path="gone.bin"), tmp_path)
    message = str(caught.value)
    assert "'bin'" in message
    assert str(tmp_path / "gone.bin") in message


def test_resolve_declared_digest_and_images() -> None:
    declared = resolve_artefact(Artefact(name="d", digest=ZERO_DIGEST), Path("."))
    assert (declared.kind, declared.digest) == ("declared", ZERO_DIGEST)
    image = f"example.org/demo@{ZERO_DIGEST}"
    pinned = resolve_artefact(Artefact(name="i", image=image), Path("."))
    assert (pinned.kind, pinned.digest) == ("image", ZERO_DIGEST)
    # A tag is only resolved once a launcher pulled it.
    tagged = resolve_artefact(Artefact(name="i", image="example.org/demo:1.0"), Path("."))
    assert (tagged.kind, tagged.digest) == ("image", None)


def test_manifest_digest_follows_content_not_layout(tmp_path: Path) -> None:
    # The digest pins the effective manifest: comments and layout do not change it, values do.
    original = load_manifest(write(tmp_path / "a.toml", VALID_MANIFEST)).sha256
    reformatted = "# a comment\n" + VALID_MANIFEST.replace('vendor = "Example Vendor"',
                                                           'vendor   =   "Example Vendor"')
    assert load_manifest(write(tmp_path / "b.toml", reformatted)).sha256 == original
    changed = VALID_MANIFEST.replace('version = "1.2.3"', 'version = "1.2.4"')
    assert load_manifest(write(tmp_path / "c.toml", changed)).sha256 != original


def test_extends_takes_missing_top_level_keys_from_the_base(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", VALID_MANIFEST)
    child = write(tmp_path / "variants" / "child.toml",
                  'extends = "../base.toml"\nid = "demo-child"\n\n'
                  '[launch]\nkind = "endpoint"\n')
    loaded = load_manifest(child)
    manifest = loaded.manifest
    assert manifest.id == "demo-child"
    assert manifest.product == "Demo Server"  # inherited
    # Whole keys are replaced, never merged: nothing of the base's launch table remains.
    assert manifest.launch == {"kind": "endpoint"}
    assert loaded.sha256 != load_manifest(tmp_path / "base.toml").sha256


def test_extends_cycle_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(InputError) as caught:
        load_manifest(tmp_path / "a.toml")
    assert "field 'extends'" in str(caught.value)
    assert "extends itself" in str(caught.value)


def test_extends_must_be_a_path(tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", "extends = 3\n")
    message = input_error(path)
    assert str(path) in message
    assert "field 'extends': expected a file path" in message


def test_extends_missing_base_names_the_base(tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", 'extends = "gone.toml"\n')
    message = input_error(path)
    assert str(tmp_path / "gone.toml") in message
    assert "file not found" in message


def _with_files(files_toml: str) -> str:
    marker = '\n[endpoints]'
    assert marker in VALID_MANIFEST
    return VALID_MANIFEST.replace(marker, f"\n[launch.files]\n{files_toml}\n{marker}", 1)


def test_file_template_is_read_beside_the_declaring_manifest(tmp_path: Path) -> None:
    write(tmp_path / "shared" / "server.conf", "listen {port}\n")
    files = '"server.conf" = { template = "shared/server.conf" }'
    write(tmp_path / "base.toml", _with_files(files))
    # A variant in another folder inherits the base's launch: the path stays the base's.
    child = write(tmp_path / "variants" / "child.toml",
                  'extends = "../base.toml"\nid = "demo-child"\n')
    for path in (tmp_path / "base.toml", child):
        launch = load_manifest(path).manifest.launch
        assert launch["files"] == {"server.conf": "listen {port}\n"}


def test_file_template_content_is_part_of_the_manifest_digest(tmp_path: Path) -> None:
    template = write(tmp_path / "server.conf", "listen {port}\n")
    path = write(tmp_path / "a.toml", _with_files('"server.conf" = { template = "server.conf" }'))
    before = load_manifest(path).sha256
    template.write_text("listen {port}\nverbose\n")
    assert load_manifest(path).sha256 != before


def test_missing_file_template_names_the_field_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", _with_files('"server.conf" = { template = "gone.conf" }'))
    message = input_error(path)
    assert "field 'launch.files.server.conf'" in message
    assert str(tmp_path / "gone.conf") in message


def test_file_entry_of_another_shape_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", _with_files('"server.conf" = { source = "x.conf" }'))
    message = input_error(path)
    assert "field 'launch.files.server.conf'" in message
    assert "template" in message


def test_test_mode_setting_needs_a_name_a_description_and_requirements(tmp_path: Path) -> None:
    entry = '\n[[test_mode]]\nname = "Plain HTTP"\ndescription = ""\nrequirements = []\n'
    message = input_error(write(tmp_path / "a.toml", VALID_MANIFEST + entry))
    for field in ("test_mode.0.name", "test_mode.0.description", "test_mode.0.requirements"):
        assert f"field '{field}'" in message
