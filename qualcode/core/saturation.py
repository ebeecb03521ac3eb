"""Saturation: after each focus group in turn, which codes appeared for the first time.

The focus groups are taken in an order (:func:`order_groups`): the order their transcripts were
imported, the order of a date attribute (``date`` or ``dato``: ``2024-03-07`` or ``07.03.2024``),
or of any group attribute (``attr=KEY``, in natural order: ``2`` before ``10``). Groups without
the attribute come last, in import order. A transcript in no focus group is a group of its own.

After each group, :func:`saturation` gives the codes used there for the first time (each code
as itself: a subtheme's first unit is a new subtheme, not a new theme), how many codes are in
use so far, and the units so far per theme (a theme with its subthemes) and per role. Its
:meth:`Saturation.verdict` is one line answering "did the last groups add anything new?":
groups with no units (not coded yet) are left out of that answer, and say so.

Pure computations over :class:`~qualcode.core.units.MeaningUnit` sequences; the caller chooses
whose units (one coder, or the consensus) and reads the groups from the store.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .codebook import Codebook
from .cooccurrence import NO_VALUE, natural_key
from .errors import UserError
from .units import MeaningUnit

DATE_KEYS = ("date", "dato")
ORDERS_HELP = "import, date or attr=KEY"


@dataclass(frozen=True, slots=True)
class Group:
    """A focus group: its name, its transcripts (in import order) and its attributes."""

    name: str
    transcripts: tuple[str, ...]
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ordering:
    """Groups in the order chosen, each with the value it was ordered by (None: import order,
    or a group without the attribute, listed in ``unplaced``)."""

    groups: list[Group]
    values: list[str | None]
    description: str  # "in import order", "by date (attribute dato)", "by attribute nr"
    unplaced: list[str]


@dataclass(frozen=True, slots=True)
class Step:
    """What one focus group added, and the totals so far."""

    number: int  # 1-based position in the order
    group: str
    value: str | None  # the date or attribute value it was ordered by
    transcripts: tuple[str, ...]
    units: int  # units in this group
    new_codes: tuple[str, ...]  # codes used for the first time here, in codebook order
    codes_so_far: int
    themes: dict[str, int]  # units so far per theme (with its subthemes), every theme
    roles: dict[str, int]  # units so far per role

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "group": self.group, "value": self.value,
                "transcripts": list(self.transcripts), "units": self.units, "new_codes": list(self.new_codes),
                "new": len(self.new_codes), "codes_so_far": self.codes_so_far, "themes": dict(self.themes),
                "roles": dict(self.roles)}


@dataclass(frozen=True, slots=True)
class Saturation:
    order: str
    steps: list[Step]
    themes: tuple[str, ...]  # every theme of the codebook, in its order
    roles: tuple[str, ...]  # the roles of the units, the most units first
    unused: tuple[str, ...]  # codes of the codebook no unit uses, by itself or through a subcode

    def verdict(self) -> str:
        """One line: did the last groups add anything new?"""
        question = "Did the last focus groups add anything new?"
        coded = [s for s in self.steps if s.units]
        uncoded = [s.group for s in self.steps if not s.units]
        left_out = ""
        if uncoded:
            verb = "has" if len(uncoded) == 1 else "have"
            left_out = f" ({_join(uncoded)} {verb} no units yet and {'is' if len(uncoded) == 1 else 'are'} left out)"
        if not coded:
            return f"{question} No focus group has units yet."
        if len(coded) == 1:
            return (f"{question} Only one focus group has units ({coded[0].group}): too few to tell whether new "
                    f"codes have stopped appearing{left_out}.")
        quiet = 0
        for step in reversed(coded):
            if step.new_codes:
                break
            quiet += 1
        last = coded[-1]
        if not quiet:
            return (f"{question} Yes: the last one, {last.group}, added {_codes(len(last.new_codes))} "
                    f"({', '.join(last.new_codes)}), so new codes were still appearing{left_out}.")
        latest = coded[-1 - quiet]
        which = f"the last one, {last.group}," if quiet == 1 else \
            f"the last {quiet} ({_join([s.group for s in coded[-quiet:]])})"
        return (f"{question} No: {which} added no new code; all {last.codes_so_far} codes in use had appeared by "
                f"{latest.group} (focus group {latest.number} of {len(self.steps)}){left_out}.")

    def as_dict(self) -> dict[str, object]:
        return {"order": self.order, "steps": [s.as_dict() for s in self.steps], "themes": list(self.themes),
                "roles": list(self.roles), "unused_codes": list(self.unused), "verdict": self.verdict()}


def _codes(n: int) -> str:
    return f"{n} new code" if n == 1 else f"{n} new codes"


def _join(names: Sequence[str]) -> str:
    return ", ".join(names)


# --- the order of the groups -------------------------------------------------------------------------


def order_groups(groups: Sequence[Group], order: str) -> Ordering:
    """``groups`` (in import order) in the order ``order`` names: ``import``, ``date`` or
    ``attr=KEY``. A :class:`UserError` for an order that cannot be followed."""
    order = order.strip()
    if order == "import":
        return Ordering(list(groups), [None] * len(groups), "in import order", [])
    if order == "date":
        keys = {k for g in groups for k in g.attributes if k.casefold() in DATE_KEYS}
        if not keys:
            raise UserError("no focus group has a date (an attribute named date or dato); set one with "
                            "'qualcode group PROJECT NAME --attr dato=2024-03-07', or use --order import or attr=KEY")
        found = [(g, _value(g, DATE_KEYS)) for g in groups]
        dated = [(g, _date(g, v)) for g, v in found if v is not None]
        return _ordered(groups, dated, f"by date (attribute {', '.join(sorted(keys))})")
    name, sep, key = order.partition("=")
    if name != "attr" or not sep:
        raise UserError(f"--order must be {ORDERS_HELP}, not {order!r}")
    key = key.strip()
    if not key:
        raise UserError("--order attr=KEY needs the attribute's name, e.g. attr=institusjon")
    known = sorted({k for g in groups for k in g.attributes})
    if key.casefold() not in {k.casefold() for k in known}:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (attributes: {', '.join(known) or 'none set'})"
        raise UserError(f"no focus group has the attribute {key!r}{hint}")
    valued = [(g, v) for g in groups if (v := _value(g, (key.casefold(),))) is not None]
    return _ordered(groups, valued, f"by attribute {key}")


def _value(group: Group, keys: tuple[str, ...]) -> str | None:
    for k, v in group.attributes.items():
        if k.casefold() in keys and v.strip():
            return v.strip()
    return None


def _date(group: Group, value: str) -> str:
    """A group's date as ``YYYY-MM-DD``: from ``2024-03-07`` (with or without a time after it)
    or ``7.3.2024`` / ``07.03.2024`` as Norwegians write it."""
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", value):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value):
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        pass
    raise UserError(f"focus group {group.name}: its date {value!r} is not a date (write 2024-03-07 or 07.03.2024)")


def _ordered(groups: Sequence[Group], valued: list[tuple[Group, str]], description: str) -> Ordering:
    placed = sorted(valued, key=lambda gv: natural_key(gv[1]))  # stable: equal values keep import order
    names = {g.name for g, _ in placed}
    rest = [g for g in groups if g.name not in names]
    return Ordering([g for g, _ in placed] + rest, [v for _, v in placed] + [None] * len(rest), description,
                    [g.name for g in rest])


# --- what each group added ---------------------------------------------------------------------------


def saturation(units: Iterable[MeaningUnit], ordering: Ordering | Sequence[Group], codebook: Codebook) -> Saturation:
    """New codes and running totals after each group of ``ordering`` (see the module doc)."""
    if not isinstance(ordering, Ordering):
        ordering = Ordering(list(ordering), [None] * len(ordering), "as given", [])
    where = {tid: g.name for g in ordering.groups for tid in g.transcripts}
    rank = {c.id: i for i, c in enumerate(codebook.codes)}
    paths = codebook.paths()
    theme_of = {code: path[0].id for code, path in paths.items()}
    themes = tuple(c.id for c in codebook.codes if c.parent is None)
    by_group: dict[str, list[MeaningUnit]] = {g.name: [] for g in ordering.groups}
    for u in units:
        if u.transcript not in where:
            raise ValueError(f"unit {u.id} is in transcript {u.transcript}, which no group holds")
        by_group[where[u.transcript]].append(u)

    seen: set[str] = set()
    theme_totals: Counter[str] = Counter()
    role_totals: Counter[str] = Counter()
    steps = []
    for number, (group, value) in enumerate(zip(ordering.groups, ordering.values), start=1):
        found = by_group[group.name]
        new = sorted({u.code for u in found} - seen, key=lambda c: (rank.get(c, len(rank)), c))
        seen.update(new)
        theme_totals.update(theme_of.get(u.code, u.code) for u in found)
        role_totals.update(u.role or NO_VALUE for u in found)
        steps.append(Step(number, group.name, value, group.transcripts, len(found), tuple(new), len(seen),
                          {t: theme_totals[t] for t in themes}, dict(role_totals)))
    roles = tuple(sorted(role_totals, key=lambda r: (r == NO_VALUE, -role_totals[r], natural_key(r))))
    steps = [Step(s.number, s.group, s.value, s.transcripts, s.units, s.new_codes, s.codes_so_far, s.themes,
                  {r: s.roles.get(r, 0) for r in roles}) for s in steps]
    used = {node.id for code in seen for node in paths.get(code, [])}  # a theme used through a subtheme is used
    unused = tuple(c.id for c in codebook.codes if c.id not in used)
    return Saturation(ordering.description, steps, themes, roles, unused)
