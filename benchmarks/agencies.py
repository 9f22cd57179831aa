"""How fast the agency search answers over a large registry.

    python benchmarks/agencies.py [--agencies 10000] [--queries 2000] [--seed 7]

Builds registries of `--agencies` invented agencies over the four origin countries (names of two to
four words in Cyrillic, each with a Latin spelling, legal forms, permit numbers), imports them through
the real service into a fresh SQLite database, then times `--queries` searches as people type them:
exact names, names in the other script, one-letter typos, parts of names, permit numbers, and names
that are in no registry. Each search is the bot's own call (AgencyService.search, with its check that
the registry has not changed). Prints the time per search (median, p99, max), and how long the import
and the first index build took. Target: under 20 ms median and under 50 ms p99.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.agency import REGISTRIES, AgencyService, Registry, fold
from bot.storage.agencies import AgencyRepository
from bot.storage.db import Database

SYLLABLES = ["ала", "тоо", "жол", "нур", "ак", "кара", "сай", "бек", "ор", "дон", "ша", "мир", "зан", "кул", "тар",
             "бай", "сом", "ваҳ", "ҷон", "қал", "гул", "роз", "хон", "ўр", "фар", "ман", "тем", "сер", "вис", "лан"]
WORDS = ["Жумуш", "Иш", "Кор", "Меҳнат", "Сервис", "Трэвел", "Консалтинг", "Групп", "Плюс", "Кадр", "Бандлик", "Еңбек"]
FORMS = {"KG": "ОсОО", "TJ": "ҶДММ", "UZ": "МЧЖ", "KZ": "ТОО"}
LATIN = str.maketrans({"ж": "j", "ҷ": "j", "қ": "q", "ҳ": "h", "х": "x", "ў": "o", "ң": "ng", "ш": "sh", "ч": "ch", "ц": "ts",
                       "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "й": "y", "к": "k",
                       "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
                       "ы": "y", "э": "e", "ю": "yu", "я": "ya", "ь": "", "ъ": "", "ө": "o", "ү": "u"})


def invented_name(rng: random.Random) -> str:
    own = " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(rng.randint(1, 2)))
    return f"{own} {rng.choice(WORDS)}" if rng.random() < 0.7 else own


def registries(total: int, rng: random.Random) -> list[Registry]:
    per_country = total // len(REGISTRIES)
    made = []
    serial = 0
    for country in REGISTRIES:
        rows = []
        for _ in range(per_country):
            serial += 1
            name = invented_name(rng)
            rows.append({
                "name": f"{FORMS[country]} «{name}»", "aliases": [name.lower().translate(LATIN).title()],
                "permit": f"{country}-{serial:05d}", "authority": None, "valid_from": date(2026, 1, 1),
                "valid_to": date(2027, 1, 1), "status": rng.choice(["active"] * 7 + ["suspended", "revoked", "expired"]),
                "destinations": ["RU", "TR"], "phone": None, "address": None, "website": None, "note": None,
            })
        made.append(Registry(country, "benchmark: invented", date(2026, 11, 1), True, tuple(rows), f"{country}.csv"))
    return made


def typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters)
    return text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + rng.choice("аоеиуaoeiu") + text[i + 1:]


KINDS = ("exact name", "other script", "one-letter typo", "first word", "permit number", "not in a registry")


def queries(made: list[Registry], count: int, rng: random.Random) -> list[tuple[str, str, str | None]]:
    """(kind, what is typed, the permit of the agency meant, or None)."""
    rows = [row for registry in made for row in registry.rows]
    out: list[tuple[str, str, str | None]] = []
    for n in range(count):
        row = rng.choice(rows)
        kind = KINDS[n % len(KINDS)]
        typed = {
            "exact name": lambda: row["name"],
            "other script": lambda: row["aliases"][0],
            "one-letter typo": lambda: typo(row["aliases"][0], rng),
            "first word": lambda: row["name"].split("«")[1].split()[0],
            "permit number": lambda: row["permit"].split("-")[1],
            "not in a registry": lambda: invented_name(rng) + " Global",
        }[kind]()
        out.append((kind, typed, None if kind == "not in a registry" else row["permit"]))
    return out


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    made = registries(args.agencies, rng)
    asked = queries(made, args.queries, rng)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        await db.connect()
        service = AgencyService(db, AgencyRepository(db))
        started = time.perf_counter()
        for registry in made:
            await service.import_registry(registry)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        await service.search("warm up")  # builds the index
        built = time.perf_counter() - started
        timings = []
        outcomes: dict[str, dict[str, int]] = {kind: {"shown": 0, "among choices": 0, "other": 0, "none": 0} for kind in KINDS}
        for kind, query, permit in asked:
            started = time.perf_counter()
            found = await service.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            offered = [m.agency.permit for m in found.choices]
            if found.sure is not None and (permit is None or found.sure.agency.permit == permit):
                outcome = "shown"
            elif permit is not None and permit in offered:
                outcome = "among choices"
            elif found.found:
                outcome = "other"
            else:
                outcome = "none"
            outcomes[kind][outcome] += 1
        await db.close()
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    keys = len({fold(r["name"]) for m in made for r in m.rows})
    print(f"agencies: {sum(len(m.rows) for m in made)} in {len(made)} registries ({keys} distinct names), queries: {len(asked)}")
    print(f"import: {imported * 1000:.0f} ms; first index build: {built * 1000:.0f} ms")
    print(f"search: median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms "
          f"(target: median < 20 ms, p99 < 50 ms)")
    print("answers (the agency meant: shown at once / among the choices / something else offered / nothing):")
    for kind, counts in outcomes.items():
        print(f"  {kind:18} " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(main(parser.parse_args()))
