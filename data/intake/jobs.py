"""Imports started from the /data page: each runs `cli.py import` in its own process, so
a city's three million rows never hold the web process (pandas would keep the GIL for
seconds at a time); the page polls the job folder.

`<var>/imports/<job>/`: the uploaded files, `owner.json` (who started it), `stderr.log`
(one "file: stage" line as each stage starts: the progress), `stdout.jsonl` (one report
per file, the CLI's --json objects), `exit.json` (the exit status, written by a watcher
thread when the process ends). A job whose process is gone without exit.json died with
its web process: 'error'.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("read", "references", "load", "rollups")
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def jobs_dir(var_dir) -> Path:
    return Path(var_dir) / "imports"


def job_dir(var_dir, job: str) -> Path:
    if not job or not job.isalnum():
        raise ValueError(f"bad job id {job!r}")
    return jobs_dir(var_dir) / job


def safe_name(name: str) -> str:
    """An uploaded file's name as stored: no folders, no odd characters, the suffix kept."""
    base = _SAFE_NAME.sub("_", Path(str(name)).name).strip("._") or "upload"
    return base[-120:]


def start(var_dir, files: list[tuple[str, bytes]], *, user: str, scope: list[str] | None,
          database_url: str, address: str = "") -> str:
    """Save the files and start importing them; returns the job id."""
    job = secrets.token_hex(8)
    folder = job_dir(var_dir, job)
    folder.mkdir(parents=True)
    names = []
    for name, content in files:
        path = folder / safe_name(name)
        path.write_bytes(content)
        names.append(path.name)
    (folder / "owner.json").write_text(json.dumps({"user": user, "files": names}, ensure_ascii=False),
                                       encoding="utf-8")
    command = [sys.executable, str(ROOT / "cli.py"), "import", *[str(folder / n) for n in names], "--json",
               "--as-user", user, "--address", address or ""]
    if scope is not None:
        command += ["--scope", ",".join(scope)]
    env = {**os.environ, "DATABASE_URL": database_url}
    with (folder / "stdout.jsonl").open("wb") as out, (folder / "stderr.log").open("wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, env=env, start_new_session=True)
    (folder / "pid").write_text(str(process.pid))
    threading.Thread(target=_watch, args=(process, folder), daemon=True, name=f"import-{job}").start()
    return job


def _watch(process: subprocess.Popen, folder: Path) -> None:
    code = process.wait()
    tmp = folder / "exit.json.tmp"
    tmp.write_text(json.dumps({"code": code}), encoding="utf-8")
    tmp.replace(folder / "exit.json")


def status(var_dir, job: str, user: str) -> dict:
    """{'state': running|done|error|missing, 'progress': 0..100, 'step', 'files', 'reports'};
    a job of another user is 'missing'."""
    missing = {"state": "missing", "progress": 0, "step": "", "files": [], "reports": []}
    try:
        folder = job_dir(var_dir, job)
        owner = json.loads((folder / "owner.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return missing
    if owner.get("user") != user:
        return missing
    files = owner.get("files", [])
    steps = _steps(folder)
    progress = int(100 * len(steps) / max(1, len(STAGES) * len(files)))
    reports = _reports(folder)
    out = {"files": files, "step": steps[-1] if steps else "", "reports": reports}
    if (folder / "exit.json").exists():
        code = json.loads((folder / "exit.json").read_text(encoding="utf-8")).get("code")
        error = "" if code in (0, 2) else _tail(folder / "stderr.log")
        return {**out, "state": "error" if error else "done", "progress": 100, "error": error}
    if not _alive(folder):
        return {**out, "state": "error", "progress": progress, "error": _tail(folder / "stderr.log")}
    return {**out, "state": "running", "progress": min(progress, 99)}


def _steps(folder: Path) -> list[str]:
    try:
        lines = (folder / "stderr.log").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line for line in lines if line.rsplit(": ", 1)[-1] in STAGES]


def _reports(folder: Path) -> list[dict]:
    try:
        lines = (folder / "stdout.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line being written
    return out


def _alive(folder: Path) -> bool:
    try:
        os.kill(int((folder / "pid").read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(line for line in text[-lines:] if line.rsplit(": ", 1)[-1] not in STAGES)
