"""The one exception the fetcher raises."""


class FetchError(Exception):
    """A fetch that was refused or failed.

    `reason` is a short snake_case code meant for storage and API answers
    (e.g. ``blocked_address``, ``too_many_redirects``, ``too_large``,
    ``timeout``, ``bad_status``); ``str(error)`` is a sentence for people.
    """

    def __init__(self, reason: str, message: str, *, status: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status = status

    def __reduce__(self):
        return (self.__class__, (self.reason, str(self)), {"status": self.status})
