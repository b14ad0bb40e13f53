"""Exit codes scripts can rely on, and the one error type the command line raises itself."""

from __future__ import annotations

OK = 0
#: A rule of SPEC section 2 refused the action (the task expired, was declined, ...).
REFUSED = 1
#: Bad usage or bad input: a wrong option, an unknown task id, an unreadable file, a
#: store that does not exist, an import with rejected records.
BAD_INPUT = 2
#: The server cannot be reached or cannot answer now (sysexits EX_UNAVAILABLE).
UNAVAILABLE = 69
#: The server refused the token: unknown, revoked or of the wrong kind (sysexits EX_NOPERM).
TOKEN_REFUSED = 77
#: A bug in expert-tui itself: reported in one line, never as a traceback.
INTERNAL = 70
#: The store stayed locked by another process past `--wait`: retry later (EX_TEMPFAIL).
LOCKED = 75
INTERRUPTED = 130
#: What a shell reports when the reader of a pipe went away (`expert-tui list | head`).
BROKEN_PIPE = 141


class CliError(Exception):
    """A failure with the one line to print and the exit code to end with.

    `error_code` and `field` are what `--json` reports (SPEC 6 codes: `invalid`,
    `not_found`, `unavailable`, ...); `hint` is a second line, for usage errors only.
    """

    def __init__(
        self,
        message: str,
        code: int = BAD_INPUT,
        *,
        error_code: str = "invalid",
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.error_code = error_code
        self.field = field
        self.hint = hint
