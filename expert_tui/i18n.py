"""Messages in the partner's language: stdlib `gettext`, catalogues from Babel.

Every message a person reads is marked `_("...")` (placeholders `{name}`, filled with
`.format` after translation, so a translator can move them) and extracted with Babel into
`locale/expert_tui.pot`; `locale/<lang>/LC_MESSAGES/expert_tui.po` hold the translations
(`make messages` extracts and updates them). The language is per context (`contextvars`):
the server sets it from each request's `Accept-Language`, so two requests in two
languages at once each get their own; the TUI and the CLI set it once.

The catalogues are compiled when first needed, in memory, from the `.po` files with
Babel's own reader and writer, into stdlib `GNUTranslations`: nothing compiled is kept
in the repository or has to be built before a clean clone runs its tests, and a `.po`
edit can never be shadowed by a stale `.mo`. English is the language of the messages
themselves and needs no catalogue.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import resources

#: The text domain: `locale/<lang>/LC_MESSAGES/<DOMAIN>.po`.
DOMAIN = "expert_tui"
#: Languages with a catalogue; the first is the messages' own.
LANGUAGES = ("en", "pl")
DEFAULT = "en"

_language: ContextVar[str] = ContextVar("expert_tui_language", default=DEFAULT)


def language() -> str:
    """The language of this context's messages."""
    return _language.get()


def set_language(lang: str) -> None:
    """Use `lang` (one of `LANGUAGES`, else English) in this context from now on."""
    _language.set(lang if lang in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """`lang` within the block, the previous language after it."""
    token = _language.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """`message` in this context's language (itself when no translation exists)."""
    return translations(_language.get()).gettext(message)


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is defined; `_()` translates it where
    it is shown (a table of labels built at import, before any language is chosen)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`, compiled from its `.po` on first use (once per process)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files(__package__).joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def from_accept_language(header: str | None) -> str:
    """The best of `LANGUAGES` for an `Accept-Language` header (RFC 9110: tags with
    optional q-values, `*` for any); English when none is acceptable or it is missing."""
    best, best_q = DEFAULT, 0.0
    for item in (header or "").split(",")[:32]:
        tag, _sep, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        lang = primary if primary in LANGUAGES else (DEFAULT if primary == "*" else None)
        if lang is not None and q > best_q:
            best, best_q = lang, q
    return best
