"""The domain, as pydantic models.

These are the shapes the store hands out and the CLI prints as JSON. Offsets (``start``,
``end``) are code-point offsets into the transcript's stored text (see :mod:`qualcode.core.text`).
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import UserError
from .info import ProjectInfo  # noqa: F401  (a plain dataclass: 'qualcode info' loads no pydantic)
from .text import check_coder, format_timestamp  # noqa: F401  (where callers import them from)

CODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")

# Roles with a meaning qualcode knows about; any other role string is allowed too.
MODERATOR_ROLES = frozenset({"moderator", "intervjuer", "interviewer"})


class Model(BaseModel):
    # defer_build: a model's validator is built when it is first used, not when this module is
    # imported; a CLI command pays only for the models it touches (start-up time).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    @classmethod
    def from_user(cls, **fields):
        """Build from what a user typed: a rule broken is a :class:`UserError`, not a traceback."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise UserError(str(error["msg"]).removeprefix("Value error, ")) from None


class FocusGroup(Model):
    """A focus group: the occasion a transcript records (institution, date, group type...)."""

    name: str
    attributes: dict[str, str] = Field(default_factory=dict)


class Speaker(Model):
    label: str
    role: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)

    @property
    def is_moderator(self) -> bool:
        return (self.role or "").casefold() in MODERATOR_ROLES


class Turn(Model):
    index: int
    speaker: str | None
    role: str | None = None
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None
    text: str = ""

    @property
    def timestamp(self) -> str | None:
        return format_timestamp(self.time_start)


class Transcript(Model):
    id: str
    title: str
    group: str | None = None
    source_path: str | None = None
    source_format: str
    encoding: str | None = None
    checksum: str
    imported_at: datetime
    words: int
    turn_count: int = 0
    speakers: list[Speaker] = Field(default_factory=list)


class CodeNode(Model):
    """One node of the codebook tree: a theme, a subtheme or a code."""

    id: str
    name: str
    parent: str | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    colour: str | None = None
    codable: bool = True  # False: a folder for its subcodes only (REFI-QDA isCodable, QualCoder's category)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not CODE_ID.match(value):
            raise ValueError(
                f"code id {value!r} must start with a letter or digit and use only letters, digits, '-', '_' and '.'"
            )
        return value

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("code name is empty")
        return value

    @field_validator("colour")
    @classmethod
    def _colour_shape(cls, value: str | None) -> str | None:
        if value is not None and not COLOUR.match(value):
            raise ValueError(f"colour {value!r} must be #RRGGBB or #RGB")
        return value


class Coder(Model):
    id: str
    name: str | None = None


class Coding(Model):
    """A meaning unit: a span of a transcript coded with one code by one coder."""

    id: int
    transcript: str
    start: int
    end: int
    code: str
    coder: str
    condensed: str = ""
    memo: str = ""
    starred: bool = False  # a candidate quote for the article
    created_at: datetime
    updated_at: datetime
    origin: str = "manual"  # manual, suggestion (a suggested code accepted), autocode, import


ORIGINS = ("manual", "suggestion", "autocode", "import")


class Memo(Model):
    id: int
    target_type: str  # "project", "transcript", "code", "coding"
    target_id: str | None = None
    author: str | None = None
    text: str
    created_at: datetime
    updated_at: datetime
    start: int | None = None  # a memo on a span of a transcript (another tool's annotation)
    end: int | None = None
