"""Generic core features added with the OpenID Connect suite: npm package-lock artefacts,
requirement references in catalogues and reports, the fault proxy on a fixed port without a
cookie jar, the ``{public_port}`` and ``{manifest_dir}`` placeholders, and misconfigured
candidate variants for faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from conformance.candidate.launchers import launcher_of
from conformance.candidate.launchers.base import free_loopback_port
from conformance.candidate.manifest import Artefact, load_manifest, resolve_artefact
from conformance.candidate.npm_artefact import npm_package_digest
from conformance.errors import InputError
from conformance.report.model import RequirementInfo
from conformance.suite.catalogue import Requirement
from conformance.suite.fault_runner import proxied_manifest, run_variant, variant_manifest_path
from conformance.suite.faults import NO_FAULT, Fault, FaultProxy
from tests.helpers import VALID_MANIFEST, ZERO_DIGEST, local_http_server, write

LOCK = {
    "name": "x", "lockfileVersion": 3,
    "packages": {
        "": {"dependencies": {"demo-pkg": "1.2.3"}},
        "node_modules/demo-pkg": {
            "version": "1.2.3",
            "resolved": "https://registry.npmjs.org/demo-pkg/-/demo-pkg-1.2.3.tgz",
            "integrity": "sha512-AAAA",
        },
    },
}


def lockfile(tmp_path: Path, data: object = LOCK) -> Path:
    path = tmp_path / "package-lock.json"
    path.write_text(json.dumps(data))
    return path


def test_npm_digest_follows_the_pinned_tarball(tmp_path: Path) -> None:
    digest, version = npm_package_digest(lockfile(tmp_path), "demo-pkg")
    assert version == "1.2.3" and digest.startswith("sha256:")
    changed = json.loads(json.dumps(LOCK))
    changed["packages"]["node_modules/demo-pkg"]["integrity"] = "sha512-BBBB"
    (tmp_path / "b").mkdir()
    other, _ = npm_package_digest(lockfile(tmp_path / "b", changed), "demo-pkg")
    assert other != digest


@pytest.mark.parametrize(("data", "message"), [
    ("not json", "not valid JSON"),
    ({"packages": {}}, "does not pin package 'demo-pkg'"),
    ({"packages": {"node_modules/demo-pkg": {"version": "1"}}}, "has no integrity"),
])
def test_npm_lockfile_problems_are_input_errors(tmp_path: Path, data: object,
                                                message: str) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(InputError, match=message):
        npm_package_digest(path, "demo-pkg")


def test_npm_missing_lockfile(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read it"):
        npm_package_digest(tmp_path / "nope.json", "demo-pkg")


def test_npm_artefact_resolves_relative_to_the_manifest(tmp_path: Path) -> None:
    lockfile(tmp_path)
    artefact = Artefact(name="p", npm_package="demo-pkg", npm_lockfile="package-lock.json")
    resolved = resolve_artefact(artefact, tmp_path)
    assert (resolved.kind, resolved.version) == ("npm-package", "1.2.3")


def test_npm_artefact_needs_its_lockfile() -> None:
    with pytest.raises(ValueError, match="go together"):
        Artefact(name="p", npm_package="demo-pkg")
    with pytest.raises(ValueError, match="exactly one"):
        Artefact(name="p", npm_package="demo-pkg", npm_lockfile="l.json", digest=ZERO_DIGEST)


def test_the_bundled_oidc_provider_artefact_resolves() -> None:
    path = Path(__file__).parents[2] / "fixtures" / "candidates" / "oidc-provider.toml"
    loaded = load_manifest(path)
    resolved = resolve_artefact(loaded.manifest.artefacts[0], path.parent)
    assert resolved.kind == "npm-package" and resolved.version and resolved.version.startswith("8.")


def test_requirement_references_reach_the_report_model() -> None:
    requirement = Requirement(id="a.b", spec="s", section="1", level="MUST", summary="x",
                              references={"programme": ["test-a", "test-b"]})
    assert requirement.references == {"programme": ["test-a", "test-b"]}
    assert Requirement(id="a.c", spec="s", section="1", level="MUST", summary="x").references == {}
    info = RequirementInfo(id="a.b", standard="s", spec="s", spec_title="S", section="1",
                           url="u", level="MUST", profiles=[], summary="x",
                           references=requirement.references)
    assert info.model_dump()["references"] == {"programme": ["test-a", "test-b"]}


def test_fault_proxy_on_a_fixed_port_keeps_no_cookies() -> None:
    def route(method: str, path: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        return 200, [("Set-Cookie", "session=secret; Path=/")], b"ok"

    port = free_loopback_port()
    with local_http_server(route) as (base, seen), FaultProxy(base, NO_FAULT, port) as proxy:
        assert proxy.url == f"http://127.0.0.1:{port}/"
        first = requests.get(proxy.url + "a", timeout=5)
        requests.get(proxy.url + "b", timeout=5)  # a different client, no cookie of its own
    assert first.headers["Set-Cookie"].startswith("session=secret")
    assert "Cookie" not in seen.requests[1][2], "the proxy replayed a cookie between clients"


def test_public_port_and_manifest_dir_placeholders(tmp_path: Path) -> None:
    manifest = write(tmp_path / "c.toml", VALID_MANIFEST)
    loaded = load_manifest(manifest)
    launcher = launcher_of(loaded, tmp_path / "out", public_port=4242)
    assert launcher.port_values(1234) == {"port": "1234", "public_port": "4242"}
    assert launcher_of(loaded, tmp_path / "out").port_values(1234)["public_port"] == "1234"


def test_proxied_manifest_keeps_artefact_files(tmp_path: Path) -> None:
    lockfile(tmp_path)
    manifest = write(tmp_path / "c.toml", VALID_MANIFEST.replace(
        f'digest = "{ZERO_DIGEST}"', 'npm_package = "demo-pkg"\nnpm_lockfile = "package-lock.json"',
        1))
    loaded = load_manifest(manifest)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = load_manifest(proxied_manifest(loaded, "http://127.0.0.1:1/", elsewhere, "p"))
    assert resolve_artefact(copy.manifest.artefacts[0], elsewhere).version == "1.2.3"


def test_a_missing_variant_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    loaded = load_manifest(write(tmp_path / "c.toml", VALID_MANIFEST))
    fault = Fault("f", "d", ("x.y",), variant="broken")
    path = variant_manifest_path(loaded, "broken")
    assert path == tmp_path / "variants" / loaded.manifest.id / "broken.toml"
    report, problem = run_variant(loaded, None, fault, tmp_path)  # type: ignore[arg-type]
    assert report is None and problem is not None and "broken" in problem


def test_proxied_manifest_passes_the_running_launchers_values_to_commands(tmp_path: Path) -> None:
    # A suite's command acting on the candidate (a key rotation) needs e.g. its {workdir},
    # also when the checks reach it as an endpoint through a fault proxy.
    with local_http_server() as (url, _):
        loaded = load_manifest(write(tmp_path / "c.toml", VALID_MANIFEST))
        path = proxied_manifest(loaded, url, tmp_path, "p", values={"workdir": "/srv/op"})
        launcher = launcher_of(load_manifest(path), tmp_path / "out")
        running = launcher.start()
        assert running.base_url == url
        assert launcher.template_values == {"workdir": "/srv/op"}


def test_endpoint_values_must_be_strings(tmp_path: Path) -> None:
    manifest = VALID_MANIFEST.replace(
        'kind = "process"\ncommand = ["{python}", "-m", "http.server", "{port}"]',
        'kind = "endpoint"\nvalues = { workdir = 3 }',
    )
    assert manifest != VALID_MANIFEST
    loaded = load_manifest(write(tmp_path / "c.toml", manifest))
    with pytest.raises(InputError) as caught:
        launcher_of(loaded, tmp_path / "out")
    assert "launch.values.workdir" in str(caught.value)
