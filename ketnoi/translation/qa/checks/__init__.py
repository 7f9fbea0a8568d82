"""The built-in checks; importing this package registers them."""

from . import alignment, duplicates, language, names, numbers, symbols, terminology, typography  # noqa: F401
