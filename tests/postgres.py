"""A throwaway PostgreSQL cluster for tests, from the system's packages.

``cluster()`` runs initdb and postgres in a temporary directory, listening on a free port of
127.0.0.1, and yields ``postgresql://yishi@127.0.0.1:PORT/yishi``; it stops the server and removes
the directory at the end. ``fresh_database(url)`` makes an empty database in it for one test.
The session-scoped ``postgres_url`` fixture starts one cluster for the whole run; a test module
takes it with ``postgres_url = tests.postgres.postgres_url``.

initdb and postgres refuse to run as root: as root, both run as ``nobody`` (Python's subprocess
switches user and group before exec, no runuser or su needed), and the temporary directory is
given to that user. Without the server's binaries the fixture skips, as ``.ci/run`` installs them;
with ``CI`` set it fails instead, so CI never skips these tests silently.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Coroutine, Iterator
from glob import glob
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

SERVER_BINARIES = ("initdb", "postgres", "pg_ctl")
USER = "yishi"  # the cluster's superuser, and its first database
UNPRIVILEGED = "nobody"  # who runs the server when the tests run as root
START_SECONDS = 30
# Fast and disposable: nothing here has to survive a crash of the machine.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class ClusterError(RuntimeError):
    """The cluster could not be made or started; the message carries the server's log."""


def find_bindir() -> Path | None:
    """The directory of the server's binaries: the highest /usr/lib/postgresql/*/bin (Debian),
    else ``pg_config --bindir``, else where ``initdb`` is on PATH. None when there is none."""
    def complete(path: Path) -> bool:
        return all(os.access(path / name, os.X_OK) for name in SERVER_BINARIES)

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parent.name))

    candidates = [Path(p) for p in sorted(glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((path for path in candidates if complete(path)), None)


def require_bindir() -> Path:
    """The server's binaries, or skip the test (fail it under CI) with the reason."""
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    reason = ("PostgreSQL server binaries (initdb, postgres, pg_ctl) not found under "
              "/usr/lib/postgresql/*/bin, `pg_config --bindir` or PATH; .ci/run installs postgresql")
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: these tests must run)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to the end on an event loop of its own, in a thread, so it works from sync
    code whether or not the calling thread runs a loop (fixtures, tests)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _as_server_user() -> dict[str, Any]:
    """subprocess arguments that run the server's programs as an unprivileged user under root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise ClusterError(f"running as root and there is no user {UNPRIVILEGED!r} to run PostgreSQL as "
                           "(initdb refuses root)") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


async def _wait_and_create(url: str, server: subprocess.Popen, log: Path, deadline: float) -> None:
    """Wait until the server takes connections, then create the database ``yishi``."""
    admin = url.rsplit("/", 1)[0] + "/postgres"
    last: BaseException | None = None
    while True:
        if server.poll() is not None:
            raise ClusterError(f"postgres exited with status {server.returncode} while starting; "
                               f"its log ({log}):\n{_tail(log)}")
        try:
            conn = await asyncpg.connect(admin, timeout=2)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            last = exc
        else:
            try:
                await conn.execute(f"CREATE DATABASE {USER} TEMPLATE template0")
            finally:
                await conn.close()
            return
        if time.monotonic() > deadline:
            raise ClusterError(f"postgres did not accept connections within {START_SECONDS} s "
                               f"(last error: {last!r}); its log ({log}):\n{_tail(log)}")
        await asyncio.sleep(0.1)


@contextlib.contextmanager
def cluster(bindir: Path | None = None) -> Iterator[str]:
    """A new PostgreSQL cluster, running until the block ends; yields its ``yishi`` database's URL."""
    bindir = bindir or require_bindir()
    demote = _as_server_user()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no PGDATA, PGPORT ...
    env.update(LC_ALL="C.UTF-8", TZ="UTC")
    tmp = Path(tempfile.mkdtemp(prefix="yishi-pg-"))
    data, sockets, log = tmp / "data", tmp / "socket", tmp / "postgres.log"
    server: subprocess.Popen | None = None
    try:
        sockets.mkdir()
        if demote:  # the server's user owns the directory, its data and its socket
            for path in (tmp, sockets):
                os.chown(path, demote["user"], demote["group"])
            env["HOME"] = str(tmp)
        init = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "--locale=C.UTF-8", "--encoding=UTF8",
             "-A", "trust", "-U", USER, "--no-sync"],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=120, **demote)
        if init.returncode != 0:
            raise ClusterError(f"initdb failed with status {init.returncode}:\n{init.stdout}{init.stderr}")
        for attempt in itertools.count(1):
            port = free_port()  # free when asked; another process may take it first, so retry
            settings = [arg for setting in SETTINGS for arg in ("-c", setting)]
            with log.open("ab") as out:
                server = subprocess.Popen(
                    [str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
                     "-k", str(sockets), *settings],
                    cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    **demote)
            url = f"postgresql://{USER}@127.0.0.1:{port}/{USER}"
            try:
                run_async(_wait_and_create(url, server, log, time.monotonic() + START_SECONDS))
            except ClusterError:
                if server.poll() is not None and attempt < 3 and "could not bind" in _tail(log):
                    continue
                raise
            break
        yield url
    finally:
        if server is not None:
            _stop(bindir, data, server, env, demote)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(bindir: Path, data: Path, server: subprocess.Popen, env: dict[str, str],
          demote: dict[str, Any]) -> None:
    if server.poll() is None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"],
                           env=env, cwd=data.parent, capture_output=True, timeout=30, **demote)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


_databases = itertools.count(1)


async def fresh_database(url: str) -> str:
    """A new empty database (test_1, test_2 ...) in the cluster of ``url``; returns its URL."""
    name = f"test_{next(_databases)}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    finally:
        await conn.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://yishi@127.0.0.1:PORT/yishi`` of a cluster started once for the test run."""
    with cluster(require_bindir()) as url:
        yield url
