"""A throwaway PostgreSQL cluster starts, serves asyncpg through SQLAlchemy, and goes away."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from support.pgcluster import PgCluster, PgUnavailable


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


async def test_pgcluster_roundtrip() -> None:
    cluster = PgCluster()
    t0 = time.perf_counter()
    try:
        url = cluster.start()
    except PgUnavailable as e:
        pytest.skip(f"PostgreSQL unavailable: {e}")
    started = time.perf_counter() - t0
    base_dir = cluster.base_dir
    assert base_dir is not None
    try:
        assert url.startswith("postgresql+asyncpg://mttq@127.0.0.1:")
        assert url.endswith("/mttq")
        engine = create_async_engine(url)
        try:
            async with engine.connect() as a, engine.connect() as b:
                assert (await a.execute(text("select 1"))).scalar_one() == 1
                assert (await a.execute(text("select current_database()"))).scalar_one() == "mttq"

                # A temp table is private to its session: check the statement itself.
                await a.execute(text("create temp table tjobs (id int primary key)"))
                await a.execute(text("insert into tjobs values (1), (2)"))
                got = await a.execute(text("select id from tjobs order by id limit 1 for update skip locked"))
                assert got.scalar_one() == 1
                await a.rollback()

                # Across sessions: a row locked by one is skipped by the other.
                await a.execute(text("create table jobs (id int primary key)"))
                await a.execute(text("insert into jobs values (1), (2)"))
                await a.commit()
                q = text("select id from jobs order by id limit 1 for update skip locked")
                assert (await a.execute(q)).scalar_one() == 1
                assert (await b.execute(q)).scalar_one() == 2
                await a.rollback()
                await b.rollback()
        finally:
            await engine.dispose()
    finally:
        t1 = time.perf_counter()
        cluster.stop()
        stopped = time.perf_counter() - t1
        print(f"pgcluster: start {started:.2f}s, stop {stopped:.2f}s")
    assert not base_dir.exists()
    assert not _port_open(cluster.port)
