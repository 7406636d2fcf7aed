"""Message catalogue: Chinese by default, English available; keys with {named} parameters."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = ("zh", "en")
DEFAULT = "zh"
_DIR = Path(__file__).parent / "locales"


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LOCALES:
        lang = DEFAULT
    return json.loads((_DIR / f"{lang}.json").read_text("utf-8"))


def t(key: str, lang: str = DEFAULT, **params: Any) -> str:
    """The message for `key` in `lang`, falling back to Chinese, then to the key itself."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT).get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
