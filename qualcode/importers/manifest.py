"""Import manifests: a whole study's transcripts, groups and roles in one YAML file.

::

    codebook: et_bedre_liv.yaml                   # optional, used by 'qualcode example'
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
    codings: Path | None = None  # a coding list (see load_coding_list), e.g. the example's


@dataclass(slots=True)
class QuotedCoding:
    """One meaning unit given by its quote: which coders coded it, with which code."""

    file: str
    quote: str
    codes: dict[str, str]  # coder -> code id
    line: int
    condensed: str = ""
    star: bool = False


@dataclass(slots=True)
class CodingList:
    path: Path
    codings: list[QuotedCoding]
    hide: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)


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
                known = ", ".join(sorted(ENTRY_KEYS))
                raise UserError(f"unknown field {key!r} (known: {known})", path=source, line=line)
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
    codings = data.get("codings")
    return Manifest(path=path, entries=entries, codebook=base / str(codebook) if codebook else None,
                    codings=base / str(codings) if codings else None)


def load_coding_list(path: str | Path, default_coders: tuple[str, ...] = ("AB", "CD")) -> CodingList:
    """Codings written as quotes, per transcript file (see transcripts_example/codings.yaml)."""
    path = Path(path)
    source = str(path)
    data = parse_yaml(read_text_file(path, "coding list"), source)
    if not isinstance(data, dict) or not isinstance(data.get("codings"), dict):
        raise UserError("a coding list needs 'codings:' with a list of units per transcript file", path=source, line=1)
    hide = data.get("hide") or {}
    if not isinstance(hide, dict) or not all(isinstance(v, list) for k, v in hide.items() if not k.startswith("__")):
        raise UserError("'hide' must map a kind (PER, ORG, GPE_LOC) to a list of names",
                        path=source, line=data["__lines__"].get("hide"))
    out: list[QuotedCoding] = []
    for file, units in data["codings"].items():
        if str(file).startswith("__"):
            continue
        if not isinstance(units, list):
            raise UserError(f"the units of {file} must be a list", path=source, line=data["codings"]["__lines__"][file])
        for unit in units:
            line = unit.get("__line__") if isinstance(unit, dict) else None
            if not isinstance(unit, dict) or not unit.get("quote"):
                raise UserError("each unit needs a 'quote'", path=source, line=line)
            if "code" in unit:
                coders = unit.get("coders") or list(default_coders)
                codes = {str(coder): str(unit["code"]) for coder in coders}
            else:
                codes = {k: str(v) for k, v in unit.items()
                         if not k.startswith("__") and k not in ("quote", "condensed", "star", "coders")}
            if not codes:
                raise UserError("say the code: 'code: ID', or each coder's 'AB: ID'", path=source, line=line)
            out.append(QuotedCoding(str(file), str(unit["quote"]), codes, line or 0,
                                    str(unit.get("condensed") or ""), bool(unit.get("star"))))
    names = [(str(name), kind) for kind, listed in hide.items() if not kind.startswith("__") for name in listed]
    return CodingList(path, out, names)
