"""Where an installed user's state lives when no setting says: the platform's user data directory.

A relative ``data/`` would follow whatever directory the command runs in (a new, empty index each
time one forgets to ``cd``); this is one fixed place per user. The rule is the XDG base directory
one (``$XDG_DATA_HOME``, else ``~/.local/share``), ``~/Library/Application Support`` on macOS and
``%LOCALAPPDATA%`` on Windows, as platformdirs gives them, each with ``news-claims-pipeline`` under it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path, PurePath

APP_DIR = "news-claims-pipeline"


def user_data_dir(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    """The per-user data directory, from ``environ`` (the caller's environment; never ``os.environ``).

    Pure: nothing is created. Without ``HOME`` (or ``USERPROFILE`` on Windows) in ``environ`` the
    account's home directory stands in.
    """
    if platform == "win32":
        local = environ.get("LOCALAPPDATA")
        return (Path(local) if local else _home(environ, "USERPROFILE") / "AppData" / "Local") / APP_DIR
    if platform == "darwin":
        return _home(environ, "HOME") / "Library" / "Application Support" / APP_DIR
    xdg = environ.get("XDG_DATA_HOME", "")
    # The XDG spec: a relative path is invalid and must be ignored.
    data = Path(xdg) if xdg and PurePath(xdg).is_absolute() else _home(environ, "HOME") / ".local" / "share"
    return data / APP_DIR


def _home(environ: Mapping[str, str], name: str) -> Path:
    value = environ.get(name)
    return Path(value) if value else Path.home()
