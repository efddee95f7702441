"""Run the app as a subprocess on a given database (browser tests, page-ready and load benches).

    with running_app(db_url, var_dir) as url: ...   # http://127.0.0.1:<free port>
    with running_app(db_url, var_dir, production=True) as url: ...   # gunicorn, as `make run`

`python app.py` (Flask's development server, `make dev`) by default; with `production`,
gunicorn with the project's gunicorn.conf.py (`extra_env` adds variables, e.g. REDIS_URL).
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90


class AppDidNotStart(RuntimeError):
    """The app exited or did not answer in time; the message holds its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AppDidNotStart(f"app exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as resp:  # noqa: S310 - our own http://127.0.0.1 URL
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    raise AppDidNotStart(f"app did not answer within {timeout_s}s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def running_app(db_url: str, var_dir: Path, *, production: bool = False,
                extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the app on `db_url` with its caches under `var_dir`; yields the base URL."""
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": db_url,
           "SUNSHINE_VAR_DIR": str(var_dir), "CACHE_DIR": str(var_dir / "cache"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    command = [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"] if production else [python, "app.py"]
    log = var_dir / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=35)  # gunicorn lets its workers finish (graceful_timeout 30 s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
