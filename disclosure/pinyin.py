"""Pinyin initials for the kiosk keypad: 张三明 → "ZSM".

A surname is read as a surname (单 → S, 曾 → Z, 解 → X, 区 → O), not as a
common word; every reading of the surname is indexed, so a villager who types
the everyday reading finds the person too.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin, pinyin

# Surnames whose surname reading differs from the everyday one.
_SURNAME_READINGS = {
    "单": "S", "曾": "Z", "解": "X", "区": "O", "仇": "Q", "朴": "P", "查": "Z", "乐": "Y",
    "尉": "Y", "翟": "Z", "盖": "G", "缪": "M", "覃": "Q", "种": "C", "秘": "B", "召": "S",
    "長": "Z", "长": "Z", "重": "C", "员": "Y", "句": "G", "都": "D", "厙": "S", "眭": "S",
}

def _first_letters(char: str) -> list[str]:
    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]
    letters = [r[:1].upper() for r in readings if r and r[0].isalpha()]
    return letters or [char.upper()]

def initials(name: str) -> str:
    """Space-separated initials alternatives for ``name``, surname-reading first."""
    name = name.strip()
    if not name:
        return ""
    surname_options: list[str] = []
    if name[0] in _SURNAME_READINGS:
        surname_options.append(_SURNAME_READINGS[name[0]])
    surname_options += [x for x in _first_letters(name[0]) if x not in surname_options]
    rest = "".join(w[:1].upper() for w in lazy_pinyin(name[1:], style=Style.FIRST_LETTER))
    options = [s + rest for s in surname_options]
    return " ".join(dict.fromkeys(options))

def matches(index: str, typed: str) -> bool:
    """True if what was typed on the keypad is a prefix of one alternative."""
    typed = typed.strip().upper()
    return bool(typed) and any(option.startswith(typed) for option in index.split())

__all__ = ["initials", "matches"]
