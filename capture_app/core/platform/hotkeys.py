"""Key combinations for the system-wide "Problem melden" (setting ``hotkey.report``).

A combination is written as in the settings file and the settings dialog: modifiers and one
key joined by "+", e.g. ``Ctrl+Alt+P`` (German keyboards' "Strg" and "Umschalt" are accepted
too). A combination needs Ctrl, Alt or Meta unless the key is a function key: a plain letter
would be taken from every other program the agent types in.
"""
from __future__ import annotations

from dataclasses import dataclass

MODIFIERS = ("ctrl", "alt", "shift", "meta")
_MODIFIER_NAMES = {
    "ctrl": "ctrl", "control": "ctrl", "strg": "ctrl",
    "alt": "alt", "option": "alt",
    "shift": "shift", "umschalt": "shift",
    "meta": "meta", "win": "meta", "super": "meta", "cmd": "meta",
}
_SHOWN = {"de": {"ctrl": "Strg", "alt": "Alt", "shift": "Umschalt", "meta": "Meta"},
          "en": {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "meta": "Meta"}}
FUNCTION_KEYS = tuple(f"F{n}" for n in range(1, 25))


@dataclass(frozen=True)
class Hotkey:
    modifiers: frozenset[str]
    key: str  # "A".."Z", "0".."9" or "F1".."F24"

    def text(self) -> str:
        """As written in the settings: ``Ctrl+Alt+P``."""
        return self.shown("en")

    def shown(self, language: str) -> str:
        """As printed on that language's keyboards: ``Strg+Alt+P``."""
        names = _SHOWN.get(language, _SHOWN["en"])
        return "+".join([names[m] for m in MODIFIERS if m in self.modifiers] + [self.key])

    @property
    def is_function_key(self) -> bool:
        return self.key in FUNCTION_KEYS


def parse_hotkey(text: str) -> Hotkey | None:
    """The combination ``text`` names, or None if it is not one the app can register."""
    parts = [part.strip() for part in text.split("+")]
    if len(parts) < 2 and not (parts and parts[0].upper() in FUNCTION_KEYS):
        return None
    *modifier_names, key_name = parts
    modifiers = set()
    for name in modifier_names:
        modifier = _MODIFIER_NAMES.get(name.lower())
        if modifier is None or modifier in modifiers:
            return None
        modifiers.add(modifier)
    key = key_name.upper()
    single = len(key) == 1 and key.isascii() and key.isalnum()
    if not (single or key in FUNCTION_KEYS):
        return None
    hotkey = Hotkey(frozenset(modifiers), key)
    if not hotkey.is_function_key and not modifiers & {"ctrl", "alt", "meta"}:
        return None
    return hotkey


def is_hotkey(text: str) -> bool:
    return parse_hotkey(text) is not None
