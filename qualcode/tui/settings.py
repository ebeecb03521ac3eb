"""Per-user settings of the TUI: which coder works on which project, and the user's own keys.

Kept in the user's config folder (``QUALCODE_CONFIG_DIR`` overrides it), not in the project
file, because two coders may open copies of the same project on one machine. The file is
``settings.json``::

    {
      "coders": {"/home/kari/studie.qualcode": "KN"},
      "keys": {"coding.code": "C", "coding.next_unit": "ctrl+n"}
    }

``keys`` maps a binding's id (shown by ``?``, such as ``coding.code``) to the key or keys
(comma-separated) that replace its default; see :func:`keymap`.

Settings are a convenience: a folder that cannot be written (full, read-only) makes
:func:`remember_coder` raise a :class:`SettingsError`, which the workbench shows as a warning
and carries on.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

from ..core.errors import UserError
from ..store.pg.url import project_key


class SettingsError(UserError):
    """The settings file could not be written (or read as JSON)."""


def config_dir() -> Path:
    override = os.environ.get("QUALCODE_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("qualcode")


def settings_file() -> Path:
    return config_dir() / "settings.json"


def _load() -> dict[str, Any]:
    try:
        data = json.loads(settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(data: dict[str, Any]) -> None:
    path = settings_file()
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise SettingsError(f"could not save your settings in {path}: {exc.strerror or exc}") from exc


def remembered_coder(project: str | Path) -> str | None:
    coders = _load().get("coders", {})
    coder = coders.get(project_key(project)) if isinstance(coders, dict) else None
    return coder if isinstance(coder, str) else None


def remember_coder(project: str | Path, coder: str) -> None:
    """Remember ``coder`` for ``project``; :class:`SettingsError` if the file cannot be written."""
    data = _load()
    coders = data.get("coders")
    if not isinstance(coders, dict):
        coders = data["coders"] = {}
    key = project_key(project)
    if coders.get(key) == coder:
        return  # nothing new: no write (a read-only config folder is no problem then)
    coders[key] = coder
    _save(data)


def keymap() -> tuple[dict[str, str], list[str]]:
    """The user's keys: binding id -> key(s), for ``App.set_keymap``; and what was wrong with
    the ``keys`` setting (entries that are not text are left out and named)."""
    keys = _load().get("keys", {})
    if not isinstance(keys, dict):
        return {}, [f'"keys" in {settings_file()} must map binding ids to keys, like {{"coding.code": "C"}}']
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, key in keys.items():
        if isinstance(key, str) and key.strip():
            good[str(binding_id)] = ",".join(k.strip() for k in key.split(",") if k.strip())
        else:
            problems.append(f"the key for {binding_id!r} in {settings_file()} must be text, like \"ctrl+k\"")
    return good, problems
