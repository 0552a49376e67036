"""Patient-facing pages: search, provider pages, the guide, and "Report a problem".

Everything works without JavaScript (a GET form holds the whole search in the URL); htmx, when present,
swaps only the results. No search is logged: patients' searches are health data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from indexer.db.models import Flag
from indexer.search.base import SearchQuery, SearchResult, SearchUnavailable
from kdir.common.fields import FIELD_LABELS
from kdir.common.filters import FILTERS, FLAGS
from kdir.common.places import suggest_places
from kdir.common.vocabulary import LABELS
from web.extensions import get_db, get_search, limiter
from web.public.forms import ReportForm
from web.public.presenters import BADGES, card, date_only
from web.public.queries import load_page
from web.public.search_params import ParamError, SearchParams, parse_search
from web.public.search_rescue import index_facets, rescue, state_names
from web.public.words import label
from web.ratelimit import PUBLIC_SCOPE, public_limit, report_limit
from web.security import safe_url

bp = Blueprint("public", __name__)
limiter.shared_limit(public_limit, scope=PUBLIC_SCOPE)(bp)  # one budget with the API (web.ratelimit)

RADII_MI = (10, 25, 50, 100, 250)
MIN_RATINGS = ("3", "3.5", "4", "4.5")
SORTS = (("relevance", "Best match"), ("distance", "Distance"), ("rating", "Rating"),
         ("price", "Price, lowest first"))


def _page_links(params: SearchParams, total: int) -> dict[str, Any]:
    per_page = params.query.per_page
    pages = max(1, -(-total // per_page))
    current = min(params.query.page, pages)
    base = [(k, v) for k in request.args for v in request.args.getlist(k) if k != "page"]

    def href(n: int) -> str:
        return "?" + urlencode([*base, ("page", str(n))])

    return {"current": current, "pages": pages,
            "prev": href(current - 1) if current > 1 else None,
            "next": href(current + 1) if current < pages else None}


def _parse_keeping_the_rest() -> tuple[SearchParams, ParamError | None]:
    """The search, or (a bad parameter) the same search without that parameter and the first error: the
    patient's other choices stay on the form."""
    rest = request.args.copy()
    first: ParamError | None = None
    for _ in range(8):
        try:
            return parse_search(rest, api=False), first
        except ParamError as exc:
            first = first or exc
            if exc.parameter not in rest:
                break
            rest.poplist(exc.parameter)
    return parse_search({}, api=False), first


def _shown_options(available: dict[str, dict[str, int]], params: SearchParams) -> dict[str, list[str]]:
    """Filter field -> the values offered: those some live listing has (an option no listing has is no way
    forward), plus whatever is selected. Without the index's counts (search unavailable), every value."""
    out: dict[str, list[str]] = {}
    for f in FILTERS:
        selected = params.query.filters.get(f.name, ())
        values = ("true",) if f.kind == "flag" else f.values
        have = available.get(f.field)
        out[f.field] = [v for v in values if not available or (have or {}).get(v) or
                        (v in selected if f.kind != "flag" else bool(selected))]
    return out


def _place_value(place: Any) -> str:
    """What goes back into the place box: a ZIP code alone, or "City, ST"."""
    return str(place.label).split(" ", 1)[0] if getattr(place, "kind", "city") == "zip" else str(place.label)


def _place_links(params: SearchParams) -> list[tuple[str, str]]:
    """"Did you mean" places: suggestions for a place not understood, or the namesakes of a city guessed from
    the search words; each link keeps the rest of the search."""
    if params.place_error:
        places = suggest_places(params.near, 5)
        if not places:
            from kdir.common.places import split_place

            found = split_place("in " + params.near)
            places = [found.place] if found else []
    elif params.place_from_text:
        places = list(params.alternatives[:3])
    else:
        return []
    base = [(k, v) for k in request.args for v in request.args.getlist(k) if k not in ("near", "page", "q")]
    text = params.query.text if params.place_from_text else params.text
    return [(p.label, "?" + urlencode([*base, ("q", text), ("near", _place_value(p))])) for p in places]


@bp.get("/")
@bp.get("/search")
def search() -> Any:
    params, error = _parse_keeping_the_rest()
    status = 400 if error else 200
    result = SearchResult(total=0, hits=[])
    unavailable = False
    notice: str | None = None
    fixes: list[dict[str, Any]] = []
    backend = get_search()
    try:
        result = backend.search(params.query)
        if not result.total and params.place_from_text and params.query.text != params.text:
            # "stillwater clinic": not a place after all -- the whole text, anywhere
            whole = SearchQuery(**{**vars(params.query), "text": params.text, "lat": None, "lon": None,
                                   "radius_km": None})
            if whole.sort == "distance":
                whole.sort = "relevance"
            anywhere = backend.search(whole)
            if anywhere.total:
                notice = f"Nothing matched near {params.place.label if params.place else ''}, so these results " \
                         f"match everything you typed, anywhere."
                params.query, params.place, params.place_from_text, result = whole, None, None, anywhere
        if not result.total and not error:
            fixes = rescue(backend, params, request.args, result)
    except (SearchUnavailable, OSError):
        unavailable = True
        status = 503
    ctx = {"params": params, "args": params.args, "error": error, "result": result, "unavailable": unavailable,
           "cards": [card(h) for h in result.hits], "facets": result.facets, "pages": _page_links(params, result.total),
           "filters": FILTERS, "flag_filters": FLAGS, "radii": RADII_MI, "min_ratings": MIN_RATINGS, "sorts": SORTS,
           "tile_url": current_app.config["KDIR_SETTINGS"].tile_url, "notice": notice, "fixes": fixes,
           "available": {} if unavailable else index_facets(backend), "state_names": state_names(),
           "raw": {"q": request.args.get("q", "")[:200], "near": request.args.get("near", "")[:100]},
           "place_links": _place_links(params), "active": sum(len(values) for values in params.query.filters.values())}  # boxes ticked
    ctx["shown"] = _shown_options(ctx["available"], params)
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "results"
    html = render_template("public/_results.html" if partial else "public/search.html", **ctx)
    return html, status, {"Vary": "HX-Request, HX-Target"}


#: The pages "Back to search" may return to (the search form answers on both).
SEARCH_PATHS = ("/search", "/")
MAX_BACK = 2000


def local_search_url(value: str | None) -> str | None:
    """``value`` when it is a URL of our own search page (path ``/search`` or ``/`` with any query string, no
    scheme, no host), rebuilt from its parsed parts; None otherwise. Never an open redirect."""
    if not value or len(value) > MAX_BACK or any(ord(c) < 32 or c == "\\" for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or parts.path not in SEARCH_PATHS:
        return None
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return "/search" + (f"?{query}" if query else "")


def _back_param() -> str | None:
    """The search to return to: a ``back`` parameter (query string or form), else a same-origin referrer."""
    back = local_search_url(request.values.get("back"))
    if back is None and request.referrer:
        try:
            ref = urlsplit(request.referrer)
        except ValueError:
            return None
        if ref.scheme == request.scheme and ref.netloc == request.host:
            back = local_search_url(ref.path + (f"?{ref.query}" if ref.query else ""))
    return back


def _render_provider(page: Any, form: ReportForm, *, report_sent: bool = False) -> str:
    back = _back_param()
    return render_template("public/provider.html", page=page, p=page.provider, form=form, json_ld=schema_org(page),
                           back_url=back or url_for("public.search"), back_param=back, report_sent=report_sent,
                           tile_url=current_app.config["KDIR_SETTINGS"].tile_url)


@bp.get("/places")
def places() -> Any:
    """Place suggestions as the patient types (``<option>`` elements for the search form's datalist; htmx
    fetches them). Offline, from the project's ZIP and city table; nothing is logged."""
    typed = request.args.get("near", "")[:100]
    found = suggest_places(typed, 8) if len(typed.strip()) >= 2 else []
    options = [(_place_value(p), p.label) for p in found]
    return render_template("public/_places.html", options=options), 200, {"Cache-Control": "public, max-age=3600"}


@bp.get("/providers/<id:provider_id>")
def provider(provider_id: int) -> Any:
    with get_db().session() as session:
        found = load_page(session, provider_id)
        if found.redirect_to is not None:
            return redirect(url_for("public.provider", provider_id=found.redirect_to), code=301)
        if found.page is None:
            abort(404)
        sent = bool(get_flashed_messages(category_filter=["report"]))
        return _render_provider(found.page, ReportForm(), report_sent=sent)


@bp.route("/providers/<id:provider_id>/report", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"], override_defaults=False)  # on top of the public budget
def report(provider_id: int) -> Any:
    """Report a problem: a Flag row for the moderators' queue. No account, no personal data required. The
    confirmation replaces the form and takes the focus (``autofocus``, which also scrolls it into view; a URL
    fragment would keep the browser from focusing it)."""
    back = _back_param()
    target = url_for("public.provider", provider_id=provider_id, **({"back": back} if back else {}))
    if request.method == "GET":
        return redirect(target + "#report")
    form = ReportForm()
    with get_db().session() as session:
        found = load_page(session, provider_id)
        if found.page is None:
            abort(404)
        if not form.validate_on_submit():
            return _render_provider(found.page, form), 400
        session.add(Flag(provider_id=found.page.provider.id, category=form.category.data,
                         message=(form.message.data or "").strip(), contact=(form.contact.data or "").strip() or None))
        session.commit()
    flash("Thank you. A moderator will look at your report.", "report")
    return redirect(target, code=303)


@bp.get("/guide")
def guide() -> Any:
    return render_template("public/guide.html", badges=BADGES)


def schema_org(page: Any) -> dict[str, Any]:
    """schema.org JSON-LD for a provider page (rendered through the json_ld filter, which escapes < > &)."""
    p = page.provider
    data: dict[str, Any] = {"@context": "https://schema.org",
                            "@type": "Physician" if p.kind == "practitioner" else "MedicalClinic",
                            "name": p.name, "url": url_for("public.provider", provider_id=p.id, _external=True)}
    if safe_url(p.website):
        data["sameAs"] = p.website
    if p.phones:
        data["telephone"] = str(p.phones[0])
    if p.city or p.street:
        data["address"] = {"@type": "PostalAddress", "streetAddress": p.street, "addressLocality": p.city,
                           "addressRegion": p.region, "postalCode": p.postal_code, "addressCountry": p.country or "US"}
    if p.lat is not None and p.lon is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": p.lat, "longitude": p.lon}
    if p.kind == "practitioner" and p.npi:
        data["usNPI"] = p.npi
    if p.rating_value is not None and p.rating_count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": p.rating_value,
                                   "reviewCount": p.rating_count, "bestRating": 5}
    if p.modalities:
        data["availableService"] = [{"@type": "MedicalTherapy", "name": label(m)} for m in p.modalities]
    return data


STAFF_ENDPOINTS = {"moderation": ("moderation.queue", "moderation.index"),
                   "ops": ("ops.dashboard", "ops.index", "ops.runs"),
                   "login": ("auth.login",), "logout": ("auth.logout",)}


def _staff_links() -> dict[str, str | None]:
    """URLs of the staff pages that exist in this app (the moderation/ops blueprints grow independently)."""
    out: dict[str, str | None] = {}
    for key, endpoints in STAFF_ENDPOINTS.items():
        endpoint = next((e for e in endpoints if e in current_app.view_functions), None)
        try:
            out[key] = url_for(endpoint) if endpoint else None
        except BuildError:  # the endpoint needs arguments: no menu link
            out[key] = None
    return out


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Template globals and friendly error pages (JSON under /api/)."""

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"label": label, "LABELS": LABELS, "FIELD_LABELS": FIELD_LABELS, "date_only": date_only,
                "staff_links": _staff_links()}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if _wants_json():
            return jsonify({"error": exc.description if code != 429 else "too many requests",
                            "parameter": None}), code
        if code in (301, 302, 303, 307, 308):
            return exc
        return render_template("public/error.html", code=code, title=exc.name,
                               description=exc.description), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if current_app.testing:  # tests see the real traceback
            raise exc
        current_app.logger.exception("unhandled error")  # no query string: searches are health data
        if _wants_json():
            return jsonify({"error": "internal error", "parameter": None}), 500
        return Response(render_template("public/error.html", code=500, title="Something went wrong",
                                        description="Please try again later."), status=500)
