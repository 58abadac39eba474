"""full pinyin in search_text

projects.search_text gains the full pinyin of the name, the investor and the USCC
(华润 → huarun) after their initials (app/projects/names.py `search_text`). Existing rows are
rewritten here; the SQLite FTS5 table and the PostgreSQL bigram index follow the UPDATE by
themselves (trigger / expression index). Downgrade rewrites them without the full pinyin.

The text is computed by a frozen copy of search_text as of this revision, not by importing the
application, so a later change there does not change what this migration did.

Revision ID: 9a7e3c1f2b64
Revises: 4c4f5aac75bb
Create Date: 2026-12-02 01:40:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

# revision identifiers, used by Alembic.
revision = '9a7e3c1f2b64'
down_revision = '4c4f5aac75bb'
branch_labels = None
depends_on = None

BATCH = 1000
INITIAL_ALIASES = {"单县": "sx", "六安": "la", "蚌埠": "bb", "长沙": "cs", "重庆": "cq"}
FULL_ALIASES = {
    "单县": "shanxian", "六安": "luan", "蚌埠": "bengbu", "长沙": "changsha", "重庆": "chongqing",
}
_HAN_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_HAN = re.compile(f"(?:{_HAN_CLASS})+")
_HAN_RUNS = re.compile(f"((?:{_HAN_CLASS})+)")


def _plain(text):
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _reading(text, aliases, style):
    for place, alias in aliases.items():
        text = text.replace(place, "\0" + alias + "\0")
    return "".join(
        _plain("".join(lazy_pinyin(part, style=style))) if _HAN.fullmatch(part) else _plain(part)
        for part in _HAN_RUNS.split(text)
        if part
    )


def search_text(fields, with_full_pinyin):
    present = [unicodedata.normalize("NFKC", f).lower() for f in fields if f]
    short = [_reading(f, INITIAL_ALIASES, Style.FIRST_LETTER) for f in present]
    full = []
    if with_full_pinyin:
        for f, i in zip(present, short, strict=True):
            p = _reading(f, FULL_ALIASES, Style.NORMAL)
            if p not in (f, i):
                full.append(p)
    return " | ".join(present + short + full)


def _rewrite(with_full_pinyin):
    bind = op.get_bind()
    projects = sa.table(
        'projects', sa.column('id', sa.Integer), sa.column('name', sa.String),
        sa.column('investor_name', sa.String), sa.column('uscc', sa.String),
        sa.column('search_text', sa.Text),
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(projects.c.id, projects.c.name, projects.c.investor_name,
                      projects.c.uscc, projects.c.search_text)
            .where(projects.c.id > last_id).order_by(projects.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            text = search_text((row.name, row.investor_name, row.uscc), with_full_pinyin)
            if text != row.search_text:
                bind.execute(
                    projects.update().where(projects.c.id == row.id).values(search_text=text)
                )
        last_id = rows[-1].id


def upgrade():
    _rewrite(with_full_pinyin=True)


def downgrade():
    _rewrite(with_full_pinyin=False)
