"""Saved web pages: the article of a news page, no article from a front page, cached by hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Article, Library, Problem, pages, read_article
from reader.library.catalogue import Catalogue
from reader.library.parsers import NO_ARTICLE

NEWS = """\
<!doctype html><html lang="en"><head><meta charset="{charset}">
<title>Harbour reopens after storm | The Daily Example</title>
<meta name="author" content="Zoë Müller">
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2026-03-02T08:00:00Z">
</head><body>
<header><a href="/">The Daily Example</a><nav><ul><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<div id="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept</button></div>
<div class="ad-banner"><a href="https://ads.example.com">Advertisement: deals of the week</a></div>
<main><article>
<h1>Harbour reopens after storm</h1>
<p class="byline">By Zoë Müller · 2 March 2026</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>The harbour of Portsmouth reopened on Tuesday after a storm closed it for three days, the
port authority said in a statement that also thanked the crews who worked through the night.</p>
<h2>Ferries resume</h2>
<p>Ferries to Caen resumed at noon, and <a href="/ferries">the operator</a> said delays of up
to two hours would ease by the weekend. The crossing costs <em>€45</em> for a foot passenger.</p>
<ul><li>Three piers were damaged in the storm</li><li>Two fishing boats sank at their moorings</li></ul>
<p>Fishermen said the damage to the piers was lighter than feared, though repairs would take
until the summer, and the council promised an inquiry into the warnings.</p>
</article>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
<section class="related"><h3>Related stories</h3><ul><li><a href="/a">Storm damage along the
coast</a></li><li><a href="/b">Schools close for the day</a></li></ul></section>
<section id="comments" class="comments"><h3>Comments (2)</h3>
<div class="comment"><p>Great article, thanks for the clear explanation.</p></div>
<div class="comment"><p>Finally someone reports on this properly!</p></div></section>
</main>
<footer><p>© 2026 The Daily Example. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""

FRONT = """\
<!doctype html><html><head><meta charset="utf-8"><title>The Daily Example</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<main><section><h2>Top stories</h2>
<div><h3><a href="/world/harbour">Harbour reopens after storm closed it for three days</a></h3>
<p>Ferries resume.</p></div>
<div><h3><a href="/world/talks">Talks resume in Berlin as leaders meet for a second day</a></h3>
<p>Leaders meet.</p></div>
<div><h3><a href="/business/rates">Central bank holds interest rates for a fourth month</a></h3>
<p>Rates unchanged.</p></div>
<div><h3><a href="/sport/final">Cup final goes to extra time in a dramatic finish</a></h3>
<p>Extra time.</p></div></section>
<section><h2>Most read</h2><ul><li><a href="/a">Storm damage across the coast</a></li>
<li><a href="/b">Schools reopen on Monday</a></li><li><a href="/c">Strike called off</a></li></ul>
</section></main>
<footer>© 2026 The Daily Example. <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>
"""

BOILERPLATE = (
    "Share on",
    "Tweet",
    "cookies",
    "Advertisement",
    "Great article",
    "Related stories",
    "All rights reserved",
    "Privacy",
    "Sport",
)


@pytest.fixture(autouse=True)
def no_page_cache() -> None:
    """Each test chooses its cache (the module keeps one for the process)."""
    pages.use_cache(None)


def news(charset: str = "utf-8") -> bytes:
    return NEWS.replace("{charset}", charset).encode(charset, "xmlcharrefreplace")


@pytest.mark.parametrize("charset", ["utf-8", "windows-1252", "iso-8859-1"])
def test_a_news_page_gives_its_article_and_metadata(charset: str) -> None:
    page = pages.extract_page(news(charset), url="https://daily.example/world/harbour")
    assert page is not None
    for words in (
        "Harbour reopens after storm",
        "The harbour of Portsmouth reopened on Tuesday",
        "Ferries resume",
        "Ferries to Caen resumed at noon",
        "€45",
        "Two fishing boats sank",
        "an inquiry into the warnings",
    ):
        assert words in page.text
    for words in BOILERPLATE:
        assert words not in page.text, words
    assert page.title == "Harbour reopens after storm"
    assert page.author == "Zoë Müller"  # the page's own charset, not mojibake
    assert page.date == "2026-03-02"
    assert page.site == "The Daily Example"
    assert "[the operator](https://daily.example/ferries)" in page.text


def test_a_declared_charset_wins_over_the_page() -> None:
    data = NEWS.replace("{charset}", "utf-8").encode("cp1252")  # the page lies
    assert "Zoë" not in (pages.extract_page(data) or pages.Page("")).text
    page = pages.extract_page(data, charset="cp1252")
    assert page is not None and page.author == "Zoë Müller"


@pytest.mark.parametrize(
    "html",
    [
        FRONT,
        '<html><body><a href="/x">x</a></body></html>',
        "<html><body><p>Subscribe to read this article.</p></body></html>",
        "<html><body></body></html>",
        "not html at all",
    ],
)
def test_a_page_with_no_article_gives_none(html: str) -> None:
    assert pages.extract_page(html.encode()) is None


def test_a_saved_page_is_an_article_with_rendered_text(tmp_path: Path) -> None:
    path = tmp_path / "harbour.html"
    path.write_bytes(news("windows-1252"))
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.title == "Harbour reopens after storm"
    assert dict(article.meta) == {
        "title": "Harbour reopens after storm",
        "author": "Zoë Müller",
        "date": "2026-03-02",
        "site": "The Daily Example",
    }
    # Rendered: no Markdown syntax, the link and list kept as styles.
    assert "](" not in article.text and "**" not in article.text and "#" not in article.text
    assert "the operator" in article.text
    kinds = {f.kind for f in article.formats or ()}
    assert {"h1", "h2", "link", "list_marker", "emphasis"} <= kinds


def test_a_front_page_is_listed_as_a_problem_saying_so(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(FRONT, encoding="utf-8")
    result = read_article(tmp_path / "index.html")
    assert isinstance(result, Problem) and result.reason == NO_ARTICLE


def test_a_page_the_extractor_fails_on_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An HTML reader that raises (a hostile page, or a fresh install missing one of the
    extractor's libraries: lxml 6 without lxml_html_clean made `import trafilatura` fail)
    is that one file skipped with the reason (sanitised, one line), not an exception that
    stops the search index's update or a `reader` command."""

    def broken(data: bytes | str, url: str | None = None, charset: str | None = None) -> None:
        raise ImportError("lxml.html.clean module is now a separate project\n\x1b[31mmore")

    monkeypatch.setattr(pages, "extract_page", broken)
    monkeypatch.setattr(pages, "_cache_file", lambda sha256: None)
    (tmp_path / "page.html").write_bytes(news("utf-8"))
    problem = read_article(tmp_path / "page.html")
    assert isinstance(problem, Problem)
    assert problem.reason == (
        "cannot be read (ImportError: lxml.html.clean module is now a separate project)"
    )


def test_listing_does_not_extract_and_reading_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "harbour.htm").write_bytes(news())
    (tmp_path / "index.html").write_text(FRONT, encoding="utf-8")
    calls: list[int] = []
    extract = pages.extract_page

    def counted(data: bytes | str, url: str | None = None, charset: str | None = None):  # type: ignore[no-untyped-def]
        calls.append(len(data))
        return extract(data, url, charset)

    monkeypatch.setattr(pages, "extract_page", counted)
    library = Library.load([tmp_path])
    assert calls == []  # the listing parsed no page
    by_name = {a.path.name: a for a in library.articles}
    assert set(by_name) == {"harbour.htm", "index.html"}
    harbour, front = by_name["harbour.htm"], by_name["index.html"]
    assert harbour.deferred and harbour.title == "Harbour reopens after storm | The Daily Example"
    provisional = harbour.sha256
    assert harbour.text.startswith("Harbour reopens after storm\n")
    assert len(calls) == 1 and not harbour.deferred
    assert harbour.title == "Harbour reopens after storm" and harbour.sha256 != provisional
    assert harbour.meta["author"] == "Zoë Müller"
    # A front page, once read, is an empty article saying why.
    assert front.text == "" and front.notices == (NO_ARTICLE,)


def test_extractions_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages.use_cache(tmp_path / "cache")
    data = news()
    assert not pages.is_cached(data)
    first = pages.read_page(data)
    assert first is not None and pages.is_cached(data)
    assert pages.read_page(FRONT.encode()) is None and pages.is_cached(FRONT.encode())

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("extracted again")

    monkeypatch.setattr(pages, "extract_page", no_extraction)
    assert pages.read_page(data) == first
    assert pages.read_page(FRONT.encode()) is None
    # Once cached, the library lists the page as read (and the catalogue keeps it).
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "harbour.html").write_bytes(data)
    (article,) = Library.load([tmp_path / "lib"]).articles
    assert article.loaded and article.title == "Harbour reopens after storm"


def test_a_broken_cache_entry_is_extracted_again(tmp_path: Path) -> None:
    pages.use_cache(tmp_path)
    data = news()
    first = pages.read_page(data)
    (entry,) = (tmp_path / "pages").rglob("*.json")
    entry.write_text('{"format": 1, "page": {"nonsense": 1}}', encoding="utf-8")
    assert not pages.is_cached(b"other")
    assert pages.read_page(data) == first


def test_the_catalogue_keeps_a_page_only_once_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.library.catalogue.RACY_SECONDS", 0.0)
    pages.use_cache(tmp_path / "cache")
    path = tmp_path / "harbour.html"
    path.write_bytes(news())
    catalogue = Catalogue(tmp_path / "catalogue.json")
    listed = catalogue.read(path)
    assert isinstance(listed, Article) and listed.deferred
    catalogue.save()
    assert len(Catalogue(tmp_path / "catalogue.json")) == 0
    assert listed.text  # extracted, and cached by content
    catalogue = Catalogue(tmp_path / "catalogue.json")
    again = catalogue.read(path)
    assert isinstance(again, Article) and not again.deferred
    assert again.sha256 == listed.sha256 and again.title == listed.title
    catalogue.save()
    assert len(Catalogue(tmp_path / "catalogue.json")) == 1


def test_page_title_reads_the_title_tag_only() -> None:
    assert pages.page_title(b"<title>A &amp; B\n  C</title>") == "A & B C"
    assert pages.page_title("<meta charset=cp1252><title>Zoë</title>".encode("cp1252")) == "Zoë"
    assert pages.page_title(b"<p>no title</p>") is None


def test_a_large_saved_page_is_read_whole(tmp_path: Path) -> None:
    # Inline scripts and images make saved pages large; the article is what is shown.
    script = "<script>var x = '" + "x" * (3 * 1024 * 1024) + "';</script>"
    path = tmp_path / "big.html"
    path.write_bytes(news().replace(b"</body>", script.encode() + b"</body>"))
    article = read_article(path)
    assert isinstance(article, Article) and article.notices == ()
    assert "an inquiry into the warnings" in article.text
