"""Everything the program itself says, one catalogue per language (words/<tag>.toml), and choosing a language."""

from .catalogue import SOURCE, Words, catalogue, languages
from .choose import best, normalize, system_language

__all__ = ["SOURCE", "Words", "best", "catalogue", "languages", "normalize", "system_language"]
