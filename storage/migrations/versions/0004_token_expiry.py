"""an optional end for admin API tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

`expires_at` null means the token works until it is revoked, as every token made before this
revision does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", storage.columns.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Older code knows no end: a token past its end must not come back to life there.
    op.execute(
        sa.text("UPDATE api_token SET revoked_at = expires_at "
                "WHERE expires_at IS NOT NULL AND revoked_at IS NULL")
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
