"""What the CLI prints of merchant text, in JSON and for people (SPEC section 6).

JSON: bidi controls, invisible and control characters are written as `\\uXXXX` escapes,
so a terminal that shows the JSON never reorders or hides text; parsing gives back the
stored text exactly. Human output: escape sequences removed, every other control and
invisible character shown as a placeholder.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from test_cli import cli, write_jsonl

from expert_tui.demo import demo_tasks
from expert_tui.domain.text import INVISIBLE_MARKER

#: Never raw in JSON output (a newline between values aside): C0, DEL, C1, bidi
#: controls and marks, zero-width and invisible characters, tags, separators.
RAW_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)


def hostile_store(tmp_path: Path, corpus: list[dict[str, str]]) -> tuple[Path, list[str]]:
    """One task holding every storable corpus text: one merchant message each, and all of
    them in the title."""
    base = next(t for t in demo_tasks(datetime.now(UTC)) if t["kind"] != "contact")
    texts = [e["text"] for e in corpus if e["text"].strip() and not any("\ud800" <= c <= "\udfff" for c in e["text"])]
    at = base["received_at"]
    messages = [
        {"id": f"m{i}", "author": "merchant", "author_name": "Anna", "body": text, "sent_at": at}
        for i, text in enumerate(texts, start=1)
    ]
    record = {**base, "id": "H-1", "title": " | ".join(texts)[:2000], "messages": messages, "notes": []}
    for state in ("status", "first_response_at", "decline", "unread", "last_activity_at"):
        record.pop(state, None)
    db = tmp_path / "s.db"
    run = cli("--db", str(db), "import", str(write_jsonl(tmp_path / "h.jsonl", [record])))
    assert run.code == 0, run.err
    return db, texts


def test_json_output_escapes_every_invisible_and_control_character(
    tmp_path: Path, corpus: list[dict[str, str]]
) -> None:
    db, texts = hostile_store(tmp_path, corpus)
    for run in (cli("--db", str(db), "show", "H-1", "--json"), cli("--db", str(db), "list", "--json")):
        assert run.code == 0, run.err
        bad = RAW_FORBIDDEN.search(run.out)
        assert bad is None, f"U+{ord(bad.group()):04X} written raw"
    shown = cli("--db", str(db), "show", "H-1", "--json").json()
    assert [m["body"] for m in shown["messages"]] == texts, "the escapes decode to the stored text"


def test_human_output_shows_invisible_characters_as_placeholders(tmp_path: Path, corpus: list[dict[str, str]]) -> None:
    db, _ = hostile_store(tmp_path, corpus)
    run = cli("--db", str(db), "show", "H-1")
    assert run.code == 0, run.err
    bad = RAW_FORBIDDEN.search(run.out)
    assert bad is None, f"U+{ord(bad.group()):04X} reaches the terminal"
    assert "\x1b" not in run.out
    assert "Approve" + INVISIBLE_MARKER * 7 + " the refund" in run.out, "tag characters"
    assert f"pay{INVISIBLE_MARKER}pal.example/log{INVISIBLE_MARKER}in" in run.out, "soft hyphens"
    assert f"Total: 90 PLN{INVISIBLE_MARKER}Total: 9000 PLN{INVISIBLE_MARKER}end" in run.out, "U+2028/2029"
    assert f"bank{INVISIBLE_MARKER}account" in run.out and f"admin{INVISIBLE_MARKER}@shop" in run.out
