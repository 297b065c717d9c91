"""sites (stores, factories), the worker's site and language choices, the site of a submission

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`contributor.language` is what the LINE profile says and is refreshed from it; `chosen_language`
is the worker's own choice in the settings, which the profile never overwrites. Null: no choice.
Sites are retired, never deleted; a submission keeps the site's id and its name at the time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("retired_at", storage.columns.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen_language", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("site_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key("fk_contributor_site", "site", ["site_id"], ["id"])
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("site_name", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key("fk_submission_site", "site", ["site_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint("fk_submission_site", type_="foreignkey")
        batch_op.drop_column("site_name")
        batch_op.drop_column("site_id")
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contributor_site", type_="foreignkey")
        batch_op.drop_column("site_id")
        batch_op.drop_column("chosen_language")
    op.drop_table("site")
