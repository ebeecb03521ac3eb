"""The project store: one SQLite file per project.

See :class:`qualcode.store.project.Project` for the operations; :mod:`.schema` for the tables,
migrations and the undo journal.
"""

from .project import Project

__all__ = ["Project"]
