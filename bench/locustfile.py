"""The load bench's simulated users (run by bench/load.py as `locust -f bench/locustfile.py`,
in its own process: locust's gevent must not patch the bench's own process).

Each user opens the navbar's pages one after another, each page as a browser opened it
(recorded by bench/load.py: the page's HTML, `/_dash-layout`, `/_dash-dependencies`, then
its callback requests with their bodies, in the order the browser sent them), with the
recorded session cookie of the bench account, then reads the page for a while
(`--think-min`/`--think-max` seconds) before the next one. Requests are named by kind
(the page's HTML, layout, dependencies, the callbacks of page X), which is what the
report's rows are. A response other than 200/204 (a callback's "no update") is a failure.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

_RECORDING: dict = {}


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--recording", type=str, default="", help="requests recorded by bench/load.py (JSON)")
    parser.add_argument("--think-min", type=float, default=1.0, help="seconds a user reads a page, at least")
    parser.add_argument("--think-max", type=float, default=5.0, help="seconds a user reads a page, at most")


@events.init.add_listener
def _load(environment, **_kwargs) -> None:
    options = environment.parsed_options
    if options is not None and options.recording:
        _RECORDING.update(json.loads(Path(options.recording).read_text(encoding="utf-8")))
        PageViewer.wait_time = between(options.think_min, options.think_max)


class PageViewer(FastHttpUser):
    wait_time = between(1, 5)
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self) -> None:
        self.headers = {"Cookie": _RECORDING["cookie"], "Accept-Encoding": "br, gzip",
                        "Origin": self.host, "Accept": "application/json"}
        self.pages = list(_RECORDING["pages"])
        random.shuffle(self.pages)  # users do not all open the same page at the same time
        self.next_page = 0

    @task
    def view_page(self) -> None:
        path = self.pages[self.next_page % len(self.pages)]
        self.next_page += 1
        for req in _RECORDING["pages"][path]:
            kwargs: dict = {"headers": self.headers, "name": req["kind"], "catch_response": True}
            if req["method"] == "POST":
                kwargs["data"] = req["body"].encode()
                kwargs["headers"] = {**self.headers, "Content-Type": "application/json"}
            with self.client.request(req["method"], req["url"], **kwargs) as resp:
                if resp.status_code in (200, 204):
                    resp.success()
                else:
                    resp.failure(f"HTTP {resp.status_code}")
