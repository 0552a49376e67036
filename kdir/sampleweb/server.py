"""Run the whole sample web: each clinic site, the directory and the two APIs on its own 127.0.0.N address.

    with SampleWeb() as web:            # ephemeral ports (tests)
        web.sites["stillwater"]         # 'http://127.0.0.10:41873'
        web.nppes_url                   # use as KDIR_NPPES_URL
"""

from __future__ import annotations

import threading
from types import TracebackType

from kdir.sampleweb.directory import DirectorySite
from kdir.sampleweb.http import MODES, App, AppServer, RequestRecord
from kdir.sampleweb.nppes import NppesApi
from kdir.sampleweb.overpass import OverpassApi
from kdir.sampleweb.sites import CLINIC_SITES, StaticSite

#: Non-clinic apps, served after the clinic sites in this order.
SERVICE_APPS = ("directory", "nppes", "overpass")


def app_names() -> list[str]:
    """Every app in serving order: app i is served on 127.0.0.(first_octet + i)."""
    return [s.name for s in CLINIC_SITES] + list(SERVICE_APPS)


class SampleWeb:
    """Threaded servers for the sample web. Base URLs have no trailing slash."""

    def __init__(self, host_prefix: str = "127.0.0", first_octet: int = 10, port: int = 0) -> None:
        if not 1 <= first_octet <= 254 - len(app_names()):
            raise ValueError(f"first_octet must leave room for {len(app_names())} addresses, got {first_octet}")
        self.host_prefix = host_prefix
        self.first_octet = first_octet
        self.port = port
        self.urls: dict[str, str] = {}
        self.request_log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._servers: list[AppServer] = []
        self._threads: list[threading.Thread] = []

    # -- public URLs -------------------------------------------------------------------------------------
    @property
    def sites(self) -> dict[str, str]:
        """Clinic site name -> base URL."""
        return {s.name: self.urls[s.name] for s in CLINIC_SITES}

    @property
    def directory_url(self) -> str:
        return self.urls["directory"]

    @property
    def nppes_url(self) -> str:
        """NPI registry API base (like https://npiregistry.cms.hhs.gov/api/)."""
        return self.urls["nppes"] + "/api/"

    @property
    def overpass_url(self) -> str:
        return self.urls["overpass"] + "/api/interpreter"

    def set_mode(self, app: str, mode: str, slow_seconds: float | None = None) -> None:
        """Switch one app to "down" (503 everywhere), "empty" (blank pages), "script_error" / "slow_script"
        (a single-page app's bundle throws / answers after ``slow_seconds``) or back to "normal"."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        server = next((s for s in self._servers if s.app_name == app), None)
        if server is None:
            raise KeyError(f"no running app named {app!r}")
        server.mode = mode
        if slow_seconds is not None:
            server.slow_seconds = slow_seconds

    def requests_to(self, app: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.request_log if r.app == app]

    # -- life cycle ----------------------------------------------------------------------------------------
    def _make_app(self, name: str) -> App:
        for spec in CLINIC_SITES:
            if spec.name == name:
                return StaticSite(spec, self.urls)
        if name == "directory":
            return DirectorySite(self.urls)
        if name == "nppes":
            return NppesApi()
        return OverpassApi(self.urls)

    def start(self) -> SampleWeb:
        if self._servers:
            return self
        try:
            for i, name in enumerate(app_names()):
                host = f"{self.host_prefix}.{self.first_octet + i}"
                server = AppServer((host, self.port), name, self._make_app(name), self.request_log, self._lock)
                self._servers.append(server)
                self.urls[name] = f"http://{host}:{server.server_address[1]}"
        except OSError:
            self.stop()
            raise
        for server in self._servers:
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                 name=f"sampleweb-{server.app_name}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        # shutdown() blocks until the serve loop notices (one poll interval): stop all servers in parallel.
        running = {t.name for t in self._threads}
        stoppers = [threading.Thread(target=s.shutdown, daemon=True) for s in self._servers
                    if f"sampleweb-{s.app_name}" in running]
        for t in stoppers:
            t.start()
        for t in stoppers + self._threads:
            t.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> SampleWeb:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
