"""push outbox, the worker's notice setting, and feedback fields of a published item

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("retry_key", sa.String(length=36), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("not_before", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("waiting_for_budget", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("sent_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("retry_key"),
        sa.UniqueConstraint("dedup_key"),
    )
    op.create_index("ix_push_outbox_state", "push_outbox", ["state", "id"])
    op.create_index("ix_push_outbox_sent_at", "push_outbox", ["sent_at"])
    with op.batch_alter_table("contributor") as batch:
        batch.add_column(
            sa.Column("notices", sa.String(length=8), nullable=False, server_default="feedback")
        )
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("published_at", storage.columns.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("thanks_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reactions", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("reactions")
        batch.drop_column("thanks_note")
        batch.drop_column("published_at")
    with op.batch_alter_table("contributor") as batch:
        batch.drop_column("notices")
    op.drop_index("ix_push_outbox_sent_at", table_name="push_outbox")
    op.drop_index("ix_push_outbox_state", table_name="push_outbox")
    op.drop_table("push_outbox")
