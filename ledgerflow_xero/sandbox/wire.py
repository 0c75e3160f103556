"""Requests and responses as the sandbox's handlers see them, and Xero's error bodies."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List
from urllib.parse import parse_qs

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    502: "Bad Gateway",
}


@dataclass
class Request:
    """One HTTP request: method, path (no query), parsed query, headers (lower-case names), body."""

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes = b""
    raw_query: str = ""

    def param(self, name: str) -> str | None:
        """The first query value of ``name``, matched case-insensitively as Xero does."""
        values = self.query.get(name)
        if values is None:
            lowered = name.lower()
            values = next((v for k, v in self.query.items() if k.lower() == lowered), None)
        return values[0] if values else None

    def form(self) -> Dict[str, str]:
        """The url-encoded form body; a field sent twice keeps its first value."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def form_repeats(self) -> List[str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return [key for key, values in parsed.items() if len(values) > 1]


@dataclass
class Response:
    """What a handler answers; ``note`` is a secret-free remark for the request log."""

    status: int
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    note: str = ""


def json_response(status: int, payload: Any, **headers: str) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})


def problem(status: int, detail: str, **headers: str) -> Response:
    """Xero's error body for 401/403/404 (RFC 7807 problem details with PascalCase keys)."""
    payload: Dict[str, Any] = {
        "Type": None,
        "Title": _TITLES.get(status, "Error"),
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    response = json_response(status, payload, **headers)
    response.note = detail.split(":", 1)[0]
    return response


def validation_error(message: str) -> Response:
    """Xero's 400 body for a request the API cannot answer."""
    payload = {"ErrorNumber": 10, "Type": "ValidationException", "Message": message}
    response = json_response(400, payload)
    response.note = "ValidationException"
    return response


def oauth_error(status: int, error: str, description: str, **headers: str) -> Response:
    """An OAuth 2.0 error body (RFC 6749 5.2): ``error`` and ``error_description``."""
    response = json_response(
        status,
        {"error": error, "error_description": description},
        **{"Cache-Control": "no-store", "Pragma": "no-cache", **headers},
    )
    response.note = error
    return response
