"""expert-tui: a terminal inbox for experts-marketplace partners.

Kept empty of imports so `expert-tui --help` and the scripted subcommands start fast.
"""

__version__ = "0.1.0"
