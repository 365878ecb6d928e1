"""What the gunicorn master checked before forking its workers.

The master loads the rulebook, checks it and runs its cases (at start and on every HUP); workers,
forked after that, take this very object from memory. Nothing is copied to a temporary folder, so a
temp cleaner cannot take a rulebook away from a running service.
"""

rulebook = None  # service.core.rulebook.Rulebook, set in the master only
