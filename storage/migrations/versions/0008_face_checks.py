"""faces found in each photo, and the PR team's check of its blurred variant

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

`faces` (the count) exists since 0001; a photo stored before this revision keeps null counts
and boxes, which the review rules treat as "not counted": a `blur` or `no_face` photo then needs
a human check.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("face_boxes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("face_check", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("face_checked_by", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("face_checked_at", storage.columns.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_column("face_checked_at")
        batch_op.drop_column("face_checked_by")
        batch_op.drop_column("face_check")
        batch_op.drop_column("face_boxes")
