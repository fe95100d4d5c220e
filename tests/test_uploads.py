"""Uploads: the type comes from the content, never the name; size limit; stored outside the web root."""
import hashlib
import stat

import pytest

from groupinsurance import uploads
from groupinsurance.uploads import UploadRefused

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 16
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 32 + b"\xff\xd9"


@pytest.mark.parametrize("content, expected", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_allowed_types_by_content(content, expected):
    assert uploads.check(content) == expected


@pytest.mark.parametrize("content", [
    b"<script>alert(1)</script>",                  # a script, whatever its name says
    b"MZ\x90\x00" + b"\x00" * 60,                   # a Windows executable renamed to .pdf
    bytes.fromhex("504b0304") + b"\x00" * 40,       # a zip (or .docx)
    b"GIF89a" + b"\x00" * 20,                      # an image type we do not take
])
def test_other_content_is_refused_whatever_the_name(content):
    with pytest.raises(UploadRefused) as refused:
        uploads.check(content)
    assert refused.value.reason == UploadRefused.WRONG_TYPE


def test_empty_and_oversize():
    with pytest.raises(UploadRefused, match="empty"):
        uploads.check(b"")
    with pytest.raises(UploadRefused, match="too_large"):
        uploads.check(PDF + b"\x00" * 100, max_bytes=len(PDF))
    assert uploads.check(PDF, max_bytes=len(PDF)) == "application/pdf"


def test_stored_under_a_random_name_readable_by_the_owner_only(tmp_path):
    stored = uploads.store(PDF, tmp_path)
    path = tmp_path / stored.stored_name
    assert path.read_bytes() == PDF and stored.stored_name.endswith(".pdf") and len(stored.stored_name) == 36
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert uploads.store(PDF, tmp_path).stored_name != stored.stored_name


def test_the_default_folder_is_outside_the_web_root(monkeypatch):
    monkeypatch.delenv("UPLOAD_DIR", raising=False)
    folder = uploads.upload_dir()
    assert folder.parts[-2:] == ("var", "uploads") and "static" not in folder.parts and "web" not in folder.parts
