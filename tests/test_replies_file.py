"""The saved-replies file: TOML, private (0600 in a 0700 folder), bounded, never trusted."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expert_tui.domain.saved_replies import MAX_SAVED_REPLIES, SavedReply
from expert_tui.paths import saved_replies_path
from expert_tui.replies_file import MAX_FILE_BYTES, RepliesFile, RepliesFileError, dumps, read_replies


def write(path: Path, text: str | bytes, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    path.chmod(mode)
    return path


def test_no_file_means_no_saved_replies() -> None:
    file = RepliesFile()
    assert file.path == saved_replies_path()
    assert (file.replies, file.problem) == ((), None)


def test_added_replies_are_kept_private_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "config" / "replies.toml"
    file = RepliesFile(path)
    file.add("Follow-up", 'Hi {merchant_first_name|there},\n\n"Quoted" \\ and {{braces}}\n')
    file.add("Price list", "Prices: {store_url}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert RepliesFile(path).replies == file.replies
    text = path.read_text()
    assert text.startswith("# expert-tui saved replies")
    assert '"""\nHi {merchant_first_name|there},\n' in text  # readable in an editor, as typed


def test_change_rename_move_and_delete(tmp_path: Path) -> None:
    file = RepliesFile(tmp_path / "r.toml")
    for name in ("a", "b", "c"):
        file.add(name, f"text {name}")
    file.change("B", "Bee", "new text")
    assert [r.name for r in file.replies] == ["a", "Bee", "c"]
    assert file.replies[1].body == "new text"
    assert file.move("c", -1) == 1
    assert file.move("a", -1) == 0
    assert [r.name for r in file.replies] == ["a", "c", "Bee"]
    assert file.delete("a").name == "a"
    assert [r.name for r in RepliesFile(file.path).replies] == ["c", "Bee"]
    with pytest.raises(RepliesFileError, match="no saved reply named"):
        file.delete("zzz")


def test_a_bad_change_changes_nothing(tmp_path: Path) -> None:
    file = RepliesFile(tmp_path / "r.toml")
    file.add("a", "text")
    before = file.path.read_bytes()
    for do in (
        lambda: file.add("A", "dup"),
        lambda: file.add("b", "{merchant_firstname}"),
        lambda: file.add("introduce", "x"),
        lambda: file.change("a", "a", "Hi {"),
    ):
        with pytest.raises(RepliesFileError):
            do()
    assert file.path.read_bytes() == before
    assert file.replies == (SavedReply("a", "text"),)
    file.change("a", "A", "renamed to its own name in other capitals")  # not a duplicate of itself
    assert file.replies[0].name == "A"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("reply = [", "not valid TOML"),
        (b"\xff\xfe", "not UTF-8"),
        ("version = 2", "another version"),
        ("reply = 3", "list of [[reply]] tables"),
        ('[[reply]]\nname = "x"\nbody = "{nope}"\n', "reply 1 ('x'): line 1, column 1: no variable named {nope}"),
        ('[[reply]]\nname = "x"\nbody = "a"\n[[reply]]\nname = "X"\nbody = "b"\n', "already"),
        ('[[reply]]\nbody = "a"\n', "reply 1: a saved reply's name must be text"),
    ],
)
def test_a_wrong_file_is_said_and_only_the_built_ins_remain(tmp_path: Path, content: str | bytes, words: str) -> None:
    path = write(tmp_path / "r.toml", content)
    file = RepliesFile(path)
    assert file.replies == ()
    assert file.problem is not None and words in file.problem and str(path) in file.problem
    # ... and it is never written over: the person's text is theirs to fix.
    with pytest.raises(RepliesFileError, match="fix or move the file first"):
        file.add("new", "text")
    assert path.read_bytes() == (content if isinstance(content, bytes) else content.encode())


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "r.toml", "#" * (MAX_FILE_BYTES + 10))
    assert "larger than 1 MiB" in str(RepliesFile(path).problem)


def test_too_many_replies(tmp_path: Path) -> None:
    entries = "".join(f'[[reply]]\nname = "r{n}"\nbody = "x"\n' for n in range(MAX_SAVED_REPLIES + 1))
    assert "at most 200" in str(RepliesFile(write(tmp_path / "r.toml", entries)).problem)
    file = RepliesFile(write(tmp_path / "s.toml", entries.rsplit("[[reply]]", 1)[0]))
    assert len(file.replies) == MAX_SAVED_REPLIES
    with pytest.raises(RepliesFileError, match="delete one first"):
        file.add("one more", "x")


def test_a_shared_file_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path / "r.toml", '[[reply]]\nname = "x"\nbody = "a"\n', mode=0o644)
    assert "readable by others" in str(RepliesFile(path).problem)


@pytest.mark.parametrize(
    ("lang", "shared", "linked"),
    [
        (
            "pl",
            "{path}: czytelny dla innych (tryb 644; uruchom chmod 600) — pominięto",
            "{path}: dowiązanie symboliczne — pominięto (postaw w tym miejscu prawdziwy plik)",
        ),
        (
            "en",
            "{path}: readable by others (mode 644; run chmod 600) — ignored",
            "{path}: a symbolic link — ignored (give the real file its place)",
        ),
    ],
)
def test_a_refused_file_is_said_in_the_persons_language(
    tmp_path: Path, request: pytest.FixtureRequest, lang: str, shared: str, linked: str
) -> None:
    """The saved-replies screen and `templates` show it as it is: Polish for a Polish partner."""
    if lang == "pl":
        request.getfixturevalue("in_polish")
    path = write(tmp_path / "r.toml", '[[reply]]\nname = "x"\nbody = "a"\n', mode=0o644)
    link = tmp_path / "link.toml"
    link.symlink_to(path)
    assert RepliesFile(path).problem == shared.format(path=path)
    assert RepliesFile(link).problem == linked.format(path=link)


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    target = write(tmp_path / "elsewhere.toml", '[[reply]]\nname = "x"\nbody = "a"\n')
    link = tmp_path / "r.toml"
    link.symlink_to(target)
    file = RepliesFile(link)
    assert "symbolic link" in str(file.problem)
    with pytest.raises(RepliesFileError):
        file.add("y", "b")
    assert target.read_text() == '[[reply]]\nname = "x"\nbody = "a"\n'


def test_a_fifo_does_not_hang_the_start(tmp_path: Path) -> None:
    fifo = tmp_path / "r.toml"
    os.mkfifo(fifo, 0o600)
    assert "not a regular file" in str(RepliesFile(fifo).problem)


def test_a_folder_others_can_open_is_refused_for_writing(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(RepliesFileError, match="other users can open it"):
        RepliesFile(folder / "r.toml").add("x", "y")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@settings(max_examples=60)
@given(st.lists(st.tuples(_TEXT, _TEXT), max_size=5))
def test_any_text_survives_the_file_exactly(pairs: list[tuple[str, str]]) -> None:
    replies = tuple(SavedReply(f"r{n}", body) for n, (_, body) in enumerate(pairs))
    data = tomllib.loads(dumps(replies))
    assert [(e["name"], e["body"]) for e in data["reply"]] == [(r.name, r.body) for r in replies]


def test_read_replies_returns_what_dumps_wrote(tmp_path: Path) -> None:
    replies = (SavedReply("Ćma", 'a """ b\n\\n {{x}} \t\x7f'),)
    path = write(tmp_path / "r.toml", dumps(replies))
    assert read_replies(path) == replies
