"""A static site of the label registry: products, labels, status, history, badges, reports.

Status is computed from each label's recorded history at the site's date, as
``conformance label status`` does. Signed reports found under ``--reports`` are published
with their own page (signature verified with the trust list given) and linked from the events
that rest on them, by report digest. A page explains how a buyer verifies a report offline.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from conformance.errors import InputError
from conformance.html.badge import badge_svg
from conformance.html.environment import render
from conformance.html.report_page import HTML_FILE, render_report
from conformance.html.signature import Inputs, examine
from conformance.registry.lifecycle import LabelEvent, LabelState, status_at
from conformance.registry.store import LabelRecord, Registry
from conformance.report.files import REPORT_FILE, write_atomically
from conformance.trust import dsse
from conformance.trust.sign import ENVELOPE_FILE
from conformance.trust.statement import payload_digest

SNAPSHOT_FILE = "registry.dsse.json"
TRUST_FILE = "trust.toml"


@dataclass
class PublishedReport:
    digest: str
    directory: str  # relative to the site root
    product: str


@dataclass
class LabelView:
    record: LabelRecord
    slug: str
    state: LabelState
    history: list[LabelEvent]
    badge: Markup
    report: PublishedReport | None

    @property
    def profile_name(self) -> str:
        return f"{self.record.standard} / {self.record.profile}"


@dataclass
class ProductView:
    candidate: str
    product: str
    vendor: str
    labels: list[LabelView] = field(default_factory=list)


def slug(label_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "--" for c in label_id)


def badge_title(record: LabelRecord, state: LabelState) -> str:
    until = f", valid until {state.valid_until.date().isoformat()}" if state.valid_until else ""
    status = state.status if state.status != "none" else "no label"
    return (
        f"European Open Standard label {record.standard}/{record.profile} for "
        f"{record.product}: {status}{until if state.status == 'awarded' else ''}"
    )


def publish_reports(
    directories: list[Path], out: Path, inputs: Inputs, at: datetime
) -> dict[str, PublishedReport]:
    """Copy every signed report found into OUT/reports/<digest>/ with its page."""
    published: dict[str, PublishedReport] = {}
    for root in directories:
        for envelope in sorted(root.rglob(ENVELOPE_FILE)):
            data = envelope.read_bytes()
            try:
                digest = payload_digest(dsse.decode(data).payload)
            except dsse.EnvelopeError as error:
                print(f"warning: {envelope} skipped: {error}", file=sys.stderr)
                continue
            if digest in published:
                continue
            relative = f"reports/{digest.removeprefix('sha256:')[:32]}"
            target = out / relative
            target.mkdir(parents=True, exist_ok=True)
            write_atomically(target / ENVELOPE_FILE, data)
            # The page shows the signed content; report.json is published only as signed.
            (target / REPORT_FILE).unlink(missing_ok=True)
            try:
                report, signature = examine(target / ENVELOPE_FILE, inputs, at)
            except InputError as error:
                print(f"warning: {envelope} skipped: {error}", file=sys.stderr)
                shutil.rmtree(target)
                continue
            page = render_report(report, signature)
            write_atomically(target / HTML_FILE, page.encode("utf-8"))
            product = f"{report.candidate.product} {report.candidate.version or ''}".strip()
            published[digest] = PublishedReport(digest, relative, product)
    return published


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def build_site(
    registry: Registry,
    out: Path,
    at: datetime,
    report_dirs: list[Path],
    snapshot: Path | None,
    inputs: Inputs,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    published = publish_reports(report_dirs, out, inputs, at)
    products: dict[str, ProductView] = {}
    for record in registry.labels():
        # As of the site's date: later events are not shown and do not count.
        history = [e for e in registry.events(record.label_id) if e.at <= at]
        state = status_at(history, at)
        name = slug(record.label_id)
        svg = badge_svg(f"EOS {record.profile}", state.status, badge_title(record, state))
        badge_path = out / "badges" / f"{name}.svg"
        badge_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(badge_path, svg.encode("utf-8"))
        written.append(badge_path)
        view = LabelView(
            record,
            name,
            state,
            history,
            Markup(svg),  # built by badge_svg, which escapes every text it holds
            published.get(state.report_digest or ""),
        )
        product = products.setdefault(
            record.candidate, ProductView(record.candidate, record.product, record.vendor)
        )
        product.labels.append(view)
    downloads = []
    if snapshot is not None:
        shutil.copyfile(snapshot, out / SNAPSHOT_FILE)
        downloads.append((SNAPSHOT_FILE, "signed registry snapshot", _sha256(out / SNAPSHOT_FILE)))
    if inputs.trust is not None:
        shutil.copyfile(inputs.trust.path, out / TRUST_FILE)
        downloads.append(
            (TRUST_FILE, "trust list (compare it with the label body's)", _sha256(out / TRUST_FILE))
        )
    ordered = sorted(products.values(), key=lambda p: (p.product.lower(), p.candidate))
    common: dict[str, Any] = {"at": at, "downloads": downloads, "published": published}
    pages = {
        "index.html": render(
            "site_index.html.j2",
            products=ordered,
            label_count=sum(len(p.labels) for p in ordered),
            root="",
            **common,
        )
    }
    pages["verify.html"] = render("site_verify.html.j2", root="", **common)
    for product in ordered:
        for label in product.labels:
            pages[f"labels/{label.slug}.html"] = render(
                "site_label.html.j2", product=product, label=label, root="../", **common
            )
    for name, text in pages.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
        written.append(path)
    written += [out / p.directory / HTML_FILE for p in published.values()]
    return written
