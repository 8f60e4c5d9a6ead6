"""Generate a library of realistic news articles, seeded and deterministic (no downloads).

    python bench/generate.py OUT_DIR [-n 2000] [--seed 7] [--words 1000] [--prefix a] [--markdown]

Each article is one ``.txt`` file (``--markdown``: one ``.md`` file as ``reader add`` writes
it, front matter with the headline as its title, url, author, date and site, then the
paragraphs, the lead's first words in bold): a headline on the first line, then short paragraphs in
the register of wire copy: a cast of people introduced by full name and role and later
called by their surname, organisations, cities and countries, nationalities, dates, money,
percentages and counts, in roughly the proportions of news text (about one entity per
eight to ten words, like the seed article). Article *i* depends only on the seed and *i*,
so the first 100 articles of a 10,000-article library are the 100-article library.
Lengths follow a log-normal around 550 words (150 to 2,000), or ``--words`` for all.

Next to the folder, ``<OUT_DIR>.manifest.json`` lists each file with its title and word
count (what the bare-Textual baseline of bench/run.py shows in its list).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Generated", "article", "write_library"]


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A pool of names or phrases written as one string (*sep*: default whitespace)."""
    return tuple(part.strip() for part in text.split(sep))


FIRST = _words(
    """Maria James Ahmed Olga Chen Fatima Daniel Priya Lucas Amara Kenji Sofia Mohammed Elena
    David Aisha Pedro Ingrid Rahul Grace Tomasz Yusuf Hannah Diego Mei Samuel Leila Viktor
    Nadia Oliver Chiara Kwame Laura Hiroshi Ana Joseph Zainab Martin Irina Carlos Emily Omar
    Beatriz Anders Naledi Michael Julia Arjun Sara Patrick Yasmin Robert Ewa Thomas Lina Stefan
    Catherine Ibrahim Monica Wei Rachel Gabriel Amina Henrik Sunita Paul Marta Tariq Claire
    Nikolai Rosa Benjamin Ayesha Felipe Karin John Mariam Alexander Noura"""
)
SURNAMES = _words(
    """Okafor Lindqvist Haddad Petrova Nakamura Fernandes Mbeki Kowalski Rahman Schneider
    Alvarez Osei Novak Castillo Ivanova Tanaka Mensah Bergstrom Qureshi Moreau Adeyemi Walsh
    Kaur Rossi Delgado Hoffmann Sato Nwosu Lindgren Farouk Costa Volkov Brennan Mahlangu Ortega
    Yilmaz Dubois Chowdhury Fischer Morales Abara Eriksen Vasquez Kim Sokolov Harrington
    Banerjee Keller Mwangi Santos Larsen Petrenko Oyelaran Whitfield Gupta Marchetti Agarwal
    Holm Duarte Karimi Nilsen Baptiste Reyes Lundgren Shapiro Ferreira Achebe Kovacs Jensen
    Takahashi Bianchi Oduya Pearson Salazar Varga Hassan"""
)
ROLES = _words(
    """finance minister|foreign minister|prime minister|president|chief executive|
    central bank governor|spokesperson for the ministry|opposition leader|mayor|
    senior economist|union leader|chief financial officer|defence minister|health minister|
    judge|general secretary|analyst|professor of economics|head of research|ambassador""",
    "|",
)
_PLACE_ROWS = _words(
    """Lagos, Nigeria, Nigerian | Stockholm, Sweden, Swedish | Karachi, Pakistan, Pakistani |
    Jakarta, Indonesia, Indonesian | Lima, Peru, Peruvian | Warsaw, Poland, Polish |
    Nairobi, Kenya, Kenyan | Osaka, Japan, Japanese | Accra, Ghana, Ghanaian |
    Madrid, Spain, Spanish | Cairo, Egypt, Egyptian | Toronto, Canada, Canadian |
    Manila, the Philippines, Filipino | Santiago, Chile, Chilean |
    Hanoi, Vietnam, Vietnamese | Istanbul, Turkey, Turkish | Berlin, Germany, German |
    Mumbai, India, Indian | Johannesburg, South Africa, South African |
    Sao Paulo, Brazil, Brazilian | Oslo, Norway, Norwegian |
    Seoul, South Korea, South Korean | Bogota, Colombia, Colombian |
    Vienna, Austria, Austrian | Dhaka, Bangladesh, Bangladeshi |
    Melbourne, Australia, Australian | Casablanca, Morocco, Moroccan |
    Kyiv, Ukraine, Ukrainian | Lisbon, Portugal, Portuguese |
    Chicago, the United States, American | Glasgow, Britain, British | Lyon, France, French |
    Milan, Italy, Italian | Rotterdam, the Netherlands, Dutch |
    Dubai, the United Arab Emirates, Emirati | Tehran, Iran, Iranian |
    Addis Ababa, Ethiopia, Ethiopian | Kuala Lumpur, Malaysia, Malaysian |
    Mexico City, Mexico, Mexican""",
    "|",
)
"""City, country, nationality."""
PLACES = {row.split(", ")[0]: row.split(", ")[1] for row in _PLACE_ROWS}
"""City -> country."""
NATIONALITY = {row.split(", ")[1]: row.split(", ")[2] for row in _PLACE_ROWS}
"""Country -> nationality adjective."""
INSTITUTIONS = _words(
    """the United Nations|the World Bank|the International Monetary Fund|the European Union|
    the World Health Organization|the African Union|NATO|the World Trade Organization|
    the Asian Development Bank|Amnesty International|the Red Cross|OPEC""",
    "|",
)
COMPANY_STEMS = _words(
    """Northgate Meridian Halcyon Vantage Bluewater Ironbridge Solace Crestline Arcadia Pioneer
    Tidewater Summit Harbor Keystone Redwood Orion Atlas Granite Silverline Evergreen"""
)
COMPANY_KINDS = _words(
    """Energy|Holdings|Bank|Motors|Telecom|Pharmaceuticals|Logistics|Capital|Steel|Airlines|
    Foods|Mining|Semiconductors|Insurance|Media Group""",
    "|",
)
BODIES = _words(
    """Ministry of Finance|Ministry of Health|Supreme Court|central bank|parliament|
    Ministry of Defence|Electoral Commission|Ministry of Trade|national statistics office""",
    "|",
)
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _words(
    """January February March April May June July August September October November
    December"""
)
TOPICS = {
    "economy": (
        "inflation|interest rates|the budget deficit|public debt|fuel subsidies|the currency|"
        "exports|unemployment|tax revenue|foreign investment|food prices|the trade balance"
    ),
    "politics": (
        "the election|the coalition|the constitutional reform|the cabinet reshuffle|"
        "the border agreement|the peace talks|the sanctions|the vote of confidence|"
        "the security pact|the refugee policy"
    ),
    "business": (
        "the merger|quarterly profits|the share price|the takeover bid|job cuts|"
        "the new factory|the bond issue|the supply chain|the licence|the dividend"
    ),
    "health": (
        "the vaccination campaign|hospital waiting lists|the outbreak|drug prices|"
        "the health insurance scheme|the clinical trial|the nursing shortage"
    ),
}
HEADLINES = (
    "{place} braces for {topic} row as {org} weighs in",
    "{Surname} says {topic} will top agenda in talks with {country}",
    "{org} to cut {count} jobs after {topic} setback",
    "{country} and {country2} agree to cooperate on {topic}",
    "{Nationality} court rules on {topic} in landmark case",
    "{org} shares fall {percent} after {topic} warning",
    "Protests in {place} over {topic} enter {ordinal} day",
    "{Surname} faces pressure over {topic} ahead of {month} vote",
    "{institution} warns {country} over {topic}",
    "{place} unveils {money} plan to tackle {topic}",
)
LEADS = (
    "{Country} and {country2} on {weekday} agreed to work together on {topic}, with "
    "{person_full}, the {role}, promising {money} in support, according to reports.",
    "{org} said on {weekday} it would spend {money} over {years} years on {topic}, "
    "a plan that {person_full}, its {role}, called the biggest in its history.",
    "Thousands of people marched through {place} on {weekday} to protest against {topic}, "
    "the {ordinal} such demonstration since {month}.",
    "The {body} of {country} said on {weekday} that {topic} had risen by {percent} in "
    "{month}, more than analysts at {org} had expected.",
)
BODY = (
    "{person_full}, the {role}, arrived in {place} on {weekday} for a {count_small}-day visit.",
    "{Surname} held talks with {person_full}, his {nationality} counterpart, on {topic}.",
    "It is the first visit by a {nationality} {role} in {years} years.",
    "According to {nationality} newspaper {paper}, {Surname} also raised {topic}.",
    "\u201cWe are ready to move forward,\u201d {Surname} told reporters in {place}.",
    "\u201cThis is about {topic}, not politics,\u201d said {person_full}, a {role} at {org}.",
    "The agreement is worth {money} and runs until {year}.",
    "Officials said {count} people had been affected since {month} {day}.",
    "{org} said its revenue rose {percent} to {money} in the {quarter} quarter.",
    "Shares in {org} fell {percent} in early trading in {place} on {weekday}.",
    "The {body} is expected to rule on the matter by {month} {day}, {year}.",
    "{institution} said in a statement that it was monitoring the situation closely.",
    "Critics, including {person_full} of {org}, said the plan did too little.",
    "The {nationality} government has denied the claims.",
    "{Surname} did not respond to a request for comment.",
    "The talks in {place} ended on {weekday} without a joint statement.",
    "Last year, {country} imported goods worth {money} from {country2}.",
    "Unemployment stood at {percent} in {month}, the statistics office said.",
    "The measure passed by {count_small} votes to {count_small2} after a long debate.",
    "About {count} workers at the plant near {place} will be affected, the union said.",
    "{Surname}, who took office in {year}, has made {topic} a priority.",
    "Analysts said the decision could weigh on {topic} for months.",
    "The deal still needs the approval of regulators in {country} and {country2}.",
    "Police in {place} said {count_small} people were detained on {weekday} night.",
    "The figures, published on {month} {day}, showed a slowdown for the {ordinal} month.",
    "Both sides said they would meet again in {place} in {month}.",
    "The company employs about {count} people, most of them in {country}.",
    "{person_full}, an economist at {org}, said the outlook remained uncertain.",
)
PAPERS = _words(
    "Dawn|The Herald|Daily Nation|The Tribune|Le Monde|El Pais|The Globe|Jakarta Post", "|"
)
ORDINALS = _words("first second third fourth fifth sixth seventh")
QUARTERS = _words("first second third fourth")


@dataclass(frozen=True)
class Generated:
    """One generated article: the file name, its title, its text and its word count."""

    name: str
    title: str
    text: str
    words: int


class _Cast:
    """The people, organisations and places one article is about, chosen once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = [
            (rng.choice(FIRST), rng.choice(SURNAMES), rng.choice(ROLES))
            for _ in range(rng.randint(2, 5))
        ]
        self.introduced: set[int] = set()
        self.seen: set[int] = set()
        """People named in full in an earlier sentence (called by surname from then on)."""
        cities = rng.sample(sorted(PLACES), 3)
        self.places = cities
        self.countries = [PLACES[c] for c in cities]
        stems = rng.sample(COMPANY_STEMS, 2)
        self.orgs = [f"{s} {rng.choice(COMPANY_KINDS)}" for s in stems]
        self.topics = rng.sample(TOPICS[rng.choice(sorted(TOPICS))].split("|"), 3)

    def fields(self, template: str) -> _Values:
        """Values for one sentence's placeholders; a person is named in full the first time."""
        subject, other = self.rng.sample(range(len(self.people)), 2)
        if "{Surname}" in template:
            self.introduced.add(subject)
        if "{person_full}" in template:
            self.introduced.add(other)
        return _Values(self, subject, other)


class _Values(dict[str, str]):
    """A sentence's placeholder values, each drawn only when the template asks for it."""

    def __init__(self, cast: _Cast, subject: int, other: int) -> None:
        super().__init__()
        self.cast = cast
        self.subject = subject
        self.other = other
        self.countries = cast.rng.sample(cast.countries, 2)

    def __missing__(self, key: str) -> str:
        value = self[key] = _DRAW[key](self, self.cast, self.cast.rng)
        return value

    def surname(self) -> str:
        """The subject's surname once introduced, else the full name."""
        first, surname, _ = self.cast.people[self.subject]
        return surname if self.subject in self.cast.seen else f"{first} {surname}"

    def full_name(self) -> str:
        """The other person's full name."""
        first, surname, _ = self.cast.people[self.other]
        return f"{first} {surname}"


_Draw = Callable[[_Values, _Cast, random.Random], str]
_DRAW: dict[str, _Draw] = {
    "person_full": lambda v, c, r: v.full_name(),
    "Surname": lambda v, c, r: v.surname(),
    "role": lambda v, c, r: c.people[v.other][2],
    "place": lambda v, c, r: r.choice(c.places),
    "country": lambda v, c, r: v.countries[0],
    "Country": lambda v, c, r: v.countries[0][0].upper() + v.countries[0][1:],
    "country2": lambda v, c, r: v.countries[1],
    "nationality": lambda v, c, r: NATIONALITY[r.choice(c.countries)],
    "Nationality": lambda v, c, r: NATIONALITY[v.countries[0]],
    "org": lambda v, c, r: r.choice(c.orgs),
    "institution": lambda v, c, r: r.choice(INSTITUTIONS),
    "body": lambda v, c, r: r.choice(BODIES),
    "paper": lambda v, c, r: r.choice(PAPERS),
    "topic": lambda v, c, r: r.choice(c.topics),
    "weekday": lambda v, c, r: r.choice(WEEKDAYS),
    "month": lambda v, c, r: r.choice(MONTHS),
    "day": lambda v, c, r: str(r.randint(1, 28)),
    "year": lambda v, c, r: str(r.randint(2015, 2026)),
    "years": lambda v, c, r: str(r.randint(2, 15)),
    "money": lambda v, c, r: _money(r),
    "percent": lambda v, c, r: f"{r.randint(1, 40)}.{r.randint(0, 9)} percent",
    "count": lambda v, c, r: f"{r.randint(2, 90) * 100:,}",
    "count_small": lambda v, c, r: str(r.randint(2, 60)),
    "count_small2": lambda v, c, r: str(r.randint(2, 60)),
    "ordinal": lambda v, c, r: r.choice(ORDINALS),
    "quarter": lambda v, c, r: r.choice(QUARTERS),
}
"""How each placeholder is filled."""


def _money(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"${rng.randint(1, 99)}.{rng.randint(1, 9)} billion"
    return f"{rng.randint(5, 900)} million {rng.choice(('dollars', 'euros'))}"


_WORD = re.compile(r"\w+(?:[\u2019'\-]\w+)*")


def _count(text: str) -> int:
    return len(_WORD.findall(text))


def _fill(template: str, cast: _Cast) -> str:
    sentence = template.format_map(cast.fields(template))
    cast.seen |= cast.introduced
    return sentence[0].upper() + sentence[1:]


def article(
    seed: int, index: int, words: int | None = None, prefix: str = "", markdown: bool = False
) -> Generated:
    """Return article *index* of the library seeded *seed* (about *words* words if given);
    with *markdown*, as the ``.md`` file ``reader add`` writes (the same words)."""
    rng = random.Random(f"reader-bench-{seed}-{index}")
    if words is None:
        words = min(2000, max(150, round(math.exp(rng.gauss(math.log(550), 0.45)))))
    cast = _Cast(rng)
    title = _fill(rng.choice(HEADLINES), cast)
    paragraphs = [f"{cast.places[0].upper()} \u2014 {_fill(rng.choice(LEADS), cast)}"]
    total = _count(title) + _count(paragraphs[0])
    while total < words:
        sentences = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
            sentences.append(_fill(rng.choice(BODY), cast))
            total += _count(sentences[-1])
            if total >= words:
                break
        paragraphs.append(" ".join(sentences))
    if markdown:
        return _markdown(seed, index, prefix, title, paragraphs)
    text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return Generated(f"{prefix}{index:05d}.txt", title, text, _count(text))


def _markdown(seed: int, index: int, prefix: str, title: str, paragraphs: list[str]) -> Generated:
    """The article as ``reader add`` saves a page: front matter (JSON-quoted values, as
    reader.web.saving writes them), a blank line, the body as Markdown."""
    rng = random.Random(f"reader-bench-md-{seed}-{index}")
    site = rng.choice(("Daily Ledger", "The Wire Review", "Metro Courier", "Global Dispatch"))
    fields = {
        "title": title,
        "url": f"https://news.example/{index:05d}/{re.sub(r'[^a-z0-9]+', '-', title.lower())}",
        "author": f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}",
        "date": f"20{rng.randint(15, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "site": site,
        "fetched_at": "2026-12-01T08:00:00+00:00",
    }
    front = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()
    )
    lead, *rest = paragraphs
    place, _, sentence = lead.partition(" \u2014 ")
    body = [f"**{place}** \u2014 {sentence}", *rest]
    text = f"---\n{front}\n---\n\n" + "\n\n".join(body) + "\n"
    words = _count(title) + sum(_count(p) for p in paragraphs)
    return Generated(f"{prefix}{index:05d}.md", title, text, words)


def write_library(
    folder: Path,
    n: int,
    seed: int = 7,
    words: int | None = None,
    prefix: str = "",
    markdown: bool = False,
) -> list[Generated]:
    """Write articles 0..n-1 into *folder* (created) and the manifest next to it (as
    ``.md`` files with front matter with *markdown*)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [article(seed, i, words, prefix, markdown) for i in range(n)]
    for item in made:
        (folder / item.name).write_text(item.text, encoding="utf-8")
    manifest = [{"name": g.name, "title": g.title, "words": g.words} for g in made]
    manifest_path(folder).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return made


def manifest_path(folder: Path) -> Path:
    """Where the manifest of the library in *folder* is written."""
    return folder.with_name(folder.name + ".manifest.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the articles into")
    parser.add_argument("-n", type=int, default=2000, help="number of articles (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=None, help="words per article")
    parser.add_argument("--prefix", default="", help="file name prefix")
    parser.add_argument(
        "--markdown", action="store_true", help=".md files with front matter, as `reader add`"
    )
    args = parser.parse_args(argv)
    made = write_library(args.out, args.n, args.seed, args.words, args.prefix, args.markdown)
    total = sum(g.words for g in made)
    print(f"{len(made)} articles, {total:,} words, in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
