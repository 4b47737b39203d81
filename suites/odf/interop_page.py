"""The interoperability matrix as one HTML page: a table per document kind, producers down,
consumers across, each cell its outcome and what was lost."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"clean": "#d4edda", "lossy": "#fff3cd", "failed": "#f8d7da"}
STYLE = """body{font-family:sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #999;padding:.4em;
vertical-align:top;font-size:.9em}th{background:#eee}ul{margin:.2em 0;padding-left:1.2em}
.outcome{font-weight:bold}details{max-width:28em;word-break:break-all}"""


def _cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return '<td style="background:#eee">—</td>'
    body = f'<span class="outcome">{escape(cell["outcome"])}</span>'
    if cell["read_as"]:
        body += f" <small>(read as {escape(cell['read_as'])})</small>"
    if cell["lost"]:
        items = "".join(f"<li>{escape(item)}</li>" for item in cell["lost"][:8])
        more = len(cell["lost"]) - 8
        body += f"<ul>{items}</ul>" + (f"<small>and {more} more</small>" if more > 0 else "")
    if cell["detail"]:
        body += f"<details><summary>evidence</summary>{escape(cell['detail'])}</details>"
    return f'<td style="background:{COLOURS.get(cell["outcome"], "#fff")}">{body}</td>'


def _save(save: dict[str, Any] | None) -> str:
    """What the producer's save itself lost, under its name."""
    if save is None or not save["lost"]:
        return ""
    items = "".join(f"<li>{escape(item)}</li>" for item in save["lost"][:6])
    return f'<br><small style="font-weight:normal">saving lost:<ul>{items}</ul></small>'


def _table(matrix: dict[str, Any], kind: str) -> str:
    consumers = matrix["consumers"][kind]
    producers = matrix["producers"][kind]
    if not consumers:
        return f"<h2>{escape(kind)}</h2><p>No tool of this campaign reads {escape(kind)} " \
               "documents.</p>"
    cells = {(c["producer"], c["consumer"]): c for c in matrix["cells"] if c["kind"] == kind}
    saves = {s["producer"]: s for s in matrix.get("saves", []) if s["kind"] == kind}
    head = "".join(f"<th>{escape(c)}</th>" for c in consumers)
    rows = "".join(
        f"<tr><th>{escape(p)}{_save(saves.get(p))}</th>"
        f"{''.join(_cell(cells.get((p, c))) for c in consumers)}</tr>"
        for p in producers)
    return (f"<h2>{escape(kind)} documents</h2><table><tr><th>saved by ↓ / opened by →</th>"
            f"{head}</tr>{rows}</table>")


def render(matrix: dict[str, Any], title: str) -> str:
    tables = "".join(_table(matrix, kind) for kind in matrix["producers"])
    missing = "".join(f"<li>{escape(k)}: {escape(v)}</li>"
                      for k, v in matrix["unavailable"].items())
    return (
        f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        "<p>Each row's tool opened and saved the generated document (the first row is the "
        "generated document itself); each column's tool opened what that row saved and "
        "exported it. <b>clean</b>: every heading, paragraph, list item and table cell of the "
        "source is shown, in order, and the save kept headings, lists, metadata and pictures; "
        "<b>lossy</b>: what is listed was lost; <b>failed</b>: "
        "nothing was saved or read (the evidence holds the command's answer); —: the producer "
        "does not save this kind.</p>"
        f"{tables}"
        + (f"<h2>Tools not started</h2><ul>{missing}</ul>" if missing else "")
        + f"<p><small>Tools: {escape(', '.join(matrix['tools']))}; corpus seed "
        f"{matrix['seed']}; data: odf-interop.json.</small></p></body></html>\n"
    )
