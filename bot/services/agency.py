"""Licensed recruitment agencies: registry files, their validation, and a search tolerant of how people type.

No aiogram here. A registry is one snapshot per origin country (Kyrgyzstan, Tajikistan, Uzbekistan,
Kazakhstan), read from CSV or YAML, validated row by row, and stored only if every row is valid: an
import replaces that country's snapshot whole, or changes nothing.

Search folds names to a rough Latin sound-skeleton: Cyrillic of Russian, Kyrgyz, Tajik, Uzbek and
Kazakh is transliterated, and spellings of one sound meet (х/x/kh -> h, ж/zh/dj -> j, ч/ҷ/ch -> j,
қ/q -> k, ц/ts -> s, y -> i, doubled letters once), so "Ала-Тоо Жумуш", "Ala-Too Jumush" and
"alatoo jumysh" are one name. Quotes, case and legal-form words (ОсОО, ООО, ЖЧК, ТОО, MChJ, XK, LLC...)
are dropped; words like "agency" or "job" count less than the name's own words.

A report about an agency (ReportDraft, then AgencyService.report) is saved together with the
consultants' case it opens and that case's alert, in one transaction.
"""

from __future__ import annotations

import asyncio
import bisect
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.models import Agency, Case, Report, Snapshot, User
from bot.services import sheets
from bot.services.desk import CaseError, CaseService, Draft
from bot.services.redflags import Reply, Verdict, assess
from bot.storage.agencies import AgencyRepository
from bot.storage.db import Database

REGISTRIES: dict[str, ZoneInfo] = {  # origin countries whose registries the bot keeps, and their time zones
    "KG": ZoneInfo("Asia/Bishkek"),
    "TJ": ZoneInfo("Asia/Dushanbe"),
    "UZ": ZoneInfo("Asia/Tashkent"),
    "KZ": ZoneInfo("Asia/Almaty"),
}
STATUSES = ("active", "suspended", "revoked", "expired")
NOT_FOUND = "not_found"
STALE_AFTER_DAYS = 90  # a list older than this is shown with a warning that it may have changed
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_FIELD = 300
SURE = 87.0  # a match this good is shown at once (with a "make sure" note unless exact)
CLOSE = 72.0  # from here, offered as a choice
MAX_CANDIDATES = 80  # spellings scored in full per reading of the query
GENERIC_WEIGHT = 0.35
ISO_COUNTRIES = frozenset(code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha())

# The columns as admins' sheets name them (Russian or English, any case, "_" or spaces, ё or е), and how
# the template explains them: (the Russian name, the English name, what it holds).
HEADERS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "name": (("название", "наименование", "наименование агентства", "агентство", "организация", "agency", "company",
              "organization", "organisation"), "Название", "Name", "the agency's name as registered / название по реестру"),
    "aliases": (("другие названия", "бренд", "other names", "aka", "brand"), "Другие названия", "Other names",
                "other names, separated by ; / другие названия через ;"),
    "permit": (("лицензия", "номер лицензии", "разрешение", "номер разрешения", "license", "licence", "license number",
                "licence number", "permit number"), "Лицензия", "Permit", "the permit or licence number / номер лицензии"),
    "authority": (("орган", "кем выдано", "кем выдана", "выдавший орган", "issued by", "issuer"), "Кем выдано", "Issued by",
                  "who issued it / кто выдал"),
    "valid_from": (("действует с", "дата выдачи", "valid from", "issued on", "issue date"), "Действует с", "Valid from",
                   "YYYY-MM-DD or DD.MM.YYYY"),
    "valid_to": (("действует до", "срок действия", "дата окончания", "valid to", "valid until", "expires", "expiry date"),
                 "Действует до", "Valid to", "YYYY-MM-DD or DD.MM.YYYY"),
    "status": (("статус", "состояние"), "Статус", "Status", "действует / приостановлена / отозвана / истекла "
               "(active / suspended / revoked / expired)"),
    "destinations": (("страны", "страны трудоустройства", "направления", "countries", "destination countries"), "Страны",
                     "Countries", "two-letter codes, separated by ; (RU;KR;TR) / коды стран через ;"),
    "phone": (("телефон", "tel", "telephone"), "Телефон", "Phone", "+996 ..."),
    "address": (("адрес",), "Адрес", "Address", ""),
    "website": (("сайт", "веб-сайт", "web", "site", "url"), "Сайт", "Website", "https://..."),
    "note": (("примечание", "комментарий", "notes", "comment"), "Примечание", "Note", ""),
}


def header_key(text: Any) -> str:
    """A column's name as it is compared: lower case, single spaces for "_" and runs of spaces, ё as е."""
    return " ".join(str(text or "").replace("_", " ").replace("ё", "е").lower().split()).strip(" :*")


COLUMNS = tuple(HEADERS)  # the columns, in the template's order. Lists (aliases, destinations): ";" between
COLUMN_NAMES = {header_key(name): column for column, (names, *_texts) in HEADERS.items() for name in (column, *names)}
STATUS_WORDS = {
    "active": "active", "valid": "active", "действует": "active", "действующий": "active", "действующая": "active",
    "suspended": "suspended", "приостановлен": "suspended", "приостановлена": "suspended", "приостановлено": "suspended",
    "revoked": "revoked", "отозван": "revoked", "отозвана": "revoked", "аннулирован": "revoked", "аннулирована": "revoked",
    "expired": "expired", "истек": "expired", "истёк": "expired", "истекла": "expired", "истёкла": "expired",
}

# -- folding -----------------------------------------------------------------------------------------
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
    "ө": "o", "ү": "u", "ң": "ng",  # Kyrgyz (and Kazakh)
    "ӣ": "i", "ӯ": "u", "қ": "q", "ғ": "g", "ҳ": "h", "ҷ": "j",  # Tajik
    "ў": "o",  # Uzbek Cyrillic
    "ә": "a", "ұ": "u", "һ": "h", "і": "i",  # Kazakh
    "ş": "sh", "ç": "ch", "ğ": "g", "ı": "i", "ə": "a", "ñ": "ng", "ß": "ss",  # Turkish, Azerbaijani...
})
_APOSTROPHES = re.compile(r"[ʻʼ'‘’`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SOUNDS = (("shch", "sh"), ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("tz", "s"), ("ts", "s"),
           ("gh", "g"), ("ph", "f"), ("ck", "k"), ("ou", "u"))
_DOUBLE = re.compile(r"([a-z])\1+")
_CONSONANTS = re.compile(r"[aeiou]")


def fold(text: str) -> str:
    """A name as a rough Latin sound-skeleton: 'ОсОО «Ала-Тоо Жумуш»' -> 'osoo ala to jumush'."""
    folded = _APOSTROPHES.sub("", text.lower()).translate(_CYRILLIC)
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    folded = _NOT_WORD.sub(" ", folded)
    for spelling, sound in _SOUNDS:
        folded = folded.replace(spelling, sound)
    folded = folded.replace("ch", "\0")
    folded = re.sub(r"c(?=[eiy])", "s", folded).replace("c", "k")
    # ч, ҷ and j are one sound class: Tajiks without a Tajik keyboard type ҷ as ч
    folded = folded.replace("\0", "j").replace("x", "h").replace("q", "k").replace("w", "v").replace("y", "i")
    return _DOUBLE.sub(r"\1", folded).strip()


def _folded_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(token for word in words for token in fold(word).split())


# Legal-form words, in the spellings people use: dropped from names before matching.
LEGAL_FORMS = _folded_set((
    "ООО", "ОсОО", "ОАО", "ЗАО", "АО", "ПАО", "ИП", "ЧП", "ТОО", "ЖЧК", "ЖАК", "ЖШС", "АҚ", "ЖК", "ЖИ",
    "ҶДММ", "ҶСК", "ДММ", "МЧЖ", "ХК", "ЯТТ", "OOO", "OsOO", "TOO", "JChK", "MChJ", "MChJ", "XK", "XJ", "AJ",
    "YaTT", "QK", "LLC", "LLP", "Ltd", "Inc", "Corp", "GmbH",
    "общество с ограниченной ответственностью", "товарищество", "жоопкерчилиги чектелген коому",
    "masʼuliyati cheklangan jamiyat", "xususiy korxona", "ҷамъияти дорои масъулияти маҳдуд",
    "limited liability company", "частное агентство",
))
# Words many agency names share: they count less than the name's own words.
GENERIC = _folded_set((
    "agency", "агентство", "агенство", "агенттиги", "agentligi", "агентии", "company", "компания", "kompaniya",
    "job", "jobs", "work", "работа", "жумуш", "ish", "кор", "service", "сервис", "servis", "group", "групп",
    "international", "интернешнл", "международное", "xalqaro", "center", "центр", "markaz", "борбор",
    "employment", "трудоустройство", "bandlik", "consulting", "консалтинг", "personnel", "персонал", "кадр",
    "recruitment", "рекрутинг", "travel", "тур", "plus", "плюс", "pro", "abroad", "за", "рубежом", "xorijda",
))


@dataclass(frozen=True, slots=True)
class Key:
    """One spelling of one agency, folded for matching."""

    agency: int  # index into the index's agencies
    tokens: tuple[str, ...]
    compact: str  # the tokens without spaces: "alatoo" meets "ala too"


def _variants(text: str) -> tuple[tuple[str, ...], ...]:
    """The name's own words, in one or two readings. Long legal forms (ОсОО, MChJ, LLC) go wherever they
    are. A short one can be a word of the name too (ТОО and Kyrgyz "Тоо", a mountain; АҚ and "Ак",
    white): the second reading drops those from either end, as long as two words remain."""
    tokens = [t for t in fold(text).split() if t]
    named = [t for t in tokens if not (t in LEGAL_FORMS and len(t) >= 3)] or tokens
    named = [t for t in named if len(t) > 1] or named
    trimmed = list(named)
    while len(trimmed) > 2 and trimmed[0] in LEGAL_FORMS:
        trimmed.pop(0)
    while len(trimmed) > 2 and trimmed[-1] in LEGAL_FORMS:
        trimmed.pop()
    if not named:
        return ()
    return (tuple(named),) if trimmed == named else (tuple(named), tuple(trimmed))


def _weight(token: str) -> float:
    return GENERIC_WEIGHT if token in GENERIC or token in LEGAL_FORMS else 1.0


@lru_cache(maxsize=200_000)
def _token_similarity(a: str, b: str) -> float:
    """1.0 the same word; 0.9 one begins the other; a typo: the share of letters in common. Short words
    (3-4 letters) allow one changed letter at most, so "ala" does not meet "dala"."""
    if a == b:
        return 1.0
    shorter = min(len(a), len(b))
    if shorter < 3:
        return 0.0
    if shorter >= 4 and (b.startswith(a) or a.startswith(b)):
        return 0.9
    if shorter <= 4:
        return 0.75 if len(a) == len(b) and Levenshtein.distance(a, b) <= 1 and shorter == 4 else 0.0
    ratio = fuzz.ratio(a, b)
    if ratio >= 75:
        return ratio / 100
    # Russian and Uzbek write the vowels of one name differently (Фергана / Fargʻona, Узбек / Oʻzbek)
    return 0.8 if _CONSONANTS.sub("", a) == _CONSONANTS.sub("", b) else 0.0


def _coverage(mine: tuple[str, ...], theirs: tuple[str, ...]) -> float:
    total = sum(_weight(t) for t in mine)
    if not total:
        return 0.0
    return sum(_weight(t) * max((_token_similarity(t, other) for other in theirs), default=0.0) for t in mine) / total


def similarity(query: tuple[str, ...], key: Key) -> float:
    """0..100: how well the typed words name this spelling (both ways: missing words cost too)."""
    compact = "".join(query)
    if compact == key.compact:
        return 100.0
    words = 100 * (0.6 * _coverage(query, key.tokens) + 0.4 * _coverage(key.tokens, query))
    # The whole name letter by letter catches other spacing and typos across words ("alatoo" for
    # "Ala-Too"); only a close likeness counts, or a long shared word would make unlike names meet.
    whole = fuzz.ratio(compact, key.compact)
    if whole < 85:
        whole = 0.0
    if len(compact) >= 4 and key.compact.startswith(compact):  # the beginning of the name: a choice, never sure
        whole = max(whole, 80 + 9 * len(compact) / len(key.compact))
    return min(99.0, max(whole, words))


def permit_key(text: str) -> str:
    """'№ 0123-КГ' -> '0123kg'; 'No. 123' -> '123'."""
    folded = fold(text).replace(" ", "")
    return re.sub(r"^(no|n|nomer|nomeri|ragam|rakam|raqam)(?=\d)", "", folded)


# -- the index ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Match:
    agency: Agency
    score: float

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


@dataclass(frozen=True, slots=True)
class Found:
    """One search: `sure` is a match to show at once; `choices` similar names to offer as buttons."""

    query: str
    sure: Match | None
    choices: tuple[Match, ...]
    snapshots: dict[str, Snapshot]  # the registries searched
    too_vague: bool = False  # only words like "agency" or "job": ask for the agency's own name

    @property
    def found(self) -> bool:
        return self.sure is not None or bool(self.choices)


class AgencyIndex:
    """Built from all snapshots; rebuilt when an import changes them."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.agencies = agencies
        self.keys: list[Key] = []
        postings: dict[str, list[int]] = defaultdict(list)
        self.permits: dict[str, list[int]] = defaultdict(list)
        for position, agency in enumerate(agencies):
            for tokens in dict.fromkeys(v for spelling in (agency.name, *agency.aliases) for v in _variants(spelling)):
                key_id = len(self.keys)
                self.keys.append(Key(position, tokens, "".join(tokens)))
                for token in set(tokens):
                    postings[token].append(key_id)
            if agency.permit:
                self.permits[permit_key(agency.permit)].append(position)
                digits = re.sub(r"\D", "", agency.permit)
                if len(digits) >= 3:
                    self.permits[digits].append(position)
        self.postings = dict(postings)
        self.vocabulary = list(self.postings)
        self.sorted_vocabulary = sorted(self.postings)
        self.compacts = [key.compact for key in self.keys]
        self.by_compact = sorted((key.compact, key_id) for key_id, key in enumerate(self.keys))

    def search(self, query: str, prefer: str | None = None, limit: int = 5) -> tuple[Match | None, tuple[Match, ...], bool]:
        readings = _variants(query)
        if not readings:
            return None, (), False
        by_permit = self._by_permit(query)
        if by_permit:
            matches = [Match(self.agencies[p], 100.0) for p in by_permit]
            return (matches[0], (), False) if len(matches) == 1 else (None, tuple(matches[:limit]), False)
        if all(t in GENERIC for t in readings[0]):
            return None, (), True
        scores: dict[int, float] = {}
        for tokens in readings:
            for key_id in self._candidates(tokens):
                key = self.keys[key_id]
                score = similarity(tokens, key)
                if score > scores.get(key.agency, 0.0):
                    scores[key.agency] = score
        if prefer:  # the registry of the person's own country first, when the names tie
            scores = {a: s + (0.5 if self.agencies[a].country == prefer else 0.0) for a, s in scores.items()}
        ranked = sorted(((s, a) for a, s in scores.items() if s >= CLOSE), key=lambda item: (-item[0], item[1]))
        matches = [Match(self.agencies[a], min(s, 100.0)) for s, a in ranked[: limit + 1]]
        if not matches:
            return None, (), False
        best = matches[0]
        rivals = [m for m in matches[1:] if m.score >= best.score - 6]
        if best.score >= SURE and not rivals:
            return best, (), False
        return None, tuple(matches[:limit]), False

    def _by_permit(self, query: str) -> list[int]:
        if not re.search(r"\d", query):
            return []
        found = self.permits.get(permit_key(query)) or self.permits.get(re.sub(r"\D", "", query)) or []
        return list(dict.fromkeys(found))

    def _candidates(self, tokens: tuple[str, ...]) -> list[int]:
        """Spellings worth scoring in full: those sharing a like word with the query, best first (a rough
        share of the query's words they contain), and those like the whole name or beginning with it."""
        rough: dict[int, float] = defaultdict(float)
        total = sum(_weight(t) for t in tokens) or 1.0
        only_common = all(_weight(t) < 1 for t in tokens)
        for token in set(tokens):
            if _weight(token) < 1 and not only_common:
                continue  # "agency", "ОсОО": in too many names to find one by
            if len(token) < 3:
                similar = [(token, 100.0)] if token in self.postings else []
            else:
                similar = [(w, score) for w, score, _at in process.extract(
                    token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=70, limit=30, processor=None)]
                similar += [(word, 90.0) for word in self._prefixed(token)]
            best: dict[int, float] = {}
            for word, score in similar:
                for key_id in self.postings[word]:
                    if score > best.get(key_id, 0.0):
                        best[key_id] = score
            for key_id, score in best.items():
                rough[key_id] += _weight(token) * score / total
        ranked = sorted(rough, key=rough.__getitem__, reverse=True)[:MAX_CANDIDATES]
        compact = "".join(tokens)
        ranked += [key_id for _c, _s, key_id in process.extract(
            compact, self.compacts, scorer=fuzz.ratio, score_cutoff=75, limit=20, processor=None)]
        if len(compact) >= 4:  # names that begin with what was typed ("akjol" for "Ак-Жол Кадр")
            start = bisect.bisect_left(self.by_compact, (compact, -1))
            for name, key_id in self.by_compact[start:start + 20]:
                if not name.startswith(compact):
                    break
                ranked.append(key_id)
        return list(dict.fromkeys(ranked))

    def _prefixed(self, token: str) -> list[str]:
        """Words of the registry that begin with `token` (at most 30)."""
        if len(token) < 4:
            return []
        start = bisect.bisect_right(self.sorted_vocabulary, token)
        found = []
        for word in self.sorted_vocabulary[start:start + 30]:
            if not word.startswith(token):
                break
            found.append(word)
        return found


# -- registry files ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None  # the row's line in the file (CSV) or its number in the list (YAML); None: the file
    field: str | None
    reason: str  # a code: see REASONS in the screens and the CLI
    value: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        what = f" {self.field}" if self.field else ""
        shown = f": {self.value!r}" if self.value else ""
        return f"{where}{what}: {self.explain(REASONS.get(self.reason, self.reason))}{shown}"

    @staticmethod
    def explain(reason: str) -> str:
        """A reason, translated or not, with the list of statuses (or the letters an encoding lost) put in."""
        return reason.format(values=", ".join(STATUSES), letters=LOST_LETTERS)


def N_(text: str) -> str:
    """Marks a string for translation where it is defined; the screens translate it when shown."""
    return text


REASONS = {
    "too_big": N_("the file is larger than 5 MB"),
    "not_text": N_("not a text file in UTF-8 or Windows-1251"),
    "bad_yaml": N_("not valid YAML"),
    "bad_format": N_("not a registry: expected a CSV file with a header row, or YAML with an 'agencies' list"),
    "bad_extension": N_("the file name must end in .xlsx, .csv, .yaml or .yml"),
    "bad_sheet": N_("not an Excel workbook that can be read: save it again as .xlsx, or as CSV UTF-8"),
    "lossy": N_("has “?” where a letter should be: the file was saved in an encoding without {letters}. "
                "Save it as “CSV UTF-8” or send the .xlsx file"),
    "unknown_column": N_("unknown column; the template (/registries) lists the columns"),
    "missing_column": N_("this required column is missing"),
    "no_rows": N_("the file has no agencies; an empty list would erase the registry"),
    "too_many_rows": N_("more than 50,000 rows"),
    "country": N_("the country must be KG, TJ, UZ or KZ"),
    "country_mismatch": N_("the file is for another country than the one given"),
    "source": N_("the source of the list is missing (a link or a precise reference)"),
    "source_date": N_("the date of the list is missing or is not a date (YYYY-MM-DD or DD.MM.YYYY)"),
    "future_date": N_("the date is in the future"),
    "required": N_("is empty"),
    "too_long": N_("is longer than 300 characters"),
    "bad_date": N_("is not a date (YYYY-MM-DD or DD.MM.YYYY)"),
    "bad_status": N_("must be one of: {values}"),
    "bad_country": N_("is not a two-letter country code (RU, TR, KR...)"),
    "date_order": N_("valid_to is before valid_from"),
    "duplicate_permit": N_("the same permit number is on another row"),
    "duplicate_name": N_("the same name with the same permit is on another row"),
}


class RegistryError(Exception):
    """A file that cannot be imported: `problems` says why, row by row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Registry:
    """A validated file, ready to replace a country's snapshot."""

    country: str
    source: str
    source_date: date
    sample: bool
    rows: tuple[dict[str, Any], ...]
    file_name: str | None = None


def parse_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _decode(data: bytes) -> str:
    if b"\x00" in data:  # binary: a spreadsheet (.xlsx) or a PDF renamed, or UTF-16
        raise RegistryError([Problem(None, None, "not_text")])
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegistryError([Problem(None, None, "not_text")])


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[;\n]", str(value)) if part.strip()]


def _read_csv(text: str) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return {}, _table((reader.line_num, row) for row in reader if any(cell.strip() for cell in row))


def _read_xlsx(data: bytes) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    try:
        return {}, _table(sheets.read_rows(data))
    except sheets.SheetError:
        raise RegistryError([Problem(None, None, "bad_sheet")]) from None


def _table(rows: Iterable[tuple[int, list[Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """A sheet's rows (their line numbers and cells), the first being the header: each row as a dict by
    column (its Russian or English name understood), blank lines left out."""
    found = iter(rows)
    first = next(found, None)
    if first is None:
        raise RegistryError([Problem(None, None, "bad_format")])
    line, names = first
    columns = [COLUMN_NAMES.get(header_key(name)) for name in names]
    problems = [Problem(line, str(name), "unknown_column") for name, column in zip(names, columns, strict=True)
                if column is None and header_key(name)]
    problems += [Problem(line, column, "missing_column") for column in ("name", "status") if column not in columns]
    if problems:
        raise RegistryError(problems)
    table = []
    for number, cells in found:
        table.append((number, {column: value for column, value in zip(columns, cells, strict=False) if column}))
    return table


def _read_yaml(text: str) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):  # nesting deeper than Python's stack: no registry looks like that
        raise RegistryError([Problem(None, None, "bad_yaml")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        raise RegistryError([Problem(None, None, "bad_format")])
    header = {k: data.get(k) for k in ("country", "source", "source_date", "sample")}
    rows: list[tuple[int, dict[str, Any]]] = []
    problems = []
    for number, row in enumerate(data["agencies"], start=1):
        if not isinstance(row, dict):
            problems.append(Problem(number, None, "bad_format"))
            continue
        unknown = [str(k) for k in row if k not in COLUMNS]
        problems += [Problem(number, name, "unknown_column") for name in unknown]
        rows.append((number, row))
    if problems:
        raise RegistryError(problems)
    return header, rows


# "?" inside a word: a letter the file's encoding could not hold (Excel's "CSV" in Windows-1251 has no
# ң, ө, ү, ҳ, ҷ), so «Жаңы Жол» arrived as «Жа?ы Жол». Such a name would be shown to people as it is.
_LOSSY = re.compile(r"\w\?|\?\w")
LOST_LETTERS = "ң, ө, ү, ҳ, ҷ, қ, ғ"  # what Windows-1251 cannot hold of Kyrgyz and Tajik


def _clean_row(line: int, raw: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in ("name", "permit", "authority", "phone", "address", "website", "note"):
        value = raw.get(column)
        text = " ".join(str(value).split()) if value is not None else ""
        if len(text) > MAX_FIELD:
            problems.append(Problem(line, column, "too_long"))
        if column in ("name", "authority", "address", "note") and _LOSSY.search(text):
            problems.append(Problem(line, column, "lossy", text))
        row[column] = text or None
    if not row["name"]:
        problems.append(Problem(line, "name", "required"))
    status_text = str(raw.get("status") or "").strip().lower()
    row["status"] = STATUS_WORDS.get(status_text)
    if row["status"] is None:
        problems.append(Problem(line, "status", "bad_status" if status_text else "required", status_text))
    for column in ("valid_from", "valid_to"):
        value = raw.get(column)
        if value is None or str(value).strip() == "":
            row[column] = None
            continue
        day = parse_day(value)
        if day is None:
            problems.append(Problem(line, column, "bad_date", str(value)))
        row[column] = day
    if row["valid_from"] and row["valid_to"] and row["valid_to"] < row["valid_from"]:
        problems.append(Problem(line, "valid_to", "date_order"))
    aliases = _as_list(raw.get("aliases"))
    if any(len(a) > MAX_FIELD for a in aliases):
        problems.append(Problem(line, "aliases", "too_long"))
    problems += [Problem(line, "aliases", "lossy", alias) for alias in aliases if _LOSSY.search(alias)][:1]
    row["aliases"] = aliases
    destinations = [d.upper() for d in _as_list(str(raw.get("destinations") or "").replace(",", ";")
                                                 if not isinstance(raw.get("destinations"), list) else raw.get("destinations"))]
    for code in destinations:
        if code not in ISO_COUNTRIES:
            problems.append(Problem(line, "destinations", "bad_country", code))
    row["destinations"] = list(dict.fromkeys(destinations))
    return row


def parse_registry(
    data: bytes, file_name: str, *, country: str | None = None, source: str | None = None,
    source_date: str | None = None, today: date | None = None,
) -> Registry:
    """Read and check a whole registry file; raise RegistryError with every problem found."""
    if len(data) > MAX_FILE_BYTES:
        raise RegistryError([Problem(None, None, "too_big")])
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml", ".xlsx"):
        raise RegistryError([Problem(None, None, "bad_extension")])
    if suffix == ".xlsx":
        header, raw_rows = _read_xlsx(data)
    else:
        text = _decode(data)
        header, raw_rows = _read_csv(text) if suffix == ".csv" else _read_yaml(text)
    problems: list[Problem] = []
    chosen, chosen_source, listed = _check_header(header, country, source, source_date, today, problems)
    if not raw_rows:
        problems.append(Problem(None, None, "no_rows"))
    if len(raw_rows) > MAX_ROWS:
        problems.append(Problem(None, None, "too_many_rows"))
        raw_rows = raw_rows[:MAX_ROWS]
    rows = _check_rows(raw_rows, problems)
    if problems:
        raise RegistryError(problems)
    assert chosen is not None and listed is not None
    return Registry(chosen, chosen_source, listed, bool(header.get("sample")), tuple(rows), PurePath(file_name).name)


def _check_header(
    header: dict[str, Any], country: str | None, source: str | None, source_date: str | None, today: date | None,
    problems: list[Problem],
) -> tuple[str | None, str, date | None]:
    """The list's country, source and date, from the caption (or the command line) or the file."""
    file_country = str(header.get("country") or "").strip().upper() or None
    given = (country or "").strip().upper() or None
    if given and file_country and given != file_country:
        problems.append(Problem(None, "country", "country_mismatch", f"{file_country} / {given}"))
    chosen = given or file_country
    if chosen not in REGISTRIES:
        problems.append(Problem(None, "country", "country", chosen or ""))
    chosen_source = (source or str(header.get("source") or "")).strip()
    if not chosen_source:
        problems.append(Problem(None, "source", "source"))
    listed = parse_day(source_date if source_date else header.get("source_date"))
    if listed is None:
        problems.append(Problem(None, "source_date", "source_date", str(source_date or header.get("source_date") or "")))
    elif today is not None and listed > today:
        problems.append(Problem(None, "source_date", "future_date", listed.isoformat()))
    return chosen, chosen_source, listed


def _check_rows(raw_rows: list[tuple[int, dict[str, Any]]], problems: list[Problem]) -> list[dict[str, Any]]:
    """Every row cleaned; the same permit, or the same name with the same permit, twice is a problem."""
    rows = []
    permits: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for line, raw in raw_rows:
        row = _clean_row(line, raw, problems)
        if row["permit"]:
            key = permit_key(row["permit"])
            if key in permits:
                problems.append(Problem(line, "permit", "duplicate_permit", row["permit"]))
            permits.setdefault(key, line)
        if row["name"]:
            name_key = (fold(row["name"]), permit_key(row["permit"] or ""))
            if name_key in names:
                problems.append(Problem(line, "name", "duplicate_name", row["name"]))
            names.setdefault(name_key, line)
        rows.append(row)
    return rows


def parse_caption(caption: str | None) -> dict[str, str]:
    """An admin's caption on a registry file: 'KG https://... 2026-11-20' in any order, any part optional."""
    found: dict[str, str] = {}
    for word in (caption or "").split():
        if word.upper() in REGISTRIES and "country" not in found:
            found["country"] = word.upper()
        elif parse_day(word) is not None and "source_date" not in found:
            found["source_date"] = word
        elif "source" not in found and ("://" in word or "." in word):
            found["source"] = word
    return found


# -- reports -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Checked:
    """The agency last shown to a person: what a report about it needs, even if the registry changes."""

    id: int
    name: str
    permit: str | None
    registry: str  # the registry's country
    status: str

    @classmethod
    def of(cls, agency: Agency, status: str) -> Checked:
        return cls(agency.id, agency.name, agency.permit, agency.country, status)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Checked | None:
        if not raw or not raw.get("name"):
            return None
        return cls(raw.get("id") or 0, raw["name"], raw.get("permit"), raw.get("registry") or "", raw.get("status") or NOT_FOUND)


HARMS = ("money_taken", "documents_kept")  # also triage signs (bot.screens.words.TRIAGE_SIGNS)


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """A report being written: the agency (as found, or as typed), then what happened, then a contact."""

    agency: str
    status: str = NOT_FOUND  # its status when checked; "unchecked": typed, like some names in the lists
    registry: str | None = None
    permit: str | None = None
    flags: tuple[str, ...] = ()  # red flags the person answered yes
    what: str | None = None
    contact: str | None = None
    harm: tuple[str, ...] = ()  # what the agency did to the person: "money_taken", "documents_kept"

    @classmethod
    def about(cls, checked: Checked, flags: Iterable[str]) -> ReportDraft:
        return cls(checked.name, checked.status, checked.registry, checked.permit, tuple(flags))

    def level(self) -> str:
        """The case's level: high when the agency took money or keeps documents, or with a flag of danger;
        a concern with warning signs or a bad status."""
        verdict = assess(dict.fromkeys(self.flags, Reply.YES.value)).verdict
        if self.harm or verdict is Verdict.DANGER:
            return "high"
        if verdict is Verdict.CAUTION or self.status in ("revoked", "suspended", "expired"):
            return "concern"
        return "info"

    def subject(self) -> dict[str, Any]:
        """What the case says about the agency (what happened is the case's description)."""
        return {"agency": self.agency, "registry": self.registry, "permit": self.permit, "status": self.status,
                "flags": list(self.flags), "contact": self.contact, "harm": list(self.harm)}

    def report(self, user_id: int, language: str, case_id: int | None) -> Report:
        return Report(
            user_id=user_id, language=language, agency=self.agency, status=self.status, registry=self.registry,
            permit=self.permit, flags=self.flags, what=self.what, contact=self.contact, case_id=case_id,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "flags": list(self.flags)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> ReportDraft | None:
        if not raw:
            return None
        return cls(
            raw.get("agency") or "", raw.get("status") or NOT_FOUND, raw.get("registry"), raw.get("permit"),
            tuple(raw.get("flags") or ()), raw.get("what"), raw.get("contact"),
            tuple(h for h in raw.get("harm") or () if h in HARMS),
        )


@dataclass(frozen=True, slots=True)
class Reported:
    report_id: int
    case: Case | None  # the case opened for it, if any
    alert: int | None  # the case's alert, queued: to post once committed (None: none, or it goes in a topic)


# -- the service -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Imported:
    country: str
    rows: int
    before: int  # rows in the snapshot it replaced
    sample: bool = False  # the file is marked as sample data


@dataclass(frozen=True, slots=True)
class Standing:
    """An agency's status on a given day: an active permit past its end date is expired."""

    status: str
    until: date | None
    stale: bool  # the list is older than STALE_AFTER_DAYS
    snapshot: Snapshot


@dataclass
class AgencyService:
    db: Database
    repo: AgencyRepository
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _index: AgencyIndex | None = None
    _version: tuple[tuple[str, str], ...] | None = None
    _snapshots: dict[str, Snapshot] = field(default_factory=dict)

    def today(self, country: str) -> date:
        return self.clock().astimezone(REGISTRIES.get(country, ZoneInfo("UTC"))).date()

    async def import_registry(self, registry: Registry) -> Imported:
        """Replace the country's snapshot with the file's rows, all or nothing."""
        with self.db.offloaded():  # thousands of rows
            async with self.db.transaction():
                before = await self.repo.count(registry.country)
                await self.repo.replace(registry, self.clock())
        self._version = None  # rebuild the index on the next search
        return Imported(registry.country, len(registry.rows), before, registry.sample)

    async def import_file(self, data: bytes, file_name: str, caption: str | None) -> Imported:
        """An admin's file: check it (RegistryError says what is wrong) and import it, all or nothing."""
        # up to 5 MB of YAML or CSV: parsed in a worker thread, so the bot keeps answering meanwhile
        registry = await asyncio.to_thread(parse_registry, data, file_name, today=self.clock().date(), **parse_caption(caption))
        return await self.import_registry(registry)

    async def snapshots(self) -> dict[str, Snapshot]:
        await self._fresh_index()
        return dict(self._snapshots)

    async def _fresh_index(self) -> AgencyIndex:
        """The index, rebuilt if any snapshot changed (also by the CLI, in another process)."""
        snapshots = await self.repo.snapshots()
        version = tuple(sorted((s.country, s.imported_at.isoformat()) for s in snapshots))
        if self._index is None or version != self._version:
            self._index = AgencyIndex(await self.repo.all())
            self._version = version
            self._snapshots = {s.country: s for s in snapshots}
        return self._index

    async def search(self, query: str, prefer: str | None = None) -> Found:
        index = await self._fresh_index()
        sure, choices, vague = index.search(query, prefer)
        return Found(query, sure, choices, dict(self._snapshots), vague)

    async def get(self, agency_id: int) -> Agency | None:
        await self._fresh_index()
        return await self.repo.get(agency_id)

    def standing(self, agency: Agency) -> Standing:
        snapshot = self._snapshots[agency.country]
        today = self.today(agency.country)
        status = agency.status
        if status == "active" and agency.valid_to is not None and agency.valid_to < today:
            status = "expired"
        return Standing(status, agency.valid_to, self.is_stale(snapshot), snapshot)

    def is_stale(self, snapshot: Snapshot) -> bool:
        return (self.today(snapshot.country) - snapshot.source_date).days > STALE_AFTER_DAYS

    async def load_samples(self, directory: Path) -> list[Imported]:
        """Load the sample registries (for `python -m bot try`) into countries that have no list yet."""
        have = {s.country for s in await self.repo.snapshots()}
        done = []
        for path in await asyncio.to_thread(lambda: sorted(directory.glob("*.yaml"))):
            registry = load_file(path)
            if registry.country not in have:
                done.append(await self.import_registry(registry))
        return done

    async def report(
        self, draft: ReportDraft, user: User, language: str,
        cases: CaseService | None = None, alert: Callable[[Case], Awaitable[int | None]] | None = None,
    ) -> Reported:
        """Send a report: with `cases` (consultants on duty), open an agency case for it and queue its
        alert with `alert`; save the report, linked to the case. All in one transaction: a failure
        anywhere leaves no case, no alert and no report. A person who already has an open case, or whom
        no team serves, gets the report saved without a case."""
        async with self.db.transaction():
            case = await self._open_case(draft, user, language, cases) if cases is not None else None
            queued = await alert(case) if case is not None and alert is not None else None
            report = draft.report(user.id, language, case.id if case else None)
            report_id = await self.repo.add_report(replace(report, created_at=self.clock()))
        return Reported(report_id, case, queued)

    async def _open_case(self, draft: ReportDraft, user: User, language: str, cases: CaseService) -> Case | None:
        try:
            return await cases.open(Draft(
                user_id=user.id, kind="agency", level=draft.level(), language=language, description=draft.what,
                destination=user.destination, citizenship=user.citizenship, subject=draft.subject(), signs=draft.harm,
            ))
        except CaseError as error:
            if error.reason not in ("open_exists", "no_team"):
                raise
            return None


    async def draft_report(self, name: str, flags: Iterable[str]) -> ReportDraft:
        """A report about an agency named by the person: the registry's agency if the name is exactly
        one; else the name as typed, "unchecked" when like some in the lists, "not_found" when not."""
        found = await self.search(name)
        if found.sure is not None and found.sure.exact:
            agency = found.sure.agency
            return ReportDraft.about(Checked.of(agency, self.standing(agency).status), flags)
        return ReportDraft(name, "unchecked" if found.found else NOT_FOUND, flags=tuple(flags))

    async def reports(self, limit: int = 10) -> list[Report]:
        return await self.repo.reports(limit)


SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "samples" / "agencies"


def load_file(path: str | Path, **meta: Any) -> Registry:
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    return parse_registry(data, str(path), **meta)


TEMPLATE_NAME = "agency-registry-template.xlsx"


def registry_template(english: bool = False) -> bytes:
    """The registry template (.xlsx): the agencies sheet with its column names (Russian, or English) and
    no rows, and a sheet saying what each column holds. Either language's names are read back."""
    names = [english_name if english else russian for _names, russian, english_name, _note in HEADERS.values()]
    notes = [[name, note] for name, (_names, _russian, _english, note) in zip(names, HEADERS.values(), strict=True)]
    required = ", ".join(names[list(HEADERS).index(column)] for column in ("name", "status"))
    help_rows = [["Column / Колонка", "What it holds / Что в ней"], *notes, ["", ""], [
        "Required / Обязательно", required], [
        "Caption / Подпись", "KG https://source.example/list 2026-11-20 (country, source, date of the list)"]]
    return sheets.workbook([("agencies" if english else "агентства", [names]), ("help" if english else "пояснения", help_rows)])
