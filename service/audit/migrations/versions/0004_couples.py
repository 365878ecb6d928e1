"""Couple mode: pairs (sealed), and the hashes of their codes and tokens.

In the clear: ids, hashes, and creation, expiry and retention times. Everything else of a pair is
sealed (AES-GCM, service/core/sealing.py) in `meta`, `part_a` and `part_b`, each padded to whole
blocks. Decision records may carry a sealed decision (couple entries) instead of clear columns.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.create_table(
        "couples",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("meta", sa.LargeBinary, nullable=False),
        sa.Column("part_a", sa.LargeBinary, nullable=False),
        sa.Column("part_b", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "couple_codes",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("couple_id", sa.String(32), nullable=False, index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("decisions", sa.Column("sealed", sa.Text, nullable=True))


def downgrade():
    op.drop_column("decisions", "sealed")
    op.drop_table("couple_codes")
    op.drop_table("couples")
