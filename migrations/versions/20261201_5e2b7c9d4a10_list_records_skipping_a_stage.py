"""List records skipping a stage: funds before signing, milestone gaps (changes no data)

Funds arrive only for a signed project, on or after its signing, and no milestone is dated
while an earlier one is missing (docs/domain.md, "Milestones and stages", "Funds entry"). Screens and
imports enforce this from now on; this migration only reports how many stored records break
it, so the bureau can correct them by hand (`flask --app wsgi check-stages` lists them, and
so does the screen 到位资金 → 阶段缺失核查). Nothing is changed.

Revision ID: 5e2b7c9d4a10
Revises: 3c1d0e7a5b21
Create Date: 2026-12-01
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "5e2b7c9d4a10"
down_revision = "3c1d0e7a5b21"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

FUNDS = sa.text(
    "SELECT count(*) FROM funds_entries f JOIN projects p ON p.id = f.project_id "
    "WHERE p.deleted_at IS NULL AND f.status <> 'rejected' "
    "AND (p.signed_on IS NULL OR f.received_on < p.signed_on)"
)
GAPS = sa.text(
    "SELECT count(*) FROM projects WHERE deleted_at IS NULL AND ("
    "(registered_on IS NOT NULL AND signed_on IS NULL) OR "
    "(started_on IS NOT NULL AND (signed_on IS NULL OR registered_on IS NULL)) OR "
    "(operating_on IS NOT NULL AND (signed_on IS NULL OR registered_on IS NULL "
    "OR started_on IS NULL)))"
)


def upgrade():
    bind = op.get_bind()
    funds = bind.execute(FUNDS).scalar_one()
    gaps = bind.execute(GAPS).scalar_one()
    if funds or gaps:
        log.warning(
            "阶段缺失核查：%s 笔到位资金早于签约或项目未签约，%s 个项目跳过了前一步；"
            "未作修改，请运行 flask --app wsgi check-stages 查看", funds, gaps,
        )


def downgrade():
    pass
