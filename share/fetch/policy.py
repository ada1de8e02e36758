"""Where and how long the fetcher may go, built once from the app config."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..settings import as_list
from .addresses import Network, Resolver


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch. Immutable, so one instance can serve every request.

    `allow_networks` are private networks reachable anyway, on any port
    (intranet sites, tests on loopback). `resolver` replaces DNS (host, port
    -> addresses); tests use it to stage rebinding, nothing else should.
    """

    allow_networks: tuple[Network, ...] = ()
    allowed_ports: tuple[int, ...] = (80, 443)
    max_redirects: int = 5
    deadline: float = 8.0
    user_agent: str = "ScanShareBot/0.1 (+link preview)"
    resolver: Resolver | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        nets = tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)
        object.__setattr__(self, "allow_networks", nets)
        object.__setattr__(self, "allowed_ports", tuple(int(p) for p in self.allowed_ports))

    @classmethod
    def from_config(cls, config: Mapping) -> FetchPolicy:
        """Read FETCH_ALLOW_NETWORKS, FETCH_ALLOWED_PORTS and FETCH_TIMEOUT.

        Values may be lists or comma/space separated strings, because
        ``from_prefixed_env`` hands over strings unless they parse as JSON.
        """
        kwargs = {}
        nets = as_list(config.get("FETCH_ALLOW_NETWORKS"))
        if nets:
            kwargs["allow_networks"] = tuple(ipaddress.ip_network(n, strict=False) for n in nets)
        ports = as_list(config.get("FETCH_ALLOWED_PORTS"))
        if ports:
            kwargs["allowed_ports"] = tuple(int(p) for p in ports)
        if config.get("FETCH_TIMEOUT") not in (None, ""):
            kwargs["deadline"] = float(config["FETCH_TIMEOUT"])
        return cls(**kwargs)
