"""Live play: the block mixer, the output stream, the session with its controls, keys, status line and saved position."""
