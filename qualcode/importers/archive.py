"""Reading ZIP-based files (.docx, .odt, .qdpx) and their XML within the limits of
:mod:`qualcode.core.limits`.

What a ZIP says about itself is not trusted: the number of members is taken from the end of the
archive before :mod:`zipfile` reads its directory, and every member is read in chunks through a
counter that stops at the limit for one member, for the archive as a whole and for the
compression ratio, whatever sizes the headers declare. XML is checked as it streams past: a
DOCTYPE (the way in for entity bombs and external DTDs, which no Office, OpenDocument or REFI-QDA
file has) and element nesting deeper than :data:`~qualcode.core.limits.XML_MAX_DEPTH` are refused
before any tree is built. :func:`xml_parser` is the one lxml parser setting for the trees that are
built afterwards: no entities resolved, no network, no DTD loaded, libxml2's own size limits on.

A file past a limit is a :class:`UserError` naming the file, the member and the limit;
an archive that is merely damaged raises :class:`Damaged`, which each format turns into its own
message.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import IO

from ..core import limits
from ..core.errors import UserError

CHUNK = 1024 * 1024


class Damaged(Exception):
    """The archive (or one member) cannot be read: the file's fault, reported by the caller."""


def xml_parser(**options):
    """An lxml parser that resolves no entities, loads no DTD, uses no network and keeps
    libxml2's limits on text and depth (no ``huge_tree``)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           dtd_validation=False, **options)


class _TooDeep(Exception):
    pass


class _HasDoctype(Exception):
    pass


class _XmlCheck:
    """An lxml parser target that only counts depth and watches for a DOCTYPE."""

    def __init__(self) -> None:
        self.depth = 0

    def start(self, tag, attrib, nsmap=None) -> None:
        self.depth += 1
        if self.depth > limits.XML_MAX_DEPTH:
            raise _TooDeep

    def end(self, tag) -> None:
        self.depth -= 1

    def doctype(self, *args) -> None:
        raise _HasDoctype

    def data(self, data) -> None:
        return None

    def comment(self, text) -> None:
        return None

    def close(self) -> None:
        return None


class XmlChecker:
    """Feed XML in chunks; raises :class:`UserError` for a DOCTYPE or too deep nesting.

    XML that is not well-formed is not this checker's business: it stops checking and leaves the
    error to the parser that reads the XML for real.
    """

    def __init__(self, path: Path | str, name: str):
        from lxml import etree

        self._etree = etree
        self.path, self.name = path, name
        self._parser = etree.XMLParser(target=_XmlCheck(), resolve_entities=False, no_network=True,
                                       load_dtd=False, huge_tree=False)
        self._broken = False

    def feed(self, chunk: bytes) -> None:
        if not self._broken:
            self._run(self._parser.feed, chunk)

    def close(self) -> None:
        if not self._broken:
            self._run(self._parser.close)

    def _run(self, step, *args) -> None:
        try:
            step(*args)
        except _TooDeep:
            self._broken = True
            raise UserError(f"{self.name} nests XML elements deeper than {limits.XML_MAX_DEPTH} levels (the limit); "
                            "refusing it", path=self.path) from None
        except _HasDoctype:
            self._broken = True
            raise UserError(f"{self.name} has a DOCTYPE, which these files never have (entity expansion and "
                            "external DTDs are not allowed); refusing it", path=self.path) from None
        except self._etree.XMLSyntaxError as exc:
            self._broken = True
            if "Excessive depth" in str(exc):  # libxml2's own limit, should ours ever be above it
                raise UserError(f"{self.name} nests XML elements too deeply (limit {limits.XML_MAX_DEPTH} "
                                "levels); refusing it", path=self.path) from None


def check_xml(data: bytes, path: Path | str, name: str) -> None:
    """Check XML already in memory (a .qdc file) as :class:`XmlChecker` does while reading."""
    checker = XmlChecker(path, name)
    for start in range(0, len(data), CHUNK):
        checker.feed(data[start:start + CHUNK])
    checker.close()


def read_file(path: Path, limit: int, what: str) -> bytes:
    """A whole input file within ``limit`` (see :func:`~qualcode.core.limits.read_limited`), with
    every OS-level failure turned into a :class:`UserError`."""
    path = Path(path)
    try:
        return limits.read_limited(path, limit, what)
    except FileNotFoundError:
        raise UserError("no such file", path=path) from None
    except IsADirectoryError:
        raise UserError(f"is a directory, not a {what} file", path=path) from None
    except PermissionError:
        raise UserError("cannot read the file: permission denied", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror or exc}", path=path) from None


class Archive:
    """A ZIP archive opened for reading within the limits.

    ``source`` is the archive's bytes or its path. :class:`Damaged` if it is not a readable ZIP;
    :class:`UserError` if it has more members than :data:`~qualcode.core.limits.ARCHIVE_MAX_MEMBERS`.
    """

    def __init__(self, source: bytes | Path, path: Path | str):
        self.path = path
        self.total = 0  # bytes unpacked so far, all members
        fh: IO[bytes] | None = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else None
        try:
            if fh is None:
                fh = open(source, "rb")  # noqa: SIM115  (kept open for the ZipFile; closed in close())
            self._count_members(fh)
            self.zip = zipfile.ZipFile(fh)
        except UserError:
            if fh is not None:
                fh.close()
            raise
        except Exception as exc:
            if fh is not None:
                fh.close()
            raise Damaged(str(exc)) from None
        self._fh: IO[bytes] = fh
        self.infos = self.zip.infolist()
        if len(self.infos) > limits.ARCHIVE_MAX_MEMBERS:  # the end record undercounted
            self.close()
            raise UserError(self._members_message(len(self.infos)), path=path)
        self.names = [info.filename for info in self.infos]

    def _members_message(self, n: int) -> str:
        return (f"the archive has {n} members (the limit is {limits.ARCHIVE_MAX_MEMBERS}); refusing it "
                "as damaged or not a real document")

    def _count_members(self, fh) -> None:
        """Refuse an archive with too many members before zipfile builds its whole directory."""
        end_record = getattr(zipfile, "_EndRecData", None)
        if end_record is None:  # a future Python; the count after opening still applies
            return
        record = end_record(fh)
        if record is None:
            raise zipfile.BadZipFile("no end of central directory")
        entries = record[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
        if entries > limits.ARCHIVE_MAX_MEMBERS:
            raise UserError(self._members_message(entries), path=self.path)
        fh.seek(0)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self._fh.close()

    def read(self, member: str | zipfile.ZipInfo, *, limit: int | None = None, what: str = "one part",
             xml: bool = False, keep: bool = True) -> bytes | None:
        """A member's bytes (None if ``keep`` is false), read in chunks within the limits.

        ``limit`` (default :data:`~qualcode.core.limits.ARCHIVE_MAX_PART_BYTES`) and ``what`` name the
        limit for this member ("one part", "one source");
        ``xml`` checks the member as XML while it is read (see :class:`XmlChecker`).
        """
        limit = limits.ARCHIVE_MAX_PART_BYTES if limit is None else limit
        info = member if isinstance(member, zipfile.ZipInfo) else self.zip.getinfo(member)
        name = info.filename
        if info.file_size > limit:  # the header may lie, but when it says "too large" believe it
            raise UserError(self._past(name, limit, what), path=self.path)
        if self.total + info.file_size > limits.ARCHIVE_MAX_TOTAL_BYTES:
            raise UserError(self._past_total(), path=self.path)
        checker = XmlChecker(self.path, name) if xml else None
        kept = io.BytesIO() if keep else None
        size = 0
        try:
            with self.zip.open(info) as stream:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    self.total += len(chunk)
                    if size > limit:
                        raise UserError(self._past(name, limit, what), path=self.path)
                    if self.total > limits.ARCHIVE_MAX_TOTAL_BYTES:
                        raise UserError(self._past_total(), path=self.path)
                    if (size > limits.ARCHIVE_RATIO_FROM_BYTES
                            and size > limits.ARCHIVE_MAX_RATIO * max(info.compress_size, 1)):
                        raise UserError(
                            f"{name} expands more than {limits.ARCHIVE_MAX_RATIO} times its compressed size "
                            f"(the limit for parts over {limits.size_text(limits.ARCHIVE_RATIO_FROM_BYTES)}); "
                            "refusing it as a zip bomb", path=self.path)
                    if checker is not None:
                        checker.feed(chunk)
                    if kept is not None:
                        kept.write(chunk)
        except UserError:
            raise
        except Exception as exc:
            # (encrypted), NotImplementedError (compression method): all the file's fault
            raise Damaged(f"{name}: {exc.__class__.__name__}") from None
        if checker is not None:
            checker.close()
        return kept.getvalue() if kept is not None else None

    def check_sizes(self, names: list[str], *, limit: int, what: str) -> None:
        """Refuse, before any of them is unpacked, members whose headers declare more than ``limit``
        each or more than the archive's limit together (with what was read already). Headers that
        understate a size are caught by :meth:`read` while the member is unpacked."""
        total = self.total
        for name in names:
            info = self.zip.getinfo(name)
            if info.file_size > limit:
                raise UserError(self._past(name, limit, what), path=self.path)
            total += info.file_size
            if total > limits.ARCHIVE_MAX_TOTAL_BYTES:
                raise UserError(self._past_total(), path=self.path)

    def check_all(self, xml_names: AbstractSet[str] = frozenset(), *,
                  wanted: tuple[str, ...] = ()) -> dict[str, bytes]:
        """Read every member within the limits (XML ones, ``xml_names``, checked as XML) and return
        the bytes of those ``wanted``; the others are counted and dropped."""
        kept: dict[str, bytes] = {}
        for info in self.infos:
            if info.is_dir():
                continue
            name = info.filename
            data = self.read(info, xml=name in xml_names, keep=name in wanted)
            if data is not None:
                kept[name] = data
        return kept

    def _past(self, name: str, limit: int, what: str) -> str:
        return (f"{name} expands past {limits.size_text(limit)} (the limit for {what}); refusing the file as "
                "damaged or a zip bomb")

    def _past_total(self) -> str:
        return (f"the archive expands past {limits.size_text(limits.ARCHIVE_MAX_TOTAL_BYTES)} in all (the limit "
                "for one file); refusing it as damaged or a zip bomb")
