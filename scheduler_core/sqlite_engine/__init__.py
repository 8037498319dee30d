"""Django's SQLite backend, with writers taking turns at the write lock (`base.py`)."""
