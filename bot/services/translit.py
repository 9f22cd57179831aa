"""Uzbek Latin to Cyrillic and back, deterministic, for readers who learned Uzbek in Cyrillic at school.

The letters as the 1995 alphabet pairs them (oʻ ў, gʻ ғ, sh ш, ch ч, yo ё, yu ю, ya я, ʼ ъ, h ҳ, q қ,
x х, y й), with the rules that make the way back give the same text: e is э at the start of a word
and after a vowel, else е; ye is е only where е is read so (the start of a word, after a vowel);
ts is ц in Russian loanwords (-tsiya, tsent-), else тс (ketsa: кетса). Only Uzbek words change:
HTML tags, placeholders, links, commands, names, numbers, acronyms (IOM, YAML) and words with letters
Uzbek does not use (WhatsApp) are kept as written; a mixed abbreviation is transliterated (YeOII:
ЕОИИ, AQSh: АҚШ). `to_latin(to_cyrillic(t))` is `t` for every text of the bot (tests/test_translit.py
checks each one).
"""

from __future__ import annotations

import re

_SINGLE = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "x": "х",
    "y": "й", "z": "з",
}
_DOUBLE = {"oʻ": "ў", "gʻ": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я"}
_VOWELS = set("aeiouаеиоуэёюяў")
LOANED_TS = ("tsiya", "tsent", "tsik", "tsion", "tsenz")  # where ts is ц: Russian loanwords (миграция, лицензия)
# Russian loanwords the letter rules cannot give: (Latin stem, Cyrillic alone, Cyrillic before a suffix).
# A month keeps its ь alone and drops it before a suffix (сентябрь, сентябрдан).
LOANWORDS = (
    ("yanvar", "январь", "январ"), ("fevral", "февраль", "феврал"), ("aprel", "апрель", "апрел"),
    ("iyun", "июнь", "июн"), ("iyul", "июль", "июл"), ("sentabr", "сентябрь", "сентябр"),
    ("oktabr", "октябрь", "октябр"), ("noyabr", "ноябрь", "ноябр"), ("dekabr", "декабрь", "декабр"),
    ("inspeksiya", "инспекция", "инспекция"), ("koeffitsiyent", "коэффициент", "коэффициент"),
    ("domrabotnitsa", "домработница", "домработница"), ("kalendar", "календарь", "календар"),
    ("parol", "пароль", "парол"), ("kompyuter", "компьютер", "компьютер"), ("konsulstvo", "консульство", "консульство"),
    ("posolstvo", "посольство", "посольство"), ("obyekt", "объект", "объект"), ("subyekt", "субъект", "субъект"),
    ("konsultatsiya", "консультация", "консультация"), ("konsultant", "консультант", "консультант"),
    ("strahovka", "страховка", "страховка"), ("rubl", "рубль", "рубл"), ("tson", "цон", "цон"),
)
# foreign words spelled with Uzbek letters only, kept as written where the texts quote them
FOREIGN = frozenset({"job", "offer", "grace", "period", "emirates"})
# acronyms written in Latin in Cyrillic texts too (a word beginning with one is kept whole: EPSda)
LATIN_ACRONYMS = frozenset({
    "IOM", "ILO", "UN", "UNHCR", "UNICEF", "UAE", "USA", "CSV", "YAML", "XLSX", "PDF", "SMS", "UTC", "MOHRE", "EPS",
    "TOPIK", "ID", "QR", "SIM", "GPS", "VPN", "URL", "HTML", "OK", "IT", "KG", "TJ", "UZ", "KZ", "RU", "AE", "KR", "TR",
    "UTF", "YYYY", "MM", "DD",
})
APOSTROPHE = "ʼ"  # U+02BC, the tutuq belgisi; oʻ and gʻ use U+02BB
ACRONYM = 4  # letters: an all-capital word this short is an abbreviation (АҚШ: AQSh on the way back)
# what is never an Uzbek word: code, tags, entities, placeholders, links and bare domains, e-mail,
# commands, @names, #tags
_KEEP = re.compile(
    r"<code>.*?</code>|<[^>]+>|&#?\w+;|\{[^}]*\}|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uz|kz|ru|kg|tj|ae|kr|tr|com|org|net|gov|int|info|io)\b(?:/\S*)?"
    r"|(?<![\wʻʼ])[/@#][\w-]+|\.(?:xlsx|xls|csv|yaml|yml|pdf|png)\b|\b[A-Za-z]+_[A-Za-z_]+\b",
    re.DOTALL,
)
_WORD = re.compile(r"[A-Za-zÀ-ɏʻʼ]+")  # with other Latin letters (İ, ş): such a word is not Uzbek, kept whole
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ffʼ]+")
_UZBEK = re.compile(r"^(?:[abdefghijklmnopqrstuvxyz]|[og]ʻ|ch|ʼ)+$")  # c only in ch; w is not Uzbek

_BACK = {cyr: lat for lat, cyr in {**_SINGLE, **_DOUBLE}.items()}
_BACK.update({"э": "e", "ъ": APOSTROPHE, "ц": "ts"})
_LOAN_BACK = sorted(((cyr, lat) for lat, alone, stem in LOANWORDS for cyr in {alone, stem}), key=lambda pair: -len(pair[0]))


def to_cyrillic(text: str) -> str:
    out, last = [], 0
    for kept in _KEEP.finditer(text):
        out.append(_WORD.sub(lambda match: _word(match.group()), text[last:kept.start()]))
        out.append(kept.group())
        last = kept.end()
    out.append(_WORD.sub(lambda match: _word(match.group()), text[last:]))
    return "".join(out)


def _word(word: str) -> str:
    lower = word.lower()
    if not _UZBEK.match(lower) or lower.startswith(("ʻ", "ʼ")) or _latin_acronym(word) or lower in FOREIGN:
        return word  # a name, a word of another language, an acronym written in Latin (IOM, EPSda): as written
    for latin, alone, stem in LOANWORDS:
        if lower.startswith(latin):
            rest = word[len(latin):]
            cyrillic = alone if not rest else stem
            if word[:len(latin)].isupper():
                cyrillic = cyrillic.upper()  # TSONda: ЦОНда
            elif word[0].isupper():
                cyrillic = cyrillic.capitalize()
            return cyrillic + (_letters(rest, after_vowel=latin[-1] in _VOWELS) if rest else "")
    return _letters(word, after_vowel=False)


def _latin_acronym(word: str) -> bool:
    """IOM, or IOMga: an acronym written in Latin, alone or with a suffix."""
    return any(word == a or (word.startswith(a) and word[len(a):].islower()) for a in LATIN_ACRONYMS)


def _letters(word: str, *, after_vowel: bool) -> str:
    lower = word.lower()
    capitals = word.isupper()
    out: list[str] = []
    i = 0
    while i < len(word):
        pair, one = lower[i:i + 2], lower[i]
        vowel_before = lower[i - 1] in _VOWELS if i > 0 else after_vowel
        at_start = i == 0 and not after_vowel and not out
        if one == "y" and lower[i + 1:i + 3] in ("oʻ", "gʻ"):  # yoʻl: й and ў, not ё
            letter, size = "й", 1
        elif lower.startswith(LOANED_TS, i):  # migratsiya, litsenziya: ц (ketsa stays кетса)
            letter, size = "ц", 2
        elif pair == "ye" and (at_start or vowel_before):
            letter, size = "е", 2
        elif pair in _DOUBLE:
            letter, size = _DOUBLE[pair], 2
        elif one == "e" and (at_start or vowel_before):
            letter, size = "э", 1
        elif one == APOSTROPHE:
            letter, size = "ъ", 1
        elif one in _SINGLE:
            letter, size = _SINGLE[one], 1
        else:
            return word  # a lone ʻ: not Uzbek as written
        out.append(letter.upper() if word[i].isupper() or (capitals and one == APOSTROPHE) else letter)
        i += size
    return "".join(out)


def _shouting(word: str) -> bool:
    """A word written in capitals (ШАҲАР: SHAHAR); a short one is an abbreviation, written with Sh, Ye,
    Ch in Latin (АҚШ: AQSh, ЕОИИ: YeOII), as is one with a suffix."""
    letters = word.replace(APOSTROPHE, "")
    return letters.isupper() and len(letters) > ACRONYM


def to_latin(text: str) -> str:
    """The Cyrillic Uzbek letters back to Latin (what `to_cyrillic` made; other text as it is)."""
    return _CYRILLIC_WORD.sub(lambda match: _word_back(match.group()), text)


def _word_back(word: str) -> str:
    lower = word.lower()
    for cyrillic, latin in _LOAN_BACK:
        if lower.startswith(cyrillic):
            rest = word[len(cyrillic):]
            if word[:len(cyrillic)].isupper() and len(cyrillic) > 1:
                latin = latin.upper()
            elif word[0].isupper():
                latin = latin.capitalize()
            return latin + _letters_back(rest, shouting=False, after_vowel=cyrillic[-1] in _VOWELS)
    return _letters_back(word, shouting=_shouting(word), after_vowel=None)


def _letters_back(word: str, *, shouting: bool, after_vowel: bool | None) -> str:
    out: list[str] = []
    for i, char in enumerate(word):
        lower = char.lower()
        if lower == "е":
            previous = word[i - 1].lower() if i > 0 else ""
            at_start = i == 0 and after_vowel is None
            latin = "ye" if at_start or previous in _VOWELS or (i == 0 and after_vowel) else "e"
        elif lower in _BACK:
            latin = _BACK[lower]
        else:
            out.append(char)
            continue
        if char.isupper():
            latin = latin.upper() if len(latin) > 1 and shouting else latin[:1].upper() + latin[1:]
        out.append(latin)
    return "".join(out)
