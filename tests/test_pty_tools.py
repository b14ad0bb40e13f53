"""The partner's own editor (`e`), the clipboard through the terminal (`y`, `Y`: OSC 52) and the
store's link (`o`), checked on what the app really writes to a pty."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from pty_run import PtyProcess
from task_ui import task_record
from test_pty_flow import make_db, now, read_store, see, seen_after, wait_store

FAKE_EDITOR = """#!{python}
import sys
with open(sys.argv[1], "a", encoding="utf-8") as f:
    f.write("Dear Anna,\\nwritten in my own editor.\\n")
"""


def editor_script(tmp_path: Path, body: str = FAKE_EDITOR) -> str:
    script = tmp_path / "editor.py"
    script.write_text(body.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o700)
    return str(script)


def open_task(db: Path, env: dict[str, str] | None = None) -> PtyProcess:
    app = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=80, rows=24, env=env)
    see(app, "Anna Nowak")
    mark = len(app.output)
    app.send(b"\r")
    seen_after(app, mark, "left to reply")  # the task screen, not the inbox's "Reply within"
    return app


def close(app: PtyProcess) -> None:
    """`q` back to the inbox, then `q` to quit."""
    mark = len(app.output)
    app.send(b"q")
    seen_after(app, mark, "Reply within")
    app.send(b"q")
    assert app.close() == 0


def test_e_writes_the_reply_in_the_partners_editor_and_keeps_it_as_the_draft(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    app = open_task(db, {"VISUAL": "", "EDITOR": editor_script(tmp_path)})
    try:
        mark = len(app.output)
        app.send(b"e")
        seen_after(app, mark, "Back from your editor")
        wait_store(
            db,
            lambda s: s.get_draft("T-1") == "Dear Anna,\nwritten in my own editor.",
            "the draft saved as the editor left it",
        )
        see(app, "written in my own editor.")
        mark = len(app.output)
        app.send(b"\x1b")  # leave the app's editor: the draft stays
        seen_after(app, mark, "Draft kept")
        close(app)
    finally:
        if app.process.poll() is None:
            app.process.kill()
    assert read_store(db, lambda s: s.get_task("T-1").messages) == ()  # nothing was sent
    assert not any((tmp_path / "data").rglob("reply-*.txt")), "the handed-over file is removed"


def test_an_editor_that_fails_leaves_the_reply_as_it_was_and_says_so(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    app = open_task(db, {"VISUAL": "false"})
    try:
        mark = len(app.output)
        app.send(b"e")
        seen_after(app, mark, "Not edited")
        seen_after(app, mark, "exit code 1")
        assert read_store(db, lambda s: s.get_draft("T-1")) is None
        close(app)
    finally:
        if app.process.poll() is None:
            app.process.kill()


def test_y_and_Y_copy_through_the_terminal_with_osc_52(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    app = open_task(db)
    try:
        mark = len(app.output)
        app.send(b"y")
        seen_after(app, mark, "Copied anna@zolw.example")
        assert b"\x1b]52;c;" + base64.b64encode(b"anna@zolw.example") + b"\x07" in app.output[mark:]
        mark = len(app.output)
        app.send(b"Y")
        seen_after(app, mark, "Copied T-1")
        assert b"\x1b]52;c;" + base64.b64encode(b"T-1") + b"\x07" in app.output[mark:]
        close(app)
    finally:
        if app.process.poll() is None:
            app.process.kill()


def test_o_offers_a_web_address_only(tmp_path: Path) -> None:
    business = {"store_name": "Zolw", "store_url": "javascript:alert(1)", "industry": "", "country": "", "plan": ""}
    db = make_db(
        tmp_path,
        task_record(now=now()),
        task_record("T-2", now=now(), business={**business, "store_url": "https://zolw.example/shop?x=1"}),
    )
    app = open_task(db)
    try:
        first = read_store(db, lambda s: s.get_task("T-1").business.store_url)
        mark = len(app.output)
        app.send(b"o")
        if first.startswith("https://"):
            seen_after(app, mark, "copied")
        else:
            seen_after(app, mark, "No web address")
            assert b"\x1b]52;" not in app.output[mark:]
        close(app)
    finally:
        if app.process.poll() is None:
            app.process.kill()


def test_only_a_plain_web_address_is_offered_as_a_link() -> None:
    from expert_tui.domain.text import web_address

    assert web_address("https://zolw.example/shop?x=1&y=%20")
    assert web_address("http://shop.example")
    for hostile in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        'https://a.example/"]x',
        "https://a b",
        "",
        "https://a\x1b]8;;",
    ):
        assert not web_address(hostile), hostile


def test_the_editor_is_visual_then_editor_then_vi() -> None:
    from expert_tui.ui.external_editor import EditorFailed, editor_command

    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert editor_command({"VISUAL": " ", "EDITOR": "nano"}) == ["nano"]
    assert editor_command({}) == ["vi"]
    try:
        editor_command({"EDITOR": "vim 'unclosed"})
    except EditorFailed as error:
        assert "cannot be read as a command" in str(error)
    else:
        raise AssertionError("an unreadable $EDITOR is said in words")
