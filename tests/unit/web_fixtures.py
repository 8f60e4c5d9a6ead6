"""News-like pages and feeds for the `reader add` tests, served by pytest-httpserver on
127.0.0.1 (never the internet): articles wrapped in navigation, ads, share buttons and
comments; a page in Windows-1252; RSS and Atom feeds whose entries carry teasers only;
and the settings of an empty library to add them to."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from pytest_httpserver import HTTPServer

from reader.settings import Settings


def empty_library(tmp_path: Path) -> Settings:
    """Settings whose one article folder, ``library``, is empty (named on the command line),
    the database and cache beside it."""
    library = tmp_path / "library"
    library.mkdir()
    return Settings(
        article_paths=[library],
        db_path=tmp_path / "db" / "annotations.json",
        cache_dir=tmp_path / "cache",
        sources={"articles": "arguments"},
    )


BOILERPLATE = ("Amazing deals on shoes", "Share on Facebook", "First! Great article", "Home")
"""Text of the page around the article that must never reach the added file."""


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    author: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def teaser(self) -> str:
        return self.paragraphs[0][:80] + "…"


STORIES = (
    Story(
        "pipeline",
        "Berlin opens new gas pipeline",
        "Jane Reporter",
        "2026-05-03",
        (
            "The German government on Monday opened a new gas pipeline linking Berlin with "
            "the Baltic coast, officials said, after three years of construction.",
            "Chancellor Anna Schmidt told reporters that the project would secure supplies "
            "for the coming winter and lower prices for households across the country.",
            "Critics, including several environmental groups, argued that the money should "
            "have gone to renewable energy instead, and promised to go to court.",
        ),
    ),
    Story(
        "harbour",
        "Storm closes Lisbon harbour for two days",
        "Rui Costa",
        "2026-05-04",
        (
            "A winter storm closed the port of Lisbon for two days this week, stranding "
            "dozens of cargo ships in the Atlantic while the waves battered the coast.",
            "The harbour master said the closure was the longest since 2019, and that crews "
            "would work through the weekend to clear the backlog of containers.",
            "Shipping companies warned that deliveries across southern Europe could be "
            "delayed by up to a week as a result of the disruption.",
        ),
    ),
    Story(
        "election",
        "Voters in Oslo choose a new mayor",
        "Ingrid Berg",
        "2026-05-05",
        (
            "Voters in Oslo chose a new mayor on Sunday in an election dominated by housing "
            "costs, public transport and the future of the city's waterfront.",
            "The winner, a former teacher, promised to build ten thousand affordable homes "
            "within four years and to extend the tram network to the eastern suburbs.",
            "Turnout was the highest in two decades, the electoral commission said, with "
            "young voters in particular coming out in large numbers.",
        ),
    ),
)


def article_page(story: Story, *, charset: str = "utf-8", meta_charset: bool = True) -> str:
    """A news page: navigation, an ad, the article, share buttons, comments, a footer."""
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    meta = f'<meta charset="{charset}">' if meta_charset else ""
    return f"""<!doctype html>
<html lang="en"><head>{meta}
<title>{html.escape(story.title)} | Daily Planet</title>
<meta name="author" content="{html.escape(story.author)}">
<meta property="og:title" content="{html.escape(story.title)}">
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="{story.date}T09:30:00Z">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<aside class="advert"><p>Amazing deals on shoes! Click here now.</p></aside>
<main><article>
<h1>{html.escape(story.title)}</h1>
<p class="byline">By {html.escape(story.author)}</p>
{paragraphs}
</article>
<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<section id="comments"><h2>Comments</h2>
<div class="comment"><p>First! Great article.</p></div></section>
</main>
<footer><p>Follow Daily Planet on Google News. Copyright 2026.</p></footer>
</body></html>
"""


def rss_feed(
    base: str, stories: tuple[Story, ...] = STORIES, *, links: dict[str, str] | None = None
) -> str:
    """An RSS 2.0 feed whose items carry a teaser only; each links to ``/news/<slug>``."""
    links = links or {}
    items = "\n".join(
        f"""<item><title>{html.escape(s.title)}</title>
<link>{html.escape(links.get(s.slug, f"{base}/news/{s.slug}"))}</link>
<guid isPermaLink="false">planet-{s.slug}</guid>
<pubDate>Mon, 0{i + 3} May 2026 09:30:00 GMT</pubDate>
<description>{html.escape("<p>" + s.teaser + "</p>")}</description></item>"""
        for i, s in enumerate(stories)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Daily Planet</title><link>{base}/</link>
<description>News</description>
{items}
</channel></rss>
"""


def atom_feed(base: str, stories: tuple[Story, ...] = STORIES) -> str:
    """An Atom feed whose entries carry a summary only; each links to ``/news/<slug>``."""
    entries = "\n".join(
        f"""<entry><title>{html.escape(s.title)}</title>
<link rel="alternate" href="{base}/news/{s.slug}"/>
<id>urn:planet:{s.slug}</id><updated>{s.date}T09:30:00Z</updated>
<author><name>{html.escape(s.author)}</name></author>
<summary>{html.escape(s.teaser)}</summary></entry>"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Daily Planet (Atom)</title>
<id>urn:planet</id><updated>2026-05-05T09:30:00Z</updated>
<link rel="self" href="{base}/atom.xml"/>
{entries}
</feed>
"""


def serve_stories(server: HTTPServer, stories: tuple[Story, ...] = STORIES) -> None:
    """Serve each story's page at ``/news/<slug>`` (any query string)."""
    for story in stories:
        server.expect_request(f"/news/{story.slug}").respond_with_data(
            article_page(story), content_type="text/html; charset=utf-8"
        )


def body_of(text: str) -> str:
    """An added file's text after its front matter."""
    assert text.startswith("---\n"), text[:80]
    return text.split("\n---\n", 1)[1]
