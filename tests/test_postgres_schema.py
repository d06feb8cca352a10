"""The PostgreSQL schema (storage/migrations/postgresql) is SQLite's after its migrations.

A real PostgreSQL cluster (tests/postgres.py) gets the PostgreSQL migrations; a new SQLite file
gets SQLite's through storage.db. Both are then read back by introspection (PRAGMA on SQLite,
information_schema and pg_catalog on PostgreSQL) and compared table by table: columns (order,
type, NOT NULL, default), primary keys, generated ids, unique constraints and indexes, named
indexes, foreign keys with their actions, CHECK constraints and the trigger, which is also run on
both. Every difference is reported with its table, so a migration that lands on one backend only
fails here with what to add to the other.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import asyncpg
import pytest

import storage
from storage.db import MIGRATION_RE, Database, migrations
from tests import postgres
from tests.postgres import fresh_database, run_async
from tests.schema import (
    BASELINE,
    GIVEN_IDS,
    PG_MIGRATIONS,
    PG_TYPE,
    Schema,
    migrate_pg,
    pg_migrations,
    pg_schema,
    sqlite_schema,
)

postgres_url = postgres.postgres_url  # the fixture: one cluster for the session


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "yishi.sqlite3"

    async def migrate() -> None:
        db = await Database.open(path)
        await db.close()

    run_async(migrate())
    return path


@pytest.fixture(scope="module")
def sqlite(sqlite_file: Path) -> Schema:
    return sqlite_schema(sqlite_file)


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Schema:
    async def read() -> Schema:
        url = await fresh_database(postgres_url)
        await migrate_pg(url)
        conn = await asyncpg.connect(url)
        try:
            return await pg_schema(conn)
        finally:
            await conn.close()

    return run_async(read())


@pytest.fixture
async def pg_conn(postgres_url: str):
    """A connection to a new database of its own, migrated."""
    url = await fresh_database(postgres_url)
    await migrate_pg(url)
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def sqlite_conn(sqlite_file: Path, tmp_path: Path):
    """A connection to a copy of the migrated SQLite file, foreign keys on as storage.db has them."""
    path = tmp_path / "copy.sqlite3"
    shutil.copyfile(sqlite_file, path)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    try:
        yield con
    finally:
        con.close()


def _report(problems: list[str], what: str) -> None:
    assert not problems, (f"{what} differ between SQLite (storage/migrations) and PostgreSQL "
                          f"(storage/migrations/postgresql):\n  " + "\n  ".join(problems))


def _both(sqlite: Schema, pg: Schema) -> list[str]:
    """The tables in both, in SQLite's order (test_same_tables reports the others)."""
    return [table for table in sqlite.columns if table in pg.columns]


def _counted(table: str, what: str, sqlite: Counter, pg: Counter, show=str) -> list[str]:
    problems = []
    for item in sorted((sqlite - pg).elements(), key=str):
        problems.append(f"{table}: {what} {show(item)} in SQLite, not in PostgreSQL")
    for item in sorted((pg - sqlite).elements(), key=str):
        problems.append(f"{table}: {what} {show(item)} in PostgreSQL, not in SQLite")
    return problems


def _show_unique(item: tuple[tuple[str, ...], str | None]) -> str:
    columns, where = item
    return f"({', '.join(columns)})" + (f" WHERE {where}" if where else "")


# --- the cluster and the migration folders -------------------------------------------------------

async def test_the_cluster_is_postgresql(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        version = await conn.fetchval("SELECT version()")
        collation = await conn.fetchval(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()")
    finally:
        await conn.close()
    assert version.startswith("PostgreSQL "), version
    assert collation == "C.UTF-8", f"the test database sorts by {collation!r}, not by code point as SQLite"


def test_missing_binaries_skip_or_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_bindir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"\.ci/run installs postgresql"):
        postgres.require_bindir()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        postgres.require_bindir()


def test_sqlite_reads_only_its_own_folder() -> None:
    assert PG_MIGRATIONS.is_dir()
    numbers = [number for number, _ in migrations()]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    baselines = {path.read_text(encoding="utf-8") for _, path in pg_migrations()}
    assert not baselines & {script for _, script in migrations()}, "SQLite would run a PostgreSQL migration"
    assert not MIGRATION_RE.match(PG_MIGRATIONS.name)


def test_both_folders_are_numbered_alike() -> None:
    sqlite_numbers = [number for number, _ in migrations()]
    pg_numbers = [number for number, _ in pg_migrations()]
    expected = [BASELINE] + [n for n in sqlite_numbers if n > BASELINE]
    missing = sorted(set(expected) - set(pg_numbers))
    extra = sorted(set(pg_numbers) - set(expected))
    assert not missing, (f"SQLite has migrations {missing} that storage/migrations/postgresql lacks: "
                         f"each migration after {BASELINE:04d} ships for both, with the same number")
    assert not extra, f"storage/migrations/postgresql has migrations {extra} that SQLite lacks"
    assert pg_numbers == expected, pg_numbers


# --- the schema, table by table ------------------------------------------------------------------

def test_same_tables(sqlite: Schema, pg: Schema) -> None:
    problems = [f"{t}: a table in SQLite, missing in PostgreSQL"
                for t in sqlite.columns if t not in pg.columns]
    problems += [f"{t}: a table in PostgreSQL, missing in SQLite"
                 for t in pg.columns if t not in sqlite.columns]
    _report(problems, "Tables")
    assert len(sqlite.columns) >= 63


def test_same_columns(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        ours, theirs = sqlite.columns[table], pg.columns[table]
        for name in ours.keys() - theirs.keys():
            problems.append(f"{table}: column {name} in SQLite, missing in PostgreSQL")
        for name in theirs.keys() - ours.keys():
            problems.append(f"{table}: column {name} in PostgreSQL, missing in SQLite")
        common = [name for name in ours if name in theirs]
        if common != [name for name in theirs if name in ours]:
            problems.append(f"{table}: columns in another order (SELECT * and dict(row) see it): "
                            f"SQLite {common}, PostgreSQL {[n for n in theirs if n in ours]}")
        for name in common:
            a, b = ours[name], theirs[name]
            want = PG_TYPE.get(a.type)
            if want is None:
                problems.append(f"{table}: column {name} is {a.type} in SQLite, a type this test does not "
                                f"know: add it to PG_TYPE with its PostgreSQL type")
            elif b.type != want:
                problems.append(f"{table}: column {name} is {a.type} in SQLite, so {want} in PostgreSQL, "
                                f"not {b.type}")
            if a.not_null != b.not_null:
                problems.append(f"{table}: column {name} is {'NOT NULL' if a.not_null else 'nullable'} in "
                                f"SQLite, {'NOT NULL' if b.not_null else 'nullable'} in PostgreSQL")
            if a.default != b.default:
                problems.append(f"{table}: column {name} defaults to {a.default} in SQLite, "
                                f"{b.default} in PostgreSQL")
    _report(problems, "Columns")


def test_same_primary_keys(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        a, b = sqlite.primary_keys[table], pg.primary_keys[table]
        if a != b:
            problems.append(f"{table}: primary key ({', '.join(a) or 'none'}) in SQLite, "
                            f"({', '.join(b) or 'none'}) in PostgreSQL")
    _report(problems, "Primary keys")


def test_ids_are_generated_where_sqlite_assigns_them(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table, column in sorted(sqlite.generated):
        given = GIVEN_IDS.get(table) == column
        generated = (table, column) in pg.generated
        if given and generated:
            problems.append(f"{table}: {column} is given by the code (GIVEN_IDS), so a plain BIGINT PRIMARY "
                            f"KEY in PostgreSQL, not an identity")
        elif not given and not generated:
            problems.append(f"{table}: SQLite assigns {column} (INTEGER PRIMARY KEY), so PostgreSQL needs "
                            f"BIGINT GENERATED BY DEFAULT AS IDENTITY; or, when the code always gives "
                            f"the id, add the table to GIVEN_IDS")
    for table, column in sorted(pg.generated - sqlite.generated):
        problems.append(f"{table}: {column} is an identity in PostgreSQL but not an INTEGER PRIMARY KEY "
                        f"in SQLite")
    for table, column in GIVEN_IDS.items():
        if (table, column) not in sqlite.generated:
            problems.append(f"{table}: GIVEN_IDS names {column}, which is not its INTEGER PRIMARY KEY")
    # What the code does: an identity's value never comes from an INSERT (PostgreSQL's sequence
    # would not move past it), and a given id is in every INSERT (PostgreSQL would not make one).
    source, checked = Path(storage.__file__).parent, 0
    for path in sorted(source.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)\s*(\(([^)]*)\))?", text):
            table, columns = match.group(1), match.group(3)
            if table not in dict(sqlite.generated) or columns is None:
                continue
            key, named = dict(sqlite.generated)[table], set(re.findall(r"[A-Za-z_]\w*", columns))
            checked += 1
            if table in GIVEN_IDS and key not in named:
                problems.append(f"{table}: storage/{path.name} inserts without {key}, which GIVEN_IDS says "
                                f"the code gives")
            if table not in GIVEN_IDS and key in named:
                problems.append(f"{table}: storage/{path.name} inserts {key} itself, which the identity "
                                f"would then hand out again")
    assert checked >= 20, f"only {checked} INSERTs into tables with an INTEGER PRIMARY KEY in storage/*.py"
    _report(problems, "Generated ids")


def test_same_unique_constraints(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        problems += _counted(table, "UNIQUE", sqlite.uniques[table], pg.uniques[table], _show_unique)
    _report(problems, "Unique constraints and unique indexes")


def test_same_indexes(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        a, b = sqlite.indexes[table], pg.indexes[table]
        for name in sorted(a.keys() - b.keys()):
            problems.append(f"{table}: index {name} {a[name]} in SQLite, missing in PostgreSQL")
        for name in sorted(b.keys() - a.keys()):
            problems.append(f"{table}: index {name} {b[name]} in PostgreSQL, missing in SQLite")
        for name in sorted(a.keys() & b.keys()):
            if a[name] != b[name]:
                problems.append(f"{table}: index {name} is {a[name]} in SQLite, {b[name]} in PostgreSQL")
    _report(problems, "Indexes")


def test_same_foreign_keys(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        problems += _counted(table, "FOREIGN KEY", sqlite.foreign_keys[table], pg.foreign_keys[table])
    _report(problems, "Foreign keys")


def test_same_checks(sqlite: Schema, pg: Schema) -> None:
    problems = []
    for table in _both(sqlite, pg):
        problems += _counted(table, "CHECK", sqlite.checks[table], pg.checks[table])
    _report(problems, "CHECK constraints")


def test_same_triggers(sqlite: Schema, pg: Schema) -> None:
    problems = [f"{t}: trigger {name} ({timing} {event} FOR EACH {each}) in SQLite, not in PostgreSQL"
                for t, name, timing, event, each in sorted(sqlite.triggers - pg.triggers)]
    problems += [f"{t}: trigger {name} ({timing} {event} FOR EACH {each}) in PostgreSQL, not in SQLite"
                 for t, name, timing, event, each in sorted(pg.triggers - sqlite.triggers)]
    _report(problems, "Triggers")


# --- behaviour -----------------------------------------------------------------------------------

NOW = "2026-05-01T10:00:00+00:00"
CHAT = -1002000000001
BIG = 7_000_000_000  # user ids past 32 bits


def _seed_sqlite(con: sqlite3.Connection) -> None:
    con.execute("INSERT INTO chats (id, kind, title, created_at, updated_at) "
                "VALUES (?, 'supergroup', 'G', ?, ?)", (CHAT, NOW, NOW))
    con.execute("INSERT INTO communities (id, created_at, updated_at) VALUES (1, ?, ?)", (NOW, NOW))
    con.execute("INSERT INTO polls (id, community_id, chat_id, number, kind, question, created_by, "
                "created_at) VALUES (1, 1, ?, 1, 'multiple', 'Q', ?, ?)", (CHAT, BIG, NOW))


async def _seed_pg(conn: asyncpg.Connection) -> None:
    await conn.execute("INSERT INTO chats (id, kind, title, created_at, updated_at) "
                       "VALUES ($1, 'supergroup', 'G', $2, $2)", CHAT, NOW)
    await conn.execute("INSERT INTO communities (id, created_at, updated_at) VALUES (1, $1, $1)", NOW)
    await conn.execute("INSERT INTO polls (id, community_id, chat_id, number, kind, question, created_by, "
                       "created_at) VALUES (1, 1, $1, 1, 'multiple', 'Q', $2, $3)", CHAT, BIG, NOW)


# Each step: rows appended to ballot_log in one INSERT (voter, user_id, household_id, choices, note).
STEPS = [
    ("a first vote", [("u1", BIG + 1, None, "[0]", None)]),
    ("a second voter, with a note", [("u2", BIG + 2, None, "[1]", "why")]),
    ("a changed vote keeps its sign-up order", [("u1", BIG + 1, None, "[0, 1]", "changed")]),
    ("a withdrawal deletes the ballot", [("u2", BIG + 2, None, "[]", None)]),
    ("voting again signs up anew", [("u2", BIG + 2, None, "[1]", None)]),
    ("a household's ballot", [("h7", BIG + 3, 7, "[0]", None)]),
    ("withdrawing what was never cast", [("u9", BIG + 9, None, "[]", None)]),
    ("two rows in one statement apply in order", [("u4", BIG + 4, None, "[0]", None),
                                                  ("u4", BIG + 4, None, "[]", None),
                                                  ("u5", BIG + 5, None, "[]", None),
                                                  ("u5", BIG + 5, None, "[1]", None)]),
    ("another owner of the household changes its ballot", [("h7", BIG + 6, 7, "[1]", "co-owner")]),
]
BALLOTS = ("SELECT poll_id, voter, user_id, household_id, choices, note, seq, joined_seq FROM ballots "
           "ORDER BY voter")
LOG = "SELECT id, voter, user_id, household_id, choices, note, source FROM ballot_log ORDER BY id"


async def test_ballot_log_trigger_behaves_alike(sqlite_conn: sqlite3.Connection,
                                                pg_conn: asyncpg.Connection) -> None:
    _seed_sqlite(sqlite_conn)
    await _seed_pg(pg_conn)
    source = 0
    for what, rows in STEPS:
        values = []
        for voter, user_id, household_id, choices, note in rows:
            source += 1
            values.append((1, voter, user_id, household_id, choices, note, f"q{source}", NOW))
        marks = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?)" for _ in values)
        insert = ("INSERT INTO ballot_log (poll_id, voter, user_id, household_id, choices, note, source, at) "
                  "VALUES ")
        sqlite_conn.execute(insert + marks, [v for row in values for v in row])
        numbered = ", ".join("(" + ", ".join(f"${8 * i + k}" for k in range(1, 9)) + ")"
                             for i in range(len(values)))
        await pg_conn.execute(insert + numbered, *[v for row in values for v in row])
        in_sqlite = [tuple(r) for r in sqlite_conn.execute(BALLOTS)]
        in_pg = [tuple(r) for r in await pg_conn.fetch(BALLOTS)]
        assert in_sqlite == in_pg, f"ballots after {what}: SQLite {in_sqlite}, PostgreSQL {in_pg}"
    log_sqlite = [tuple(r) for r in sqlite_conn.execute(LOG)]
    log_pg = [tuple(r) for r in await pg_conn.fetch(LOG)]
    assert log_sqlite == log_pg, f"ballot_log: SQLite {log_sqlite}, PostgreSQL {log_pg}"
    assert [r[1] for r in in_pg] == ["h7", "u1", "u2", "u5"]
    joined = {voter: (seq, joined_seq) for _, voter, _, _, _, _, seq, joined_seq in in_pg}
    assert joined["u1"] == (3, 1) and joined["u2"] == (5, 5) and joined["h7"] == (12, 6)


async def test_drafts_take_only_json_on_both(sqlite_conn: sqlite3.Connection,
                                             pg_conn: asyncpg.Connection) -> None:
    sql = "INSERT INTO drafts (user_id, kind, data, updated_at) VALUES ({}, {}, {}, {})"
    sqlite_conn.execute(sql.format("?", "?", "?", "?"), (BIG, "request", '{"a": [1, "x"]}', NOW))
    await pg_conn.execute(sql.format("$1", "$2", "$3", "$4"), BIG, "request", '{"a": [1, "x"]}', NOW)
    with pytest.raises(sqlite3.IntegrityError):
        sqlite_conn.execute(sql.format("?", "?", "?", "?"), (BIG, "other", "{not json", NOW))
    with pytest.raises(asyncpg.InvalidTextRepresentationError):  # 22P02, where SQLite fails its CHECK
        await pg_conn.execute(sql.format("$1", "$2", "$3", "$4"), BIG, "other", "{not json", NOW)


async def test_the_salt_is_seeded_alike(sqlite_conn: sqlite3.Connection, pg_conn: asyncpg.Connection,
                                        postgres_url: str) -> None:
    """SQLite's 0003 seeds 32 random lower-case hex digits; so does the baseline, anew in each database."""
    another = await fresh_database(postgres_url)
    await migrate_pg(another)
    conn = await asyncpg.connect(another)
    try:
        second = [tuple(r) for r in await conn.fetch("SELECT id, salt FROM idea_salt")]
    finally:
        await conn.close()
    found = {"SQLite": sqlite_conn.execute("SELECT id, salt FROM idea_salt").fetchall(),
             "PostgreSQL": [tuple(r) for r in await pg_conn.fetch("SELECT id, salt FROM idea_salt")],
             "another PostgreSQL database": second}
    for name, rows in found.items():
        assert len(rows) == 1 and rows[0][0] == 1, f"{name}: idea_salt holds {rows}"
        assert re.fullmatch(r"[0-9a-f]{32}", rows[0][1]), f"{name}: salt {rows[0][1]!r} is not 32 hex digits"
    assert found["PostgreSQL"] != second, "two PostgreSQL databases got the same salt"
