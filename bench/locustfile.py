"""The load mix for locust (run by bench/load.py, never imported by the app or the tests):
80 % reads (project list, a project page, the board, the dashboard), 20 % writes (a follow-up,
a funds entry, a milestone). Every write the server acknowledges (a redirect) is appended to
the file named by LOAD_ACKED, so that bench/load.py can check that none was lost."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "Demo@2026zs")
USERS = os.environ.get("LOAD_USERS", "zsj").split(",")
HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
ACKED = os.environ.get("LOAD_ACKED", "acked.jsonl")
FAULTS = os.environ.get("LOAD_FAULTS", "")  # where the per-server counts go, when named
WATCH_FROM = float(os.environ.get("LOAD_WATCH_FROM", "0"))  # gaps counted from (epoch seconds)
TODAY = os.environ.get("LOAD_TODAY", "2026-11-19")
CSRF = re.compile(r'data-csrf="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')
PROJECT = re.compile(r'href="/projects/(\d+)"')
_lock = threading.Lock()
# Per server: answers, connection failures (refused, reset: a dead server), 5xx, other errors,
# and the longest time without an answer from WATCH_FROM on (a kill: from that moment).
_servers: dict[str, dict] = {}


def _csrf(html: str) -> str | None:
    found = CSRF.search(html)
    return (found.group(1) or found.group(2)) if found else None


def _acked(kind: str, **what) -> None:
    with _lock, open(ACKED, "a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": kind, **what}, ensure_ascii=False) + "\n")


class Clerk(HttpUser):
    """A bureau or unit clerk working through the day."""

    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        if HOSTS:  # several app instances: each clerk keeps to one, as a sticky proxy would
            self.client.base_url = random.choice(HOSTS)
        self.username = random.choice(USERS)
        page = self._get("/login", "/login")
        if page.status_code == 0:  # its server is down: the next one
            page = self._get("/login", "/login")
        token = _csrf(page.text)
        response = self.client.post("/login", name="/login [POST]", allow_redirects=False,
                                    data={"username": self.username, "password": PASSWORD,
                                          "csrf_token": token})  # fmt: skip
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.username} failed: {response.status_code}")
        listing = self._get("/projects/?stage=signed", "/projects/ (signed)")
        self.signed = [int(i) for i in PROJECT.findall(listing.text)][:40]
        leads = self._get("/projects/?stage=lead", "/projects/ (lead)")
        self.leads = [int(i) for i in PROJECT.findall(leads.text)]
        self.token = _csrf(listing.text) or token

    def _failed_over(self, response) -> None:
        """A server that does not answer at all: go to another, as a proxy marks it down (the
        session cookie names the host, not the port, so the clerk stays signed in)."""
        if response.status_code == 0 and len(HOSTS) > 1:
            others = [h for h in HOSTS if h != self.client.base_url]
            self.client.base_url = random.choice(others)

    def _get(self, url: str, name: str):
        response = self.client.get(url, name=name)
        self._failed_over(response)
        return response

    # ------------------------------------------------------------ reads (80 %)
    @task(30)
    def project_list(self) -> None:
        self._get(f"/projects/?page={random.randint(1, 3)}", "/projects/")

    @task(25)
    def project_page(self) -> None:
        if self.signed:
            self._get(f"/projects/{random.choice(self.signed)}", "/projects/<id>")

    @task(15)
    def board(self) -> None:
        self._get("/projects/board", "/projects/board")

    @task(10)
    def dashboard(self) -> None:
        self._get("/dashboard", "/dashboard")

    # ------------------------------------------------------------ writes (20 %)
    def _post(self, url: str, name: str, data: dict) -> bool:
        response = self.client.post(url, name=name, allow_redirects=False,
                                    data={**data, "csrf_token": self.token})  # fmt: skip
        self._failed_over(response)
        return response.status_code == 302

    @task(10)
    def follow_up(self) -> None:
        if not self.signed:
            return
        project = random.choice(self.signed)
        summary = f"压测跟进 {uuid.uuid4().hex[:12]}"
        if self._post(f"/projects/{project}/follow-ups", "/projects/<id>/follow-ups [POST]",
                      {"happened_on": TODAY, "kind": "电话", "summary": summary,
                       "submission_id": str(uuid.uuid4())}):  # fmt: skip
            _acked("follow_up", project=project, summary=summary)

    @task(7)
    def funds_entry(self) -> None:
        if not self.signed:
            return
        project = random.choice(self.signed)
        ref = f"YL-{uuid.uuid4().hex[:16]}"
        amount = f"{random.randint(1, 900)}.{random.randint(0, 99):02d}"
        if self._post(f"/funds/new?project_id={project}", "/funds/new [POST]",
                      {"received_on": TODAY, "amount_wan": amount, "origin": "国内省外",
                       "use": "固定资产投资", "evidence_ref": ref, "notes": "",
                       "submission_id": str(uuid.uuid4())}):  # fmt: skip
            _acked("funds", project=project, evidence_ref=ref, amount_wan=amount)

    @task(3)
    def milestone(self) -> None:
        if not self.leads:
            return
        project = self.leads.pop()
        if self._post(f"/projects/{project}/advance/negotiating",
                      "/projects/<id>/advance [POST]", {"on": TODAY}):  # fmt: skip
            _acked("milestone", project=project)


@events.request.add_listener
def _count(response=None, exception=None, url=None, **_kw) -> None:
    """Count the answer under its server: a connection failure (no status) apart from 5xx."""
    status = getattr(response, "status_code", 0) or 0
    parts = urlsplit(url or "")
    host = f"{parts.scheme}://{parts.netloc}"
    now = time.time()
    with _lock:
        counts = _servers.setdefault(host, {"answers": 0, "connection_failures": 0, "http_5xx": 0,
                                            "other_errors": 0, "longest_gap_s": 0.0,
                                            "_last": None})  # fmt: skip
        if status == 0:
            counts["connection_failures"] += 1
            return
        if status >= 500:
            counts["http_5xx"] += 1
        elif exception is not None:
            counts["other_errors"] += 1
        counts["answers"] += 1
        last = counts["_last"] if counts["_last"] is not None else (WATCH_FROM or now)
        if now >= WATCH_FROM:
            gap = round(now - max(last, WATCH_FROM), 2)
            counts["longest_gap_s"] = max(counts["longest_gap_s"], gap)
        counts["_last"] = now


@events.quitting.add_listener
def _report(environment, **_kw) -> None:
    """Exit 1 when any request failed, so a run that saw errors cannot pass unnoticed; write
    the per-server counts for bench/load.py."""
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1
    if FAULTS:
        with _lock, open(FAULTS, "w", encoding="utf-8") as out:
            json.dump({h: {k: v for k, v in c.items() if not k.startswith("_")}
                       for h, c in _servers.items()}, out)  # fmt: skip
