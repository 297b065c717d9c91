"""Files and folders only the service's user may read: 0700 folders, 0600 files.

Modes are set where each path is made, not left to the process umask: the umask depends on how
the process was started (a shell, systemd, a container, a test runner), and it cannot close
paths that an older version already left open. An explicit mode can only lose bits to the
umask, never gain them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("genba.storage")

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_folder(path: Path) -> Path:
    """Create `path` and its missing parents as private folders; existing ones stay as they are.

    (`Path.mkdir(parents=True)` would give the parents the umask's default mode.)
    """
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        # Another thread or process may make it meanwhile.
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=FOLDER_MODE)
    return path


def open_file(path: str | os.PathLike[str], flags: int) -> int:
    """An `opener` for `open()` that creates files private (`open(p, "wb", opener=open_file)`)."""
    return os.open(path, flags, FILE_MODE)


def create_file(path: Path) -> None:
    """Create an empty private file unless it exists, e.g. before SQLite opens it."""
    os.close(open_file(path, os.O_WRONLY | os.O_CREAT))


def close_up(path: Path) -> None:
    """Take group and other access away from one of our own files or folders, if it exists."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    wanted = FOLDER_MODE if path.is_dir() else FILE_MODE
    if mode & ~wanted:
        try:
            path.chmod(mode & wanted)
        except PermissionError:
            # Someone else's folder (a volume mounted for us): what we create inside is private
            # all the same, so say so rather than refuse to start.
            log.warning("%s is open to others (mode %o) and not ours to close", path, mode)
