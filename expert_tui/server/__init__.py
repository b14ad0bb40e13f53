"""The reference HTTP server (`expert-tui serve`): a thin layer over the store.

Needs the optional extra `expert-tui[server]` (FastAPI, uvicorn); nothing below the
server, and nothing in the UI, imports this package.
"""
