"""an index of the jobs waiting for admission

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

The webhook stores its jobs as `new` and each claim admits the oldest of them (storage/jobs.py).
Without an index of its own, finding the oldest `new` jobs read the table from its first row
(SQLite) or sorted every `new` job (PostgreSQL) on every claim. Partial, so it holds only the
jobs waiting; ids grow, so the webhook appends to it. Web and worker processes must run the
same revision: a worker of an older one would never admit the jobs a newer web process stores.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "state = 'new'"


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_new",
            ["id"],
            unique=False,
            sqlite_where=sa.text(WHERE),
            postgresql_where=sa.text(WHERE),
        )


def downgrade() -> None:
    # Code before this revision never admits `new` jobs: hand them to its queue instead.
    op.execute("UPDATE job SET state = 'queued' WHERE state = 'new'")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_new", sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
