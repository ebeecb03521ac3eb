"""Per-user settings of the TUI: which coder works on which project.

Kept in the user's config folder (``QUALCODE_CONFIG_DIR`` overrides it), not in the project
file, because two coders may open copies of the same project on one machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs


def config_dir() -> Path:
    override = os.environ.get("QUALCODE_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("qualcode")


def _settings_file() -> Path:
    return config_dir() / "settings.json"


def _load() -> dict:
    try:
        return json.loads(_settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remembered_coder(project: str | Path) -> str | None:
    return _load().get("coders", {}).get(str(Path(project).resolve()))


def remember_coder(project: str | Path, coder: str) -> None:
    data = _load()
    data.setdefault("coders", {})[str(Path(project).resolve())] = coder
    path = _settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
