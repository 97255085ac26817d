"""Security headers on every answer (issue 13): a content security policy
with no inline script or style, no framing, no sniffing, a referrer policy, a
permissions policy, HSTS in production; and ``Cache-Control: no-store`` on
every page that shows a case, a key or personal data."""

from __future__ import annotations

from flask import Flask
from flask import request
from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"

# Pages and downloads that must not stay in a browser's or a proxy's cache.
PRIVATE_BLUEPRINTS = frozenset({"staff", "admin", "reports", "auth"})
PRIVATE_ENDPOINTS = frozenset(
    {
        "public.receipt", "public.track", "public.track_link", "public.case",
        "public.add_information", "public.rate", "api.create_case", "api.get_case",
    }
)  # fmt: skip


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.blueprint in PRIVATE_BLUEPRINTS or request.endpoint in PRIVATE_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    return response


def _strict_transport(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
    if app.config.get("SESSION_COOKIE_SECURE"):  # production: HTTPS only
        app.after_request(_strict_transport)
