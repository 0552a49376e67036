"""Ids in URLs and query strings: whole numbers from 1 to :data:`MAX_ID`, the same on every backend.

A number the database cannot hold (2^31 on PostgreSQL's INTEGER, 2^63 on SQLite) would otherwise reach the
query and fail there with a 500. Every route takes ids through the ``id`` URL converter (``<id:pid>``), every
id in a query string through :func:`id_arg`, and the JSON API through :func:`parse_id`: out of range, an id
names nothing (404; 400 in the API).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Flask, abort
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite would take more, but one limit for every backend
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: str.isdigit() and \d also accept other scripts' digits


def parse_id(text: str | None) -> int | None:
    """The id written in ``text``, or None when it is not a whole number from 1 to MAX_ID."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdConverter(BaseConverter):
    """``<id:name>``: matches any run of digits, then refuses (404) what :func:`parse_id` refuses."""

    regex = r"[0-9]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def id_arg(args: Mapping[str, str], name: str) -> int | None:
    """An optional id in the query string: None when absent or empty, 404 when it cannot be an id."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        abort(404, f"no such {name}: ids are whole numbers from 1 to {MAX_ID}")
    return value


def init_app(app: Flask) -> None:
    """Register the ``id`` converter (before any blueprint that uses it)."""
    app.url_map.converters["id"] = IdConverter
