"""Projects on a PostgreSQL server (team mode): the same store, the same schema versions.

:mod:`.url` (no driver needed) tells a server address from a file; :mod:`.connection`,
:mod:`.schema` and :mod:`.opening` need psycopg (the ``team`` extra) and are imported when a
server project is used.
"""
