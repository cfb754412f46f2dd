"""The errors extraction raises: one base class with a human reason, so the worker can file a failure."""

from __future__ import annotations


class ExtractError(ValueError):
    """A body that cannot be turned into a report (too large, encrypted, truncated, not a document)."""


class DecodeError(ExtractError):
    """A body that is not text in any encoding (binary data, an image, an archive)."""
