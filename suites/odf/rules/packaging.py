"""Package rules the manifest schema cannot check (ODF 1.3 Part 2 §3.2, §3.7, §3.8): the form of
manifest:full-path, media types that agree with the stored bytes, sub-documents listed by
their directory and of the document's version, and the preview image."""

from __future__ import annotations

from suites.odf.rules.model import Subject, q

FULL_PATH = "odf.package.full-path-form"
MEDIA_TYPE = "odf.package.media-type-agrees"
SUB_LISTED = "odf.package.subdocument-listed"
SUB_VERSION = "odf.document.subdocument-version"
PREVIEW = "odf.package.preview-png"
REQUIREMENTS = (FULL_PATH, MEDIA_TYPE, SUB_LISTED, SUB_VERSION, PREVIEW)

PREVIEW_PATH = "Thumbnails/thumbnail.png"
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"), "image/bmp": (b"BM",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}
XML_TYPES = ("text/xml", "application/xml", "application/rdf+xml")


def check(subject: Subject) -> None:
    _full_paths(subject)
    _media_types(subject)
    _subdocuments(subject)
    _preview(subject)


def _full_paths(subject: Subject) -> None:
    for entry in subject.manifest:
        path = entry.path
        if path == "/":
            continue
        segments = path.rstrip("/").split("/")
        if (path.startswith("/") or "\\" in path or any(s in ("", ".", "..") for s in segments)
                or ":" in segments[0]):
            subject.add(FULL_PATH, "META-INF/manifest.xml", f"manifest:full-path {path!r} is "
                        "not a path relative to the package root (no leading '/', '.', '..', "
                        "empty segment, '\\' or scheme)")
        elif path.endswith("/") and path not in _directories(subject):
            subject.add(FULL_PATH, "META-INF/manifest.xml", f"manifest:full-path {path!r} "
                        "ends in '/' but names no directory of the package")
    subject.examined(FULL_PATH, len(subject.manifest) - 1, "manifest entry but the root")


def _directories(subject: Subject) -> set[str]:
    found: set[str] = set()
    for name in [*subject.files, *subject.directories]:
        parts = name.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            found.add("/".join(parts[:end]) + "/")
    return found


def _sniff(data: bytes) -> str | None:
    for media, signatures in MAGIC.items():
        if data.startswith(signatures):
            return media
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xml" if stripped.startswith(b"<") else None


def _media_types(subject: Subject) -> None:
    checked = 0
    files = set(subject.files)
    for entry in subject.manifest:
        if entry.path not in files or not entry.media_type or entry.encrypted:
            continue
        head = subject.head(entry.path)
        if head is None:
            continue
        found = _sniff(head)
        declared = entry.media_type.split(";")[0].strip().lower()
        if found is None:
            continue
        checked += 1
        if found == "xml":
            if declared.startswith("image/") and declared != "image/svg+xml":
                subject.add(MEDIA_TYPE, "META-INF/manifest.xml", f"{entry.path} holds XML, "
                            f"but its manifest:media-type is {entry.media_type!r}")
            elif entry.path.rsplit("/", 1)[-1] in ("content.xml", "styles.xml", "meta.xml",
                                                   "settings.xml") \
                    and declared not in XML_TYPES:
                subject.add(MEDIA_TYPE, "META-INF/manifest.xml", f"{entry.path} is an XML "
                            f"document part, but its manifest:media-type is "
                            f"{entry.media_type!r}")
        elif declared != found and (declared.startswith("image/") or declared in XML_TYPES):
            subject.add(MEDIA_TYPE, "META-INF/manifest.xml", f"{entry.path} holds {found} "
                        f"data, but its manifest:media-type is {entry.media_type!r}")
    subject.examined(MEDIA_TYPE, checked, "manifest entry whose stored bytes tell their type")


def _subdocuments(subject: Subject) -> None:
    listed = {e.path: e for e in subject.manifest}
    subs = subject.documents[1:]
    for document in subs:
        entry = listed.get(document.prefix)
        if entry is None or not entry.media_type:
            subject.add(SUB_LISTED, "META-INF/manifest.xml", f"the sub-document "
                        f"{document.prefix!r} has no manifest:file-entry for its directory "
                        "giving its media type")
    subject.examined(SUB_LISTED, len(subs), "sub-document")
    subject.examined(SUB_VERSION, len(subs), "sub-document")
    if subject.version is None:
        return
    for document in subs:
        for part, root in document.roots():
            if root.tag == q("math:math"):
                continue
            value = root.get(q("office:version"))
            if value != subject.version:
                subject.add(SUB_VERSION, part, f"office:version is {value!r}, the document's "
                            f"is {subject.version!r}", root)


def _preview(subject: Subject) -> None:
    previews = [f for f in subject.files if f.startswith("Thumbnails/")]
    subject.examined(PREVIEW, len(previews), "preview image (Thumbnails/)")
    for name in previews:
        if name != PREVIEW_PATH:
            subject.add(PREVIEW, name, f"a preview image is stored as {PREVIEW_PATH}, "
                        f"not {name}")
            continue
        head = subject.head(name)
        if head is not None and not head.startswith(MAGIC["image/png"][0]):
            subject.add(PREVIEW, name, "the preview image is not a PNG image")
