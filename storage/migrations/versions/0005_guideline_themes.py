"""the guideline with its consent record, scheduled themes, and examples

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The guideline's entries are seeded by the application from `storage/data/guideline.json` when the
tables are empty (the PR team edits them afterwards), so this revision makes the tables, and
translates the default themes of 0002 (titles and "what to send") into every worker language.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The default themes of 0002 in every worker language (titles ≤ 20 characters: they are quick-reply
# labels). Applied only to a theme the PR team has not translated yet (translations still 0002's).
# Frozen here on purpose, like 0002's own list.
DEFAULT_THEMES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "daily-work": ("Daily work", {
        "ja-x-easy": ("まいにちの しごと", "いつもの しごと、あさの あつまり、どうぐ、しごとばの ようす。ふだんの しゃしんが いちばん よく つたわります。"),
        "en": ("Daily work", "Everyday tasks, the morning meeting, tools, your workplace. An ordinary photo says the most."),
        "vi": ("Công việc hằng ngày", "Công việc thường ngày, buổi họp sáng, dụng cụ, nơi làm việc. Một tấm ảnh bình thường nói được nhiều nhất."),
        "pt-BR": ("Trabalho diário", "Tarefas do dia, a reunião da manhã, ferramentas, o local de trabalho. Uma foto comum é a que mais mostra."),
        "id": ("Kerja sehari-hari", "Pekerjaan sehari-hari, apel pagi, peralatan, suasana tempat kerja. Foto biasa justru paling bercerita."),
        "tl": ("Araw-araw na trabaho", "Karaniwang gawain, pulong sa umaga, mga gamit, ang lugar ng trabaho. Ang simpleng litrato ang pinakamalinaw."),
        "zh-Hans": ("日常工作", "平时的作业、早会、工具、工作场所的样子。平常的一张照片最能传达。"),
    }),
    "events": ("Events & programmes", {
        "ja-x-easy": ("ぎょうじ・かいしゃの とりくみ", "おまつり、ひょうしょう、けんしゅう、ちいきの かつどう、あんぜん しゅうかん など。"),
        "en": ("Events & programmes", "Festivals, awards, training, local community activities, safety week and more."),
        "vi": ("Sự kiện của công ty", "Lễ hội, khen thưởng, đào tạo, hoạt động địa phương, tuần lễ an toàn, v.v."),
        "pt-BR": ("Eventos e programas", "Festas, premiações, treinamentos, ações na comunidade, semana de segurança etc."),
        "id": ("Acara & program", "Festival, penghargaan, pelatihan, kegiatan warga sekitar, pekan keselamatan, dan lainnya."),
        "tl": ("Mga kaganapan", "Pista, parangal, training, gawain sa komunidad, safety week, at iba pa."),
        "zh-Hans": ("活动与公司举措", "节日活动、表彰、培训、地区活动、安全周等。"),
    }),
    "people": ("People & thoughts", {
        "ja-x-easy": ("なかまと きもち", "いっしょに はたらく なかま、あたらしい ひと、ベテランの ひと。かおが なくても、てや うしろすがたで つたわります。"),
        "en": ("People & thoughts", "Your colleagues, newcomers, veterans. No face needed: hands or a back view tell the story too."),
        "vi": ("Con người & tâm tư", "Đồng nghiệp, người mới, người lâu năm. Không cần lộ mặt: đôi tay hay dáng lưng cũng đủ kể chuyện."),
        "pt-BR": ("Pessoas e histórias", "Colegas, novatos, veteranos. Não precisa mostrar o rosto: mãos ou costas também contam a história."),
        "id": ("Orang & cerita", "Rekan kerja, karyawan baru, senior. Tak perlu wajah: tangan atau punggung pun sudah bercerita."),
        "tl": ("Mga tao at saloobin", "Mga kasama sa trabaho, bago at beterano. Hindi kailangan ang mukha: kamay o likod ay sapat na."),
        "zh-Hans": ("人与心意", "一起工作的同事、新人、老员工。不露脸也可以，手部或背影同样能传达。"),
    }),
    "craft": ("Craft and know-how", {
        "ja-x-easy": ("わざと くふう", "てもとの わざ、じゅんびの くふう、どうぐの ていれ、ひんしつへの こだわり。"),
        "en": ("Craft and know-how", "Skilled hands, clever preparation, caring for tools, attention to quality."),
        "vi": ("Tay nghề & sáng kiến", "Kỹ năng đôi tay, cách chuẩn bị khéo léo, bảo dưỡng dụng cụ, sự tỉ mỉ về chất lượng."),
        "pt-BR": ("Técnica e capricho", "Habilidade nas mãos, boa organização, cuidado com as ferramentas, atenção à qualidade."),
        "id": ("Keahlian & kiat", "Keterampilan tangan, persiapan yang cermat, merawat alat, perhatian pada mutu."),
        "tl": ("Husay at diskarte", "Husay ng kamay, maayos na paghahanda, pag-aalaga sa gamit, malasakit sa kalidad."),
        "zh-Hans": ("技艺与巧思", "手上的技艺、准备工作的巧思、工具保养、对品质的讲究。"),
    }),
    "seasons": ("Seasonal touches", {
        "ja-x-easy": ("きせつの ようす", "きせつの かざり、いまが しゅんの しょうひん、まどの そとの けしき、なつや ふゆの くふう。"),
        "en": ("Seasonal touches", "Seasonal decorations, products in season, the view outside, ways to beat summer heat or winter cold."),
        "vi": ("Khoảnh khắc bốn mùa", "Đồ trang trí theo mùa, sản phẩm đúng mùa, cảnh bên ngoài cửa sổ, mẹo vượt qua mùa hè hay mùa đông."),
        "pt-BR": ("Momentos da estação", "Decoração da estação, produtos da época, a vista da janela, jeitos de enfrentar o calor ou o frio."),
        "id": ("Suasana musim", "Hiasan musiman, produk musim ini, pemandangan di luar jendela, akal menghadapi panas atau dingin."),
        "tl": ("Tanawin ng panahon", "Palamuti ng panahon, produktong pana-panahon, tanawin sa labas ng bintana, diskarte sa init o lamig."),
        "zh-Hans": ("季节一瞬", "应季装饰、时令商品、窗外的风景、夏天或冬天的小巧思。"),
    }),
    "customers": ("Care for customers", {
        "ja-x-easy": ("おきゃくさまへの こころづかい", "うりばづくり、ていねいな こんぽう、おきゃくさまへの ひと くふう。おきゃくさまの かおは うつさないで ください。"),
        "en": ("Care for customers", "Setting up the sales floor, careful packing, the extra touch for customers. Please keep customers' faces out of the photo."),
        "vi": ("Chu đáo với khách", "Bày trí quầy hàng, đóng gói cẩn thận, sự chu đáo với khách. Xin đừng chụp mặt khách hàng."),
        "pt-BR": ("Cuidado com clientes", "Montagem da loja, embalagem caprichada, o cuidado extra com o cliente. Não fotografe o rosto dos clientes."),
        "id": ("Peduli pelanggan", "Menata area jual, mengemas dengan rapi, perhatian kecil untuk pelanggan. Jangan memotret wajah pelanggan."),
        "tl": ("Alaga sa customer", "Pag-aayos ng tindahan, maingat na pagbabalot, dagdag na malasakit sa customer. Huwag kunan ang mukha ng customer."),
        "zh-Hans": ("用心对待顾客", "卖场布置、细心包装、为顾客多花的心思。请不要拍到顾客的脸。"),
    }),
    "other": ("Other", {
        "ja-x-easy": ("そのほか", "どの テーマにも あわないけれど、つたえたい こと。"),
        "en": ("Other", "Something you want to share that fits no other theme."),
        "vi": ("Khác", "Điều bạn muốn chia sẻ nhưng không hợp với chủ đề nào."),
        "pt-BR": ("Outros", "Algo que você quer mostrar e que não cabe em outro tema."),
        "id": ("Lainnya", "Hal yang ingin Anda bagikan tapi tidak cocok dengan tema lain."),
        "tl": ("Iba pa", "Bagay na gusto mong ibahagi pero hindi bagay sa ibang tema."),
        "zh-Hans": ("其他", "不属于任何主题，但想分享的内容。"),
    }),
}


def _theme_table() -> sa.TableClause:
    return sa.table(
        "theme",
        sa.column("slug", sa.String),
        sa.column("translations", sa.Text),
        sa.column("descriptions", sa.Text),
    )


def _translate_default_themes() -> None:
    theme = _theme_table()
    for slug, (english, texts) in DEFAULT_THEMES.items():
        op.execute(
            theme.update()
            .where((theme.c.slug == slug) & (theme.c.translations == json.dumps({"en": english})))
            .values(
                translations=json.dumps({k: t for k, (t, _) in texts.items()}, ensure_ascii=False),
                descriptions=json.dumps({k: d for k, (_, d) in texts.items()}, ensure_ascii=False),
            )
        )


def _untranslate_default_themes() -> None:
    theme = _theme_table()
    for slug, (english, texts) in DEFAULT_THEMES.items():
        full = json.dumps({k: t for k, (t, _) in texts.items()}, ensure_ascii=False)
        op.execute(
            theme.update()
            .where((theme.c.slug == slug) & (theme.c.translations == full))
            .values(translations=json.dumps({"en": english}))
        )


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
    _translate_default_themes()


def downgrade() -> None:
    _untranslate_default_themes()
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
