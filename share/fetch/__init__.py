"""The safe fetcher: the only way ScanShare reaches out to article pages and images.

Plain Python (requests), no Flask. See docs/decisions/0003-safe-fetcher.md
for why it is built this way.
"""

from .client import CAPS, FetchResult, fetch
from .errors import FetchError
from .policy import FetchPolicy

__all__ = ["CAPS", "FetchError", "FetchPolicy", "FetchResult", "fetch"]
