"""The plan: the pacing table and saved defaults, the pure scheduler (timeline, steps, events), cue wording, stillness, length, the session's language, show."""
