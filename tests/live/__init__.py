"""Real processes: gunicorn on 127.0.0.1, PostgreSQL started from the machine's binaries."""
