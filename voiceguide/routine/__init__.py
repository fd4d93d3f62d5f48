"""Routines: TOML with line numbers -> validated Routine and Step; the point table; value parsers; did-you-mean."""
