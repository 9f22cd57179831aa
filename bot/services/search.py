"""Free-text search over the guidance, and danger phrases, per language.

Text is folded to a Latin "skeleton" before matching (lower case, Cyrillic transliterated, the
Uzbek oʻ/gʻ apostrophes in any of their spellings dropped), so "паспорт", "pasport" and
"pasportimni" meet, and Uzbek typed in Cyrillic finds Latin content. Words match exactly, by a
shared stem, or with a typo or two (optimal string alignment distance: a swapped pair of letters is one typo). Words that occur in
many topics count less (inverse document frequency), so "how" and "where" do not decide.
"""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.content.model import SIGNS, Content, Sign
from bot.models import CITIZENSHIPS, DESTINATIONS
from bot.storage.cache import MISSING, BoundedCache

# Cyrillic letters of Russian, Kyrgyz, Tajik and Uzbek -> Latin, close to how people type them.
_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
    # Kyrgyz
    "ө": "o", "ү": "u", "ң": "ng",
    # Tajik
    "ӣ": "i", "ӯ": "u", "қ": "q", "ғ": "g", "ҳ": "h", "ҷ": "j",
    # Uzbek Cyrillic
    "ў": "o",
}
_TABLES = {
    "default": str.maketrans(_COMMON),
    "uz": str.maketrans({**_COMMON, "х": "x", "ҳ": "h", "қ": "q", "ц": "s"}),
}
# oʻ, gʻ and the glottal stop, in every way people type them, and Latin letters people use for x/kh
_APOSTROPHES = re.compile(r"[ʻʼ'‘’`´]")
_WORD = re.compile(r"[^\W_]+")
MIN_SCORE = 1.2
RELATIVE_FLOOR = 0.4
TITLE_WEIGHT = 3.0
KEYWORD_WEIGHT = 3.0
BODY_WEIGHT = 1.0

EMERGENCY = "emergency"  # what `kinds` says for an emergency phrase (no sign is named so)
WORDS_KEPT = 20_000  # per language: the words last asked, with what they matched (a few MB)
MAX_QUESTION_CHARS = 600  # a question is short; a pasted page is matched on its beginning
DANGER_GROUPS = ("danger", "trouble")  # the guide's groups a danger answer may offer besides what its signs need


def skeleton(text: str, language: str) -> str:
    folded = text.lower()
    if language == "ru":
        folded = folded.replace("ё", "е")  # Russian writes ё as е; Uzbek and Tajik ё is "yo"
    folded = _APOSTROPHES.sub("", folded)
    folded = folded.translate(_TABLES.get(language, _TABLES["default"]))
    return folded.replace("kh", "h").replace("x", "h") if language != "uz" else folded


def words(text: str, language: str) -> list[str]:
    text = re.sub(r"<[^>]+>|\{[a-z0-9_]+\}", " ", text)  # tags and placeholders are not words
    return _WORD.findall(skeleton(text, language))


_DOUBLED = re.compile(r"(.)\1+")
# What people swap when they type fast or on another keyboard: Tajik ҷ typed as ч, Kyrgyz ң as н,
# қ as к, Uzbek x as h; and doubled letters ("пасспорт") are one.
_LOOSE = (("ch", "j"), ("zh", "j"), ("ng", "n"), ("q", "k"), ("x", "h"), ("gh", "g"))


def loose(word: str) -> str:
    """A folded word as danger matching hears it: the same for "ҳуҷҷат", "хуччат" and "hujat"."""
    for typed, heard in _LOOSE:
        word = word.replace(typed, heard)
    return _DOUBLED.sub(r"\1", word)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A danger phrase: stems that must all begin some word of the message, and stems that must not
    (written "!stem": "гирифт !гирифтам" is "took", not "I received")."""

    needed: tuple[str, ...]
    barred: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, language: str) -> Phrase | None:
        needed: list[str] = []
        barred: list[str] = []
        for token in text.split():
            target = barred if token.startswith("!") else needed
            target += [loose(word) for word in words(token.lstrip("!"), language)]
        return cls(tuple(needed), tuple(barred)) if needed else None

    def heard_in(self, message: list[str], found: frozenset[str]) -> bool:
        """`found`: the stems that some word of the message matches (`_LanguageIndex.heard`)."""
        if not all(stem in found for stem in self.needed):
            return False
        return not any(word == stem or (len(stem) >= 3 and word.startswith(stem)) for stem in self.barred for word in message)


def token_similarity(query: str, word: str) -> float:
    """1.0 the same word; 0.8 the same stem with other endings; 0.6 a typo, possibly with an ending."""
    if query == word:
        return 1.0
    shorter, longer = sorted((query, word), key=len)
    if len(shorter) < 4:
        return 0.0
    common = len(os.path.commonprefix((shorter, longer)))  # noqa: RUF071 - letters, not paths
    if common == len(shorter) or common >= max(4, len(shorter) - 2):
        return 0.8
    if len(shorter) >= 5:
        allowed = 1 if len(shorter) < 8 else 2
        if OSA.distance(shorter, longer[: len(shorter)]) <= allowed or OSA.distance(shorter, longer) <= allowed:
            return 0.6
    return 0.0


@dataclass(frozen=True)
class Hit:
    topic: str
    score: float


class _LanguageIndex:
    def __init__(self, weights: dict[str, dict[str, float]], danger: dict[Sign, list[Phrase]], emergency: list[Phrase]) -> None:
        self.weights = weights  # word -> topic -> weight (idf included)
        self.vocabulary = list(weights)
        self.danger = danger
        self.emergency = emergency
        # words by their first and by their second letter: a match (the same word, stem, or one or two
        # typos) keeps one of the two in place, so a query is held against a small part of the vocabulary
        self.by_letter: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in self.vocabulary:
            for position in (0, 1):
                if len(word) > position:
                    self.by_letter[position, word[position]].append(word)
        # the same, shortest first (typos need 5 letters), and the words by their first 4 letters (stems)
        self.by_size: dict[tuple[int, str], tuple[list[str], list[int]]] = {}
        for key, near in self.by_letter.items():
            ordered = sorted(near, key=len)
            self.by_size[key] = (ordered, [len(word) for word in ordered])
        self.by_head: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if len(word) >= 4:
                self.by_head[word[:4]].append(word)

        # the danger phrases' stems: short ones (< 3 letters) match a whole word, the others begin one,
        # and from 5 letters also with a typo (`_stems_of`); the typo-able ones by their first two letters
        stems = {stem for phrases in [*danger.values(), emergency] for phrase in phrases for stem in phrase.needed}
        self.whole = frozenset(stem for stem in stems if len(stem) < 3)
        self.beginnings = frozenset(stem for stem in stems if len(stem) >= 3)
        self.typo_by_letter: dict[tuple[int, str], list[str]] = defaultdict(list)
        for stem in sorted(stem for stem in stems if len(stem) >= 5):
            self.typo_by_letter[0, stem[0]].append(stem)
            self.typo_by_letter[1, stem[1]].append(stem)
        # each phrase under its first stem: a message can only say the phrases whose first stem it has
        self.by_first: dict[str, list[tuple[Sign | str, Phrase]]] = defaultdict(list)
        for kind, phrases in [*danger.items(), (EMERGENCY, emergency)]:
            for phrase in phrases:
                self.by_first[phrase.needed[0]].append((kind, phrase))
        self._candidates: BoundedCache[str, tuple[tuple[str, float], ...]] = BoundedCache(WORDS_KEPT)
        self._stems: BoundedCache[str, frozenset[str]] = BoundedCache(WORDS_KEPT)

    def candidates(self, query: str) -> tuple[tuple[str, float], ...]:
        """The vocabulary's words like `query`, with how alike (`token_similarity`); kept for words asked again."""
        found = self._candidates.get(query)
        if found is MISSING:
            return self._candidates.put(query, tuple(self._alike(query)))
        return found  # type: ignore[return-value]

    def _alike(self, query: str) -> list[tuple[str, float]]:
        """`token_similarity` against the near words (the first or the second letter in place), the same
        results found faster: the same word by a lookup, a shared stem among the words that begin with
        the query's first 4 letters, a typo by rapidfuzz over the near words of each length at once."""
        size = len(query)
        found: dict[str, float] = {query: 1.0} if query in self.weights else {}
        if size < 4:
            return list(found.items())  # a word shorter than 4 letters matches only itself
        for word in self.by_head.get(query[:4], ()):  # a shared stem shares at least the first 4 letters
            if word not in found and (similarity := token_similarity(query, word)):
                found[word] = similarity
        if size >= 5:
            for word in self._typos(query):
                found.setdefault(word, 0.6)
        return list(found.items())

    def _typos(self, query: str) -> set[str]:
        """Near words within `token_similarity`'s typos of the query: one (two from 8 letters) edits of
        the shorter against the longer's beginning of the same length, or against the whole longer."""
        size = len(query)
        typos: set[str] = set()
        for position in (0, 1):
            words, lengths = self.by_size.get((position, query[position]), ((), ()))
            start = bisect_left(lengths, 5)
            middle = bisect_left(lengths, size, start)
            allowed = 1 if size < 8 else 2
            longer = words[middle:]  # the query against their beginning of its length
            for _match, _distance, at in process.extract(query, [word[:size] for word in longer], scorer=OSA.distance,
                                                          score_cutoff=allowed, limit=None):
                typos.add(longer[at])
            typos.update(word for word in words[middle:bisect_left(lengths, size + allowed + 1, middle)]
                         if OSA.distance(query, word, score_cutoff=allowed) <= allowed)
            for at in range(start, middle):  # shorter words, against the query's beginning of their length
                word = words[at]
                short = len(word)
                allowed = 1 if short < 8 else 2
                if (OSA.distance(word, query[:short], score_cutoff=allowed) <= allowed
                        or (size - short <= allowed and OSA.distance(word, query, score_cutoff=allowed) <= allowed)):
                    typos.add(word)
        return typos

    def kinds(self, message: list[str]) -> set[Sign | str]:
        """What the (folded) message's danger phrases say: their signs, and EMERGENCY for an emergency phrase."""
        found = self.heard(message)
        said: set[Sign | str] = set()
        for stem in found:
            for kind, phrase in self.by_first.get(stem, ()):
                if kind not in said and phrase.heard_in(message, found):
                    said.add(kind)
        return said

    def heard(self, message: list[str]) -> frozenset[str]:
        """The danger stems that some word of the (folded) message matches (`_stems_of`)."""
        found: set[str] = set()
        for word in message:
            stems = self._stems.get(word)
            found.update(self._stems.put(word, self._stems_of(word)) if stems is MISSING else stems)  # type: ignore[arg-type]
        return frozenset(found)

    def _stems_of(self, word: str) -> frozenset[str]:
        """The stems the word matches: a stem under 3 letters is the whole word; a longer one begins it; one of
        5+ letters also with one letter wrong or extra, and from 6 letters also one missing ("гирфт" for
        "гирифт", "намдихад" for "намедиҳад")."""
        found = {word} if word in self.whole else set()
        found.update(word[:end] for end in range(3, len(word) + 1) if word[:end] in self.beginnings)
        if len(word) >= 4:  # a typo: the first or the second letter in place, or the two swapped (`_near`)
            near = [*self.typo_by_letter.get((0, word[0]), ()), *self.typo_by_letter.get((1, word[1]), ()),
                    *(stem for stem in self.typo_by_letter.get((0, word[1]), ()) if stem[1] == word[0])]
            found.update(stem for stem in near if stem not in found and _one_typo(stem, word))
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class Found:
    topics: list[str]
    danger: bool
    signs: tuple[Sign, ...] = ()  # what the danger words are a sign of, for the topics that answer them


class SearchIndex:
    """Built once from the content; `find` and `is_danger` run per message."""

    @classmethod
    def of(cls, content: Content) -> SearchIndex:
        """The index of this content, built once per content object (the content is not changed once loaded)."""
        kept = _BUILT.get(id(content))
        if kept is None or kept[0] is not content:
            if len(_BUILT) >= 8:
                _BUILT.clear()
            kept = _BUILT[id(content)] = (content, cls(content))
        return kept[1]

    def __init__(self, content: Content) -> None:
        self.content = content
        self.indexes: dict[str, _LanguageIndex] = {}
        for language, files in content.languages.items():
            fields: dict[str, dict[str, float]] = defaultdict(dict)
            for topic, text in files.topics.items():
                body = " ".join(content.fill(language, page).text for page in text.pages)
                for weight, source in (
                    (BODY_WEIGHT, body),
                    (KEYWORD_WEIGHT, " ".join(text.keywords)),
                    (TITLE_WEIGHT, text.title),
                ):
                    for word in words(source, language):
                        if len(word) >= 2:
                            fields[word][topic] = max(fields[word].get(topic, 0.0), weight)
            total = max(len(files.topics), 1)
            weights = {
                word: {topic: weight * math.log(1 + total / len(topics)) for topic, weight in topics.items()}
                for word, topics in fields.items()
            }
            danger = {
                sign: [p for p in (Phrase.parse(phrase, language) for phrase in phrases) if p]
                for sign, phrases in files.search.danger.items()
            }
            emergency = [p for p in (Phrase.parse(phrase, language) for phrase in files.search.emergency) if p]
            self.indexes[language] = _LanguageIndex(weights, danger, emergency)

    def answer(self, language: str, text: str, citizenship: str | None, country: str | None = None) -> Found:
        """What a typed question leads to: the topics that apply to the person's citizenship, and whether
        it sounds like danger. A question is short: a pasted page is read from its beginning.

        Danger words lead first to the topics that answer what they are a sign of, and only to the
        country topics of `country` (where the person is, or goes): a person beaten in Russia is not
        offered the UAE's rules."""
        text = text[:MAX_QUESTION_CHARS]
        known = citizenship if citizenship in CITIZENSHIPS else None
        found = [hit.topic for hit in self.find(language, text)]
        signs = self.signs(language, text)
        danger = bool(signs) or self.is_emergency(language, text)
        if not danger:
            return Found([topic for topic in found if self.content.topic_applies(topic, known)], False)
        where = country if country in DESTINATIONS else None
        answering = [topic for sign in signs or ("help",) for topic in self.content.guide.danger_signs.get(sign, ())]
        # what the words matched besides, if it is about trouble (not "entry and stay" for "they beat me")
        trouble = [topic for topic in found if self.content.parents[topic].id in DANGER_GROUPS]
        topics = [
            topic for topic in dict.fromkeys([*answering, *trouble])
            if self.content.topic_applies(topic, known, where, only_there=where is not None)
        ]
        return Found(topics, True, signs)

    def find(self, language: str, text: str, limit: int = 5) -> list[Hit]:
        """Best topics for the text in the person's language; failing that, in the others (topic ids are
        shared, so a question typed in Russian still leads to the Kyrgyz page)."""
        hits = self._find(language, text, limit)
        for other in self.indexes:
            if hits:
                break
            if other != language:
                hits = self._find(other, text, limit)
        return hits

    def _find(self, language: str, text: str, limit: int) -> list[Hit]:
        index = self.indexes[language]
        scores: dict[str, float] = defaultdict(float)
        for query in dict.fromkeys(words(text, language)):  # each word once
            if len(query) < 3:
                continue
            best: dict[str, float] = {}
            for word, similarity in index.candidates(query):
                for topic, weight in index.weights[word].items():
                    best[topic] = max(best.get(topic, 0.0), similarity * weight)
            for topic, value in best.items():
                scores[topic] += value
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        if not ranked:
            return []
        floor = max(MIN_SCORE, ranked[0][1] * RELATIVE_FLOOR)  # far weaker matches are noise
        return [Hit(topic, round(score, 3)) for topic, score in ranked[:limit] if score >= floor]

    def is_danger(self, language: str, text: str) -> bool:
        """Whether every stem of some danger phrase begins a word of the message (a typo allowed).

        The phrases of every language are tried, the person's first: people often write in Russian
        whatever the bot speaks, and a cry for help must not be missed for its language.
        """
        return any(self.indexes[name].kinds(message) for name, message in self._read(language, text))

    def is_emergency(self, language: str, text: str) -> bool:
        """Whether the message has an emergency phrase (danger to life or liberty now), in any language."""
        return any(EMERGENCY in self.indexes[name].kinds(message) for name, message in self._read(language, text))

    def signs(self, language: str, text: str) -> tuple[Sign, ...]:
        """What the message's danger phrases are signs of, in the order of SIGNS; any language."""
        heard: set[Sign | str] = set()
        for name, message in self._read(language, text):
            heard.update(self.indexes[name].kinds(message))
        return tuple(sign for sign in SIGNS if sign in heard)

    def _read(self, language: str, text: str) -> list[tuple[str, list[str]]]:
        """The message's words as each language folds them, the person's language first."""
        order = [language, *(other for other in self.indexes if other != language)]
        return [(name, _folded(text[:MAX_QUESTION_CHARS], name)) for name in order if name in self.indexes]


_BUILT: dict[int, tuple[Content, SearchIndex]] = {}


@lru_cache(maxsize=512)
def _folded(text: str, language: str) -> list[str]:
    """A message's words as danger matching hears them in `language` (one message is read several times)."""
    return [loose(word) for word in words(text, language)]


def _cuts(size: int) -> tuple[int, ...]:
    """How much of a word to hold against a stem: its length and one more (a letter wrong or extra);
    from 6 letters also one less (a letter dropped: a 5-letter stem would take "запрет" for "запер")."""
    return (size, size + 1) if size < 6 else (size - 1, size, size + 1)


def _one_typo(stem: str, word: str) -> bool:
    return _near(stem, word) and any(OSA.distance(stem, word[:cut], score_cutoff=1) <= 1 for cut in _cuts(len(stem)))


def _near(stem: str, word: str) -> bool:
    """A cheap test before the edit distance: one typo leaves the first or the second letter in place
    (or swaps the two). A word that fails it is at least two edits from the stem's beginning."""
    return len(word) >= 4 and (word[0] == stem[0] or word[1] == stem[1] or (word[0] == stem[1] and word[1] == stem[0]))
