"""The content repository: upload, authenticated download, thumbnails, configuration."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pytest

from conformance.api import RecordingSession, expect, inapplicable
from suites.matrix import mx

Require = Callable[[int, int], None]

# The thumbnail types of CS API v1.15 §get_matrixclientv1mediathumbnailservernamemediaid and
# the image format each names (an APNG is a PNG).
THUMBNAIL_TYPES = {"image/png": "png", "image/apng": "png", "image/jpeg": "jpeg",
                   "image/gif": "gif", "image/webp": "webp"}


def image_format(data: bytes) -> str | None:
    """The image format the bytes begin with (their signature), if one of THUMBNAIL_TYPES'."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def png(width: int = 64, height: int = 48) -> bytes:
    """A small RGB gradient PNG, built here so the suite needs no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 128))
        for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def upload(user: mx.User, data: bytes, content_type: str) -> tuple[str, str]:
    body = mx.ok(user.call("POST", "_matrix/media/v3/upload", data=data,
                           params={"filename": "eos.bin"},
                           headers={"Content-Type": content_type}), "upload")
    uri = body.get("content_uri")
    expect(isinstance(uri, str) and uri.startswith("mxc://") and uri.count("/") == 3,
           "content_uri is not mxc://server/id", "mxc://…", uri)
    server, media_id = str(uri)[len("mxc://"):].split("/", 1)
    return server, media_id


@pytest.mark.requirement("matrix.media.upload")
def test_upload(alice: mx.User) -> None:
    upload(alice, b"eos media", "text/plain")


@pytest.mark.requirement("matrix.media.download")
def test_download(alice: mx.User, require_version: Require) -> None:
    require_version(1, 11)
    data = "Grüße aus Brüssel\n".encode() * 50
    server, media_id = upload(alice, data, "text/plain; charset=utf-8")
    response = alice.call("GET", f"_matrix/client/v1/media/download/{mx.q(server)}/"
                                 f"{mx.q(media_id)}")
    expect(response.status_code == 200, f"download answered {response.status_code}", 200,
           response.status_code)
    expect(response.content == data, "downloaded bytes differ from the upload", len(data),
           len(response.content))
    content_type = response.headers.get("Content-Type", "")
    expect(content_type.split(";")[0].strip() == "text/plain",
           "the download's Content-Type differs from the upload's", "text/plain", content_type)


@pytest.mark.requirement("matrix.media.download-auth")
def test_download_needs_token(http: RecordingSession, alice: mx.User,
                              require_version: Require) -> None:
    require_version(1, 11)
    server, media_id = upload(alice, b"private", "text/plain")
    mx.error(mx.call(http, "GET", f"_matrix/client/v1/media/download/{mx.q(server)}/"
                                  f"{mx.q(media_id)}"), 401, "M_MISSING_TOKEN",
             "authenticated download without a token")


@pytest.mark.requirement("matrix.media.thumbnail")
def test_thumbnail(alice: mx.User, require_version: Require) -> None:
    require_version(1, 11)
    server, media_id = upload(alice, png(), "image/png")
    response = alice.call("GET", f"_matrix/client/v1/media/thumbnail/{mx.q(server)}/"
                                 f"{mx.q(media_id)}",
                          params={"width": 32, "height": 32, "method": "scale"})
    expect(response.status_code == 200, f"thumbnail answered {response.status_code} "
           f"{response.text[:200]}", 200, response.status_code)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    expect(content_type in THUMBNAIL_TYPES, "the thumbnail's Content-Type is not one the spec "
           "allows for thumbnails", sorted(THUMBNAIL_TYPES), content_type)
    # A Content-Type alone proves nothing: the bytes must be an image of that type.
    expect(image_format(response.content) == THUMBNAIL_TYPES[content_type],
           f"the thumbnail's bytes are not {content_type}", THUMBNAIL_TYPES[content_type],
           response.content[:16])


@pytest.mark.requirement("matrix.media.config")
def test_config(alice: mx.User, require_version: Require) -> None:
    require_version(1, 11)
    body = alice.ok("GET", "_matrix/client/v1/media/config", "media config")
    size = body.get("m.upload.size")
    if size is None:
        inapplicable("GET /_matrix/client/v1/media/config lists no m.upload.size (optional: "
                     "'if not listed or null, the size limit should be treated as unknown', "
                     "CS API v1.15 §get_matrixclientv1mediaconfig)",
                     "the server announces no upload size limit to check")
    expect(isinstance(size, int) and not isinstance(size, bool) and size > 0,
           "m.upload.size is not a positive integer", "integer", size)


@pytest.mark.requirement("matrix.media.unknown")
def test_unknown(alice: mx.User, require_version: Require) -> None:
    require_version(1, 11)
    mx.error(alice.call("GET", f"_matrix/client/v1/media/download/{mx.q(alice.server_name)}/"
                               "eosNoSuchMedia"), 404, "M_NOT_FOUND", "unknown media")
