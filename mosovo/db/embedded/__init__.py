"""Django database backend for the embedded PostgreSQL (see ``mosovo.embedded_db``).

It is Django's own PostgreSQL backend; the only difference is that the first connection
starts the embedded server and takes its socket directory as the host. Importing the
settings therefore starts nothing, so ``manage.py check`` and mypy need no database.
"""
