"""Read-only JSON API over published providers (documented by /api/v1/openapi.json).

Bad parameters answer 400 ``{"error": ..., "parameter": name}``; nothing a client sends causes a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from indexer.search.base import SearchUnavailable
from kdir.common.filters import ALIASES, BY_NAME
from web.api.openapi import openapi_document
from web.extensions import get_db, get_search, limiter
from web.ids import MAX_ID, parse_id
from web.public.presenters import api_item
from web.public.queries import load_page, provider_json
from web.public.search_params import ParamError, parse_search
from web.ratelimit import PUBLIC_SCOPE, public_limit

bp = Blueprint("api", __name__, url_prefix="/api")
#: Outside the budget: the API's own description (a client reads it once; it never touches the data).
UNMETERED = {"api.openapi_document_view"}
limiter.shared_limit(public_limit, scope=PUBLIC_SCOPE,  # one budget with the public pages
                     exempt_when=lambda: request.endpoint in UNMETERED)(bp)

ALLOWED = {"q", "near", "radius_km", "min_rating", "sort", "page", "per_page", *BY_NAME, *ALIASES}


def _error(message: str, parameter: str | None, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message, "parameter": parameter}), status


@bp.after_request
def _open_data(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data, read-only, no credentials
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/v1/providers")
def providers() -> Any:
    for name in request.args:
        if name not in ALLOWED:
            return _error(f"unknown parameter {name[:40]!r}", name[:40])
    try:
        params = parse_search(request.args, api=True)
    except ParamError as exc:
        return _error(exc.message, exc.parameter)
    try:
        result = get_search().search(params.query)
    except ValueError as exc:  # the backend's own validation
        return _error(str(exc).splitlines()[0][:200], None)
    except (SearchUnavailable, OSError):
        return _error("search is unavailable, try again later", None, 503)
    per_page = params.query.per_page
    place = params.place
    return jsonify({
        "total": result.total, "page": params.query.page, "per_page": per_page,
        "pages": max(1, -(-result.total // per_page)),
        "near": {"label": place.label, "lat": place.lat, "lon": place.lon,
                 "from_q": params.place_from_text} if place else None,
        "q": params.query.text,
        "results": [api_item(h) for h in result.hits],
    })


@bp.get("/v1/providers/<provider_id>")
def provider(provider_id: str) -> Any:
    pid = parse_id(provider_id)
    if pid is None:
        return _error(f"id must be a whole number from 1 to {MAX_ID}", "id")
    with get_db().session() as session:
        found = load_page(session, pid)
        if found.redirect_to is not None:
            response = jsonify({"error": "merged", "parameter": None, "id": found.redirect_to})
            response.status_code = 301
            response.headers["Location"] = url_for("api.provider", provider_id=found.redirect_to)
            return response
        if found.page is None:
            return _error("no published provider with this id", "id", 404)
        return jsonify(provider_json(found.page))


@bp.get("/v1/openapi.json")
def openapi_document_view() -> Any:
    return jsonify(openapi_document(request.host_url))


@bp.get("/")
def docs() -> Any:
    return render_template("public/api.html")
