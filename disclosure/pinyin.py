"""Pinyin initials for the kiosk keypad: 张*明 → "Z?M".

The keypad searches what the public sees, never more: the initials are made
from the *public* name, and the masked character is a wildcard ("?"), so no
sequence of key presses can tell which character the mask hides. A villager
who types the full initials of their own name (ZSM) still finds it.

A surname is read as a surname (单 → S, 曾 → Z, 解 → X, 区 → O), not as a
common word; every reading of the surname is indexed, so a villager who types
the everyday reading finds the person too.
"""

from __future__ import annotations

from . import privacy

#: Stands for the masked character in an index; matches any typed letter.
WILDCARD = "?"

# Surnames whose surname reading differs from the everyday one.
_SURNAME_READINGS = {
    "单": "S", "曾": "Z", "解": "X", "区": "O", "仇": "Q", "朴": "P", "查": "Z", "乐": "Y",
    "尉": "Y", "翟": "Z", "盖": "G", "缪": "M", "覃": "Q", "种": "C", "秘": "B", "召": "S",
    "長": "Z", "长": "Z", "重": "C", "员": "Y", "句": "G", "都": "D", "厙": "S", "眭": "S",
}


def _first_letters(char: str) -> list[str]:
    from pypinyin import Style, pinyin  # deferred: its dictionaries hold ~55 MB; only intake needs them

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]
    letters = [r[:1].upper() for r in readings if r and r[0].isalpha()]
    return letters or [char.upper()]


def _rest(text: str) -> str:
    """Initials of the given name's characters after the surname; the mask → WILDCARD."""
    from pypinyin import Style, lazy_pinyin  # deferred, as above

    parts = [
        "".join(w[:1].upper() for w in lazy_pinyin(part, style=Style.FIRST_LETTER)) if part else ""
        for part in text.split(privacy.MASK)
    ]
    return WILDCARD.join(parts)


def initials(public_name: str) -> str:
    """Space-separated initials alternatives for a name as shown
    (``苏*桂`` → ``"S?G"``), surname reading first."""
    name = privacy.normalize(public_name)
    if not name:
        return ""
    surname_options: list[str] = []
    if name[0] in _SURNAME_READINGS:
        surname_options.append(_SURNAME_READINGS[name[0]])
    surname_options += [x for x in _first_letters(name[0]) if x not in surname_options]
    rest = _rest(name[1:])
    return " ".join(dict.fromkeys(s + rest for s in surname_options))


def typed_keys(typed: str) -> list[str]:
    """What an index alternative may start with for ``typed`` to match: the
    letters as typed (a full name), and the same with the masked position as
    the wildcard (a masked name)."""
    typed = typed.strip().upper()
    if not typed:
        return []
    keys = [typed]
    if len(typed) > privacy.MASKED_POSITION:
        at = privacy.MASKED_POSITION
        keys.append(typed[:at] + WILDCARD + typed[at + 1:])
    return keys


def matches(index: str, typed: str) -> bool:
    """True if what was typed on the keypad is a prefix of one alternative."""
    keys = typed_keys(typed)
    return any(option.startswith(key) for option in index.split() for key in keys)


__all__ = ["WILDCARD", "initials", "matches", "typed_keys"]
