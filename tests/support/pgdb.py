"""A fresh, empty database on a running PostgreSQL server, for the benchmarks that take a --pg URL."""

from __future__ import annotations


async def fresh_database(server_url: str, name: str) -> str:
    """Create database `name` on the server of `server_url` (dropped first if a previous run left it); its URL."""
    import asyncpg  # only the PostgreSQL runs need the driver

    connection = await asyncpg.connect(server_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
