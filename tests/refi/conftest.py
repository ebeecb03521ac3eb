"""The REFI-QDA tests share the export tests' hand-made projects."""

from tests.exports.conftest import SHARED, build_coded, coded, example  # noqa: F401  (fixtures)
