"""A stand-in random source for the code generator, so a test can make it propose a given code."""

from __future__ import annotations

import secrets


class Proposing:
    """Stands in for ``secrets`` in the code generator: proposes ``code`` first, then at random."""

    def __init__(self, code: str):
        self.pending = list(code)
        self.calls = 0

    def choice(self, alphabet: str) -> str:
        """The next letter of ``code`` while there is one, then a random one."""
        self.calls += 1
        return self.pending.pop(0) if self.pending else secrets.choice(alphabet)
