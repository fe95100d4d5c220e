"""Errors: JSON with a translated message under /api/, a friendly page everywhere else.

Nothing under /api/ ever answers with a stack trace or an HTML error page.
"""
from __future__ import annotations

from typing import Optional

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"


def api_error(status: int, code: str, message: str, field: Optional[str] = None, retryable: bool = False, **extra):
    """`{"error": {code, message, field?, retryable}}`; `extra` goes beside `error` (e.g. a `login_url`)."""
    body = {"code": code, "message": message, "retryable": retryable}
    if field:
        body["field"] = field
    response = jsonify(error=body, **extra)
    response.status_code = status
    return response


def _is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or request.path.rstrip("/") == API_PREFIX.rstrip("/")


def _api_http_error(exc: HTTPException):
    messages = {
        400: ("bad_request", _("The request is not valid.")),
        404: ("not_found", _("This address does not exist.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("request_too_large", _("The request is too large.")),
        415: ("unsupported_media_type", _("Send the request as JSON (Content-Type: application/json).")),
        429: ("too_many_requests", _("Too many requests in a short time. Please wait a moment and try again.")),
    }
    code, message = messages.get(exc.code, ("http_error", _("The request could not be handled.")))
    response = api_error(exc.code or 500, code, message, retryable=exc.code == 429)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        if _is_api_request():
            return _api_http_error(exc)
        if exc.code == 404:
            return render_template("404.html"), 404
        return render_template("error.html", status=exc.code), exc.code

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(exc: OperationalError):
        # The database is down or unreachable: nothing was written (each request writes in one
        # transaction, rolled back by the error); the person may retry once it is back.
        current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path,
                                 type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__)
        if _is_api_request():
            return api_error(503, "service_unavailable",
                             _("The service is temporarily unavailable. Please try again in a moment."),
                             retryable=True)
        return render_template("error.html", status=503), 503

    @app.errorhandler(Exception)
    def handle_unexpected_error(exc: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if _is_api_request():
            return api_error(500, "internal_error", _("Something went wrong on our side. Please try again."), retryable=True)
        return render_template("error.html", status=500), 500
