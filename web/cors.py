"""CORS for the sites allowed to embed the widget (WIDGET_ALLOWED_ORIGINS); none by default."""
from flask import current_app, request


def allow_listed_origins(response, allow_headers: str = "Content-Type"):
    """Adds the CORS headers when the request's Origin is listed; the login cookie may go along
    (SameSite=Lax still keeps it from other sites)."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in current_app.config["WIDGET_ALLOWED_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response
