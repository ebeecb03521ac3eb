"""Import manifests: a whole study's transcripts, groups and roles in one YAML file.

::

    codebook: ../codebooks/et_bedre_liv.yaml      # optional, used by 'qualcode example'
    transcripts:
      - file: fg1.docx                            # relative to the manifest
        title: Fokusgruppe 1 (blandet)
        group: Fokusgruppe 1
        attributes: {institusjon: Solbakken, dato: "2026-03-12", type: blandet}
        roles: ["P*=pasient", "Ansatt*=ansatt", "Intervjuer=moderator"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UserError
from ..core.yamlfile import parse_yaml, read_text_file

ENTRY_KEYS = {"file", "title", "group", "attributes", "roles", "encoding"}


@dataclass(slots=True)
class ManifestEntry:
    file: Path
    line: int
    title: str | None = None
    group: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    encoding: str | None = None


@dataclass(slots=True)
class Manifest:
    path: Path
    entries: list[ManifestEntry]
    codebook: Path | None = None


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    source = str(path)
    data = parse_yaml(read_text_file(path, "manifest"), source)
    if not isinstance(data, dict) or not isinstance(data.get("transcripts"), list):
        raise UserError("a manifest needs a 'transcripts:' list", path=source, line=1)
    base = path.parent
    codebook = data.get("codebook")
    entries = []
    for item in data["transcripts"]:
        if not isinstance(item, dict) or "file" not in item:
            line = item["__line__"] if isinstance(item, dict) else None
            raise UserError("each transcript entry needs 'file:'", path=source, line=line)
        for key, line in item["__lines__"].items():
            if key not in ENTRY_KEYS:
                raise UserError(f"unknown field {key!r} (known: {', '.join(sorted(ENTRY_KEYS))})", path=source, line=line)
        attributes = item.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise UserError("'attributes' must be a mapping", path=source, line=item["__lines__"]["attributes"])
        roles = item.get("roles") or []
        if not isinstance(roles, list):
            raise UserError("'roles' must be a list like ['P*=pasient']", path=source, line=item["__lines__"]["roles"])
        entries.append(ManifestEntry(
            file=base / str(item["file"]),
            line=item["__line__"],
            title=str(item["title"]) if item.get("title") else None,
            group=str(item["group"]) if item.get("group") else None,
            attributes={str(k): str(v) for k, v in attributes.items() if not str(k).startswith("__")},
            roles=[str(r) for r in roles],
            encoding=str(item["encoding"]) if item.get("encoding") else None,
        ))
    return Manifest(path=path, entries=entries, codebook=base / str(codebook) if codebook else None)
