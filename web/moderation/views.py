"""The moderators' vetting workflow: queue, review screen, actions (POST + CSRF), audit log and export.

Every action goes through :mod:`indexer.curate` (which writes the audit entry and the search outbox in the same
transaction) and then publishes the outbox so search reflects it at once. A search outage never loses the
change: the outbox keeps it for the next publish.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from indexer import audit, bulk_review, curate
from indexer.audit import Actor
from indexer.db.models import Flag, Provider, Review
from indexer.publish import publish_outbox
from indexer.review_queue import REASONS, QueueFilter, describe, queue_counts, queue_sources, queue_states
from web.auth.accounts import role_required
from web.auth.forms import PostForm
from web.extensions import get_db, get_search
from web.ids import id_arg, parse_id
from web.moderation.forms import (
    ApproveForm,
    BulkConfirmForm,
    BulkForm,
    ClearOverrideForm,
    EditFieldForm,
    HideReviewForm,
    MergeForm,
    RejectForm,
    ResolveFlagForm,
    SplitForm,
)
from web.moderation.labels import label, words
from web.moderation.queries import REASON_LABELS, review_context, review_queue

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
log = logging.getLogger(__name__)
#: Queue rows shown on one page (bulk actions act on every listing the filter selects, not only these).
QUEUE_PAGE = 200
#: At most this many listings in one bulk action of the web (about 10 s of work: well within the worker timeout;
#: `kdir moderate` has no limit).
BULK_LIMIT = 2000
_STATE = re.compile(r"[A-Za-z]{2}")


@bp.context_processor
def _staff_context() -> dict[str, Any]:
    return {"logout_form": PostForm(), "reason_labels": REASON_LABELS, "words": words}


@bp.app_template_filter("words")
def _words_filter(code: object, table: str) -> str:
    return words(code, table)


@bp.app_template_filter("credential_row")
def _credential_row(cred: object) -> tuple[None, object]:
    """A listing's own credential as a (whose, credential) row of the review screen."""
    return None, cred


@bp.app_template_filter("label")
def _label_filter(value: object) -> object:
    return label(value)


def actor() -> Actor:
    return Actor(current_user.username, current_user.id)


def publish_now() -> bool:
    """Apply the search outbox now; on failure the outbox keeps the changes for the next publish."""
    try:
        publish_outbox(get_db(), get_search())
        return True
    except Exception as exc:  # noqa: BLE001 - search may be down; the database change is committed
        log.warning("search publish deferred: %s: %s", type(exc).__name__, exc)
        flash("Saved. The search index will catch up shortly.", "warning")
        return False


def _act(form: FlaskForm, back: str, action: Callable[[Session], str]) -> Response:
    """Validate the form, run ``action`` in one transaction, publish, flash its message, redirect back."""
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "missing or expired form token")
        for name, errors in form.errors.items():
            flash(f"{name}: {'; '.join(str(e) for e in errors)}", "error")
        return redirect(back)
    with get_db().session() as s:
        try:
            message = action(s)
            s.commit()
        except curate.CurateError as exc:
            s.rollback()
            flash(str(exc), "error")
            return redirect(back)
    publish_now()
    flash(message, "success")
    return redirect(back)


def _provider_or_404(s: Session, pid: int) -> Provider:
    p = s.get(Provider, pid)
    if p is None:
        abort(404)
    return p


def _split_form(p: Provider, ctx_observations: list[Any]) -> SplitForm:
    form = SplitForm()
    form.observations.choices = [(o.id, f"#{o.id} {o.source.key}: {o.location_key}") for o, _ in ctx_observations]
    return form


def queue_filter(args: Any, sources: list[str]) -> QueueFilter:
    """The queue filter from a query string or form; values that name nothing are dropped."""
    source = (args.get("source") or "").strip()
    state = (args.get("state") or "").strip()
    reason = (args.get("reason") or "").strip()
    return QueueFilter(source=source if source in sources else None,
                       state=state.upper() if _STATE.fullmatch(state) else None,
                       reason=reason if reason in REASONS else None,
                       all_verified=(args.get("verified") or "") in ("1", "on", "yes"))


def _filter_args(f: QueueFilter) -> dict[str, str]:
    out = {"source": f.source or "", "state": f.state or "", "reason": f.reason or "",
           "verified": "1" if f.all_verified else ""}
    return {k: v for k, v in out.items() if v}


@bp.get("")
@role_required("moderator")
def queue() -> str:
    with get_db().session() as s:
        sources = queue_sources(s)
        filters = queue_filter(request.args, [k for k, _ in sources])
        everything = review_queue(s)
        items = everything if filters.is_empty() else review_queue(s, filters)
        bulk = BulkForm(formdata=None, data={**_filter_args(filters), "action": "approve"})
        states = queue_states(everything)
        return render_template("moderation/queue.html", items=items[:QUEUE_PAGE], matching=len(items),
                               counts=queue_counts(s, items=everything), filters=filters, filter_args=_filter_args(filters),
                               sources=sources, states=states, reasons=REASONS, bulk=bulk,
                               bulk_rule=bulk_review.BULK_RULE, page_size=QUEUE_PAGE)


@bp.post("/bulk")
@role_required("moderator")
def bulk() -> Response | str:
    """Step 1 of a bulk action: show what it would do (how many, how many refused and why) and ask to confirm."""
    form = BulkForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "missing or expired form token")
        flash("Choose approve or reject.", "error")
        return redirect(url_for("moderation.queue"))
    with get_db().session() as s:
        sources = [k for k, _ in queue_sources(s)]
        filters = queue_filter(request.form, sources)
        selected = review_queue(s, filters)
        picked = {pid for pid in (parse_id(x) for x in request.form.getlist("pick")[:BULK_LIMIT]) if pid}
        if picked:  # ticked rows: only those (still matching the filter)
            selected = [i for i in selected if i.provider.id in picked]
        ids = [i.provider.id for i in selected][:BULK_LIMIT]
        action = form.action.data or "approve"
        refused = bulk_review.bulk_refusals(s, ids, action)
        items = {i.provider.id: i for i in selected}
        acting = [pid for pid in ids if pid not in refused]
        confirm = BulkConfirmForm(formdata=None, data={
            "ids": ",".join(str(pid) for pid in acting), "action": action,
            "refused": ",".join(str(pid) for pid in refused),
            "selection": json.dumps({**_filter_args(filters), **({"ticked": str(len(picked))} if picked else {})},
                                    sort_keys=True)})
        return render_template("moderation/bulk_confirm.html", action=action, filters=filters,
                               filter_args=_filter_args(filters), acting=[items[pid] for pid in acting if pid in items],
                               refused=[(items[pid], refused[pid]) for pid in refused if pid in items],
                               refusal_sentence=bulk_review.BulkResult(action, [], refused, {}).refusals(), form=confirm,
                               selected=len(selected), limit=BULK_LIMIT, picked=bool(picked),
                               bulk_rule=bulk_review.BULK_RULE)


def _parse_ids(text: str) -> list[int]:
    ids: list[int] = []
    for part in text.split(","):
        pid = parse_id(part.strip())
        if pid is None:
            abort(400, "bad listing ids")
        ids.append(pid)
    if len(ids) > BULK_LIMIT:
        abort(400, f"at most {BULK_LIMIT} listings at once")
    return ids


@bp.post("/bulk/confirm")
@role_required("moderator")
def bulk_confirm() -> Response:
    """Step 2: act on exactly the listings confirmed; the rule is checked again (anything may have changed)."""
    form = BulkConfirmForm()
    back = url_for("moderation.queue")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "missing or expired form token")
        flash("Nothing to do: no listings were selected.", "error")
        return redirect(back)
    action = form.action.data
    if action not in ("approve", "reject"):
        abort(400, "unknown bulk action")
    ids = _parse_ids(form.ids.data or "")
    left = _parse_ids(form.refused.data) if form.refused.data else []
    try:
        selection = json.loads(form.selection.data or "{}")
    except ValueError:
        selection = {}
    selection = {k: str(v)[:100] for k, v in selection.items()
                 if k in ("source", "state", "reason", "verified", "ticked")} if isinstance(selection, dict) else {}
    back = url_for("moderation.queue", **{k: v for k, v in selection.items() if k != "ticked"})
    with get_db().session() as s:
        try:
            if action == "approve":
                result = bulk_review.bulk_approve(s, actor(), ids, form.note.data or "", selection=selection)
            else:
                result = bulk_review.bulk_reject(s, actor(), ids, form.reject_reason.data or "", selection=selection)
            s.commit()
            # listings the confirmation page said it would leave alone: only reported, never acted on here
            for pid, why in bulk_review.bulk_refusals(s, [p for p in left if p not in ids], action).items():
                result.refused.setdefault(pid, why)
        except curate.CurateError as exc:
            s.rollback()
            flash(str(exc), "error")
            return redirect(back)
    if result.done:
        publish_now()
    flash(result.sentence(), "success" if result.done else "warning")
    return redirect(back)


@bp.get("/provider/<id:pid>")
@role_required("moderator")
def review(pid: int) -> str:
    with get_db().session() as s:
        p = _provider_or_404(s, pid)
        ctx = review_context(s, p)
        item = describe(s, [p])[p.id]
        forms = {"approve": ApproveForm(), "reject": RejectForm(), "edit": EditFieldForm(),
                 "unset": ClearOverrideForm(), "merge": MergeForm(), "split": _split_form(p, ctx.observations),
                 "hide": HideReviewForm(), "resolve": ResolveFlagForm(), "post": PostForm()}
        return render_template("moderation/review.html", ctx=ctx, p=p, forms=forms, item=item,
                               bulk_refused=[r for r in item.reasons if r in bulk_review.BULK_REFUSED])


def _back(pid: int) -> str:
    return url_for("moderation.review", pid=pid)


@bp.post("/provider/<id:pid>/approve")
@role_required("moderator")
def approve(pid: int) -> Response:
    form = ApproveForm()
    return _act(form, _back(pid), lambda s: (curate.approve(s, actor(), _provider_or_404(s, pid).id,
                                                           form.note.data or ""), "Approved and published.")[1])


@bp.post("/provider/<id:pid>/reject")
@role_required("moderator")
def reject(pid: int) -> Response:
    form = RejectForm()
    return _act(form, _back(pid), lambda s: (curate.reject(s, actor(), _provider_or_404(s, pid).id,
                                                          form.reason.data or ""), "Rejected.")[1])


@bp.post("/provider/<id:pid>/edit")
@role_required("moderator")
def edit(pid: int) -> Response:
    form = EditFieldForm()

    def run(s: Session) -> str:
        curate.edit_field(s, actor(), _provider_or_404(s, pid).id, form.field.data or "", form.value.data or "",
                          form.note.data or "")
        return f"Saved an override of {words(form.field.data, 'field').lower()}."

    return _act(form, _back(pid), run)


@bp.post("/provider/<id:pid>/clear-override")
@role_required("moderator")
def clear_override(pid: int) -> Response:
    form = ClearOverrideForm()

    def run(s: Session) -> str:
        curate.clear_override(s, actor(), _provider_or_404(s, pid).id, form.field.data or "", form.note.data or "")
        return f"Override of {words(form.field.data, 'field').lower()} removed: crawled evidence decides again."

    return _act(form, _back(pid), run)


@bp.post("/provider/<id:pid>/merge")
@role_required("moderator")
def merge(pid: int) -> Response:
    form = MergeForm()

    def run(s: Session) -> str:
        curate.merge(s, actor(), _provider_or_404(s, pid).id, int(form.other_id.data or 0), form.reason.data or "")
        return f"Merged #{form.other_id.data} into #{pid}."

    return _act(form, _back(pid), run)


@bp.post("/provider/<id:pid>/split")
@role_required("moderator")
def split(pid: int) -> Response:
    with get_db().session() as s:
        p = _provider_or_404(s, pid)
        form = _split_form(p, review_context(s, p).observations)
    created: list[int] = []

    def run(s: Session) -> str:
        new = curate.split(s, actor(), pid, list(form.observations.data or []), form.reason.data or "")
        created.append(new.id)
        return f"Split off as new provider #{new.id}."

    return _act(form, _back(pid), run)


@bp.post("/review/<id:rid>/hide")
@role_required("moderator")
def hide_review(rid: int) -> Response:
    return _review_visibility(rid, hidden=True)


@bp.post("/review/<id:rid>/show")
@role_required("moderator")
def show_review(rid: int) -> Response:
    return _review_visibility(rid, hidden=False)


def _review_visibility(rid: int, hidden: bool) -> Response:
    with get_db().session() as s:
        review_row = s.get(Review, rid)
        if review_row is None:
            abort(404)
        pid = review_row.provider_id
    form = HideReviewForm()
    return _act(form, _back(pid), lambda s: (curate.hide_review(s, actor(), rid, form.reason.data or "", hidden),
                                            "Review hidden." if hidden else "Review shown again.")[1])


@bp.post("/flag/<id:fid>/resolve")
@role_required("moderator")
def resolve_flag(fid: int) -> Response:
    with get_db().session() as s:
        flag = s.get(Flag, fid)
        if flag is None:
            abort(404)
        pid = flag.provider_id
    form = ResolveFlagForm()
    return _act(form, _back(pid), lambda s: (curate.resolve_flag(s, actor(), fid, form.resolution.data or ""),
                                            "Flag resolved.")[1])


@bp.get("/audit")
@role_required("moderator")
def audit_log() -> str:
    action = request.args.get("action") or None
    if action and action not in audit.ACTIONS:
        action = None
    provider = id_arg(request.args, "provider")
    before = id_arg(request.args, "before")
    with get_db().session() as s:
        rows = audit.entries(s, action=action, provider_id=provider, before_id=before, limit=200)
        return render_template("moderation/audit.html", rows=rows, actions=audit.ACTIONS, action=action,
                               provider=provider)


def _download(body: Callable[[Session], Any], content_type: str, filename: str) -> Response:
    def generate() -> Any:
        with get_db().session() as s:
            yield from body(s)

    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text/* mimetype a second time
    return Response(stream_with_context(generate()), content_type=content_type,
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "no-store"})


@bp.get("/audit.csv")
@role_required("moderator")
def audit_csv() -> Response:
    return _download(audit.iter_csv, "text/csv; charset=utf-8", "kdir-audit.csv")


@bp.get("/audit.jsonl")
@role_required("moderator")
def audit_jsonl() -> Response:
    return _download(audit.iter_jsonl, "application/x-ndjson; charset=utf-8", "kdir-audit.jsonl")
