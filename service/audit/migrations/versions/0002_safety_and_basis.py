"""Record each decision's channel, safety concerns, questionnaire and the basis of every reported rule.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("questionnaire", sa.String(32), nullable=True))
        batch.add_column(sa.Column("safety", sa.JSON, nullable=True))
        batch.add_column(sa.Column("reasons", sa.JSON, nullable=True))
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))


def downgrade():
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("channel")
        batch.drop_column("reasons")
        batch.drop_column("safety")
        batch.drop_column("questionnaire")
