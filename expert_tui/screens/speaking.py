"""Screens whose keys are named in the partner's language, whichever it is now.

A Textual `Binding`'s description and tooltip are made once, when its class is defined,
before any language is chosen: ours are English messages marked `N_()`. The footer, help
and the palette all read a screen's keys through `active_bindings`, so that is where they
are translated, on every read: after a language switch (`ExpertApp.speak`) the footers only
have to be drawn again.
"""

from __future__ import annotations

import dataclasses
import functools

from textual.binding import ActiveBinding, Binding

from ..i18n import N_, _, language

#: Textual's own words on our screens (the palette key's, in every footer), for the catalogue.
TEXTUAL_WORDS = (N_("palette"), N_("Open the command palette"))


@functools.lru_cache(maxsize=2048)
def spoken(binding: Binding, lang: str) -> Binding:
    """`binding` with its words in `lang` (the caller's language, named for the cache)."""
    del lang  # the language in force is `_()`'s; it is a parameter only to key the cache
    return dataclasses.replace(
        binding,
        description=_(binding.description) if binding.description else binding.description,
        tooltip=_(binding.tooltip) if binding.tooltip else binding.tooltip,
    )


class SpeaksKeys:
    """Mixed into a `Screen` (before it): its active keys' words in the language in force."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        lang = language()
        return {
            key: active._replace(
                binding=spoken(active.binding, lang),
                tooltip=_(active.tooltip) if active.tooltip else active.tooltip,
            )
            for key, active in super().active_bindings.items()
        }
