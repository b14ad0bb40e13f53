"""Schemathesis over the server's own /openapi.json, with a partner token: whatever it
generates, valid or not, is answered with a documented status in the documented shape,
never a 5xx. A bounded number of examples keeps `make test` quick; run it longer with
`EXPERT_TUI_FUZZ_EXAMPLES=500 pytest tests/test_server_fuzz.py`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from expert_tui.domain import FrozenClock
from expert_tui.server.app import create_app
from expert_tui.store.tokens import TokenStore
from tests.conftest import T0
from tests.store_contract import record

EXAMPLES = int(os.environ.get("EXPERT_TUI_FUZZ_EXAMPLES", "10"))
_AUTH: dict[str, str] = {}


@pytest.fixture
def api_schema(tmp_path: Path) -> Any:
    db = tmp_path / "fuzz.db"
    app = create_app(db, clock=FrozenClock(T0), rate_limit=0)
    tokens = TokenStore(db)
    partner, _ = tokens.create("ola", "Ola")
    tokens.close()
    _AUTH["Authorization"] = f"Bearer {partner}"
    # Something to find: T-1 in conversation, so actions on it reach the store's rules.
    from fastapi.testclient import TestClient

    client = TestClient(app)  # no lifespan: its end would close the stores the fuzzer uses next
    headers = {"Authorization": f"Bearer {partner}"}
    prefs = {"services": [{"name": "SEO", "starting_price": 1, "currency": "USD"}]}
    assert client.put("/v1/preferences", json=prefs, headers=headers).status_code == 200
    records = [record("T-1"), record("T-2", kind="direct")]
    assert client.post("/v1/tasks/import", json=records, headers=headers).status_code == 200
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_gets_a_5xx_or_an_undocumented_answer(case: Any) -> None:
    if case.path == "/v1/events" and isinstance(case.query, dict):
        # The long-poll waits as long as asked (up to 60 s): a fuzzer does not wait for it.
        case.query["timeout"] = 0
    response = case.call(headers=_AUTH)
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
