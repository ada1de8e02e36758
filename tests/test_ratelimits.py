"""Rate-limit counters in the database, on both engines: a moving window no parallel burst passes."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from share.storage import ratelimits
from share.storage.engine import make_engine
from share.storage.schema import rate_hits

T0 = 1_800_000_000.0  # an injected "now": these counters never read the clock themselves


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(rate_hits)).scalar_one()


def test_a_moving_window_admits_the_limit_then_refuses_until_hits_age_out(engine):
    admitted = [ratelimits.acquire(engine, "k", 3, 60, T0 + i) for i in range(5)]
    assert admitted == [True, True, True, False, False]
    assert ratelimits.window(engine, "k", 60, T0 + 10) == (T0, 3)
    # the first hit leaves the window at T0 + 60: one more fits, not two
    assert ratelimits.acquire(engine, "k", 3, 60, T0 + 60.5)
    assert not ratelimits.acquire(engine, "k", 3, 60, T0 + 60.6)
    assert ratelimits.window(engine, "k", 60, T0 + 60.6) == (T0 + 1, 3)
    assert ratelimits.acquire(engine, "other", 3, 60, T0 + 60.7)  # keys are separate


def test_hits_are_swept_once_out_of_their_window(engine):
    for i in range(4):
        ratelimits.acquire(engine, f"k{i}", 5, 10, T0)
    assert _rows(engine) == 4
    ratelimits.acquire(engine, "late", 5, 10, T0 + 11)
    assert _rows(engine) == 1  # only the fresh hit remains
    assert ratelimits.count(engine, "late", T0 + 11) == 1
    assert ratelimits.expires(engine, "late", T0 + 11) == T0 + 21
    ratelimits.clear(engine, "late")
    assert _rows(engine) == 0
    assert ratelimits.window(engine, "late", 10, T0 + 12) == (T0 + 12, 0)


def test_add_counts_without_a_limit_and_reset_forgets_everything(engine):
    assert ratelimits.add(engine, "k", 30, T0, amount=2) == 2
    assert ratelimits.add(engine, "k", 30, T0 + 1) == 3
    assert ratelimits.count(engine, "k", T0 + 31) == 0  # all expired by then
    assert ratelimits.reset(engine) == 3
    assert not ratelimits.acquire(engine, "k", 2, 30, T0, amount=3)  # more than the limit at once


def test_parallel_hits_never_pass_the_limit_together(engine):
    def hit(i):
        return ratelimits.acquire(engine, "burst", 10, 60, T0 + i / 1000)

    with ThreadPoolExecutor(8) as pool:
        admitted = list(pool.map(hit, range(40)))
    assert admitted.count(True) == 10
    assert ratelimits.window(engine, "burst", 60, T0 + 1)[1] == 10
