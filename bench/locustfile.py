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
import uuid

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "Demo@2026zs")
USERS = os.environ.get("LOAD_USERS", "zsj").split(",")
HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
ACKED = os.environ.get("LOAD_ACKED", "acked.jsonl")
TODAY = os.environ.get("LOAD_TODAY", "2026-11-19")
CSRF = re.compile(r'data-csrf="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')
PROJECT = re.compile(r'href="/projects/(\d+)"')
_lock = threading.Lock()


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
        page = self.client.get("/login", name="/login")
        token = _csrf(page.text)
        response = self.client.post("/login", name="/login [POST]", allow_redirects=False,
                                    data={"username": self.username, "password": PASSWORD,
                                          "csrf_token": token})  # fmt: skip
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.username} failed: {response.status_code}")
        listing = self.client.get("/projects/?stage=signed", name="/projects/ (signed)")
        self.signed = [int(i) for i in PROJECT.findall(listing.text)][:40]
        leads = self.client.get("/projects/?stage=lead", name="/projects/ (lead)")
        self.leads = [int(i) for i in PROJECT.findall(leads.text)]
        self.token = _csrf(listing.text) or token

    # ------------------------------------------------------------ reads (80 %)
    @task(30)
    def project_list(self) -> None:
        self.client.get(f"/projects/?page={random.randint(1, 3)}", name="/projects/")

    @task(25)
    def project_page(self) -> None:
        if self.signed:
            self.client.get(f"/projects/{random.choice(self.signed)}", name="/projects/<id>")

    @task(15)
    def board(self) -> None:
        self.client.get("/projects/board", name="/projects/board")

    @task(10)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="/dashboard")

    # ------------------------------------------------------------ writes (20 %)
    def _post(self, url: str, name: str, data: dict) -> bool:
        response = self.client.post(url, name=name, allow_redirects=False,
                                    data={**data, "csrf_token": self.token})  # fmt: skip
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


@events.quitting.add_listener
def _report(environment, **_kw) -> None:
    """Exit 1 when any request failed, so a run that saw errors cannot pass unnoticed."""
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1
