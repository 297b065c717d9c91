"""videos' running time, and when a worker was told their photo or video failed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

Both columns are null for every row made before this revision: no video was stored before, and
no failure notice was ever sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("notice_sent_at", storage.columns.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("notice_key", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_column("notice_key")
        batch_op.drop_column("notice_sent_at")
        batch_op.drop_column("duration_ms")
