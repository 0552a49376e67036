"""A tiny fake Meilisearch on loopback (http.server in a thread), for tests that need no real server.

It answers the few routes the backend uses the way Meilisearch does (JSON bodies, 202 + task for writes,
tasks processed at once, ``{"message", "code", "type", "link"}`` errors), records every request, and can be
told to fail a route with any status and body (a 403 after a key rotation, a 413, a proxy's HTML 502). It is
a fake EXTERNAL server: the real ``meilisearch`` client and our backend run unchanged against it. It
implements no search: the contract suite covers that against a real server (KDIR_MEILI_URL).
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOW = "2026-12-06T12:00:00.000000Z"
#: What a fresh index reports (the defaults of a v1.15+ server, abridged).
DEFAULT_SETTINGS: dict[str, Any] = {
    "displayedAttributes": ["*"], "searchableAttributes": ["*"], "filterableAttributes": [],
    "sortableAttributes": [], "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "stopWords": [], "synonyms": {}, "distinctAttribute": None,
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}, "disableOnWords": [],
                      "disableOnAttributes": [], "disableOnNumbers": False},
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
}


def error(code: str, message: str, kind: str = "invalid_request") -> dict[str, Any]:
    return {"message": message, "code": code, "type": kind, "link": f"https://docs.meilisearch.com/errors#{code}"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    size: int


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any  # dict -> JSON, str -> raw text (e.g. a proxy's HTML page)
    times: int


@dataclass
class StubState:
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> {"settings", "docs"}
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    task_errors: dict[str, dict[str, Any]] = field(default_factory=dict)  # task type -> error (task fails)
    finish_on_poll: dict[int, Any] = field(default_factory=dict)  # processing task id -> apply when polled
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_index(self, uid: str, settings: dict[str, Any] | None = None) -> None:
        self.indexes[uid] = {"settings": copy.deepcopy(settings or DEFAULT_SETTINGS), "docs": {}}

    def fail(self, method: str, path: str, status: int, body: Any, times: int = 1) -> None:
        self.failures.append(Failure(method, re.compile(path), status, body, times))

    def processing(self, kind: str, uid: str, apply: Any) -> int:
        """A task of an earlier run still processing; it finishes (``apply``) when first polled."""
        task_id = len(self.tasks)
        self.tasks[task_id] = {"uid": task_id, "indexUid": uid, "status": "processing", "type": kind, "error": None,
                               "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": None}
        self.finish_on_poll[task_id] = apply
        return task_id

    def sent(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path, r.path)]


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _task(self, kind: str, uid: str | None, apply: Any) -> tuple[int, dict[str, Any]]:
        st = self.state
        task_id = len(st.tasks)
        err = st.task_errors.pop(kind, None)
        if err is None:
            try:
                apply()
            except LookupError as exc:
                err = exc.args[0]
        st.tasks[task_id] = {"uid": task_id, "indexUid": uid, "status": "failed" if err else "succeeded",
                             "type": kind, "error": err, "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": NOW}
        return 202, {"taskUid": task_id, "indexUid": uid, "status": "enqueued", "type": kind, "enqueuedAt": NOW}

    def _route(self, method: str) -> None:
        st = self.state
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        with st.lock:
            st.requests.append(Recorded(method, path, query, body, len(raw)))
            for failure in st.failures:
                if failure.times and failure.method == method and failure.path.fullmatch(path):
                    failure.times -= 1
                    self._reply(failure.status, failure.body)
                    return
            status, answer = self._answer(method, path, query, body)
        self._reply(status, answer)

    def _answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        st = self.state
        missing = (404, error("index_not_found", "Index not found."))

        def need(uid: str) -> dict[str, Any]:
            if uid not in st.indexes:
                raise LookupError(error("index_not_found", f"Index `{uid}` not found."))
            return st.indexes[uid]

        if path == "/health":
            return 200, {"status": "available"}
        if m := re.fullmatch(r"/tasks/(\d+)", path):
            task_id = int(m.group(1))
            if task_id in st.finish_on_poll:  # a task that was still processing finishes now
                st.finish_on_poll.pop(task_id)()
                st.tasks[task_id]["status"] = "succeeded"
            return 200, st.tasks[task_id]
        if path == "/tasks":
            wanted = {k: set(v[0].split(",")) for k, v in query.items() if k in ("indexUids", "types", "statuses")}
            results = [t for t in reversed(st.tasks.values())
                       if t["indexUid"] in wanted.get("indexUids", {t["indexUid"]})
                       and t["type"] in wanted.get("types", {t["type"]})
                       and t["status"] in wanted.get("statuses", {t["status"]})]
            return 200, {"results": results, "limit": 20, "total": len(results), "from": None, "next": None}
        if path == "/indexes" and method == "GET":
            uids = sorted(st.indexes)
            offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["20"])[0])
            results = [{"uid": u, "primaryKey": "id", "createdAt": NOW, "updatedAt": NOW}
                       for u in uids[offset:offset + limit]]
            return 200, {"results": results, "offset": offset, "limit": limit, "total": len(uids)}
        if path == "/indexes" and method == "POST":
            uid = body["uid"]

            def create() -> None:
                if uid in st.indexes:
                    raise LookupError(error("index_already_exists", f"Index `{uid}` already exists."))
                st.add_index(uid)
            return self._task("indexCreation", uid, create)
        if path == "/swap-indexes":
            pairs = [tuple(p["indexes"]) for p in body]

            def swap() -> None:
                for a, b in pairs:
                    need(a), need(b)
                    st.indexes[a], st.indexes[b] = st.indexes[b], st.indexes[a]
            return self._task("indexSwap", None, swap)
        m = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        if not m:
            return 404, error("not_found", "unknown route")
        uid, rest = m.group(1), m.group(2) or ""
        if rest == "" and method == "GET":
            return (200, {"uid": uid, "primaryKey": "id", "createdAt": NOW, "updatedAt": NOW}) if uid in st.indexes \
                else missing
        if rest == "" and method == "DELETE":
            return self._task("indexDeletion", uid, lambda: st.indexes.pop(uid) if uid in st.indexes else need(uid))
        if rest == "/settings" and method == "GET":
            return (200, copy.deepcopy(st.indexes[uid]["settings"])) if uid in st.indexes else missing
        if rest == "/settings" and method == "PATCH":
            def update() -> None:
                if uid not in st.indexes:
                    st.add_index(uid)  # Meilisearch creates a missing index on a settings update
                settings = st.indexes[uid]["settings"]
                for key, value in body.items():
                    if isinstance(value, dict) and isinstance(settings.get(key), dict):
                        settings[key].update(value)
                    else:
                        settings[key] = value
            return self._task("settingsUpdate", uid, update)
        if rest == "/documents" and method == "POST":
            def add() -> None:
                if uid not in st.indexes:
                    st.add_index(uid)  # implicitly, WITHOUT our settings: what the backend must repair
                st.indexes[uid]["docs"].update({d["id"]: d for d in body})
            return self._task("documentAdditionOrUpdate", uid, add)
        if rest == "/documents/delete" and method == "POST":
            def delete() -> None:
                ids = {int(x) for x in re.findall(r"\d+", body["filter"])}
                docs = need(uid)["docs"]
                for i in ids:
                    docs.pop(i, None)
            return self._task("documentDeletion", uid, delete)
        if rest == "/search" and method == "POST":
            if uid not in st.indexes:
                return missing
            return 200, {"hits": [], "totalHits": 0, "page": 1, "hitsPerPage": 20, "totalPages": 0,
                         "facetDistribution": {}, "processingTimeMs": 0, "query": body.get("q", "")}
        return 404, error("not_found", "unknown route")

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._route("PATCH")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")


@contextmanager
def meili_stub() -> Iterator[tuple[str, StubState]]:
    """(url, state) of a fake Meilisearch listening on 127.0.0.1 for the duration of the block."""
    state = StubState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
