"""Checking and storing the documents uploaded for a claim.

The type is decided by the content (the `filetype` library reads the file's signature), never by the
name or the browser's word: a script renamed to .pdf is refused. Only PDF, JPEG and PNG, at most
MAX_BYTES. Files go to UPLOAD_DIR (default var/uploads, outside the web root: nothing serves that
folder) under a random name; the original name is kept only as a label.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import filetype

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_BYTES = 10 * 1024 * 1024


class UploadRefused(ValueError):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def upload_dir() -> Path:
    return Path(os.environ.get("UPLOAD_DIR") or ROOT / "var" / "uploads")


def content_type_of(content: bytes) -> Optional[str]:
    """'application/pdf', 'image/jpeg' or 'image/png' from the bytes themselves; None for anything else."""
    kind = filetype.guess(content[:8192])
    return kind.mime if kind is not None and kind.mime in ALLOWED else None


def check(content: bytes, max_bytes: int = MAX_BYTES) -> str:
    if not content:
        raise UploadRefused(UploadRefused.EMPTY)
    if len(content) > max_bytes:
        raise UploadRefused(UploadRefused.TOO_LARGE)
    content_type = content_type_of(content)
    if content_type is None:
        raise UploadRefused(UploadRefused.WRONG_TYPE)
    return content_type


def store(content: bytes, directory: Optional[Path] = None, max_bytes: int = MAX_BYTES) -> StoredFile:
    """Checks the content and writes it under a random name (created exclusively, mode 0600)."""
    content_type = check(content, max_bytes)
    target = Path(directory or upload_dir())
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ALLOWED[content_type]}"
    fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return StoredFile(name, content_type, len(content), hashlib.sha256(content).hexdigest())
