"""A bounded fuzz of EVERY route of the HTML site (and the API's paths), as anonymous, moderator and admin, on
SQLite and PostgreSQL: hostile ids in the path, hostile query strings and hostile form fields never cause a
500, and an id no database column can hold names nothing (404).

The rules come from ``app.url_map``, so a new route is fuzzed without editing this file.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import Any

import pytest

from tests.web.moderation.staff import csrf_token, login
from web.ids import MAX_ID

OUT_OF_RANGE = [str(MAX_ID + 1), str(2**63 - 1), str(2**63), str(2**64), "9" * 30, "0", "00", "-1"]
MALFORMED = ["1.5", "1e3", "0x10", "%EF%BC%91%EF%BC%92", "%00", "abc", "%3Cscript%3E", "1%0A2", " 1"]
NUMBERS = [*OUT_OF_RANGE, str(MAX_ID), "nan", "inf", "-inf", "1e400", "1" * 5000]
STRINGS = ["<script>alert(1)</script>", "\x00", "'; DROP TABLE users; --", "%s%n", "../../etc/passwd",
           "\u202e\ufeff", "x" * 5000, "*", "\"", "NEAR(a b)", "1 OR 1=1", "ＡＢＣ", "javascript:alert(1)"]
ID_PARAMS = ["page", "per_page", "provider", "before", "id", "radius", "radius_km", "min_rating", "other_id"]
TEXT_PARAMS = ["q", "near", "sort", "kind", "action", "modality", "condition", "service", "verified",
               "telehealth", "insurance", "psychiatrist", "therapist", "next", "category", "source", "state",
               "reason"]
FORM_FIELDS = ["other_id", "observations", "field", "value", "note", "reason", "resolution", "category",
               "message", "contact", "username", "password", "next", "ids", "refused", "action", "selection",
               "reject_reason", "source", "state", "pick"]
_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def _rules(app: Any, role: str) -> list[tuple[str, str, str, bool]]:
    """(endpoint, rule, method, in_scope) of every route except static files and logout (checked elsewhere).

    Every role sends hostile path ids to every route (the converter answers before any view runs); the
    query strings and forms go to the routes of the role's own level: public ones as anonymous, moderation as
    the moderator, operations as the admin (a route behaves the same for everyone allowed to use it, and this
    keeps the fuzz bounded)."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        required = getattr(app.view_functions[rule.endpoint], "required_role", None)
        in_scope = {"anonymous": None, "mia": "moderator", "root": "admin"}[role] == required
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, rule.rule, method, in_scope))
    return out


def _fill(rule: str, ids: dict[str, int], hostile: str | None = None) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(2) == "name":
            return "not-a-source"
        return hostile if hostile is not None else str(ids["provider"])
    return _ARG.sub(one, rule)


def _takes_ids(rule: str) -> bool:
    return any(name != "name" for _conv, name in _ARG.findall(rule))


@pytest.mark.parametrize("role", ["anonymous", "mia", "root"])
def test_no_route_answers_500(staff_app: Any, role: str) -> None:
    # the fuzz is about answers, not budgets: one client address would exhaust the public rate limit
    staff_app.config["KDIR_SETTINGS"] = replace(staff_app.config["KDIR_SETTINGS"], ratelimit="100000/minute")
    client = staff_app.test_client()
    if role != "anonymous":
        assert login(client, role).status_code == 302
    sunrise = staff_app.kdir_seeded["sunrise"]
    token = csrf_token(client, "/login" if role == "anonymous" else f"/moderation/provider/{sunrise}")
    ids = {"provider": sunrise}
    numbers = itertools.cycle(NUMBERS)
    strings = itertools.cycle(STRINGS)
    seen = 0

    def check(method: str, url: str, **kwargs: Any) -> int:
        nonlocal seen
        res = client.open(url, method=method, **kwargs)
        res.get_data()  # streamed bodies (audit exports) fail while streaming
        seen += 1
        assert res.status_code < 500, f"{role} {method} {url} {kwargs.get('data', '')!r:.200} -> {res.status_code}"
        return int(res.status_code)

    for endpoint, rule, method, in_scope in _rules(staff_app, role):
        if _takes_ids(rule):
            expected = 400 if endpoint.startswith("api.") else 404  # the JSON API names the bad parameter
            for bad in OUT_OF_RANGE:
                assert check(method, _fill(rule, ids, bad)) == expected, f"{method} {_fill(rule, ids, bad)}"
            for bad in MALFORMED:
                check(method, _fill(rule, ids, bad))
        if not in_scope:
            continue
        url = _fill(rule, ids)
        if method == "GET":
            for name in ID_PARAMS:
                for value in (str(MAX_ID + 1), str(2**63), next(numbers)):
                    check("GET", f"{url}?{name}={value}")
            for name in TEXT_PARAMS:
                check("GET", url, query_string={name: next(strings)})
            for _ in range(2):
                check("GET", url, query_string={n: next(numbers) for n in ID_PARAMS}
                      | {n: next(strings) for n in TEXT_PARAMS})
        else:
            for _ in range(6):
                form = {f: next(numbers) if f in ("other_id", "observations") else next(strings)
                        for f in FORM_FIELDS}
                check("POST", url, data={"csrf_token": token, **form})
    assert seen > 200  # the walk really walked


@pytest.mark.parametrize("param", ["provider", "before"])
def test_audit_filters_out_of_range_are_404(staff_app: Any, param: str) -> None:
    client = staff_app.test_client()
    assert login(client, "mia").status_code == 302
    assert client.get(f"/moderation/audit?{param}={MAX_ID}").status_code == 200  # in range: an empty list
    for bad in OUT_OF_RANGE:
        assert client.get(f"/moderation/audit?{param}={bad}").status_code == 404, bad


def test_merge_with_an_out_of_range_id_is_a_form_error(staff_app: Any) -> None:
    client = staff_app.test_client()
    assert login(client, "mia").status_code == 302
    sunrise = staff_app.kdir_seeded["sunrise"]
    page = f"/moderation/provider/{sunrise}"
    for bad in (str(MAX_ID + 1), str(2**63)):
        res = client.post(f"{page}/merge", data={"csrf_token": csrf_token(client, page), "other_id": bad,
                                                 "reason": "same clinic"}, follow_redirects=True)
        assert res.status_code == 200 and "other_id" in res.get_data(as_text=True)
