"""The one exception for input a caller must fix.

Domain code raises :class:`InputError` (or a subclass naming its area) with a
snake_case code and one sentence; the web layer answers every one of them
through one handler (a 4xx in the caller's language: JSON for programs, a
page for people), the CLI prints the sentence. The sentence is ours, never
the text of a Python exception.
"""


class InputError(ValueError):
    """Input the caller must fix: ``code`` is snake_case, ``str(error)`` the sentence.

    ``status`` is the HTTP status the web layer answers with: 400 unless a
    subclass says otherwise (401, 403, 404…).
    """

    status = 400

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
