"""Sound: the Audio type, tones, loudness, limiting and the one renderer that feeds both outputs."""
