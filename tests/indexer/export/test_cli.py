"""``kdir export`` end to end: click's runner in process, and one real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.db import Database
from indexer.export import export_to_path
from indexer.export.atomic import atomic_text_file
from kdir.cli import main
from tests.indexer.export.conftest import HOSTILE_NAME, Seeded, add_provider, seed_directory

ROOT = Path(__file__).resolve().parents[3]


def env_for(db: Database) -> dict[str, str]:
    return {"KDIR_DATABASE_URL": db.engine.url.render_as_string(hide_password=False), "KDIR_ENV": "test"}


def kdir(db: Database, *args: str) -> object:
    return CliRunner().invoke(main, ["export", *args], env=env_for(db), catch_exceptions=False)


def parse(fmt: str, text: str) -> list[str]:
    """The provider names in an export, whatever its format."""
    if fmt == "jsonl":
        return [json.loads(line)["name"] for line in text.splitlines()]
    if fmt == "csv":
        return [row["name"].removeprefix("'") for row in csv.DictReader(io.StringIO(text, newline=""))]
    if fmt == "geojson":
        return [f["properties"]["name"] for f in json.loads(text)["features"]]
    return [s["organization"]["name"] for s in json.loads(text)["services"]]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "geojson", "hsds"])
def test_export_to_stdout_and_file(db: Database, seeded: Seeded, fmt: str, tmp_path: Path) -> None:
    result = kdir(db, "--format", fmt)
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    names = parse(fmt, result.stdout)  # type: ignore[attr-defined]
    assert HOSTILE_NAME in names and "Dr. Ana Ortiz" in names
    assert not any("LEAK" in n for n in names) and "Stale Clinic" not in names
    written = 2 if fmt == "geojson" else 3
    assert result.stderr.strip().startswith(  # type: ignore[attr-defined]
        f"kdir: exported {written} providers as {fmt} to stdout")

    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / f"directory.{fmt}"
    result = kdir(db, "--format", fmt, "-o", str(out), "--include-stale")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert f"to {out}" in result.stderr  # type: ignore[attr-defined]
    assert "Stale Clinic" in parse(fmt, out.read_text(encoding="utf-8"))
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind
    assert stat.S_IMODE(out.stat().st_mode) & 0o044  # readable by others (not mkstemp's 0600)


def test_geojson_summary_counts_omitted(db: Database, seeded: Seeded) -> None:
    result = kdir(db, "--format", "geojson")
    assert "(1 without coordinates omitted)" in result.stderr  # type: ignore[attr-defined]


def test_failed_export_leaves_previous_file(tmp_path: Path) -> None:
    """A database without the schema fails with one line, and the old export stays as it was."""
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    env = {"KDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "KDIR_ENV": "test"}
    result = CliRunner().invoke(main, ["export", "--format", "jsonl", "-o", str(out)], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("kdir: error: KDIR_DATABASE_URL: cannot read providers")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3", "out.jsonl"]


def test_failure_mid_stream_keeps_previous_file(db: Database, seeded: Seeded, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / "out.csv"
    out.write_text("previous export\n", encoding="utf-8")

    def fail_after_one(records: Iterator[dict]) -> Iterator[dict]:  # type: ignore[type-arg]
        yield next(records)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        export_to_path(db, "csv", out, batch_size=1, progress=fail_after_one)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in out.parent.iterdir()] == ["out.csv"]


def test_atomic_file_on_interrupt(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with pytest.raises(KeyboardInterrupt), atomic_text_file(target) as f:
        f.write("half")
        raise KeyboardInterrupt
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with atomic_text_file(target) as f:
        f.write("whole ☕")
    assert target.read_text(encoding="utf-8") == "whole ☕"


def test_bad_arguments(db: Database, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "xml"], env=env_for(db))
    assert result.exit_code == 2 and "xml" in result.stderr
    result = CliRunner().invoke(main, ["export", "--format", "csv", "-o", str(tmp_path / "nope" / "x.csv")],
                                env=env_for(db))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_empty_directory_exports(db: Database) -> None:
    result = kdir(db, "--format", "csv", "--bom")
    assert result.exit_code == 0
    assert result.stdout.startswith("\ufeffid,kind,name,")  # type: ignore[attr-defined]
    assert len(result.stdout.splitlines()) == 1  # type: ignore[attr-defined]
    assert "exported 0 providers" in result.stderr  # type: ignore[attr-defined]


def test_subprocess_stdout_is_utf8_and_summary_one_line(db: Database, seeded: Seeded) -> None:
    env = {**os.environ, **env_for(db), "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}
    proc = subprocess.run([sys.executable, "-c", "from kdir.cli import main; main()", "export", "--format", "jsonl",
                           "--batch-size", "1"], env=env, cwd=ROOT, capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    names = [json.loads(line)["name"] for line in proc.stdout.decode("utf-8").splitlines()]
    assert HOSTILE_NAME in names and len(names) == 3
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kdir: exported 3 providers as jsonl to stdout in ")


def _run_kdir(db: Database, *args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, **env_for(db)}
    return subprocess.Popen([sys.executable, "-c", "from kdir.cli import main; main()", "export", *args],
                            env=env, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def test_progress_bar_on_a_terminal(sqlite_db: Database, tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    seed_directory(sqlite_db)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    proc = _run_kdir(sqlite_db, "--format", "csv", "-o", str(tmp_path / "x.csv"), stdout=subprocess.DEVNULL,
                     stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "export" in shown and "3/3" in shown  # tqdm's bar, with the total counted up front
    assert "exported 3 providers as csv" in shown


def test_closed_pipe_stops_quietly(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        for i in range(300):
            add_provider(s, f"Clinic {i} " + "x" * 500)
        s.commit()
    proc = _run_kdir(sqlite_db, "--format", "jsonl", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["name"].startswith("Clinic 0 ")
    proc.stdout.close()  # like `| head -1`: the reader goes away with 150 kB still to come
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "Broken" not in err
