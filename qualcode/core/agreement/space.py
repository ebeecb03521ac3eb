"""The participant characters of the compared transcripts (turns of speakers who are not the
interviewer), with the role each belongs to: what κ and uα count, and where a unit's roles come from."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence

import numpy as np

from ..coverage import participant_spans
from ..models import Turn
from .alignment import AlignedUnit
from .definitions import NO_ROLE, OUTSIDE


class _Space:
    """The participant characters of the compared transcripts, and the roles they belong to."""

    def __init__(self, turns: Mapping[str, Sequence[Turn]]):
        self.transcripts = list(turns)
        roles: dict[str, None] = {}
        self.spans: dict[str, list[tuple[int, int, str]]] = {}
        for tid, ts in turns.items():
            kept = [t for t in ts if participant_spans([t])]
            self.spans[tid] = [(t.start, t.end, t.role or NO_ROLE) for t in sorted(kept, key=lambda t: t.start)]
            for t in kept:
                roles.setdefault(t.role or NO_ROLE, None)
        self.roles = list(roles)
        self.role_index = {r: i for i, r in enumerate(self.roles)}
        self._starts = {tid: [s for s, _, _ in spans] for tid, spans in self.spans.items()}
        # Per transcript: span starts, lengths, role indices and the per-role totals before each span,
        # with a dummy empty span first so that every offset has a span at or before it.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        width = max(1, len(self.roles))
        for tid, spans in self.spans.items():
            starts = np.array([-1] + [s for s, _, _ in spans], dtype=np.int64)
            lengths = np.array([0] + [e - s for s, e, _ in spans], dtype=np.int64)
            role_idx = np.array([0] + [self.role_index[r] for _, _, r in spans], dtype=np.int64)
            per_span = np.zeros((len(starts), width), dtype=np.int64)
            per_span[np.arange(len(starts)), role_idx] = lengths
            before = np.zeros_like(per_span)
            before[1:] = np.cumsum(per_span, axis=0)[:-1]
            self._arrays[tid] = (starts, lengths, role_idx, before)

    def characters(self, tid: str) -> np.ndarray:
        """Participant characters of ``tid`` per role."""
        _starts, lengths, role_idx, before = self._arrays[tid]
        return before[-1] + np.bincount(role_idx[-1:], weights=lengths[-1:], minlength=before.shape[1]).astype(np.int64)

    def before(self, tid: str, offsets: np.ndarray) -> np.ndarray:
        """Participant characters before each offset, per role: shape (len(offsets), roles)."""
        starts, lengths, role_idx, before = self._arrays[tid]
        k = np.searchsorted(starts, offsets, side="right") - 1
        partial = np.clip(offsets - starts[k], 0, lengths[k])
        out = before[k].copy()
        out[np.arange(len(offsets)), role_idx[k]] += partial
        return out

    def unit_roles(self, unit: AlignedUnit) -> tuple[str, ...]:
        spans = self.spans.get(unit.transcript, [])
        i = max(0, bisect_right(self._starts[unit.transcript], unit.start) - 1) if spans else 0
        found: dict[str, None] = {}
        while i < len(spans) and spans[i][0] < unit.end:
            s, e, role = spans[i]
            if s < unit.end and unit.start < e:
                found.setdefault(role, None)
            i += 1
        return tuple(found) or (OUTSIDE,)

    def clip(self, tid: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """``[start, end)`` cut to the participant turns it overlaps."""
        spans = self.spans.get(tid, [])
        i = max(0, bisect_right(self._starts[tid], start) - 1) if spans else 0
        out = []
        while i < len(spans) and spans[i][0] < end:
            s, e, role = spans[i]
            if s < end and start < e:
                out.append((max(s, start), min(e, end), role))
            i += 1
        return out
