"""Password encryption of ODF packages (ODF 1.3 Part 2 §3.4, §4.4-4.7, §4.16; AES-GCM and
Argon2id are alternative algorithms, for extended packages only): read a file's
manifest:encryption-data, check its algorithms against what the declared version defines,
decrypt (checksum, padding, tag), inflate; and encrypt a package the way a producer does, for
the suite's own encrypted corpus.

Key: start key = hash(password as UTF-8) (SHA-1 unless start-key-generation names SHA-256);
key = PBKDF2-HMAC-SHA1(start key, salt, iteration-count, key-size) or Argon2id. Each file is
deflated (raw), then encrypted: AES-CBC (W3C padding; manifest:checksum = hash of the first
1024 decrypted bytes) or AES-GCM (IV, ciphertext, 16-byte tag; the tag is the check).
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
XMLENC = "http://www.w3.org/2001/04/xmlenc#"
XMLENC11 = "http://www.w3.org/2009/xmlenc11#"
AES256_CBC = XMLENC + "aes256-cbc"
AES256_GCM = XMLENC11 + "aes256-gcm"
SHA256_DSIG = "http://www.w3.org/2000/09/xmldsig#sha256"
SHA256_ENC = XMLENC + "sha256"
SHA256_1K = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k"
ARGON2ID = ("urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#argon2id",
            "urn:org:documentfoundation:names:experimental:office:manifest:argon2id")
CBC = {XMLENC + "aes128-cbc": 16, XMLENC + "aes192-cbc": 24, AES256_CBC: 32}
GCM = {XMLENC11 + "aes128-gcm": 16, XMLENC11 + "aes192-gcm": 24, AES256_GCM: 32}
# What each version defines (Part 2 §4.16.1, .3, .6, .9): algorithm, start key, key
# derivation, checksum. Any other IRI is an "alternative algorithm", which "may be specified
# by extended conforming packages only" (the same words in 1.3 and 1.4): AES-GCM (XML
# Encryption 1.1, not the xmlenc-core 2002 §5.2 list the spec cites) and Argon2id, as
# LibreOffice 24.2 writes them, are such alternatives in every version so far.
ODF_NS = MANIFEST_NS + "#"
ALLOWED: dict[str, dict[str, set[str]]] = {
    "1.2": {"algorithm": {"Blowfish CFB", *CBC, XMLENC + "tripledes-cbc"},
            "start": {"SHA1", SHA256_DSIG, SHA256_ENC, "http://www.w3.org/2000/09/xmldsig#sha1",
                      XMLENC + "sha512"},
            "derivation": {"PBKDF2"}, "checksum": {"SHA1/1K", SHA256_1K}},
}
ALLOWED["1.3"] = {
    "algorithm": {*ALLOWED["1.2"]["algorithm"], ODF_NS + "blowfish"},
    "start": ALLOWED["1.2"]["start"],
    "derivation": {"PBKDF2", ODF_NS + "pbkdf2", "PGP"},
    "checksum": {*ALLOWED["1.2"]["checksum"], ODF_NS + "sha1-1k"},
}
ALLOWED["1.4"] = ALLOWED["1.3"]
START_SIZES = {"SHA1": 20, SHA256_DSIG: 32, SHA256_ENC: 32}
ONE_K = 1024


class DecryptionError(Exception):
    """The file does not decrypt: wrong password, changed bytes or broken parameters."""


@dataclass
class Encryption:
    algorithm: str
    iv: bytes
    start: str
    start_size: int | None
    derivation: str
    salt: bytes
    iterations: int
    key_size: int
    checksum_type: str | None
    checksum: bytes | None
    argon2: tuple[int, int, int] | None  # iterations, memory (KiB), lanes


def _local(element: Any, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (loext:argon2-* for instance)."""
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return str(value)
    return None


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "", validate=False)


def parse(data: Any) -> Encryption:
    """A manifest:encryption-data element (lxml) as parameters."""
    def child(name: str) -> Any:
        return data.find(f"{{{MANIFEST_NS}}}{name}")
    algorithm, start, derivation = child("algorithm"), child("start-key-generation"), \
        child("key-derivation")
    if algorithm is None or derivation is None:
        raise DecryptionError("manifest:encryption-data lacks manifest:algorithm or "
                              "manifest:key-derivation")
    argon = None
    if all(_local(derivation, f"argon2-{n}") for n in ("iterations", "memory", "lanes")):
        argon = (int(_local(derivation, "argon2-iterations") or 0),
                 int(_local(derivation, "argon2-memory") or 0),
                 int(_local(derivation, "argon2-lanes") or 0))
    start_size = _local(start, "key-size") if start is not None else None
    return Encryption(
        algorithm=_local(algorithm, "algorithm-name") or "",
        iv=_b64(_local(algorithm, "initialisation-vector")),
        start=(_local(start, "start-key-generation-name") or "SHA1") if start is not None
        else "SHA1",
        start_size=int(start_size) if start_size else None,
        derivation=_local(derivation, "key-derivation-name") or "",
        salt=_b64(_local(derivation, "salt")),
        iterations=int(_local(derivation, "iteration-count") or 0),
        key_size=int(_local(derivation, "key-size") or 16),
        checksum_type=_local(data, "checksum-type"),
        checksum=_b64(_local(data, "checksum")) if _local(data, "checksum") else None,
        argon2=argon,
    )


def alternative_algorithms(info: Encryption, version: str) -> list[str]:
    """The IRIs of ``info`` the version does not define: allowed in extended packages only."""
    allowed = ALLOWED.get(version, ALLOWED["1.4"])
    values = (("algorithm", info.algorithm), ("start", info.start),
              ("derivation", info.derivation), ("checksum", info.checksum_type))
    return [f"{kind} {value!r} is an alternative algorithm ODF {version} does not define: "
            "only an extended conforming package may use it"
            for kind, value in values
            if value is not None and value not in allowed[kind] and ":" in value]


def algorithm_findings(info: Encryption, version: str) -> list[str]:
    """Names that are neither defined by the version nor an IRI, and parameters that
    disagree with the algorithm they belong to."""
    allowed = ALLOWED.get(version, ALLOWED["1.4"])
    found = []
    for kind, value in (("algorithm", info.algorithm), ("start", info.start),
                        ("derivation", info.derivation), ("checksum", info.checksum_type)):
        if value is not None and value not in allowed[kind] and ":" not in value:
            found.append(f"{kind} {value!r} is neither a value ODF {version} defines nor "
                         "an algorithm IRI")
    expected = {**CBC, **GCM}.get(info.algorithm, 16 if info.algorithm == "Blowfish CFB"
                                  else None)
    if expected is not None and info.key_size != expected:
        found.append(f"key-size {info.key_size} does not fit {info.algorithm} "
                     f"({expected}-byte key)")
    if info.start_size is not None and info.start in START_SIZES \
            and info.start_size != START_SIZES[info.start]:
        found.append(f"start key key-size {info.start_size} does not fit {info.start}")
    iv = 12 if info.algorithm in GCM else 8 if info.algorithm == "Blowfish CFB" else 16
    if len(info.iv) != iv:
        found.append(f"an initialisation vector of {len(info.iv)} bytes ({iv} needed)")
    return found


def _start_key(info: Encryption, password: str) -> bytes:
    name = "sha256" if info.start in (SHA256_DSIG, SHA256_ENC) else "sha1"
    return hashlib.new(name, password.encode("utf-8")).digest()


def key_of(info: Encryption, password: str) -> bytes:
    start = _start_key(info, password)
    if info.derivation in ARGON2ID:
        if info.argon2 is None:
            raise DecryptionError("Argon2id key derivation without argon2-* parameters")
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        iterations, memory, lanes = info.argon2
        return Argon2id(salt=info.salt, length=info.key_size, iterations=iterations,
                        lanes=lanes, memory_cost=memory).derive(start)
    if info.derivation != "PBKDF2":
        raise DecryptionError(f"no password key derivation {info.derivation!r}")
    return hashlib.pbkdf2_hmac("sha1", start, info.salt, info.iterations, info.key_size)


def _checksum(info: Encryption, data: bytes) -> bytes:
    name = "sha256" if info.checksum_type == SHA256_1K or (
        info.checksum_type or "").upper() == "SHA256/1K" else "sha1"
    return hashlib.new(name, data[:ONE_K]).digest()


def decrypt(info: Encryption, stored: bytes, password: str, size: int | None,
            limit: int) -> bytes:
    """The file's plain bytes; ``limit`` bounds what is inflated (a ZIP bomb inside)."""
    key = key_of(info, password)
    if info.algorithm in GCM:
        if len(stored) < 28 or stored[:12] != info.iv:
            raise DecryptionError("AES-GCM data does not start with the manifest's IV")
        try:
            deflated = AESGCM(key).decrypt(info.iv, stored[12:], None)
        except InvalidTag:
            raise DecryptionError("the AES-GCM tag does not verify: a wrong password, or "
                                  "changed bytes") from None
    elif info.algorithm in CBC:
        if not stored or len(stored) % 16:
            raise DecryptionError(f"{len(stored)} bytes are no AES-CBC ciphertext")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(info.iv)).decryptor()
        padded = decryptor.update(stored) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= 16:
            raise DecryptionError("the AES-CBC padding is wrong: a wrong password, or "
                                  "changed bytes")
        deflated = padded[:-pad]
        if info.checksum is not None and _checksum(info, deflated) != info.checksum:
            raise DecryptionError("manifest:checksum does not match the decrypted data: a "
                                  "wrong password, or changed bytes")
    else:
        raise DecryptionError(f"cannot decrypt {info.algorithm!r}")
    inflater = zlib.decompressobj(-15)
    try:
        plain = inflater.decompress(deflated, limit + 1)
    except zlib.error as error:
        raise DecryptionError(f"the decrypted data does not inflate: {error}") from None
    if len(plain) > limit:
        raise DecryptionError(f"inflates past {limit:,} bytes")
    if size is not None and len(plain) != size:
        raise DecryptionError(f"inflates to {len(plain):,} bytes, manifest:size says {size:,}")
    return plain


def encrypt(plain: bytes, password: str, gcm: bool = False,
            iterations: int = 1000) -> tuple[bytes, str]:
    """The stored bytes of one file and its manifest:encryption-data element (as text):
    AES-256-CBC with PBKDF2 and a SHA-256 1K checksum, or (ODF 1.4) AES-256-GCM."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(plain) + compressor.flush()
    salt = os.urandom(16)
    start = hashlib.sha256(password.encode("utf-8")).digest()
    key = hashlib.pbkdf2_hmac("sha1", start, salt, iterations, 32)
    if gcm:
        iv = os.urandom(12)
        stored = iv + AESGCM(key).encrypt(iv, deflated, None)
        algorithm, checksum = AES256_GCM, ""
    else:
        iv = os.urandom(16)
        pad = 16 - len(deflated) % 16
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        stored = encryptor.update(deflated + bytes([pad]) * pad) + encryptor.finalize()
        algorithm = AES256_CBC
        digest = base64.b64encode(hashlib.sha256(deflated[:ONE_K]).digest()).decode()
        checksum = f' manifest:checksum-type="{SHA256_1K}" manifest:checksum="{digest}"'
    if gcm:  # the 1.4 schemas still require a checksum: of the deflated data, as for CBC
        digest = base64.b64encode(hashlib.sha256(deflated[:ONE_K]).digest()).decode()
        checksum = f' manifest:checksum-type="{SHA256_1K}" manifest:checksum="{digest}"'
    element = (
        f"<manifest:encryption-data{checksum}>"
        f'<manifest:algorithm manifest:algorithm-name="{algorithm}" '
        f'manifest:initialisation-vector="{base64.b64encode(iv).decode()}"/>'
        f'<manifest:start-key-generation manifest:start-key-generation-name="{SHA256_DSIG}" '
        'manifest:key-size="32"/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
        f'manifest:iteration-count="{iterations}" '
        f'manifest:salt="{base64.b64encode(salt).decode()}"/>'
        "</manifest:encryption-data>"
    )
    return stored, element


def encrypt_package(data: bytes, password: str, gcm: bool = False,
                    iterations: int = 1000) -> bytes:
    """The package encrypted as a producer saves it with a password: every file but the
    mimetype, META-INF/ and the preview (dropped, as it would show the content) is deflated,
    encrypted and stored; the manifest gains manifest:size and manifest:encryption-data."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = source.read("META-INF/manifest.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            name = info.filename
            if name.startswith("Thumbnails/"):
                manifest = re.sub(rb'<manifest:file-entry [^>]*full-path="' + re.escape(
                    name.encode()) + rb'"[^>]*/>', b"", manifest)
                continue
            if name == "mimetype" or name.startswith("META-INF/") or name.endswith("/"):
                if name != "META-INF/manifest.xml":
                    target.writestr(info, source.read(name))
                continue
            plain = source.read(name)
            stored, element = encrypt(plain, password, gcm, iterations)
            target.writestr(zipfile.ZipInfo(name, info.date_time), stored, zipfile.ZIP_STORED)
            pattern = rb'(<manifest:file-entry [^>]*full-path="' + re.escape(name.encode()) \
                + rb'"[^>]*?)\s*/>'
            replacement = (f' manifest:size="{len(plain)}">{element}</manifest:file-entry>'
                           .encode())
            manifest = re.sub(pattern, lambda m, r=replacement: m.group(1) + r,  # type: ignore[misc]
                              manifest, count=1)
        target.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()
