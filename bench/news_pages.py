"""Saved news pages for the extraction figure: varied HTML around a known article text.

Each page wraps one generated article (bench/generate.py: headline and paragraphs) in the
boilerplate of a news site, drawn from a seeded mix: navigation, a cookie banner, adverts,
a byline, share buttons, related links, a newsletter box, comments, a footer; the article
in ``<article>``, a ``<div class="story-body">`` or a bare ``<main>``; metadata in
``<meta>`` tags, Open Graph or JSON-LD; some pages in Windows-1252 or ISO-8859-1. The
reference text is what a reader should get: the headline, the subheadings, the paragraphs,
the list items and the pull quote, in order, nothing else.

    python bench/news_pages.py OUT_DIR [N]    # writes page-NN.html and page-NN.txt (reference)
"""

from __future__ import annotations

import html
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from generate import FIRST, PAPERS, SURNAMES, article

__all__ = ["SavedPage", "pages", "write_pages"]

SUBHEADINGS = (
    "What happens next",
    "A long road to this point",
    "Reaction from the region",
    "The numbers behind the decision",
    "Why it matters",
)
NAV = ("Home", "World", "Business", "Politics", "Science", "Sport", "Culture", "Opinion")
RELATED = (
    "Markets rally as inflation cools for the third month",
    "Opposition leader calls for an early election",
    "Storm warnings issued along the northern coast",
    "Ten things to know before the summit opens",
    "Inside the race to build cheaper batteries",
)
COMMENTS = (
    "Great article, thanks for the clear explanation.",
    "I am not convinced, the numbers do not add up.",
    "Finally someone reports on this properly!",
    "Does anyone know when the vote is?",
)


@dataclass(frozen=True)
class SavedPage:
    """One saved page and its reference text."""

    name: str
    html: bytes
    reference: str
    charset: str


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _links(rng: random.Random, texts: tuple[str, ...], count: int) -> str:
    chosen = rng.sample(texts, min(count, len(texts)))
    return "".join(
        f'<li><a href="/{i}/{rng.randint(100, 999)}">{_esc(t)}</a></li>'
        for i, t in enumerate(chosen)
    )


def _page(seed: int, index: int) -> SavedPage:
    rng = random.Random(f"reader-pages-{seed}-{index}")
    story = article(seed, 1000 + index, words=rng.choice((200, 350, 500, 800)))
    paragraphs = story.text.split("\n\n")[1:]
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    author = f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}"
    site = rng.choice(PAPERS)
    day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    charset = rng.choice(("utf-8", "utf-8", "utf-8", "windows-1252", "iso-8859-1"))
    reference: list[str] = [story.title]
    body: list[str] = []
    subheading_at = rng.randint(2, max(2, len(paragraphs) - 1)) if len(paragraphs) > 3 else -1
    list_at = rng.randint(1, max(1, len(paragraphs) - 1)) if rng.random() < 0.4 else -1
    quote_at = rng.randint(1, max(1, len(paragraphs) - 1)) if rng.random() < 0.4 else -1
    for number, paragraph in enumerate(paragraphs):
        if number == subheading_at:
            heading = rng.choice(SUBHEADINGS)
            body.append(f"<h2>{_esc(heading)}</h2>")
            reference.append(heading)
        text = _esc(paragraph)
        if rng.random() < 0.3:
            # An inline link and some emphasis, as articles have.
            words = text.split(" ")
            if len(words) > 8:
                at = rng.randint(1, len(words) - 4)
                words[at] = f'<a href="https://example.org/{number}">{words[at]}'
                words[at + 1] = f"{words[at + 1]}</a>"
                words[at + 3] = f"<em>{words[at + 3]}</em>"
                text = " ".join(words)
        body.append(f"<p>{text}</p>")
        reference.append(paragraph)
        if number == list_at:
            items = [f"Point {word} of the plan" for word in ("one", "two", "three")]
            body.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            reference.extend(items)
        if number == quote_at:
            quote = "We will not stop until the work is done, and done properly."
            body.append(f"<blockquote><p>{quote}</p></blockquote>")
            reference.append(quote)
        if number == 0 and rng.random() < 0.4:
            body.append(
                '<figure><img src="/photo.jpg" alt=""><figcaption>The scene on the day. '
                "Photo: Agency staff</figcaption></figure>"
            )
        if number == 1 and rng.random() < 0.3:
            body.append(
                '<p class="read-more"><strong>Read more:</strong> '
                f'<a href="/r">{_esc(rng.choice(RELATED))}</a></p>'
            )
        if rng.random() < 0.25:
            body.append(
                '<div class="ad-slot"><span>Advertisement</span>'
                '<a href="https://ads.example.com/x">Save 50% on your subscription today</a></div>'
            )

    if rng.random() < 0.4:
        # The seed article's own ending: a call to follow the site, inside the article.
        body.append(f"<p>Follow {_esc(site)} on Google News</p>")
    if rng.random() < 0.3:
        body.append(
            f'<div class="author-bio"><p>{_esc(author)} is a correspondent covering politics '
            "and the economy. Write to them at the newsroom.</p></div>"
        )
    head = [f'<meta charset="{charset}">', f"<title>{_esc(story.title)} | {_esc(site)}</title>"]
    meta_style = rng.choice(("meta", "og", "jsonld"))
    if meta_style == "meta":
        head += [
            f'<meta name="author" content="{_esc(author)}">',
            f'<meta name="date" content="{day}">',
        ]
    elif meta_style == "og":
        head += [
            f'<meta property="og:title" content="{_esc(story.title)}">',
            f'<meta property="og:site_name" content="{_esc(site)}">',
            f'<meta property="article:published_time" content="{day}T08:00:00Z">',
            '<meta property="og:type" content="article">',
        ]
    else:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": day,
            "author": {"@type": "Person", "name": author},
            "publisher": {"@type": "Organization", "name": site},
        }
        head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')

    parts = ["<!doctype html>", f'<html lang="en"><head>{"".join(head)}</head><body>']
    parts.append(
        f'<header><a class="logo" href="/">{_esc(site)}</a>'
        f"<nav><ul>{_links(rng, NAV, 8)}</ul></nav></header>"
    )
    if rng.random() < 0.5:
        parts.append(
            '<div id="cookie-banner"><p>We use cookies to improve your experience. '
            "By continuing you accept our use of cookies.</p><button>Accept all</button></div>"
        )
    if rng.random() < 0.5:
        parts.append(
            '<div class="ad-banner"><a href="https://ads.example.com">'
            "Advertisement: the best deals of the week</a></div>"
        )
    byline = (
        f'<p class="byline">By <a href="/authors/{index}">{_esc(author)}</a> · '
        f'<time datetime="{day}">{day}</time></p>'
    )
    headline = f"<h1>{_esc(story.title)}</h1>"
    share = (
        '<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> '
        '<a href="#">Email</a> <a href="#">Copy link</a></div>'
    )
    wrapper = rng.choice(("article", "story-body", "main"))
    content = headline + byline + (share if rng.random() < 0.5 else "") + "".join(body)
    if wrapper == "article":
        parts.append(f"<main><article>{content}</article>")
    elif wrapper == "story-body":
        parts.append(f'<div class="page"><div class="story-body">{content}</div>')
    else:
        parts.append(f"<main>{content}")
    parts.append(share)
    if rng.random() < 0.6:
        parts.append(
            '<aside class="newsletter"><h3>Sign up for our newsletter</h3>'
            "<p>The day's top stories in your inbox every morning.</p>"
            '<form><input type="email"><button>Subscribe</button></form></aside>'
        )
    parts.append(
        '<section class="related"><h3>Related stories</h3>'
        f"<ul>{_links(rng, RELATED, 4)}</ul></section>"
    )
    if rng.random() < 0.6:
        comments = "".join(
            f'<div class="comment"><span class="user">reader{rng.randint(1, 999)}</span>'
            f"<p>{_esc(c)}</p></div>"
            for c in rng.sample(COMMENTS, 3)
        )
        parts.append(
            f'<section id="comments" class="comments"><h3>Comments (3)</h3>{comments}</section>'
        )
    parts.append("</main>" if wrapper != "story-body" else "</div>")
    parts.append(
        f"<footer><p>© 2026 {_esc(site)}. All rights reserved.</p>"
        '<ul><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li>'
        '<li><a href="/contact">Contact us</a></li></ul></footer></body></html>'
    )
    document = "\n".join(parts)
    return SavedPage(
        f"page-{index:02d}",
        document.encode(charset, errors="xmlcharrefreplace"),
        "\n\n".join(reference) + "\n",
        charset,
    )


def pages(count: int, seed: int = 7) -> list[SavedPage]:
    """*count* saved pages, the same for the same *seed*."""
    return [_page(seed, index) for index in range(count)]


def write_pages(folder: Path, count: int, seed: int = 7) -> list[SavedPage]:
    """Write ``page-NN.html`` and its reference ``page-NN.txt`` into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    made = pages(count, seed)
    for page in made:
        (folder / f"{page.name}.html").write_bytes(page.html)
        (folder / f"{page.name}.txt").write_text(page.reference, encoding="utf-8")
    return made


if __name__ == "__main__":
    write_pages(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40)
