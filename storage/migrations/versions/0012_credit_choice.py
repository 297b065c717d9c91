"""how a worker may be credited when the PR team uses their photo

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Null for every existing worker: nobody has chosen yet, and the credit line says so.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributor") as batch:
        batch.add_column(sa.Column("credit", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contributor") as batch:
        batch.drop_column("credit")
