"""REFI-QDA: the exchange standard of QDA programs. :mod:`.write` makes .qdpx and .qdc files,
:mod:`.read` parses them (bounded), :mod:`.positions` works out how the other tool counted
characters, :mod:`.importer` turns a .qdpx into a qualcode project."""
