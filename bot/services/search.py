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
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.content.model import Content
from bot.models import CITIZENSHIPS

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

MAX_QUESTION_CHARS = 600  # a question is short; a pasted page is matched on its beginning


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
    def __init__(self, weights: dict[str, dict[str, float]], danger: list[list[str]], emergency: list[list[str]]) -> None:
        self.weights = weights  # word -> topic -> weight (idf included)
        self.vocabulary = list(weights)
        self.danger = danger
        self.emergency = emergency

    def candidates(self, query: str) -> list[tuple[str, float]]:
        found = []
        for word in self.vocabulary:
            similarity = token_similarity(query, word)
            if similarity:
                found.append((word, similarity))
        return found


@dataclass(frozen=True, slots=True)
class Found:
    topics: list[str]
    danger: bool


class SearchIndex:
    """Built once from the content; `find` and `is_danger` run per message."""

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
            danger = [words(phrase, language) for phrase in files.search.danger]
            emergency = [words(phrase, language) for phrase in files.search.emergency]
            self.indexes[language] = _LanguageIndex(weights, [d for d in danger if d], [e for e in emergency if e])

    def answer(self, language: str, text: str, citizenship: str | None) -> Found:
        """What a typed question leads to: the topics that apply to the person's citizenship, and whether
        it sounds like danger. A question is short: a pasted page is read from its beginning."""
        text = text[:MAX_QUESTION_CHARS]
        known = citizenship if citizenship in CITIZENSHIPS else None
        topics = [hit.topic for hit in self.find(language, text) if self.content.topic_applies(hit.topic, known)]
        return Found(topics, self.is_danger(language, text))

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
        return self._heard(language, text, "danger") or self._heard(language, text, "emergency")

    def is_emergency(self, language: str, text: str) -> bool:
        """Whether the message has an emergency phrase (danger to life or liberty now), in any language."""
        return self._heard(language, text, "emergency")

    def _heard(self, language: str, text: str, kind: str) -> bool:
        order = [language, *(other for other in self.indexes if other != language)]
        for name in order:
            message = words(text, name)
            phrases = self.indexes[name].danger if kind == "danger" else self.indexes[name].emergency
            if any(all(_stem_in(stem, message) for stem in phrase) for phrase in phrases):
                return True
        return False


def _stem_in(stem: str, message: list[str]) -> bool:
    for word in message:
        if len(stem) < 3:
            if word == stem:
                return True
        elif word.startswith(stem) or (len(stem) >= 5 and OSA.distance(stem, word[: len(stem)]) <= 1):
            return True
    return False
