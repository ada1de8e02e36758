"""The one exception for input a caller must fix.

Domain code raises :class:`InputError` (or a subclass naming its area) with a
snake_case code and one sentence; the web layer answers every one of them
the same way (a 400 in the caller's language), the CLI prints the sentence.
"""


class InputError(ValueError):
    """Input the caller must fix: ``code`` is snake_case, ``str(error)`` the sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
