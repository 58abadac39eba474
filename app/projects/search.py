"""Substring search in search_text, indexed on both databases (docs/pitfalls.md, "Search in
Chinese").

The answer is always exactly that of `search_text LIKE '%needle%'`; an index only narrows the
rows the LIKE is checked on:
- SQLite: the FTS5 trigram table `projects_search` for needles of 3+ characters (its MATCH
  needs 3). A needle of two Chinese characters, lower-case letters or digits takes the trigrams
  that begin with it from the index's term list (`projects_search_terms`), plus the rows that
  end with it (`ix_projects_search_tail`), migration two_character_search_sqlite; a single
  character, or two of other kinds, scans. A bulk insert may leave its projects out of the
  index until after its commit (`index_after_commit`, listed in `projects_search_pending`,
  migration search_index_after_commit): the search takes the listed ones by LIKE meanwhile.
- PostgreSQL: a GIN index on `crm_bigrams(search_text)`, the text's character pairs, for
  needles of 2+ characters. Unlike pg_trgm it finds two-character Chinese names and does not
  depend on the database's LC_CTYPE classifying CJK as letters.
Both are created by the migration `search_and_board_indexes`.
"""

from __future__ import annotations

import logging
import string
import unicodedata

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core import after_commit
from app.core.db import give_writers_a_turn
from app.extensions import db
from app.projects.models import Project

log = logging.getLogger(__name__)

FTS_TABLE = "projects_search"
TERMS_TABLE = "projects_search_terms"
PENDING_TABLE = "projects_search_pending"
TAIL_INDEX = "ix_projects_search_tail"
PLAIN = frozenset(string.ascii_lowercase + string.digits)
CATCH_UP_CHUNK = 1000  # projects indexed per transaction after a bulk insert (about 20 ms)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with %, _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def bigrams(text: str) -> list[str]:
    """The distinct character pairs of a text (华润置地 → 华润, 润置, 置地), as crm_bigrams."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def fts_phrase(text: str) -> str:
    """The text as one FTS5 phrase: a substring for the trigram tokenizer."""
    return '"' + text.replace('"', '""') + '"'


def _matching(query: str):
    return (
        select(literal_column("rowid"))
        .select_from(table(FTS_TABLE))
        .where(literal_column(FTS_TABLE).op("MATCH")(query))
    )


def unfolded(needle: str) -> bool:
    """Every character is one the trigram index keeps as it is (Chinese, a-z, 0-9), so that
    the index's terms that begin with it are exactly its own followed by one more."""
    return all(c in PLAIN or unicodedata.category(c) == "Lo" for c in needle)


def _pair_members(pair: str) -> list:
    """SQLite: the ids of the rows that may hold a pair of characters: those holding a trigram
    that begins with it, and those ending with it (no trigram holds a pair at the end)."""
    term = literal_column("term")
    terms = db.session.scalars(
        select(term).select_from(table(TERMS_TABLE)).where(term >= pair, term < pair + "\U0010ffff")
    ).all()
    # Named: ANALYZE finds most texts ending alike (…gongsi), and SQLite then scans instead.
    ending = (
        select(literal_column("id"))
        .select_from(text(f"projects INDEXED BY {TAIL_INDEX}"))
        .where(literal_column("substr(search_text, -2)") == pair)
    )
    found = [_matching(" OR ".join(map(fts_phrase, terms)))] if terms else []
    return [*found, ending]


def substring_condition(needle: str) -> ColumnElement[bool]:
    """search_text contains the needle (already lower-cased as search_text is)."""
    like = Project.search_text.like(like_pattern(needle), escape="\\")
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite" and (len(needle) >= 3 or (len(needle) == 2 and unfolded(needle))):
        members = [_matching(fts_phrase(needle))] if len(needle) >= 3 else _pair_members(needle)
        not_yet_indexed = select(literal_column("project_id")).select_from(table(PENDING_TABLE))
        return and_(Project.id.in_(union_all(*members, not_yet_indexed)), like)
    if dialect == "postgresql" and len(needle) >= 2:
        pairs = cast(array(bigrams(needle)), ARRAY(Text))
        return and_(func.crm_bigrams(Project.search_text).op("@>")(pairs), like)
    return like


def index_after_commit(ids: list[int]) -> None:
    """SQLite: leave the projects about to be inserted with these ids out of the trigram index
    until their transaction has committed, then index them in short transactions of their own
    (the index is much of what a large import does while it holds the one write lock). Call
    before inserting them; elsewhere a no-op."""
    if not ids or db.session.get_bind().dialect.name != "sqlite":
        return
    listed = text("INSERT INTO projects_search_pending (project_id) VALUES (:id)")
    db.session.execute(listed, [{"id": i} for i in ids])
    after_commit.note(db.session, "search_index")


def catch_up(engine: Engine) -> int:
    """Index the pending projects, CATCH_UP_CHUNK per transaction; return how many. Safe to
    run anywhere at any time: each chunk takes the write lock, so no two runs take the same."""
    if engine.dialect.name != "sqlite":
        return 0
    chosen = text("SELECT project_id FROM projects_search_pending ORDER BY project_id LIMIT :n")
    index = text(
        "INSERT INTO projects_search (rowid, search_text) "
        "SELECT id, search_text FROM projects WHERE id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    forget = text("DELETE FROM projects_search_pending WHERE project_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    done = 0
    while True:
        with engine.begin() as conn:
            ids = list(conn.execute(chosen, {"n": CATCH_UP_CHUNK}).scalars())
            if not ids:
                return done
            conn.execute(index, {"ids": ids})
            conn.execute(forget, {"ids": ids})
        done += len(ids)
        if len(ids) == CATCH_UP_CHUNK:
            give_writers_a_turn(engine)


def _catch_up_after_commit(session: Session, _items: set) -> None:
    """The committed insert's projects into the index. Should it fail, they stay findable by
    LIKE and the next run (any such commit, the workers' heartbeat) indexes them."""
    try:
        catch_up(session.get_bind(mapper=Project.__mapper__))
    except Exception:  # noqa: BLE001 - never fail a committed import over its index
        log.exception("indexing the imported projects for search failed")


after_commit.register("search_index", _catch_up_after_commit, left_over=catch_up)
