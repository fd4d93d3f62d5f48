"""Speech: an engine interface, the real pyttsx3 engine, a fast stand-in, and the clip cache."""
