"""The HTTP API against the real server on a loopback port (uvicorn in a thread), with httpx.

What SPEC sections 5 and 6 promise a client: the error shape and codes, authorization
on every endpoint, idempotent POSTs, body limits, the rate limit, the long-poll, and
merchant text through the API and back byte for byte.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from expert_tui.domain import FrozenClock
from tests.live_server import LiveServer, server_in_thread
from tests.store_contract import record

SERVICES = {"services": [{"name": "SEO", "starting_price": 100, "currency": "USD"}]}


@pytest.fixture
def server(tmp_path: Path, clock: FrozenClock) -> Iterator[LiveServer]:
    with server_in_thread(tmp_path / "server.db", clock=clock) as live:
        yield live


class Api:
    """A client with one token."""

    def __init__(self, server: LiveServer, token: str | None) -> None:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        self.http = httpx.Client(base_url=server.url, headers=headers, timeout=30)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)


@pytest.fixture
def ola(server: LiveServer) -> Api:
    api = Api(server, server.token("ola", "Ola Nowak"))
    assert api.put("/v1/preferences", json=SERVICES).status_code == 200
    return api


@pytest.fixture
def market(server: LiveServer) -> Api:
    return Api(server, server.token("ola", marketplace=True))


def deliver(market: Api, task_id: str = "T-1", partner: str = "ola", **fields: Any) -> dict[str, Any]:
    answer = market.post("/v1/marketplace/tasks", json={**record(task_id, **fields), "partner": partner})
    assert answer.status_code == 201, answer.text
    return answer.json()


def error_of(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


# --- the document ----------------------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_and_lists_every_endpoint(server: LiveServer) -> None:
    document = httpx.get(server.url + "/openapi.json").json()
    validate(document)
    paths = document["paths"]
    for path in (
        "/v1/tasks",
        "/v1/tasks/{task_id}",
        "/v1/tasks/{task_id}/open",
        "/v1/tasks/{task_id}/messages",
        "/v1/tasks/{task_id}/decline",
        "/v1/tasks/{task_id}/inactive",
        "/v1/tasks/{task_id}/reactivate",
        "/v1/tasks/{task_id}/complete",
        "/v1/tasks/{task_id}/review-request",
        "/v1/tasks/{task_id}/notes",
        "/v1/tasks/{task_id}/store-access",
        "/v1/tasks/import",
        "/v1/preferences",
        "/v1/stats",
        "/v1/contacts",
        "/v1/events",
        "/v1/marketplace/tasks",
        "/v1/marketplace/tasks/{task_id}/messages",
        "/v1/marketplace/tasks/{task_id}/decline",
        "/v1/marketplace/tasks/{task_id}/review",
        "/v1/marketplace/tasks/{task_id}/store-access/grant",
        "/v1/marketplace/tasks/{task_id}/store-access/deny",
        "/v1/marketplace/contacts",
    ):
        assert path in paths, path
    assert set(paths["/v1/preferences"]) >= {"get", "put", "patch"}


# --- authorization on every endpoint -------------------------------------------------------------------


def _endpoints(server: LiveServer) -> list[tuple[str, str]]:
    document = httpx.get(server.url + "/openapi.json").json()
    return [
        (method.upper(), path.replace("{task_id}", "T-1"))
        for path, methods in document["paths"].items()
        for method in methods
        if path.startswith("/v1/")
    ]


def test_every_endpoint_needs_a_live_token_of_the_right_kind(server: LiveServer, ola: Api, market: Api) -> None:
    deliver(market)
    revoked = server.token("ola")
    server.revoke(revoked)
    anonymous = Api(server, None)
    stale = Api(server, revoked)
    made_up = Api(server, "et1_00000000_" + "x" * 43)
    endpoints = _endpoints(server)
    assert len(endpoints) >= 25
    for method, path in endpoints:
        for client in (anonymous, stale, made_up):
            error_of(client.request(method, path, json={}), 401, "unauthorized")
        if path.startswith("/v1/marketplace/"):
            error_of(ola.request(method, path, json={"partner": "ola"}), 403, "forbidden")
        elif path == "/v1/me":  # any token may ask whose it is
            assert market.get(path).json()["marketplace"] is True
        else:
            error_of(market.request(method, path, json={}), 403, "forbidden")
    # The token is never echoed back, whatever the answer.
    assert revoked not in stale.get("/v1/tasks").text


def test_another_partners_task_is_404_on_every_task_endpoint(server: LiveServer, ola: Api, market: Api) -> None:
    deliver(market, "T-1")
    jan = Api(server, server.token("jan"))
    for method, path in _endpoints(server):
        if "T-1" not in path or path.startswith("/v1/marketplace/"):
            continue
        body = {"body": "hi", "reason": "too_busy", "merchant_consented": True}
        error_of(jan.request(method, path, json=body), 404, "not_found")
    assert jan.get("/v1/tasks").json()["items"] == []
    assert jan.get("/v1/tasks", params={"q": "garden"}).json()["items"] == []
    assert jan.get("/v1/events", params={"timeout": 0}).json()["items"] == []
    assert ola.get("/v1/tasks/T-1").status_code == 200


# --- the error shape -------------------------------------------------------------------------------------


def test_malformed_json_is_400_and_a_wrong_field_is_422_naming_it(ola: Api, market: Api) -> None:
    deliver(market)
    for raw in (b"{", b"{bad", b'{"body": "x"', b"\xff\xfe"):
        for headers in ({"Content-Type": "application/json"}, {}):
            error_of(ola.post("/v1/tasks/T-1/notes", content=raw, headers=headers), 400, "malformed_json")
    assert error_of(ola.post("/v1/tasks/T-1/notes", json={}), 422, "invalid")["field"] == "body"
    assert error_of(ola.post("/v1/tasks/T-1/notes", json={"body": 5}), 422, "invalid")["field"] == "body"
    assert error_of(ola.post("/v1/tasks/T-1/notes", json={"body": "  "}), 422, "invalid")["field"] == "note"
    assert error_of(ola.get("/v1/tasks", params={"limit": 0}), 422, "invalid")["field"] == "limit"
    assert error_of(ola.get("/v1/tasks", params={"status": "nope"}), 422, "invalid")["field"] == "status"
    assert error_of(ola.get("/v1/tasks", params={"status": "new,nope"}), 422, "invalid")["field"] == "status"
    assert ola.get("/v1/tasks", params={"status": "new,opened,awaiting_response"}).status_code == 200
    assert error_of(ola.get("/v1/tasks", params={"cursor": "zz"}), 422, "invalid")["field"] == "cursor"
    bad_email = ola.patch("/v1/preferences", json={"notification_email": "not an address"})
    assert error_of(bad_email, 422, "invalid")["field"] == "notification_email"
    error_of(ola.get("/v1/no-such-thing"), 404, "not_found")


def test_a_refused_action_is_409_naming_the_rule(ola: Api, market: Api, clock: FrozenClock) -> None:
    from datetime import timedelta

    deliver(market)
    clock.advance(timedelta(hours=72))
    error = error_of(ola.post("/v1/tasks/T-1/messages", json={"body": "late"}), 409, "refused")
    assert error["rule"] == "expired" and "expired" in error["message"]
    answer = market.post("/v1/marketplace/tasks", json={**record("T-2"), "partner": "jan"})
    assert error_of(answer, 409, "refused")["rule"] == "no_services"
    ola.patch("/v1/preferences", json={"available": False})
    answer = market.post("/v1/marketplace/tasks", json={**record("T-3"), "partner": "ola"})
    assert error_of(answer, 409, "refused")["rule"] == "unavailable"


def test_a_body_over_1_mib_is_refused_before_it_is_read(server: LiveServer, ola: Api, market: Api) -> None:
    deliver(market)
    error_of(ola.post("/v1/tasks/T-1/notes", json={"body": "x" * (1024 * 1024)}), 413, "too_large")

    # The answer comes while the client has sent only the headers of a 100 MB body.
    token = ola.headers["Authorization"]
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            f"POST /v1/tasks/T-1/notes HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
        )
        answer = ""
        while '"too_large"' not in answer and (chunk := conn.recv(4096)):
            answer += chunk.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert '"too_large"' in answer

    # A chunked body is cut off as soon as it passes the limit.
    def chunks() -> Iterator[bytes]:
        yield b'{"body": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    error_of(ola.post("/v1/tasks/T-1/notes", content=chunks()), 413, "too_large")


def test_import_takes_more_than_1_mib_and_reports_each_record(ola: Api) -> None:
    # Within the limits (SPEC 5: a title holds 2,000 characters, an answer 100,000).
    big = [{"question": "q", "answer": "x" * 20_000}]
    records: list[Any] = [record(f"T-{i}", requirements=big) for i in range(100)]
    records.append({"id": "T-bad", "kind": "nope"})
    records.append(record("T-1"))
    answer = ola.post("/v1/tasks/import", json=records)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert len(report["added"]) == 100
    assert report["unchanged"] == ["T-1"]
    assert report["rejected"][0]["index"] == 100 and report["rejected"][0]["id"] == "T-bad"
    again = ola.post("/v1/tasks/import", json=records).json()
    assert again["added"] == [] and len(again["unchanged"]) == 101


def test_too_many_requests_is_429_with_retry_after(tmp_path: Path) -> None:
    with server_in_thread(tmp_path / "s.db", rate_limit=1) as live:
        api = Api(live, live.token("ola"))
        # Asked until refused: on a loaded machine the allowance may refill between two
        # requests, so the refusal is checked on the answer that was one, not on the next.
        answers = [api.get("/v1/counts")]
        while answers[-1].status_code != 429 and len(answers) < 200:
            answers.append(api.get("/v1/counts"))
        assert answers[0].status_code == 200
        limited = answers[-1]
        error_of(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        # Another token has its own allowance.
        assert Api(live, live.token("ola")).get("/v1/counts").status_code == 200


# --- exactly once ---------------------------------------------------------------------------------------


def test_a_repeated_post_returns_the_first_answer_and_changes_nothing(ola: Api, market: Api) -> None:
    deliver(market)
    key = {"Idempotency-Key": "note-1"}
    first = ola.post("/v1/tasks/T-1/notes", json={"body": "call at 10"}, headers=key)
    again = ola.post("/v1/tasks/T-1/notes", json={"body": "call at 10"}, headers=key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(ola.get("/v1/tasks/T-1").json()["notes"]) == 1
    error_of(ola.post("/v1/tasks/T-1/notes", json={"body": "other"}, headers=key), 422, "idempotency_mismatch")
    reply = {"Idempotency-Key": "reply-1"}
    for _ in range(3):
        assert ola.post("/v1/tasks/T-1/messages", json={"body": "Hello"}, headers=reply).status_code == 200
    assert [m["body"] for m in ola.get("/v1/tasks/T-1").json()["messages"]] == ["Hello"]
    # A refusal is an answer too: repeated, it is the same refusal.
    refused = {"Idempotency-Key": "decline-1"}
    body = {"reason": "other"}
    assert ola.post("/v1/tasks/T-1/decline", json=body, headers=refused).status_code == 422
    assert ola.post("/v1/tasks/T-1/decline", json=body, headers=refused).status_code == 422


def test_concurrent_twins_of_one_key_create_one_note(ola: Api, market: Api) -> None:
    deliver(market)
    answers: list[int] = []

    def post() -> None:
        answer = ola.post("/v1/tasks/T-1/notes", json={"body": "twin"}, headers={"Idempotency-Key": "twin"})
        answers.append(answer.status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 8
    assert len(ola.get("/v1/tasks/T-1").json()["notes"]) == 1


# --- the people and the partner --------------------------------------------------------------------------


def test_notes_and_replies_are_authored_by_the_tokens_person(server: LiveServer, ola: Api, market: Api) -> None:
    deliver(market)
    jan = Api(server, server.token("ola", "Jan Kowalski"))
    jan.post("/v1/tasks/T-1/notes", json={"body": "mine"})
    ola.post("/v1/tasks/T-1/messages", json={"body": "Hello"})
    task = jan.get("/v1/tasks/T-1").json()
    assert task["notes"][0]["author"] == "Jan Kowalski"
    assert task["messages"][0]["author_name"] == "Ola Nowak"
    assert jan.get("/v1/me").json() == {"partner": "ola", "user": "Jan Kowalski", "marketplace": False}


# --- live updates ------------------------------------------------------------------------------------------


def test_the_long_poll_answers_as_soon_as_a_change_commits(server: LiveServer, ola: Api, market: Api) -> None:
    deliver(market)
    after = ola.get("/v1/events/latest").json()["seq"]
    got: dict[str, Any] = {}

    def wait() -> None:
        started = time.monotonic()
        got["answer"] = ola.get("/v1/events", params={"after": after, "timeout": 20}).json()
        got["waited"] = time.monotonic() - started

    poller = threading.Thread(target=wait)
    poller.start()
    time.sleep(0.3)
    teammate = Api(server, server.token("ola", "Jan"))
    teammate.post("/v1/tasks/T-1/notes", json={"body": "look"})
    poller.join(timeout=15)
    assert got["waited"] < 10
    assert [(e["task_id"], e["kind"]) for e in got["answer"]["items"]] == [("T-1", "noted")]
    assert got["answer"]["next_after"] == got["answer"]["items"][-1]["seq"]
    empty = ola.get("/v1/events", params={"after": got["answer"]["next_after"], "timeout": 0}).json()
    assert empty == {"items": [], "next_after": got["answer"]["next_after"]}


# --- merchant text, byte for byte ---------------------------------------------------------------------------


def test_the_hostile_corpus_goes_through_the_api_and_back_unchanged(
    ola: Api, market: Api, corpus: list[dict[str, str]]
) -> None:
    def post(api: Api, path: str, body: dict[str, Any]) -> httpx.Response:
        # ASCII JSON: a lone surrogate travels as its escape, and the store refuses it by name.
        return api.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})

    checked = 0
    for i, case in enumerate(corpus):
        text = case["text"]
        task_id = f"T-{i}"
        fields = {"title": text[:2000], "merchant": {"name": text[:200], "email": "a@b.example"}}
        fields["requirements"] = [{"question": text, "answer": text}]
        answer = post(market, "/v1/marketplace/tasks", {**record(task_id, **fields), "partner": "ola"})
        if re.search("[\ud800-\udfff]", text):
            error_of(answer, 422, "invalid")
            continue
        assert answer.status_code == 201, answer.text
        if text.strip():
            assert post(ola, f"/v1/tasks/{task_id}/messages", {"body": text}).status_code == 200
            merchant = {"body": text, "partner": "ola"}
            assert post(market, f"/v1/marketplace/tasks/{task_id}/messages", merchant).status_code == 200
            assert post(ola, f"/v1/tasks/{task_id}/notes", {"body": text}).status_code == 200
        task = json.loads(ola.get(f"/v1/tasks/{task_id}").content)
        assert task["title"] == text[:2000]
        assert task["merchant"]["name"] == text[:200]
        assert task["requirements"] == [{"question": text, "answer": text}]
        if text.strip():
            assert [m["body"] for m in task["messages"]] == [text, text]
            assert task["notes"][0]["body"] == text
        checked += 1
    assert checked >= len(corpus) - 3


def test_preferences_put_replaces_and_patch_changes_only_what_it_names(ola: Api) -> None:
    whole = {
        "available": True,
        "unavailable_until": None,
        "dropshippers": False,
        "notification_email": "ola@agency.example",
        "unavailable_from": None,
        "notification_digest_minutes": 15,
        "time_zone": "Europe/Warsaw",
        "services": [{"name": "SEO", "starting_price": 300, "currency": "USD"}],
    }
    assert ola.put("/v1/preferences", json=whole).json() == whole
    assert ola.patch("/v1/preferences", json={"dropshippers": True}).json() == {**whole, "dropshippers": True}
    assert ola.put("/v1/preferences", json={}).json()["services"] == []
    error = error_of(ola.put("/v1/preferences", json={"services": [{"name": "SEO"}]}), 422, "invalid")
    assert re.match(r"services\[0\]\.", error["field"])


def test_a_contact_has_no_expires_at_in_any_task_object(ola: Api, market: Api, clock: FrozenClock) -> None:
    """SPEC 2: a contact has no 72-hour window, so the task object has no deadline to
    show (`expires_at` null), however old it grows, in every way the API answers it."""
    answer = market.post("/v1/marketplace/contacts", json=record("C-1", kind="contact"))
    assert answer.status_code == 201, answer.text
    deliver(market, "T-1")
    for _age in range(2):
        contact = ola.get("/v1/tasks/C-1").json()
        listed = ola.get("/v1/contacts").json()["items"]
        by_kind = ola.get("/v1/tasks", params={"kind": "contact"}).json()["items"]
        for task in (answer.json(), contact, *listed, *by_kind):
            assert task["id"] == "C-1" and task["expires_at"] is None and task["status"] == "new", task
        clock.advance(timedelta(days=400))
    assert ola.get("/v1/tasks/T-1").json()["expires_at"].endswith("Z")  # a task keeps its window
