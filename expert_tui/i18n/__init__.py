"""Messages in the partner's language: stdlib `gettext`, catalogues from Babel.

Every message a person reads is marked `_("...")` (placeholders `{name}`, filled with
`.format` after translation, so a translator can move them) and extracted with Babel into
`locale/expert_tui.pot`; `locale/<lang>/LC_MESSAGES/expert_tui.po` hold the translations
(`make messages` extracts and updates them).

The language is looked up on every call, never bound at import, so a switch applies at
once to everything drawn after it. It lives in two places: the process's language, which
the TUI and the CLI set (`set_language`; Preferences may change it while the app runs,
and every thread and asyncio task sees the change), and a per-context override
(`speaking`), which the server uses for each request's `Accept-Language` so two requests
in two languages at once each get their own. Which language a person gets is
`choose_language`'s answer (config file, `EXPERT_TUI_LANG`, then the POSIX locale).

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
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from importlib import resources

#: The text domain: `locale/<lang>/LC_MESSAGES/<DOMAIN>.po`.
DOMAIN = "expert_tui"
#: Languages with a catalogue; the first is the messages' own.
LANGUAGES = ("en", "pl")
DEFAULT = "en"
#: The environment variable that picks the language for this program only.
ENV_LANG = "EXPERT_TUI_LANG"
#: The POSIX locale variables that name the messages' language, strongest first.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

#: The process's language (the TUI's and the CLI's): a plain global, so a switch is seen by
#: every thread and task at once, which a context variable's copy would not be.
_process_language = DEFAULT
#: A context's own language while `speaking` (one server request); None: the process's.
_context_language: ContextVar[str | None] = ContextVar("expert_tui_language", default=None)


def supported(lang: str) -> str:
    """`lang` if it has a catalogue, else English."""
    return lang if lang in LANGUAGES else DEFAULT


def language() -> str:
    """The language of this context's messages."""
    return _context_language.get() or _process_language


def set_language(lang: str) -> None:
    """Speak `lang` (one of `LANGUAGES`, else English) from now on, everywhere in this
    process except inside a `speaking` block. What is drawn next is in it: nothing caches
    a translated string across a switch."""
    global _process_language
    _process_language = supported(lang)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """`lang` within the block (this context only), the previous language after it."""
    token = _context_language.set(supported(lang))
    try:
        yield
    finally:
        _context_language.reset(token)


def _(message: str) -> str:
    """`message` in this context's language (itself when no translation exists)."""
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is defined; `_()` translates it where
    it is shown (a table of labels built at import, before any language is chosen)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n` (Polish has three: 1 zadanie, 2 zadania,
    5 zadań, by the catalogue's Plural-Forms); fill `{n}` in with `.format` after."""
    return translations(language()).ngettext(singular, plural, n)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`, compiled from its `.po` on first use (once per process)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files("expert_tui").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def from_locale_name(name: str) -> str | None:
    """The language a locale name or language tag means (`pl_PL.UTF-8`, `pl-PL`, `pl`,
    `en_GB@euro`): its language code, lower-cased; None for an empty name. `C` and `POSIX`
    mean English (the messages' own)."""
    base = name.strip().partition(".")[0].partition("@")[0]
    if not base:
        return None
    if base in ("C", "POSIX"):
        return DEFAULT
    return base.replace("-", "_").partition("_")[0].lower()


def choose_language(configured: str | None, environ: Mapping[str, str]) -> str:
    """The language a person gets: the config file's `language`, else `EXPERT_TUI_LANG`,
    else the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set (the POSIX order); the
    first one given decides, and a language without a catalogue (or none at all) gives
    English. `pl_PL.UTF-8` gives Polish."""
    for name in (configured, environ.get(ENV_LANG), *(environ.get(var) for var in LOCALE_VARIABLES)):
        lang = from_locale_name(name or "")
        if lang is not None:
            return supported(lang)
    return DEFAULT


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
