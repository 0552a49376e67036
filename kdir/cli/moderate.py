"""``kdir moderate``: the moderation queue from the command line, for operators working at the scale of a crawl.

``list`` shows the queue (or a filtered part of it) with each listing's reasons in words; ``approve`` and
``reject`` act on the listings chosen by the same filters or by id, one audit entry each with the operator as
actor. Approving in bulk follows the one rule of :mod:`indexer.curate` (the web queue uses the same): listings
with an open patient report, a credential the registry did not confirm or a material change waiting are
refused, and the summary says how many and why.
"""

from __future__ import annotations

import getpass
import json
import re
from typing import Any

import click

from kdir.cli.common import fail, load_settings, open_database, progress

#: Control characters (C0, DEL, C1): scraped names could carry terminal escape sequences.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    """Scraped text made safe for a terminal: control characters (escape sequences) become "?"."""
    return _CONTROL.sub("?", "" if text is None else str(text))


REASON_CHOICES = ("flag", "mismatch", "invalid_number", "not_found", "ambiguous", "changes", "new")


def _filters(f: Any) -> Any:
    from indexer.review_queue import QueueFilter

    return QueueFilter(source=f["source"] or None, state=(f["state"] or "").upper() or None, reason=f["reason"] or None,
                       all_verified=bool(f["all_verified"]))


def _selection(ids: tuple[int, ...], f: dict[str, Any]) -> dict[str, Any]:
    sel: dict[str, Any] = {k: v for k, v in f.items() if v}
    if ids:
        sel["ids"] = list(ids)
    return sel


def filter_options(fn: Any, reason_flags: tuple[str, ...] = ("--reason", "--queue-reason")) -> Any:
    fn = click.option("--all-verified", is_flag=True,
                      help="Only listings with every credential verified (their own and their practitioners'), "
                           "no open report and no change waiting.")(fn)
    fn = click.option(*reason_flags, "reason", type=click.Choice(REASON_CHOICES),
                      help="Only listings with this reason: flag (open patient report), mismatch, invalid_number, "
                           "not_found, ambiguous (credential problems), changes (material change), new.")(fn)
    fn = click.option("--state", metavar="ST", help="Only listings in this US state (two-letter code).")(fn)
    fn = click.option("--source", metavar="S", help="Only listings seen on this source (its key, e.g. clinic_site).")(fn)
    return fn


def _check_source(s: Any, source: str | None) -> None:
    if source:
        from indexer.review_queue import queue_sources

        keys = [k for k, _ in queue_sources(s)]
        if source not in keys:
            fail(f"no source {source!r}; known sources: {', '.join(keys) or 'none yet'}")


def _chosen(s: Any, ids: tuple[int, ...], f: dict[str, Any]) -> list[int]:
    """Ids given on the command line (narrowed by the filters when any is given) or the filtered queue."""
    from indexer.review_queue import queue_items

    _check_source(s, f["source"])
    filters = _filters(f)
    if not ids:
        return [i.provider.id for i in queue_items(s, filters)]
    if filters.is_empty():
        return list(dict.fromkeys(ids))
    allowed = {i.provider.id for i in queue_items(s, filters)}
    return [pid for pid in dict.fromkeys(ids) if pid in allowed]


@click.group(help="Review the moderation queue from the command line: list it, approve or reject listings by "
                  "filter or id (each one written to the audit log with you as the actor).")
def command() -> None:
    pass


@command.command(name="list", help="List the listings waiting for review, most urgent first, with their reasons.")
@filter_options
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=200, show_default=True,
              help="Print at most this many listings (the counts cover all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of text.")
def list_(source: str | None, state: str | None, reason: str | None, all_verified: bool, limit: int,
          as_json: bool) -> None:
    from indexer.review_queue import queue_counts, queue_items

    f = {"source": source, "state": state, "reason": reason, "all_verified": all_verified}
    db = open_database(load_settings())
    with db.session() as s:
        _check_source(s, source)
        filters = _filters(f)
        items = queue_items(s, filters)
        for item in items[:limit]:
            p = item.provider
            if as_json:
                click.echo(json.dumps({"id": p.id, "name": safe(p.name), "status": p.status, "region": safe(p.region),
                                       "reasons": item.reasons, "reasons_in_words": item.labels()},
                                      ensure_ascii=False))
            else:
                place = safe(", ".join(x for x in (p.city, p.region) if x))
                click.echo(f"#{p.id:<7} {safe(p.name)[:60]:<60} {place[:24]:<24} {'; '.join(item.labels())}")
        counts = queue_counts(s, items=items)
        scope = "" if filters.is_empty() else f" (filter: {filters.describe()})"
        click.echo(f"{counts.sentence()}{scope}.", err=True)
        if len(items) > limit:
            click.echo(f"showing the first {limit}; use --limit to see more", err=True)


def _actor(s: Any, name: str | None) -> Any:
    from sqlalchemy import select

    from indexer.audit import Actor
    from indexer.db.models import User

    username = (name or getpass.getuser() or "operator").strip()[:80]
    user_id = s.scalar(select(User.id).where(User.username == username))
    return Actor(username, user_id)


def _act(action: str, ids: tuple[int, ...], f: dict[str, Any], dry_run: bool, yes: bool, actor_name: str | None,
         text: str) -> None:
    from indexer import bulk_review, curate
    from indexer.publish import publish_outbox
    from indexer.search import open_backend

    settings = load_settings()
    db = open_database(settings)
    with db.session() as s:
        chosen = _chosen(s, ids, f)
        if not chosen:
            click.echo("Nothing to do: no listing matches.")
            return
        refused = bulk_review.bulk_refusals(s, chosen, action)
        acting = [pid for pid in chosen if pid not in refused]
        preview = bulk_review.BulkResult(action, acting, refused, {})
        if dry_run:
            click.echo(f"Dry run, nothing changed. {preview.sentence().replace('Approved', 'Would approve', 1).replace('Rejected', 'Would reject', 1)}")
            _print_refused(s, refused)
            return
        if not acting:
            click.echo(preview.sentence())
            _print_refused(s, refused)
            return
        verb = "approve and publish" if action == "approve" else "reject"
        if not yes and len(acting) > 1 and not click.confirm(
                f"{verb} {len(acting)} listings ({len(refused)} refused)?", default=False, err=True):
            click.echo("Nothing changed.")
            return
        actor = _actor(s, actor_name)
        selection = _selection(ids, f)
        bar = iter(progress(range(len(chosen)), total=len(chosen), desc=action))

        def tick(_pid: int) -> None:
            next(bar, None)

        try:
            if action == "approve":
                result = bulk_review.bulk_approve(s, actor, chosen, text, selection=selection, on_each=tick)
            else:
                result = bulk_review.bulk_reject(s, actor, chosen, text, selection=selection, on_each=tick)
        except curate.CurateError as exc:
            s.rollback()
            fail(str(exc))
            return
        finally:
            for _ in bar:  # close the bar
                pass
        s.commit()
    click.echo(result.sentence())
    with db.session() as s:
        _print_refused(s, result.refused)
    try:
        backend = open_backend(settings)
        try:
            sent = publish_outbox(db, backend)
        finally:
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        click.echo(f"{sent} search update{'s' if sent != 1 else ''} applied.")
    except Exception as exc:  # noqa: BLE001 - the outbox keeps every change for the next publish
        click.echo(f"search index not updated now ({type(exc).__name__}); the changes stay queued", err=True)


def _print_refused(s: Any, refused: dict[int, list[str]], limit: int = 20) -> None:
    from indexer.bulk_review import BULK_REFUSED
    from indexer.db.models import Provider

    for n, (pid, reasons) in enumerate(refused.items()):
        if n == limit:
            click.echo(f"  ... and {len(refused) - limit} more refused", err=True)
            break
        p = s.get(Provider, pid)
        name = safe(p.name)[:60] if p is not None else "(missing)"
        click.echo(f"  refused #{pid} {name}: {'; '.join(BULK_REFUSED.get(r, r) for r in reasons)}", err=True)


def _common(fn: Any, reason_flags: tuple[str, ...] = ("--reason", "--queue-reason")) -> Any:
    fn = click.option("--actor", "actor_name", metavar="NAME",
                      help="Who acts, as written in the audit log (default: your login name).")(fn)
    fn = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")(fn)
    fn = filter_options(fn, reason_flags)
    return click.argument("ids", nargs=-1, type=click.IntRange(1, 2**31 - 1))(fn)


@command.command(help="Approve and publish listings: the given IDS, or every listing the filters select. "
                      "Listings with an open patient report, a credential the registry did not confirm or a "
                      "material change waiting are refused (decide those one by one).")
@_common
@click.option("--note", default="", help="A note kept with every audit entry.")
def approve(ids: tuple[int, ...], source: str | None, state: str | None, reason: str | None, all_verified: bool,
            dry_run: bool, yes: bool, actor_name: str | None, note: str) -> None:
    _act("approve", ids, {"source": source, "state": state, "reason": reason, "all_verified": all_verified},
         dry_run, yes, actor_name, note)


def _reject_common(fn: Any) -> Any:
    return _common(fn, ("--queue-reason",))


@command.command(help="Reject listings (the given IDS, or every listing the filters select) with a reason kept "
                      "with each of them; a later crawl never brings them back. Here --reason is the text of "
                      "the rejection; filter by queue reason with --queue-reason.")
@_reject_common
@click.option("--reason", "why", required=True, metavar="TEXT",
              help="Why they are rejected (required; kept with each listing and in the audit log).")
def reject(ids: tuple[int, ...], source: str | None, state: str | None, reason: str | None, all_verified: bool,
           dry_run: bool, yes: bool, actor_name: str | None, why: str) -> None:
    _act("reject", ids, {"source": source, "state": state, "reason": reason, "all_verified": all_verified},
         dry_run, yes, actor_name, why)
