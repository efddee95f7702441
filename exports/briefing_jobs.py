"""Briefing files made in the background, with progress, without blocking anyone.

Why a worker thread and a job folder, not Dash background callbacks: the work is
mostly waiting on chromium (kaleido renders charts and prints the PDF), so a thread of
the web process does it while the process keeps serving other users; and that thread
reuses the kaleido browser already started in the process (a Celery/diskcache worker
would start a new chromium for every job, 3–5 s, and needs another dependency).

- One job per (scope, region, week, language, data version): the id is a hash of
  them, so a second click, or a second user asking for the same briefing, joins the
  running job or downloads the finished files.
- Status lives in `<var>/briefing/<job>/status.json` (written atomically), so any
  worker process can report progress and serve the files.
- `MAX_WORKERS` jobs run at once per process; more wait in the queue (shown as queued).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MAX_WORKERS = 1
STALE_SECONDS = 600  # a 'running' job not updated for this long died with its process
FORMATS = ("pptx", "pdf")

_executor = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="briefing")
_active: set[str] = set()
_lock = threading.Lock()


def job_id(scope_codes, region: str, week: str, lang: str, version: str) -> str:
    raw = json.dumps([sorted(scope_codes), region, week, lang, version])
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:20]


def job_dir(var_dir, job: str) -> Path:
    if not job or not job.isalnum():
        raise ValueError(f"bad job id {job!r}")
    return Path(var_dir) / "briefing" / job


def read_status(var_dir, job: str, owner: list[str] | None = None) -> dict:
    """{'state': queued|running|done|error|missing, 'progress': 0..100, 'step', 'error', 'files'}.

    With `owner` (the asking user's scope codes), a job made for another scope is
    'missing': a job id is a hash of public values, so knowing it proves nothing."""
    missing = {"state": "missing", "progress": 0, "step": "", "files": {}}
    try:
        folder = job_dir(var_dir, job)
        status = json.loads((folder / "status.json").read_text(encoding="utf-8"))
        if owner is not None and json.loads((folder / "owner.json").read_text(encoding="utf-8")) != sorted(owner):
            return missing
    except (OSError, ValueError):
        return missing
    if status.get("state") in ("queued", "running") and job not in _active \
            and time.time() - status.get("updated", 0) > STALE_SECONDS:
        status["state"] = "error"
        status["error"] = "stale"
    return status


def _write_status(folder: Path, **status) -> None:
    status["updated"] = time.time()
    tmp = folder / f"status.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / "status.json")


def start(var_dir, job: str, work, *, filename_stem: str, owner: list[str]) -> dict:
    """Run `work(outputs, progress)` for the job unless it is running or done; its status.

    `work` gets {'pptx': path, 'pdf': path} and a `progress(percent, step)` callback;
    `owner` is the scope the job is made for (only that scope may poll or download it).
    """
    folder = job_dir(var_dir, job)
    with _lock:
        status = read_status(var_dir, job)
        if status["state"] == "done" and all(Path(p).exists() for p in status.get("files", {}).values()):
            return status
        if job in _active:
            return status
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "owner.json").write_text(json.dumps(sorted(owner)), encoding="utf-8")
        outputs = {fmt: str(folder / f"{filename_stem}.{fmt}") for fmt in FORMATS}
        _write_status(folder, state="queued", progress=0, step="queued", files={})
        _active.add(job)
    _executor.submit(_run, folder, job, work, outputs)
    return read_status(var_dir, job)


def _run(folder: Path, job: str, work, outputs: dict) -> None:
    def progress(percent: int, step: str) -> None:
        _write_status(folder, state="running", progress=int(percent), step=step, files={})
    try:
        progress(1, "start")
        started = time.perf_counter()
        work({k: Path(v) for k, v in outputs.items()}, progress)
        _write_status(folder, state="done", progress=100, step="done", files=outputs,
                      seconds=round(time.perf_counter() - started, 2))
    except Exception as exc:
        traceback.print_exc()
        _write_status(folder, state="error", progress=100, step="error", files={}, error=str(exc)[:500])
    finally:
        with _lock:
            _active.discard(job)


def wait(var_dir, job: str, timeout: float = 120) -> dict:
    """Block until the job is done or failed (tests and the benchmark)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = read_status(var_dir, job)
        if status["state"] in ("done", "error"):
            return status
        time.sleep(0.1)
    return read_status(var_dir, job)
