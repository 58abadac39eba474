"""Substring search in search_text, indexed on both databases (docs/pitfalls.md, "Search in
Chinese").

The answer is always exactly that of `search_text LIKE '%needle%'`; an index only narrows the
rows the LIKE is checked on:
- SQLite: the FTS5 trigram table `projects_search` for needles of 3+ characters (its MATCH
  needs 3); shorter ones scan.
- PostgreSQL: a GIN index on `crm_bigrams(search_text)`, the text's character pairs, for
  needles of 2+ characters. Unlike pg_trgm it finds two-character Chinese names and does not
  depend on the database's LC_CTYPE classifying CJK as letters.
Both are created by the migration `search_and_board_indexes`.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, ColumnElement, Text, and_, cast, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import array

from app.extensions import db
from app.projects.models import Project

FTS_TABLE = "projects_search"


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


def substring_condition(needle: str) -> ColumnElement[bool]:
    """search_text contains the needle (already lower-cased as search_text is)."""
    like = Project.search_text.like(like_pattern(needle), escape="\\")
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite" and len(needle) >= 3:
        matches = (
            select(literal_column("rowid"))
            .select_from(table(FTS_TABLE))
            .where(literal_column(FTS_TABLE).op("MATCH")(fts_phrase(needle)))
        )
        return and_(Project.id.in_(matches), like)
    if dialect == "postgresql" and len(needle) >= 2:
        pairs = cast(array(bigrams(needle)), ARRAY(Text))
        return and_(func.crm_bigrams(Project.search_text).op("@>")(pairs), like)
    return like
