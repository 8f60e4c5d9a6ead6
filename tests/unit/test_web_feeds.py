"""Feeds served on 127.0.0.1: each new entry fetched from its link (the full article, not the
teaser), once and only once; the teaser kept, and marked, when the page cannot be had;
conditional GET; bad feeds; subscriptions and OPML."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from web_fixtures import STORIES, article_page, atom_feed, empty_library, rss_feed, serve_stories
from werkzeug import Request, Response

from reader.library.frontmatter import split_front_matter
from reader.settings import Settings
from reader.web import add_sources, refresh_feeds
from reader.web.subscriptions import (
    Subscription,
    Subscriptions,
    SubscriptionsError,
    feeds_path,
    opml_export,
    opml_import,
)
from reader.web.teasers import GIVE_UP_DAYS, STAMP_FIELD, teaser_file_text


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return empty_library(tmp_path)


def articles(settings: Settings) -> dict[str, dict[str, str]]:
    folder = settings.article_paths[0]
    return {
        p.name: {**split_front_matter(p.read_text("utf-8")).meta, "body": p.read_text("utf-8")}
        for p in sorted(folder.glob("*.md"))
    }


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_adds_each_entry_with_its_full_text(
    httpserver: HTTPServer, settings: Settings, kind: str
) -> None:
    base = httpserver.url_for("").rstrip("/")
    feed = rss_feed(base) if kind == "rss" else atom_feed(base)
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml" if kind == "rss" else "application/atom+xml"
    )
    serve_stories(httpserver)
    url = httpserver.url_for("/feed.xml")
    report = add_sources(settings, [url], feed=True)
    assert [r.status for r in report.results] == ["checked", "added", "added", "added"], report
    assert "3 new of 3 entries" in (report.results[0].reason or "")
    found = articles(settings)
    assert len(found) == 3
    for story in STORIES:
        [meta] = [m for m in found.values() if m["title"] == story.title]
        # The whole article, fetched from the entry's link: its last paragraph is not in
        # the teaser.
        assert story.paragraphs[-1] in meta["body"]
        assert meta["feed"] == url
        assert meta["guid"] in (f"planet-{story.slug}", f"urn:planet:{story.slug}")
        assert meta["url"] == f"{base}/news/{story.slug}"
        assert meta["date"] == story.date
        assert "teaser_only" not in meta
    assert Subscriptions(feeds_path(settings.db_path)).find(url) is not None


def test_refreshing_adds_only_new_entries_once(httpserver: HTTPServer, settings: Settings) -> None:
    base = httpserver.url_for("").rstrip("/")
    current = {"feed": rss_feed(base, STORIES[:2])}
    httpserver.expect_request("/feed.xml").respond_with_handler(
        lambda request: Response(current["feed"], content_type="application/rss+xml")
    )
    serve_stories(httpserver)
    url = httpserver.url_for("/feed.xml")
    first = add_sources(settings, [url], feed=True)
    assert len(first.added) == 2
    current["feed"] = rss_feed(base, STORIES)  # one new entry on top
    second = refresh_feeds(settings)
    assert [r.title for r in second.added] == [STORIES[2].title]
    third = refresh_feeds(settings)
    assert not third.added and not third.failed
    assert "0 new of 3 entries" in (third.results[0].reason or "")
    assert len(articles(settings)) == 3


def test_an_entry_is_known_by_its_guid_even_when_its_link_changes(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    current = {"feed": rss_feed(base, STORIES[:1])}
    httpserver.expect_request("/feed.xml").respond_with_handler(
        lambda request: Response(current["feed"], content_type="application/rss+xml")
    )
    serve_stories(httpserver)
    add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    current["feed"] = rss_feed(
        base, STORIES[:1], links={"pipeline": f"{base}/news/pipeline?edition=2"}
    )
    report = refresh_feeds(settings)
    assert not report.added and "0 new of 1" in (report.results[0].reason or "")


def test_an_unchanged_feed_costs_one_304_and_adds_nothing(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    feed = rss_feed(base)
    hits: list[str] = []

    def handler(request: Request) -> Response:
        hits.append(request.headers.get("If-None-Match", ""))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            feed,
            content_type="application/rss+xml",
            headers={"ETag": '"v1"', "Last-Modified": "Mon, 04 May 2026 10:00:00 GMT"},
        )

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    serve_stories(httpserver)
    add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    [subscription] = Subscriptions(feeds_path(settings.db_path)).all()
    assert subscription.etag == '"v1"'
    assert subscription.last_modified == "Mon, 04 May 2026 10:00:00 GMT"
    before = articles(settings)
    requests = len(httpserver.log)
    report = refresh_feeds(settings)
    assert [(r.status, r.reason) for r in report.results] == [("checked", "not modified")]
    assert len(httpserver.log) == requests + 1  # the feed, and nothing else
    assert hits[-1] == '"v1"'
    assert articles(settings) == before


def test_the_teaser_is_kept_and_marked_when_the_page_cannot_be_fetched(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base, STORIES[:2]), content_type="application/rss+xml"
    )
    serve_stories(httpserver, STORIES[:1])
    httpserver.expect_request("/news/harbour").respond_with_data("gone", status=404)
    report = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    assert not report.failed
    [teaser] = [r for r in report.added if r.teaser_only]
    assert teaser.title == STORIES[1].title
    assert teaser.path is not None
    meta = split_front_matter(teaser.path.read_text("utf-8")).meta
    assert meta["teaser_only"] == "true"
    assert "404" in meta["fetch_error"]
    assert STORIES[1].paragraphs[0][:60] in teaser.path.read_text("utf-8")
    assert STORIES[1].paragraphs[-1] not in teaser.path.read_text("utf-8")


def test_an_entry_that_fails_is_fetched_again_next_time(
    httpserver: HTTPServer, settings: Settings
) -> None:
    """No teaser to fall back on and the page missing: a failure, and the feed's ETag is
    not kept, so the next refresh tries again rather than hear 304."""
    base = httpserver.url_for("").rstrip("/")
    feed = (
        rss_feed(base, STORIES[:1])
        .replace("<description>", "<x>")
        .replace("</description>", "</x>")
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml", headers={"ETag": '"e"'}
    )
    httpserver.expect_request("/news/pipeline").respond_with_data("down", status=503)
    report = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    assert [r.status for r in report.results] == ["checked", "failed"]
    [subscription] = Subscriptions(feeds_path(settings.db_path)).all()
    assert subscription.etag is None and subscription.checked_at


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body><p>Not a feed at all</p></body></html>", "text/html"),
        (b"<?xml version='1.0'?><rss><channel><item><title>broken", "application/rss+xml"),
        (b"\x00\x01\x02 binary", "application/octet-stream"),
        (b"", "application/rss+xml"),
    ],
)
def test_a_bad_feed_fails_and_is_not_subscribed(
    httpserver: HTTPServer, settings: Settings, body: bytes, content_type: str
) -> None:
    httpserver.expect_request("/bad.xml").respond_with_data(body, content_type=content_type)
    report = add_sources(settings, [httpserver.url_for("/bad.xml")], feed=True)
    [result] = report.results
    assert result.status == "failed" and "not an RSS or Atom feed" in (result.reason or "")
    assert Subscriptions(feeds_path(settings.db_path)).all() == []
    assert articles(settings) == {}


def test_a_feed_that_cannot_be_fetched_is_not_subscribed(
    httpserver: HTTPServer, settings: Settings
) -> None:
    httpserver.expect_request("/gone.xml").respond_with_data("no", status=404)
    report = add_sources(settings, [httpserver.url_for("/gone.xml")], feed=True)
    assert report.failed and "404" in (report.failed[0].reason or "")
    assert not feeds_path(settings.db_path).exists()


def test_subscribing_twice_keeps_one_subscription(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base), content_type="application/rss+xml"
    )
    serve_stories(httpserver)
    url = httpserver.url_for("/feed.xml")
    add_sources(settings, [url], feed=True)
    again = add_sources(settings, [url + "?utm_source=x"], feed=True)
    assert "already subscribed" in (again.results[0].reason or "")
    assert len(Subscriptions(feeds_path(settings.db_path)).all()) == 1


def test_subscriptions_add_remove_and_keep_their_file(tmp_path: Path) -> None:
    subscriptions = Subscriptions(tmp_path / "feeds.json")
    assert subscriptions.all() == []
    assert subscriptions.add(Subscription("https://a.example/feed", "A"))
    assert not subscriptions.add(Subscription("https://A.example/feed#x", "A again"))
    assert subscriptions.add(Subscription("https://b.example/rss", None, "/news"))
    subscriptions.update("https://a.example/feed", etag='"1"')
    assert [s.url for s in subscriptions.all()] == [
        "https://a.example/feed",
        "https://b.example/rss",
    ]
    assert subscriptions.find("https://a.example/feed") is not None
    assert subscriptions.all()[0].etag == '"1"' and subscriptions.all()[1].folder == "/news"
    assert subscriptions.remove("https://b.example/rss")
    assert not subscriptions.remove("https://b.example/rss")
    assert [s.url for s in subscriptions.all()] == ["https://a.example/feed"]


def test_a_broken_feeds_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "feeds.json"
    path.write_text("{not json", "utf-8")
    subscriptions = Subscriptions(path)
    with pytest.raises(SubscriptionsError, match=r"feeds\.json: not valid JSON"):
        subscriptions.add(Subscription("https://a.example/feed"))
    assert path.read_text("utf-8") == "{not json"


def test_opml_round_trip() -> None:
    feeds = [
        Subscription("https://a.example/feed", "Alpha & <Omega>"),
        Subscription("https://b.example/rss?x=1&y=2", None),
    ]
    back = opml_import(opml_export(feeds))
    assert [(s.url, s.title) for s in back] == [
        ("https://a.example/feed", "Alpha & <Omega>"),
        ("https://b.example/rss?x=1&y=2", "https://b.example/rss?x=1&y=2"),
    ]


def test_opml_from_another_reader_nested_outlines() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>newsboat</title></head><body>
<outline text="News"><outline type="rss" text="One" xmlUrl="https://one.example/rss"/>
<outline type="rss" text="Bad" xmlUrl="file:///etc/passwd"/></outline>
<outline type="rss" title="Two" xmlUrl="https://two.example/atom"/>
<outline type="rss" title="One again" xmlUrl="https://one.example/rss"/>
</body></opml>"""
    assert [(s.url, s.title) for s in opml_import(data)] == [
        ("https://one.example/rss", "One"),
        ("https://two.example/atom", "Two"),
    ]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"not xml", "not valid XML"),
        (b"<rss version='2.0'></rss>", "not an OPML file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
            b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
            b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">'
            b'<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
            b'<opml><body><outline xmlUrl="https://x.example/&h;"/></body></opml>',
            "not valid XML",
        ),
    ],
)
def test_bad_opml_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(SubscriptionsError, match=why):
        opml_import(data, "feeds.opml")


def test_an_entry_without_a_guid_is_known_by_its_link_even_behind_a_redirect(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    feed = rss_feed(base, STORIES[:1], links={"pipeline": f"{base}/r/pipeline"})
    feed = feed.replace('<guid isPermaLink="false">planet-pipeline</guid>', "")
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml"
    )
    httpserver.expect_request("/r/pipeline").respond_with_data(
        "", status=302, headers={"Location": "/news/pipeline"}
    )
    serve_stories(httpserver)
    first = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    assert len(first.added) == 1
    requests = len(httpserver.log)
    again = refresh_feeds(settings)
    assert "0 new of 1" in (again.results[0].reason or "")
    assert len(httpserver.log) == requests + 1  # the feed only: the entry is not fetched


def test_feeds_subscribed_together_are_all_kept(httpserver: HTTPServer, settings: Settings) -> None:
    base = httpserver.url_for("").rstrip("/")
    for i in range(6):
        httpserver.expect_request(f"/feed{i}.xml").respond_with_data(
            rss_feed(base, STORIES[:1]).replace("Daily Planet", f"Planet {i}"),
            content_type="application/rss+xml",
        )
    serve_stories(httpserver)
    urls = [httpserver.url_for(f"/feed{i}.xml") for i in range(6)]
    add_sources(settings, urls, feed=True, jobs=6)
    subscribed = Subscriptions(feeds_path(settings.db_path)).all()
    assert sorted(s.url for s in subscribed) == sorted(urls)


def test_a_teaser_is_replaced_by_its_page_once_it_answers_even_after_a_304(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = httpserver.url_for("").rstrip("/")
    feed = rss_feed(base, STORIES[:2])
    page = {"up": False}

    def feed_handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(feed, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    def page_handler(request: Request) -> Response:
        if not page["up"]:
            return Response("gone for now", status=503)
        return Response(article_page(STORIES[1]), content_type="text/html; charset=utf-8")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed_handler)
    httpserver.expect_request(f"/news/{STORIES[1].slug}").respond_with_handler(page_handler)
    serve_stories(httpserver, STORIES[:1])
    report = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    [teaser] = [r for r in report.added if r.teaser_only]
    assert teaser.path is not None
    # Still down: the teaser stays, said, and no failure; the feed answered 304.
    report = refresh_feeds(settings)
    assert report.results[0].reason == "not modified"
    assert not report.failed and not report.added
    assert [r.reason for r in report.results[1:]] == ["teaser kept: HTTP 503 SERVICE UNAVAILABLE"]
    assert split_front_matter(teaser.path.read_text("utf-8")).meta["teaser_only"] == "true"
    # Up again: the full article in the teaser's place, the same file, still its entry.
    page["up"] = True
    report = refresh_feeds(settings)
    assert report.results[0].reason == "not modified"
    [added] = report.added
    assert added.path == teaser.path and added.title == STORIES[1].title
    text = teaser.path.read_text("utf-8")
    meta = split_front_matter(text).meta
    assert "teaser_only" not in meta and meta["guid"] == f"planet-{STORIES[1].slug}"
    assert STORIES[1].paragraphs[-1] in text
    assert len(articles(settings)) == 2
    # Done: nothing fetched for it again.
    requests = len(httpserver.log)
    report = refresh_feeds(settings)
    assert [(r.status, r.reason) for r in report.results] == [("checked", "not modified")]
    assert len(httpserver.log) == requests + 1


EDITS = {
    "notes typed into the body": lambda text: text + "My own notes.\n",
    "a field changed": lambda text: text.replace(STORIES[1].title, "My title", 1),
    "the marker removed": lambda text: text.replace('teaser_only: "true"\n', ""),
    "the stamp removed": lambda text: re.sub(r'teaser_sha: "[0-9a-f]+"\n', "", text),
}


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("when", ["before the refresh", "after the scan", "after the read"])
def test_a_teaser_the_user_edited_is_not_replaced(
    httpserver: HTTPServer, settings: Settings, edit: str, when: str
) -> None:
    """Edited before the refresh (the library's scan no longer lists it), while the feed
    is fetched (after the scan: :meth:`Teaser.read` sees it), or while its page is (after
    the read: :meth:`Teaser.replace` sees it): the file is the user's, left as it is."""
    base = httpserver.url_for("").rstrip("/")
    state = {"refreshing": False, "path": None}

    def user_edits() -> None:
        path = state["path"]
        assert isinstance(path, Path)
        path.write_text(EDITS[edit](path.read_text("utf-8")), "utf-8")
        state["mine"] = path.read_text("utf-8")

    def feed_handler(request: Request) -> Response:
        if state["refreshing"] and when == "after the scan":
            user_edits()
        return Response(rss_feed(base, STORIES[1:2]), content_type="application/rss+xml")

    def page_handler(request: Request) -> Response:
        if not state["refreshing"]:
            return Response("no", status=404)
        if when == "after the read":
            user_edits()
        return Response(article_page(STORIES[1]), content_type="text/html")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed_handler)
    httpserver.expect_request(f"/news/{STORIES[1].slug}").respond_with_handler(page_handler)
    report = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    [teaser] = report.added
    assert teaser.path is not None and teaser.teaser_only
    assert EDITS[edit](teaser.path.read_text("utf-8")) != teaser.path.read_text("utf-8")
    state["path"] = teaser.path
    if when == "before the refresh":
        user_edits()
    state["refreshing"] = True
    report = refresh_feeds(settings)
    assert not report.added and not report.failed
    assert teaser.path.read_text("utf-8") == state["mine"]
    said = [(r.status, r.reason) for r in report.results[1:]]
    if when == "before the refresh":  # not even looked at again
        assert said == []
    elif when == "after the scan":
        assert said == [("checked", "no longer a teaser")]
    else:
        assert said == [("checked", "teaser kept: the file changed meanwhile")]


@pytest.mark.parametrize("held", ["same text", "same URL after a redirect", "same URL"])
def test_a_teaser_whose_page_the_library_holds_elsewhere_is_kept(
    httpserver: HTTPServer, settings: Settings, held: str
) -> None:
    """The page of a teaser, once it answers, is another file's article (its text, or its
    URL: behind a redirect, or the teaser's own link, in a file written by hand): no
    second copy; the teaser stays, said to be a duplicate of that file."""
    base = httpserver.url_for("").rstrip("/")
    page = {"up": False}
    story = STORIES[1]

    def page_handler(request: Request) -> Response:
        if not page["up"]:
            return Response("gone for now", status=503)
        if held == "same URL after a redirect":
            return Response(status=302, headers={"Location": f"{base}/amp/{story.slug}"})
        return Response(article_page(story), content_type="text/html; charset=utf-8")

    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base, STORIES[1:2]), content_type="application/rss+xml"
    )
    httpserver.expect_request(f"/news/{story.slug}").respond_with_handler(page_handler)
    httpserver.expect_request(f"/amp/{story.slug}").respond_with_data(
        article_page(story), content_type="text/html; charset=utf-8"
    )
    report = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True)
    [teaser] = report.added
    assert teaser.path is not None and teaser.teaser_only
    written = teaser.path.read_bytes()
    if held == "same URL":
        elsewhere = settings.article_paths[0] / "mine.md"
        elsewhere.write_text(f'---\nurl: "{base}/news/{story.slug}"\n---\n\nMy copy.\n')
    else:
        [other] = add_sources(settings, [f"{base}/amp/{story.slug}"]).added
        assert other.path is not None
        elsewhere = other.path
    page["up"] = True
    requests = len(httpserver.log)
    report = refresh_feeds(settings)
    assert not report.added and not report.failed
    why = "same text" if held == "same text" else "same URL"
    assert [(r.status, r.path, r.reason) for r in report.results[1:]] == [
        ("duplicate", elsewhere, why)
    ]
    assert teaser.path.read_bytes() == written
    assert len(list(settings.article_paths[0].glob("*.md"))) == 2
    if held == "same URL":  # known by the link: the page is not even fetched
        assert len(httpserver.log) == requests + 1


@pytest.mark.parametrize(("days", "fetched"), [(GIVE_UP_DAYS - 1, True), (GIVE_UP_DAYS + 1, False)])
def test_a_teaser_is_given_up_on_after_some_days(
    httpserver: HTTPServer, settings: Settings, days: int, fetched: bool
) -> None:
    """A teaser written :data:`GIVE_UP_DAYS` ago or more: its page is no longer fetched
    (a cron refresh does not ask a dead page forever), and nothing is said of it."""
    base = httpserver.url_for("").rstrip("/")
    page = {"up": False}
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base, STORIES[1:2]), content_type="application/rss+xml"
    )
    httpserver.expect_request(f"/news/{STORIES[1].slug}").respond_with_handler(
        lambda request: (
            Response(article_page(STORIES[1]), content_type="text/html")
            if page["up"]
            else Response("no", status=404)
        )
    )
    [teaser] = add_sources(settings, [httpserver.url_for("/feed.xml")], feed=True).added
    assert teaser.path is not None
    # As reader wrote it *days* ago: its fetched_at then, stamped.
    text = teaser.path.read_text("utf-8")
    matter = split_front_matter(text)
    fields = {k: v for k, v in matter.meta.items() if k != STAMP_FIELD}
    assert teaser_file_text(fields, matter.body.lstrip("\n")) == text
    then = datetime.fromisoformat(fields["fetched_at"]) - timedelta(days=days)
    fields["fetched_at"] = then.isoformat(timespec="seconds")
    teaser.path.write_text(teaser_file_text(fields, matter.body.lstrip("\n")), "utf-8")
    page["up"] = True
    requests = len(httpserver.log)
    report = refresh_feeds(settings)
    if fetched:
        assert [r.path for r in report.added] == [teaser.path]
        assert len(httpserver.log) == requests + 2
    else:
        assert [r.status for r in report.results] == ["checked"]  # the feed only
        assert len(httpserver.log) == requests + 1  # the feed only
        assert "teaser_only" in teaser.path.read_text("utf-8")
