from __future__ import annotations

import signal
import subprocess
import sys
import time

import requests


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kdir.cli", "sampleweb", "--port", "0", "--first-octet", "140"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: dict[str, str] = {}
        deadline = time.monotonic() + 20
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or line.startswith("Press Ctrl-C"):
                break
            name, url = line.split()[:2]
            lines[name] = url
        assert {"stillwater", "directory", "nppes", "overpass"} <= set(lines)
        assert lines["stillwater"].startswith("http://127.0.0.140:")
        assert requests.get(lines["stillwater"], timeout=5).status_code == 200
        body = requests.get(lines["nppes"], params={"version": "2.1", "number": "1107483525"}, timeout=5).json()
        assert body["result_count"] == 1
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0 and "stopping" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_reports_a_taken_port_in_one_line() -> None:
    from kdir.sampleweb.server import SampleWeb

    with SampleWeb(first_octet=160, port=0) as web:
        port = web.sites["stillwater"].rsplit(":", 1)[1]
        done = subprocess.run(
            [sys.executable, "-m", "kdir.cli", "sampleweb", "--port", port, "--first-octet", "160"],
            capture_output=True, text=True, timeout=20)
    assert done.returncode == 2
    assert done.stderr.startswith("kdir: error: cannot start the sample web") and len(done.stderr.splitlines()) == 1
