"""The one screen a buyer reads: `conformance verify` rendered with rich."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from conformance.trust.verify import Verification


def render_verification(result: Verification) -> RenderableType:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    if result.ok:
        facts.add_row("result", "[bold green]VERIFIED[/]: every check holds")
    else:
        facts.add_row("result", f"[bold red]NOT VERIFIED[/] ({len(result.reasons)} reason(s))")
    for signer in result.signers:
        if signer.holder is None:
            facts.add_row("signed by", f"[red]unknown key[/] {escape(signer.key_id)}")
            continue
        trusted = (
            "[green]trusted[/]"
            if signer.signature_valid and signer.valid_at_signing and signer.valid_today
            else "[red]not trusted[/]"
        )
        facts.add_row(
            "signed by",
            f"{escape(signer.holder)} ({signer.role} key {signer.key_id[:19]}…) — {trusted}; "
            f"signature {'valid' if signer.signature_valid else '[red]INVALID[/]'}, "
            f"key valid at signing: {_yes(signer.valid_at_signing)}, "
            f"today: {_yes(signer.valid_today)}",
        )
    if result.signed_at:
        facts.add_row("signed at", result.signed_at)
    if result.campaign_kind:
        facts.add_row(
            "campaign",
            f"{result.campaign_kind} {escape(repr(result.campaign_id))}, "
            f"assessor {escape(result.assessor or '')}",
        )
    if result.product:
        facts.add_row(
            "product",
            f"{escape(result.product)} {escape(result.version or '(no version)')} "
            f"by {escape(result.vendor or '')} (candidate {escape(result.candidate or '')})",
        )
    if result.test_mode:
        facts.add_row(
            "test mode",
            ", ".join(f"{escape(name)} ({count} requirements depend on it)"
                      for name, count in result.test_mode.items()),
        )
    for name, digest in result.subjects:
        facts.add_row("artefact", f"{escape(name)} {digest}")
    if result.artifact:
        matched = result.artifact in {d for _, d in result.subjects}
        facts.add_row("you hold", f"{result.artifact} — {_yes(matched, 'matches', 'NO MATCH')}")
    if result.report_digest:
        facts.add_row("report", result.report_digest)
    for profile in result.profiles:
        colour = "green" if profile.verdict == "pass" else "red"
        counts = "; ".join(
            f"{level} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(by.items()))
            for level, by in sorted(profile.counts.items())
        )
        facts.add_row(
            "profile",
            f"{profile.standard}/{profile.profile} {profile.version}: "
            f"[{colour}]{profile.verdict}[/] — {counts}",
        )
    if result.verdict:
        colour = "green" if result.verdict == "pass" else "red"
        facts.add_row("verdict", f"[{colour}]{result.verdict}[/] (recomputed from the outcomes)")
    for label in result.labels:
        colour = "green" if label.status in ("awarded", "eligible") else "yellow"
        until = f", valid until {label.valid_until[:10]}" if label.valid_until else ""
        facts.add_row(
            "label",
            f"{label.profile}: [{colour}]{label.status}[/]{until} ({label.source}) — "
            f"{escape(label.detail)}",
        )
    parts: list[RenderableType] = [facts]
    if result.reasons:
        reasons = Text("\nreasons:\n", style="bold red")
        for reason in result.reasons:
            reasons.append(f"  ✗ {reason}\n", style="red")
        parts.append(reasons)
    if result.notes:
        notes = Text("\n")
        for note in result.notes:
            notes.append(f"  note: {note}\n", style="yellow")
        parts.append(notes)
    return Panel(Group(*parts), title=f"conformance verify — {escape(result.file)}", expand=False)


def _yes(value: bool, yes: str = "yes", no: str = "NO") -> str:
    return yes if value else f"[red]{no}[/]"
