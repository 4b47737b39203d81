"""Ed25519 key pairs: generation, private key files (mode 0600, optionally encrypted), key ids.

A private key never leaves its file except into memory for signing: it is never logged,
printed or written into a report.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conformance.errors import InputError

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"


@dataclass(frozen=True)
class KeyFiles:
    private: Path
    public: Path
    key_id: str
    public_b64: str


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """The SHA-256 of the raw 32-byte public key: stable, and needs no registry to compute."""
    return "sha256:" + hashlib.sha256(raw_public(public)).hexdigest()


def public_to_text(public: Ed25519PublicKey) -> str:
    return base64.b64encode(raw_public(public)).decode("ascii")


def public_from_text(text: str, where: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{where}: public key is not base64") from None
    if len(raw) != 32:
        raise InputError(f"{where}: an Ed25519 public key is 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def generate(base: Path, passphrase: bytes | None = None) -> KeyFiles:
    """Write BASE.key (PKCS#8 PEM, mode 0600) and BASE.pub (base64 of the raw public key)."""
    private_path = base.with_name(base.name + PRIVATE_SUFFIX)
    public_path = base.with_name(base.name + PUBLIC_SUFFIX)
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(f"{path}: already exists; refusing to overwrite a key")
    base.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    _write_private(private_path, pem)
    public = key.public_key()
    text = public_to_text(public)
    public_path.write_text(text + "\n", encoding="ascii")
    return KeyFiles(private_path, public_path, key_id(public), text)


def _write_private(path: Path, data: bytes) -> None:
    # Created with mode 0600 from the first byte (never world-readable, even briefly), under a
    # temporary name, then linked into place so a crash never leaves half a key under the
    # real name and an existing key is never replaced.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        raise InputError(f"{path}: already exists; refusing to overwrite a key") from None
    finally:
        temporary.unlink(missing_ok=True)


def is_encrypted(path: Path) -> bool:
    return b"ENCRYPTED PRIVATE KEY" in _read_private_bytes(path)


def load_private(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    data = _read_private_bytes(path)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        # Raised both for "encrypted but no passphrase" and "passphrase for a plain key".
        if passphrase:
            raise InputError(f"private key {path}: is not encrypted; give no passphrase") from None
        raise InputError(f"private key {path}: is encrypted; a passphrase is needed") from None
    except ValueError:
        raise InputError(
            f"private key {path}: wrong passphrase, or not a PEM private key"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"private key {path}: not an Ed25519 key")
    return key


def _read_private_bytes(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"private key {path}: file not found") from None
    except OSError as error:
        raise InputError(f"private key {path}: cannot read: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(
            f"private key {path}: readable by others (mode {stat.S_IMODE(mode):04o}); "
            f"run chmod 600 {path}"
        )
    return data
