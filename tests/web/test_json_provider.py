"""JSON through orjson (web/json_provider.py): the same output types as Flask's own provider."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import render_template_string

from kdir.common.config import Settings
from web import create_app


@dataclasses.dataclass
class _Point:
    lat: float
    lon: float


def _app(tmp_path):  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path),
                                  "KDIR_DATABASE_URL": f"sqlite:///{tmp_path}/k.sqlite3",
                                  "KDIR_SEARCH_PATH": str(tmp_path / "s.sqlite3"),
                                  "KDIR_SECRET_KEY": "test-secret-key-0123456789"})
    return create_app(settings, config={"TESTING": True})


def test_responses_keep_flask_types_and_key_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path)
    value = {"z": 1, "a": [1.5, None, True], 3: "three", "when": datetime(2026, 12, 6, 9, 30, tzinfo=UTC),
             "day": date(2026, 12, 6), "point": _Point(1.0, 2.0), "price": Decimal("412.50"),
             "id": uuid.UUID(int=1), "text": "caf\u00e9 <b>"}
    with app.app_context():
        body = app.json.response(value).get_data(as_text=True)
        plain = json.loads(body)
    assert list(plain) == ["z", "a", "3", "when", "day", "point", "price", "id", "text"]  # not sorted
    assert plain["when"] == "Sun, 06 Dec 2026 09:30:00 GMT" and plain["day"] == "Sun, 06 Dec 2026 00:00:00 GMT"
    assert plain["point"] == {"lat": 1.0, "lon": 2.0} and plain["price"] == "412.50"
    assert plain["id"] == "00000000-0000-0000-0000-000000000001" and plain["text"] == "caf\u00e9 <b>"
    assert body.endswith("\n") and '": ' not in body and '", "' not in body  # compact


def test_templates_tojson_stays_html_safe(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path)
    with app.test_request_context():
        html = render_template_string("{{ value | tojson }}", value={"name": "</script><script>alert(1)"})
    assert "</script>" not in html and "\\u003c/script\\u003e" in html
