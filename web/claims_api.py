"""The documents of a payout claim, from the chat widget: upload one, see what is still missing.

    POST /api/claims/<reference>/documents   multipart/form-data: kind, file (and lang)
    GET  /api/claims/<reference>             the claim's status, its documents, what is still missing

Only for the logged-in person, and only their own claims: someone else's reference answers exactly
like an unknown one (404). Documents can be added while the claim is a draft or submitted.

Protection against cross-site requests: the session cookie is SameSite=Lax, and every POST must
carry the header `X-Requested-With: GroupInsuranceChat`. A custom header makes the browser ask first
(a CORS preflight), which only the origins in WIDGET_ALLOWED_ORIGINS pass, and an HTML form cannot
set it at all; so no CSRF token is needed (the blueprint is exempt from Flask-WTF's).

The file is checked by its content and stored by groupinsurance.uploads (outside the web root, under
a random name, mode 0600); its name is kept only as a label and never logged.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from groupinsurance import references, uploads
from groupinsurance.claims import DocumentKind, WITHDRAWABLE, missing_documents, required_documents
from groupinsurance.language import normalize
from groupinsurance.models import Claim, ClaimDocument
from web.auth import return_path
from web.cors import allow_listed_origins
from web.errors import api_error
from web.extensions import database
from web.i18n import DOCUMENT_LABELS, use_language

bp = Blueprint("claims_api", __name__, url_prefix="/api/claims")

REQUESTED_WITH = "GroupInsuranceChat"
# Documents can be added while the claim is a draft or submitted (not once staff are processing it).
OPEN_FOR_DOCUMENTS = WITHDRAWABLE
# Room for the multipart envelope and the small fields around the file itself.
MULTIPART_MARGIN = 64 * 1024


def document_label(kind: Any) -> str:
    """The document's name in the current request's language."""
    try:
        return str(DOCUMENT_LABELS[DocumentKind(kind)])
    except (KeyError, ValueError):
        return str(kind)


def document_kind(value: Any) -> Optional[DocumentKind]:
    try:
        return DocumentKind(value) if isinstance(value, str) else None
    except ValueError:
        return None


@bp.after_request
def cors(response):
    # The uploads send X-Requested-With (see require_widget_header): embedding sites must be allowed it.
    return allow_listed_origins(response, allow_headers="X-Requested-With, Content-Type")


# --- helpers ------------------------------------------------------------------------------------



def _login_required():
    return api_error(401, "login_required", _("Log in first: documents can only be added to your own claim."),
                     login_url=url_for("auth.login", next=return_path()))


def _own_claim(session: Session, reference: str) -> Optional[Claim]:
    return session.execute(
        select(Claim)
        .where(Claim.reference == references.normalize(reference or ""),
               Claim.claimant_number == current_user.national_number)
        .options(selectinload(Claim.documents))
    ).scalars().first()


def _unknown_claim():
    # Someone else's reference answers exactly like a wrong one.
    return api_error(404, "unknown_claim", _("You have no claim with this reference."))


def _size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{format_decimal(limit / (1024 * 1024), format='#,##0.#')} MB"
    return f"{format_decimal(limit / 1024, format='#,##0.#')} KB"


def _file_too_large():
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    return api_error(413, "file_too_large", _("The file is larger than %(size)s.", size=_size_text(limit)), "file")


def _missing(claim: Claim) -> List[Dict[str, str]]:
    return [{"kind": d.kind.value, "label": document_label(d.kind), "article": d.article}
            for d in missing_documents(claim)]


def _receivable(claim: Claim):
    """Every document a claim for this reason can need (an annuity with reversion needs the most)."""
    return {d.kind for d in required_documents(claim.reason, "annuity", True)}


def _document(document: ClaimDocument) -> Dict[str, str]:
    return {"kind": document.kind, "label": document_label(document.kind), "name": document.original_name}


def _original_name(filename: Optional[str], content_type: str) -> str:
    name = secure_filename(filename or "")[:255]
    return name or f"document.{uploads.ALLOWED.get(content_type, 'bin')}"


# --- the routes ---------------------------------------------------------------------------------

@bp.get("/<reference>")
def claim(reference: str):
    if not current_user.is_authenticated:
        return _login_required()
    with database.session() as s:
        found = _own_claim(s, reference)
        if found is None:
            return _unknown_claim()
        return jsonify(
            reference=found.reference, status=found.status, reason=found.reason,
            missing=_missing(found), documents=[_document(d) for d in found.documents],
        )


@bp.post("/<reference>/documents")
def documents(reference: str):
    if request.headers.get("X-Requested-With") != REQUESTED_WITH:
        return api_error(403, "missing_header",
                         _("This request must come from the chat widget (header X-Requested-With missing)."))
    if not current_user.is_authenticated:
        return _login_required()
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    # This route only reads a body larger than MAX_CONTENT_LENGTH: set before request.files is touched.
    request.max_content_length = limit + MULTIPART_MARGIN

    stored: Optional[uploads.StoredFile] = None
    try:
        with database.begin() as s:
            found = _own_claim(s, reference)
            if found is None:
                return _unknown_claim()
            if found.status not in OPEN_FOR_DOCUMENTS:
                return api_error(409, "claim_closed", _("Documents can no longer be added to this claim."))
            try:
                form, files = request.form, request.files
                upload = files.get("file")
                content = upload.stream.read() if upload is not None else b""
            except RequestEntityTooLarge:
                return _file_too_large()
            asked = form.get("lang")
            if isinstance(asked, str) and normalize(asked):
                use_language(normalize(asked))

            if not form.get("kind"):
                return api_error(400, "missing_field", _("The field ‘%(field)s’ is missing.", field="kind"), "kind")
            kind = document_kind(form.get("kind"))
            if kind is None or kind not in _receivable(found):
                return api_error(400, "invalid_field", _("This is not a document this claim can receive."), "kind")
            if upload is None or (not upload.filename and not content):
                return api_error(400, "missing_field", _("The field ‘%(field)s’ is missing.", field="file"), "file")

            try:
                stored = uploads.store(content, directory=current_app.config["UPLOAD_DIR"], max_bytes=limit)
            except uploads.UploadRefused as refused:
                current_app.logger.info("document refused: claim %s, %s, %d bytes, %s",
                                        found.reference, kind.value, len(content), refused.reason)
                if refused.reason == uploads.UploadRefused.TOO_LARGE:
                    return _file_too_large()
                if refused.reason == uploads.UploadRefused.EMPTY:
                    return api_error(400, "empty_file", _("The file is empty."), "file")
                return api_error(400, "unsupported_file_type", _("Only PDF, JPEG or PNG files are accepted."), "file")

            document = ClaimDocument(
                claim=found, kind=kind.value, original_name=_original_name(upload.filename, stored.content_type),
                stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256,
            )
            s.add(document)
            s.flush()
            body = {"document": _document(document), "missing": _missing(found), "reference": found.reference}
    except BaseException:
        if stored is not None:  # the row was not committed: the file must not stay behind
            _remove(stored.stored_name)
        raise
    # The name can hold personal data: only the reference, the kind and the size are logged.
    current_app.logger.info("document received: claim %s, %s, %d bytes", body["reference"], kind.value, stored.size)
    response = jsonify(body)
    response.status_code = 201
    return response


def _remove(stored_name: str) -> None:
    try:
        os.unlink(os.path.join(current_app.config["UPLOAD_DIR"], stored_name))
    except OSError:
        pass

