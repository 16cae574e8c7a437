"""Errors raised by operations; views, the API and the CLI turn them into responses."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a rule said no. `status` is the HTTP status the API answers with.
    `message` is the API's and the CLI's text (kept as the API documents it); `text`, when
    given, is what a page says, a msgid translated when shown (tracker.messages)."""

    status = 400

    def __init__(self, message: str, field: str | None = None, *, text: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.text = text


class ValidationError(DomainError):
    """Bad input: names the field that is wrong."""

    status = 400


class PermissionDenied(DomainError):
    """The user may not do this."""

    status = 403


class NotFound(DomainError):
    """An id in the path does not exist (or is not visible to the user)."""

    status = 404


class Conflict(DomainError):
    """A stale version or a transition not allowed from the current status."""

    status = 409
