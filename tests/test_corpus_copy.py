"""The project carries its own hostile corpus; where the team's shared copy sits beside
the clone, ours must hold every case of it, so the two never drift apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS_PATH, load_corpus

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "hostile_text.json"


def test_own_corpus_is_well_formed() -> None:
    cases = load_corpus()
    assert len(cases) >= 27
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), "corpus ids are unique"
    for case in cases:
        assert isinstance(case["text"], str) and isinstance(case["why"], str)


@pytest.mark.skipif(not SHARED_CORPUS.is_file(), reason="no ../shared beside this clone (a bare clone)")
def test_own_corpus_holds_every_shared_case() -> None:
    shared = {case["id"]: case["text"] for case in json.loads(SHARED_CORPUS.read_text(encoding="utf-8"))}
    ours = {case["id"]: case["text"] for case in json.loads(CORPUS_PATH.read_text(encoding="utf-8"))}
    missing = sorted(set(shared) - set(ours))
    assert not missing, f"copy these cases from {SHARED_CORPUS} into {CORPUS_PATH}: {missing}"
    changed = sorted(case_id for case_id, text in shared.items() if ours[case_id] != text)
    assert not changed, f"these cases differ from {SHARED_CORPUS}: {changed}"
