"""The Japanese font the image is drawn with: Noto Sans CJK JP from Debian's fonts-noto-cjk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"),)  # where fonts-noto-cjk puts them
FACE = "Noto Sans CJK JP"  # the collections hold JP, KR, SC, TC and HK; only JP draws 写 right
INSTALL_HINT = (
    "the rich menu is drawn with the Japanese font Noto Sans CJK (Debian's fonts-noto-cjk), "
    "which is not installed. Install it with `scripts/install-fonts` as root (or `sudo apt-get "
    "install fonts-noto-cjk`); `make test` runs that script for you."
)


class FontMissing(Exception):
    """The Japanese font is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Fonts:
    """The bold and regular Japanese faces: collection files and the JP face's index in each."""

    bold: Path
    bold_index: int
    regular: Path
    regular_index: int

    def bold_at(self, size: int) -> ImageFont.FreeTypeFont:
        """Return the bold face at a pixel size."""
        return ImageFont.FreeTypeFont(str(self.bold), size, index=self.bold_index)

    def regular_at(self, size: int) -> ImageFont.FreeTypeFont:
        """Return the regular face at a pixel size."""
        return ImageFont.FreeTypeFont(str(self.regular), size, index=self.regular_index)


def _jp_index(path: Path) -> int | None:
    """Return the index of the JP face in a font collection, None if it holds none."""
    for index in range(16):
        try:
            # Not `truetype()`: on a damaged file it quietly searches the system's font folders.
            family, _style = ImageFont.FreeTypeFont(str(path), 10, index=index).getname()
        except OSError:
            return None  # past the last face, or not a font at all
        if family == FACE:
            return index
    return None


def find(dirs: Sequence[Path] = FONT_DIRS) -> Fonts:
    """Find the bold and regular Japanese faces, or raise FontMissing saying how to install them."""
    found: dict[str, tuple[Path, int]] = {}
    for weight in ("Bold", "Regular"):
        for folder in dirs:
            path = folder / f"NotoSansCJK-{weight}.ttc"
            index = _jp_index(path) if path.is_file() else None
            if index is not None:
                found[weight] = (path, index)
                break
        else:
            raise FontMissing(INSTALL_HINT)
    (bold, bold_index), (regular, regular_index) = found["Bold"], found["Regular"]
    return Fonts(bold, bold_index, regular, regular_index)
