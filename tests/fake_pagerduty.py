"""A small PagerDuty that keeps state, on 127.0.0.1, for the flows Prism's static answers
cannot show (acknowledge, then list it acknowledged; paging across offsets; 429 then retry).
Every answer it gives is checked against PagerDuty's API document (pagerduty_spec.py): a
test reads `fake.problems`, which must stay empty. It counts the requests it is sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pagerduty_spec import problems as spec_problems


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def checkable(data: Any) -> Any:
    """`data` less what no answer can make valid: the document's own `LogEntry` names an
    acknowledgement `acknowledge_log_entry` (as PagerDuty sends it) while its
    `AcknowledgeLogEntry` allows only `acknowledgement_log_entry`; and the document has an
    on-call's user and policy only as references, where `include[]` has PagerDuty send them
    whole (those are checked as the references they stand for)."""
    if isinstance(data, dict) and "log_entries" in data:
        entries = [e for e in data["log_entries"] if e["type"] != "acknowledge_log_entry"]
        return {**data, "log_entries": entries}
    if isinstance(data, dict) and "oncalls" in data:
        return {**data, "oncalls": [referenced(o) for o in data["oncalls"]]}
    return data


def referenced(on_call: dict[str, Any]) -> dict[str, Any]:
    """An on-call with its user and escalation policy as references."""
    user, policy = on_call["user"], on_call["escalation_policy"]
    return {
        **on_call,
        "user": {"id": user["id"], "type": "user_reference", "summary": user["summary"]},
        "escalation_policy": {
            "id": policy["id"],
            "type": "escalation_policy_reference",
            "summary": policy["summary"],
        },
    }


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakePagerDuty:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    on_calls: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    throttled: int = 0  # the next so many requests are answered 429
    retry_after: str | None = "1"
    token: str = "pd-test-token"  # the API key it lets in
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: ThreadingHTTPServer | None = None

    # -- the account --------------------------------------------------------------------

    def user(self, uid: str, name: str, email: str) -> None:
        self.users[uid] = {
            "id": uid,
            "type": "user",
            "name": name,
            "email": email,
            "summary": name,
            "self": f"{self.url}/users/{uid}",
        }

    def reference(self, uid: str) -> dict[str, Any]:
        user = self.users[uid]
        return {"id": uid, "type": "user_reference", "summary": user["name"]}

    def incident(
        self,
        iid: str,
        title: str,
        *,
        status: str = "triggered",
        urgency: str = "high",
        assignee: str | None = None,
        created: datetime | None = None,
    ) -> None:
        at = created or datetime.now(UTC) - timedelta(minutes=5)
        data: dict[str, Any] = {
            "id": iid,
            "type": "incident",
            "summary": f"[#{len(self.incidents) + 1}] {title}",
            "incident_number": len(self.incidents) + 1,
            "title": title,
            "created_at": iso(at),
            "updated_at": iso(at),
            "status": status,
            "urgency": urgency,
            "service": {"id": "PSVC1", "type": "service_reference", "summary": "checkout"},
            "escalation_policy": {
                "id": "PEP1",
                "type": "escalation_policy_reference",
                "summary": "web",
            },
            "assignments": [],
            "acknowledgements": [],
            "html_url": f"https://example.pagerduty.com/incidents/{iid}",
        }
        if assignee:
            data["assignments"] = [{"at": iso(at), "assignee": self.reference(assignee)}]
        if status == "resolved":
            data["resolved_at"] = iso(at + timedelta(minutes=1))
        self.incidents[iid] = data
        self.entry(iid, "trigger_log_entry", None, at)

    def on_call(
        self, uid: str, level: int, start: datetime, end: datetime, *, delays: tuple[int, ...]
    ) -> None:
        """`uid` on call at `level` of the escalation policy `web` (whose levels wait
        `delays` minutes each) from `start` to `end`."""
        self.on_calls.append(
            {
                "user": self.reference(uid),
                "escalation_policy": {
                    "id": "PEP1",
                    "type": "escalation_policy_reference",
                    "summary": "web",
                },
                "escalation_level": level,
                "start": iso(start),
                "end": iso(end),
                "delays": delays,
            }
        )

    def entry(
        self, iid: str, kind: str, uid: str | None, at: datetime | None = None, **more: Any
    ) -> None:
        entry: dict[str, Any] = {
            "id": f"R{len(self.log) + 1:06d}",
            "type": kind,
            "summary": kind.replace("_log_entry", ""),
            "created_at": iso(at or datetime.now(UTC)),
            "incident": {"id": iid, "type": "incident_reference"},
        }
        entry.update(more)
        if uid is not None:
            entry["agent"] = self.reference(uid)
        self.log.append(entry)

    def by_email(self, email: str) -> str | None:
        return next((uid for uid, u in self.users.items() if u["email"] == email), None)

    def requests(self, method: str | None = None, path: str | None = None) -> list[Sent]:
        return [
            s
            for s in self.sent
            if (method is None or s.method == method) and (path is None or s.path == path)
        ]

    # -- serving ------------------------------------------------------------------------

    def start(self) -> FakePagerDuty:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                sent = Sent(
                    self.command, parts.path, parse_qs(parts.query), dict(self.headers), body
                )
                with fake.lock:
                    fake.sent.append(sent)
                    status, data, headers = fake.handle(sent)
                    if status < 300 or status == 429:
                        fake.problems += spec_problems(
                            sent.method, sent.path, status, checkable(data)
                        )
                content = json.dumps(data).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_PUT = do_POST = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, sent: Sent) -> tuple[int, Any, dict[str, str]]:
        if self.throttled:
            self.throttled -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return 429, {"error": {"message": "Too many requests", "code": 2020}}, headers
        if sent.headers.get("Authorization") != f"Token token={self.token}":
            return 401, {"error": {"message": "Unauthorized", "code": 2006}}, {}
        if sent.method != "GET" and self.by_email(sent.headers.get("From", "")) is None:
            return 400, {"error": {"message": "Invalid From", "code": 2001}}, {}
        route = sent.path.strip("/").split("/")
        q = sent.query
        match sent.method, route:
            case "GET", ["incidents"]:
                return 200, self.listing(q), {}
            case "GET", ["incidents", iid]:
                return 200, {"incident": self.shown(self.incidents[iid], q)}, {}
            case "PUT", ["incidents"]:
                changed = [self.change(i["id"], i, sent) for i in sent.body["incidents"]]
                return 200, {"incidents": changed}, {}
            case "PUT", ["incidents", iid]:
                return 200, {"incident": self.change(iid, sent.body["incident"], sent)}, {}
            case "POST", ["incidents", iid, "snooze"]:
                self.entry(iid, "snooze_log_entry", self.by_email(sent.headers["From"]))
                return 201, {"incident": self.shown(self.incidents[iid], {})}, {}
            case "POST", ["incidents", iid, "notes"]:
                # The note's words as the entry's summary: the document's `channel` is a
                # oneOf that a note's channel matches more than once.
                self.entry(
                    iid,
                    "annotate_log_entry",
                    self.by_email(sent.headers["From"]),
                    summary=sent.body["note"]["content"],
                )
                return 200, {"note": {"id": "PNOTE", "content": sent.body["note"]["content"]}}, {}
            case "POST", ["incidents", iid, "status_updates"]:
                return 200, {"status_update": {"id": "PSU1", "message": sent.body["message"]}}, {}
            case "GET", ["incidents", iid, "log_entries"]:
                return (
                    200,
                    self.page(
                        [e for e in self.log if e["incident"]["id"] == iid], "log_entries", q
                    ),
                    {},
                )
            case "GET", ["log_entries"]:
                since = parse(q["since"][0]) if "since" in q else datetime.min.replace(tzinfo=UTC)
                found = [e for e in self.log if parse(e["created_at"]) >= since]
                return 200, self.page(found, "log_entries", q), {}
            case "GET", ["oncalls"]:
                return 200, self.page(self.on_call_at(q), "oncalls", q), {}
            case "GET", ["users"]:
                wanted = q.get("query", [""])[0]
                users = [u for u in self.users.values() if wanted in u["email"]]
                return 200, self.page(users, "users", q), {}
        return 404, {"error": {"message": "Not Found", "code": 2100}}, {}

    def listing(self, q: dict[str, list[str]]) -> dict[str, Any]:
        statuses = q.get("statuses[]", [])
        found = [i for i in self.incidents.values() if not statuses or i["status"] in statuses]
        if q.get("date_range") != ["all"]:
            since = parse(q["since"][0]) if "since" in q else datetime.now(UTC) - timedelta(30)
            found = [i for i in found if parse(i["created_at"]) >= since]
        return self.page([self.shown(i, q) for i in found], "incidents", q)

    def on_call_at(self, q: dict[str, list[str]]) -> list[dict[str, Any]]:
        """The on-calls overlapping `since` to `until` (now, where not given), with their users
        and policies whole where `include[]` asks."""
        now = datetime.now(UTC)
        since = parse(q["since"][0]) if "since" in q else now
        until = parse(q["until"][0]) if "until" in q else now
        include = q.get("include[]", [])
        found = []
        for entry in self.on_calls:
            if not parse(entry["start"]) <= until or not since < parse(entry["end"]):
                continue
            shown = {k: v for k, v in entry.items() if k != "delays"}
            if "users" in include:
                shown["user"] = self.users[entry["user"]["id"]]
            if "escalation_policies" in include:
                shown["escalation_policy"] = {
                    **entry["escalation_policy"],
                    "type": "escalation_policy",
                    "name": "web",
                    "escalation_rules": [
                        {"escalation_delay_in_minutes": d, "targets": [entry["user"]]}
                        for d in entry["delays"]
                    ],
                }
            found.append(shown)
        return found

    def page(self, items: list[Any], key: str, q: dict[str, list[str]]) -> dict[str, Any]:
        limit = int(q.get("limit", ["25"])[0])
        offset = int(q.get("offset", ["0"])[0])
        assert offset < 10_000, "PagerDuty refuses offsets past 10,000"
        return {
            key: items[offset : offset + limit],
            "limit": limit,
            "offset": offset,
            "more": offset + limit < len(items),
            "total": None,
        }

    def shown(self, data: dict[str, Any], q: dict[str, list[str]]) -> dict[str, Any]:
        """The incident with its users in full where `include[]` asks."""
        include = q.get("include[]", [])
        shown = json.loads(json.dumps(data))
        if "assignees" in include:
            for a in shown["assignments"]:
                a["assignee"] = self.users[a["assignee"]["id"]]
        if "acknowledgers" in include:
            for a in shown["acknowledgements"]:
                a["acknowledger"] = self.users[a["acknowledger"]["id"]]
        return shown

    def change(self, iid: str, wanted: dict[str, Any], sent: Sent) -> dict[str, Any]:
        data = self.incidents[iid]
        uid = self.by_email(sent.headers["From"])
        assert uid is not None
        now = iso(datetime.now(UTC))
        if wanted.get("status") == "acknowledged":
            data["status"] = "acknowledged"
            data["acknowledgements"] = [{"at": now, "acknowledger": self.reference(uid)}]
            self.entry(iid, "acknowledge_log_entry", uid)
        elif wanted.get("status") == "resolved":
            data.update(status="resolved", resolved_at=now, assignments=[], acknowledgements=[])
            self.entry(iid, "resolve_log_entry", uid)
        elif wanted.get("status") == "triggered":
            data.update(status="triggered", acknowledgements=[])
            data.pop("resolved_at", None)
            self.entry(iid, "trigger_log_entry", uid)
        if "assignments" in wanted:
            to = wanted["assignments"][0]["assignee"]["id"]
            data.update(
                status="triggered",
                acknowledgements=[],
                assignments=[{"at": now, "assignee": self.reference(to)}],
            )
            self.entry(iid, "assign_log_entry", uid, assignees=[self.reference(to)])
        if "escalation_level" in wanted:
            self.entry(iid, "escalate_log_entry", uid)
        data["updated_at"] = now
        return self.shown(data, {})
