"""Every word the screens show is marked for translation (issue 11: `make test` catches a
missing translation). `test_i18n` checks the catalogues against what is marked; this
checks that what a person reads is marked at all: a string literal in the UI's modules
that reads as words, outside `_()`, `N_()` and `ngettext()`, is a word the Polish
screen would show in English.

What reads as words: two words of letters with a space between them, or any literal
given as a `Binding`'s description or tooltip, or as a widget's visible text. Docstrings,
styles (`"bold $accent"`), CSS, date patterns, ids, key names and file names are not words."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import expert_tui

PACKAGE = Path(expert_tui.__file__).parent
UI_MODULES = sorted(
    [
        PACKAGE / "app.py",
        # Its refusals reach people too: a CLI error, a notice in the app.
        PACKAGE / "private_files.py",
        *(PACKAGE / "screens").rglob("*.py"),
        *(PACKAGE / "widgets").rglob("*.py"),
        *(PACKAGE / "ui").rglob("*.py"),
    ]
)
#: Calls whose string arguments are the catalogue's.
MARKERS = frozenset({"_", "N_", "ngettext"})
#: Calls whose string arguments are never shown: lookups, classes, styles, logs.
NOT_SHOWN_CALLS = frozenset(
    {
        "query",
        "query_one",
        "query_children",
        "add_class",
        "remove_class",
        "set_class",
        "has_class",
        "toggle_class",
        "get_component_rich_style",
        "get_component_styles",
        "log",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "getattr",
        "setattr",
        "hasattr",
        "run_action",
        "bind",
        "Style",
        "parse",
        "styled_from",
        "startswith",
        "endswith",
        "split",
        "join",
        "strip",
        "replace",
        "encode",
        "decode",
        "write",
        "compile",
        "search",
        "match",
        "fullmatch",
        "sub",
    }
)
#: Keyword arguments that name, style or identify, never shown.
NOT_SHOWN_KEYWORDS = frozenset({"id", "classes", "name", "variant", "severity", "key", "action", "group", "style"})
#: Assignments whose value is styling or configuration, never shown.
NOT_SHOWN_NAMES = frozenset({"DEFAULT_CSS", "CSS", "CSS_PATH", "COMPONENT_CLASSES", "__all__"})
#: Textual's and Rich's style words: a literal made only of them (and `$variables`, colours) is a style.
STYLE_WORDS = frozenset(
    {"bold", "dim", "italic", "underline", "underline2", "reverse", "strike", "blink", "not", "on", "link"}
    | {"none", "auto", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "black", "grey", "gray"}
    | {"default"}
)
#: Positional arguments that are a widget's visible text.
SHOWN_POSITIONAL = {"Binding": 2, "Static": 0, "Label": 0, "Button": 0, "Checkbox": 0, "Option": 0, "Words": 0}
#: Keyword arguments that are visible text.
SHOWN_KEYWORDS = frozenset({"description", "tooltip", "placeholder", "label", "title", "prompt", "border_title"})

#: Two words with a space between them (punctuation allowed on either side).
WORDS = re.compile(r"[^\W\d_]+[,.:;!?'’()…]*\s+[('‘\"]*[^\W\d_]{2,}")
#: A visible text of one word (`Quit`), which is a label; codes such as `USD` are not words.
ONE_WORD = re.compile(r"^\W*(?![A-Z]{2,4}\W*$)[^\W\d_]{2,}\W*$")


def is_style(text: str) -> bool:
    tokens = text.replace(",", " ").split()
    return bool(tokens) and all(
        token.lower() in STYLE_WORDS or token.startswith(("$", "#")) or token.startswith("rgb") for token in tokens
    )


#: A date pattern for Babel (`dd MMM y HH:mm`): CLDR's field letters, not words.
DATE_PATTERN = re.compile(r"[GyYuQqMLwWdDFEecabBhHkKmsSAzZOvVXx\s:.,/'-]+")


def reads_as_words(text: str) -> bool:
    return bool(WORDS.search(text)) and not is_style(text) and not DATE_PATTERN.fullmatch(text)


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def docstrings(tree: ast.Module) -> set[ast.AST]:
    found: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(first.value)
    return found


def unmarked(source: str) -> Iterator[tuple[int, str]]:
    """The literals in `source` a person would read that no marker carries."""
    tree = ast.parse(source)
    parent: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    skipped = docstrings(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node in skipped:
            continue
        shown, hidden = False, False
        child: ast.AST = node
        while child in parent and not hidden:
            above = parent[child]
            if isinstance(above, ast.Call):
                name = call_name(above)
                if name in MARKERS or (name in NOT_SHOWN_CALLS and child is not above.func):
                    hidden = True
                elif child in above.args and SHOWN_POSITIONAL.get(name) == above.args.index(child):
                    shown = True
            elif isinstance(above, ast.keyword):
                hidden = above.arg in NOT_SHOWN_KEYWORDS
                shown = shown or above.arg in SHOWN_KEYWORDS
            elif isinstance(above, ast.Assign | ast.AnnAssign):
                targets = above.targets if isinstance(above, ast.Assign) else [above.target]
                hidden = any(
                    isinstance(t, ast.Name) and (t.id in NOT_SHOWN_NAMES or t.id.endswith("_CSS")) for t in targets
                )
            elif (isinstance(above, ast.Dict) and child in above.keys) or isinstance(
                above, ast.Compare | ast.Subscript | ast.Match | ast.match_case
            ):
                hidden = True
            child = above
        if hidden:
            continue
        text = node.value
        if reads_as_words(text) or (shown and ONE_WORD.match(text) and not is_style(text)):
            yield node.lineno, text


def test_every_word_the_screens_show_is_marked_for_translation() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {text[:60]!r}"
        for path in UI_MODULES
        for line, text in unmarked(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "words on screen not marked with _() / N_() / ngettext():\n" + "\n".join(found)


def test_the_check_tells_words_from_what_is_not_shown() -> None:
    source = """
class Shown(Screen):
    \"\"\"A docstring is for us.\"\"\"

    DEFAULT_CSS = "Shown { height: 1fr; }"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("escape,b", "back", N_("Back"), tooltip="Back to the inbox"),
        Binding("ctrl+t", "templates", N_("Templates"), id="task.templates"),
    ]

    def compose(self):
        yield Static("Nothing to show yet")
        yield Static(_("Nothing here yet"), id="empty hint", classes="hint dim")
        yield Static(Content.styled(_("Keys"), "bold $accent"))
        yield Input(placeholder="Type a reason")
        yield Label(ngettext("{n} task", "{n} tasks", 2).format(n=2))
        self.query_one("#empty hint")
        when = format_datetime(now, "dd MMM y HH:mm")
        return {"a key here": 1}
"""
    assert [text for _line, text in unmarked(source)] == [
        "Quit",
        "Back to the inbox",
        "Nothing to show yet",
        "Type a reason",
    ]
