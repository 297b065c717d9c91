"""default themes for shop floors and stores

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

English titles stay within LINE's 20-character button labels. The PR team edits these later;
this is only a sensible start, so a new installation can take
photos on day one. Frozen here on purpose: later code changes must not rewrite past migrations.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THEMES = [
    ("daily-work", "毎日の仕事", "Daily work",
     "いつもの作業、朝礼、道具、仕事場のようす。ふだんの一枚がいちばん伝わります。"),
    ("events", "行事・会社の取り組み", "Events & programmes",
     "お祭り、表彰、研修、地域の活動、安全週間など。"),
    ("people", "人と想い", "People & thoughts",
     "一緒に働く仲間、新人さん、ベテランさん。顔を出さなくても、手元や後ろ姿で伝わります。"),
    ("craft", "技とくふう", "Craft and know-how",
     "手元の技、段取りのくふう、道具の手入れ、品質へのこだわり。"),
    ("seasons", "季節のひとこま", "Seasonal touches",
     "季節のかざり、旬の商品、窓の外の景色、夏や冬の工夫。"),
    ("customers", "お客さまへの心づかい", "Care for customers",
     "売り場づくり、ていねいな梱包、お客さまへのひと手間。お客さまの顔は写さないでください。"),
    ("other", "その他", "Other", "どのテーマにも合わないけれど、伝えたいこと。"),
]


def upgrade() -> None:
    theme = sa.table(
        "theme",
        sa.column("slug", sa.String),
        sa.column("title", sa.String),
        sa.column("translations", sa.Text),
        sa.column("description", sa.Text),
        sa.column("month", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("sort_order", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        theme,
        [
            {
                "slug": slug,
                "title": title,
                "translations": json.dumps({"en": english}),
                "description": description,
                "month": None,
                "active": True,
                "sort_order": (i + 1) * 10,
                "created_at": now,
            }
            for i, (slug, title, english, description) in enumerate(THEMES)
        ],
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM theme WHERE slug IN :slugs").bindparams(
            sa.bindparam("slugs", [t[0] for t in THEMES], expanding=True)
        )
    )
