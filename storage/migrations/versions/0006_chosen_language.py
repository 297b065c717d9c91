"""the language a worker chose in the bot's settings

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03

`contributor.language` is what the LINE profile says and is refreshed from it; `chosen_language`
is the worker's own choice in the settings, which the profile never overwrites. Null: no choice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen_language", sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.drop_column("chosen_language")
