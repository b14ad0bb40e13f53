"""Realistic tasks for the demo store, the benchmarks and the tests.

A partner trying the app (`expert-tui --demo`) should see an inbox that looks like a
real Monday morning: every status, deadlines minutes away, merchants writing in
Polish and English, notes from teammates. The deadlines only mean something if they
are relative to *now*, so the demo store is rebuilt when it is older than an hour
(as a new file beside the old one, which a running app keeps using).

Three parts: `generate_tasks` (generator.py) makes any number of varied tasks quickly
(benchmarks, large-inbox tests); `demo_tasks` (inbox.py) is the hand-written set the demo
shows; store.py builds the demo store and keeps it fresh. Both kinds of task are objects
in the shape of SPEC section 5, as `export` writes them, so they go through the store's
ordinary import and its validation.
"""

from .generator import generate_tasks
from .inbox import DEMO_PREFERENCES, DEMO_VERSION, demo_tasks
from .store import DEMO_MAX_AGE, open_demo_store

__all__ = ["DEMO_MAX_AGE", "DEMO_PREFERENCES", "DEMO_VERSION", "demo_tasks", "generate_tasks", "open_demo_store"]
