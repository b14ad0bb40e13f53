"""Each layer imports only the layers below it (README, "The shape of the project").

Read from the source with `ast`, so a stray import fails here, in the diff that adds it,
rather than years later when the remote store cannot drop in behind one seam.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "expert_tui"

#: What each part of the package may import from the package (besides itself).
#: `.` is the package's own `__init__` (its version).
ALLOWED: dict[str, set[str]] = {
    # Messages in the partner's language (stdlib gettext): every layer that words
    # something a person reads may ask it, and it asks none.
    "i18n": set(),
    "domain": {"i18n"},
    "paths": set(),
    "private_files": {"paths", "i18n"},
    "settings": {"domain", "paths", "private_files", "i18n"},
    "replies_file": {"domain", "paths", "private_files", "i18n"},
    "store": {"domain", "paths", "private_files", "i18n"},
    "demo": {".", "domain", "store", "paths", "private_files", "i18n"},
    "server": {".", "domain", "store", "paths", "private_files", "i18n"},
    "ui": {"replies_file", "domain", "store", "settings", "paths", "private_files", "app", "i18n"},
    "widgets": {"domain", "store", "ui", "i18n"},
    "screens": {"replies_file", "domain", "store", "settings", "ui", "widgets", "app", "i18n"},
    "app": {"replies_file", "domain", "store", "settings", "ui", "screens", "widgets", "i18n"},
    "cli": {
        ".",
        "domain",
        "store",
        "server",
        "demo",
        "settings",
        "replies_file",
        "paths",
        "private_files",
        "app",
        "screens",
        "i18n",
    },
    "__main__": {"cli"},
}

#: Libraries that mean I/O or a user interface, which the domain must not touch.
NOT_IN_DOMAIN = {"textual", "rich", "httpx", "sqlite3", "psycopg", "fastapi", "uvicorn", "socket", "os", "subprocess"}


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    return relative.parts[0]


def imported(path: Path) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join(base + (node.module.split(".") if node.module else [])))
            elif node.module:
                names.add(node.module)
            if node.module is None:  # `from . import paths` names modules, not the package
                names.update(f"{'.'.join(base)}.{alias.name}" for alias in node.names)
                names.discard(".".join(base))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    # `__version__` lives in the package's `__init__`, which every layer may read.
    return {name.removesuffix(".__version__") for name in names}


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_the_layers_below(path: Path) -> None:
    part = part_of(path)
    if part == "__init__":
        return
    assert part in ALLOWED, f"{part} is a new part of the package: give it a place in ALLOWED"
    wrong = []
    for name in imported(path):
        pieces = name.split(".")
        if pieces[0] == "expert_tui":
            target = pieces[1] if len(pieces) > 1 else "."
            if target != part and target not in ALLOWED[part]:
                wrong.append(name)
        elif part == "domain" and pieces[0] in NOT_IN_DOMAIN:
            wrong.append(name)
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"


def test_the_ui_never_imports_the_server_or_the_cli() -> None:
    ui = {"ui", "widgets", "screens", "app"}
    assert all(not ({"server", "cli"} & ALLOWED[part]) for part in ui)
