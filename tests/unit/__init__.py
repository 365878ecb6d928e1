"""The decision core, the rulebook, content and the command line: no server, no network."""
