"""the guideline with its consent record, scheduled themes, and examples

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The guideline's entries are seeded by the application from `storage/data/guideline.json` when the
tables are empty (the PR team edits them afterwards), so this revision only makes the tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guideline_category",
        sa.Column("slug", sa.String(length=40), primary_key=True),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("titles", sa.Text(), nullable=False),
    )
    op.create_table(
        "guideline_entry",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "category", sa.String(length=40), sa.ForeignKey("guideline_category.slug"),
            nullable=False,
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("texts", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.columns.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "guideline_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.columns.UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guideline_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("guideline_agreed_at", storage.columns.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("guideline_asked", sa.Integer(), nullable=True))
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("descriptions", sa.Text(), nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("examples", sa.Text(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("updated_at", storage.columns.UTCDateTime(), nullable=True))
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("example", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("example")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        for name in ("updated_at", "examples", "descriptions", "ends_on", "starts_on"):
            batch_op.drop_column(name)
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        for name in ("guideline_asked", "guideline_agreed_at", "guideline_version"):
            batch_op.drop_column(name)
    op.drop_table("guideline_version")
    op.drop_table("guideline_entry")
    op.drop_table("guideline_category")
