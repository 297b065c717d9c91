"""The installed package (what the Dockerfile's `pip install .` gets) carries every file genba
reads at run time: catalogues, templates, styles, migrations, seed data. A file that git tracks
but the wheel leaves out works in a checkout and fails in the container."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "webhooks", "richmenu", "media", "storage", "flows", "linesim")


def test_the_wheel_holds_every_tracked_file_of_the_packages(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("genba-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", *PACKAGES], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    missing = [path for path in tracked if path not in inside]
    assert tracked and not missing, f"left out of the wheel: {missing}"
