"""Create the decisions table.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("ruleset_digest", sa.String(71), nullable=False),
        sa.Column("recommendation", sa.String(32), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("fired_rules", sa.JSON, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("answers", sa.JSON, nullable=True),
    )
    op.create_index("ix_decisions_created_at", "decisions", ["created_at"])


def downgrade():
    op.drop_index("ix_decisions_created_at", "decisions")
    op.drop_table("decisions")
