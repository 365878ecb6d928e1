"""Auditing: the readable rulebook report, impact analysis (rules diff), case coverage, running the
rule cases, and the decision log with its migrations."""
