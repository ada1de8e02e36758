"""Slow clients cannot starve gunicorn as deployed, even without nginx in front.

Two sync workers stopped answering for as long as two connections dripped a
request head a byte at a time (slowloris); ``deploy/gunicorn.conf.py`` now
runs a worker that reads heads in its event loop (``deploy/worker.py``).
"""

from __future__ import annotations

import pytest
import requests

from tests.gunicorn_server import Slowloris, gunicorn, one_link_app, wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("extra_args", "body"),
    [
        ((), False),  # as deployed, slow heads
        ((), True),  # as deployed, whole heads and slow bodies (a slow POST)
        # with kept-alive connections: half the slow heads come behind a whole request
        (("--keep-alive", "2"), False),
    ],
    ids=["deployed", "slow-body", "keep-alive"],
)
def test_health_and_redirects_answer_while_slow_clients_hold_connections(
    sqlite_url, extra_args, body
):
    code, env = one_link_app(sqlite_url)
    with gunicorn(env, workers=2, extra_args=extra_args) as (base, _):
        host, port = base.removeprefix("http://").split(":")
        # 20 against 2 workers of 4 threads: more than every thread there is
        pipelined = bool(extra_args)
        with Slowloris((host, int(port)), 20, every=1.0, pipelined=pipelined, body=body) as slow:
            for _ in range(3):
                # a fresh connection each, as a phone scanning a code would open
                health = requests.get(
                    base + "/healthz", timeout=1.0, headers={"Connection": "close"}
                )
                assert health.status_code == 200
                scan = requests.get(
                    f"{base}/s/{code}?src=slowloris",
                    timeout=1.0,
                    allow_redirects=False,
                    headers={"Connection": "close"},
                )
                assert scan.status_code == 302
                assert scan.headers["Location"] == "https://example.com/article"
            assert slow.alive() == 20  # still dripping: nobody answered or dropped them yet
            # a request still incomplete after 10 s is dropped, dripping or not
            assert wait_for(lambda: slow.alive() == 0, timeout=15.0)
