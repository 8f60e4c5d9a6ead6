"""add_sources: pages served on 127.0.0.1 become clean Markdown articles with front matter;
duplicates by URL and by text; files; hostile titles; failures leave the library as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from web_fixtures import (
    BOILERPLATE,
    STORIES,
    Story,
    article_page,
    body_of,
    empty_library,
    serve_stories,
)

from reader.library import MAX_ARTICLE_BYTES, Library
from reader.library.frontmatter import split_front_matter
from reader.settings import Settings
from reader.web import AddError, FetchLimits, add_sources, default_folder, known
from reader.web.known import INDEX_FILE, KnownArticles, text_hash
from reader.web.saving import file_name_for


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return empty_library(tmp_path)


def library_files(settings: Settings) -> dict[str, str]:
    folder = settings.article_paths[0]
    return {p.name: p.read_text("utf-8") for p in sorted(folder.iterdir())}


def test_a_news_page_becomes_a_clean_article_with_front_matter(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    story = STORIES[0]
    report = add_sources(settings, [httpserver.url_for("/news/pipeline")])
    [result] = report.results
    assert result.status == "added", result
    assert result.path == settings.article_paths[0] / "berlin-opens-new-gas-pipeline.md"
    matter = split_front_matter(result.path.read_text("utf-8"))
    meta = matter.meta
    assert meta["title"] == story.title
    assert meta["url"] == httpserver.url_for("/news/pipeline")
    assert meta["author"] == story.author
    assert meta["date"] == story.date
    assert meta["site"] == "Daily Planet"
    assert meta["fetched_at"][:4] == "2026" or meta["fetched_at"][4] == "-"
    for paragraph in story.paragraphs:
        assert paragraph in matter.body
    for noise in BOILERPLATE:
        assert noise not in matter.body, noise


def test_a_page_in_windows_1252_reads_right(httpserver: HTTPServer, settings: Settings) -> None:
    story = Story(
        "cafe",
        "Café owners in Zürich protest rent rises",
        "Zoë Müller",
        "2026-05-06",
        (
            "Café owners in Zürich protested on Tuesday against rent rises of up to 40 per "
            "cent, saying that the city’s “old town” would soon have no cafés left at all.",
            "The city council said it would review the rules for commercial leases — but "
            "not before next year’s budget, to the dismay of the protesters in the square.",
        ),
    )
    page = article_page(story, charset="windows-1252").encode("cp1252")
    # The header says nothing: the page's <meta charset> is what tells.
    httpserver.expect_request("/cafe").respond_with_data(page, content_type="text/html")
    [result] = add_sources(settings, [httpserver.url_for("/cafe")]).results
    assert result.status == "added", result
    assert result.path is not None
    text = result.path.read_text("utf-8")
    assert "Café owners in Zürich" in text and "city’s “old town”" in text
    assert "Zoë Müller" in text
    assert "\ufffd" not in text


def test_the_final_url_after_redirects_is_recorded(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    httpserver.expect_request("/short/1").respond_with_data(
        "", status=301, headers={"Location": "/news/harbour?utm_source=twitter&page=1"}
    )
    [result] = add_sources(settings, [httpserver.url_for("/short/1")]).results
    assert result.status == "added", result
    assert result.path is not None
    meta = split_front_matter(result.path.read_text("utf-8")).meta
    # The final URL, its tracking parameters left out.
    assert meta["url"] == httpserver.url_for("/news/harbour") + "?page=1"


def test_the_same_url_with_tracking_parameters_is_not_added_twice(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    url = httpserver.url_for("/news/election")
    first = add_sources(settings, [url + "?utm_source=rss"])
    assert [r.status for r in first.results] == ["added"]
    before = library_files(settings)
    requests = len(httpserver.log)
    again = add_sources(settings, [url + "?utm_campaign=x&fbclid=y#comments", url])
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert {r.reason for r in again.results} == {"same URL"}
    assert again.results[0].path == first.results[0].path
    assert library_files(settings) == before
    assert len(httpserver.log) == requests  # known by URL: not even fetched


def test_the_same_text_at_another_url_is_not_added_twice(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    httpserver.expect_request("/mirror/pipeline").respond_with_data(
        article_page(STORIES[0]), content_type="text/html"
    )
    first = add_sources(settings, [httpserver.url_for("/news/pipeline")])
    again = add_sources(settings, [httpserver.url_for("/mirror/pipeline")])
    [result] = again.results
    assert result.status == "duplicate" and result.reason == "same text"
    assert result.path == first.results[0].path
    assert len(library_files(settings)) == 1


def test_duplicates_within_one_run_are_added_once(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    url = httpserver.url_for("/news/pipeline")
    report = add_sources(settings, [url, url + "?utm_source=a", url + "#x"], jobs=3)
    assert sorted(r.status for r in report.results) == ["added", "duplicate", "duplicate"]
    assert len(library_files(settings)) == 1


def test_duplicates_are_found_in_articles_added_by_hand(
    httpserver: HTTPServer, settings: Settings
) -> None:
    """An article the user wrote there (or an earlier version of reader added) counts."""
    serve_stories(httpserver)
    folder = settings.article_paths[0]
    (folder / "mine.md").write_text(
        f'---\nurl: "{httpserver.url_for("/news/harbour")}"\n---\nMy notes.\n', "utf-8"
    )
    [result] = add_sources(settings, [httpserver.url_for("/news/harbour")]).results
    assert result.status == "duplicate" and result.path == folder / "mine.md"


def test_the_known_index_reads_only_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(known, "RACY_SECONDS", 0.0)
    folder = tmp_path / "lib"
    folder.mkdir()
    for i in range(20):
        (folder / f"a{i}.md").write_text(f'---\nurl: "https://x.org/{i}"\n---\nText {i}\n')
    first = KnownArticles.in_folders([folder], tmp_path / "cache")
    assert first.files_read == 20 and (tmp_path / "cache" / INDEX_FILE).exists()
    (folder / "a3.md").write_text('---\nurl: "https://x.org/new"\n---\nNew text\n')
    second = KnownArticles.in_folders([folder], tmp_path / "cache")
    assert second.files_read == 1
    assert second.by_url("https://x.org/new?utm_source=z") == str(folder / "a3.md")
    assert second.by_url("https://x.org/3") is None
    assert second.by_url("https://x.org/7") == str(folder / "a7.md")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("../../etc/passwd", "etc-passwd.md"),
        ("..", "article.md"),
        ("", "article.md"),
        ("/etc/cron.d/evil", "etc-cron-d-evil.md"),
        ("a\x1b[31mred\x07 title\x00", "ared-title.md"),  # the escape sequence goes whole
        ("con", "con-article.md"),
        (".hidden", "hidden.md"),
        ("Ünïcödé Страна 中文", "ünïcödé-страна-中文.md"),
    ],
)
def test_file_names_from_hostile_titles_stay_inside(title: str, name: str) -> None:
    assert file_name_for(title) == name


def test_a_very_long_title_gives_a_short_name() -> None:
    name = file_name_for("word " * 500)
    assert len(name) <= 83 and name.endswith(".md") and "/" not in name


def test_hostile_titles_are_written_inside_the_folder_and_unique(
    httpserver: HTTPServer, settings: Settings
) -> None:
    base = STORIES[0]
    titles = ["../../etc", "../../etc", "a\x1b]8;;evil\x07b\x00\x1b[2J", "x" * 5000]
    for i, title in enumerate(titles):
        story = Story(
            f"s{i}", title, "A", "2026-01-01", tuple(f"Part {i}: " + p for p in base.paragraphs)
        )
        httpserver.expect_request(f"/hostile/{i}").respond_with_data(
            article_page(story), content_type="text/html"
        )
    report = add_sources(settings, [httpserver.url_for(f"/hostile/{i}") for i in range(4)])
    assert [r.status for r in report.results] == ["added"] * 4, report.results
    folder = settings.article_paths[0]
    paths = [r.path for r in report.results]
    assert all(p is not None and p.parent == folder for p in paths)
    assert len(set(paths)) == 4
    names = sorted(p.name for p in folder.iterdir())
    assert "etc.md" in names and "etc-2.md" in names
    for path in folder.iterdir():
        text = path.read_text("utf-8")
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
        assert len(path.name.encode()) < 255
    assert not (settings.article_paths[0].parent / "etc").exists()


def test_saved_pages_and_text_files_are_added(tmp_path: Path, settings: Settings) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "page.html").write_text(article_page(STORIES[1]), "utf-8")
    (saved / "notes.md").write_text(
        '---\ntitle: "My notes"\nauthor: "Me"\n---\n# Ignored heading\n\nSome **text**.\n', "utf-8"
    )
    plain_text = "A plain title\n\n* not a list, 2 * 3\n# not a heading\nAnd its _text_.\n"
    (saved / "plain.txt").write_text(plain_text, "utf-8")
    report = add_sources(settings, [str(saved / n) for n in ("page.html", "notes.md", "plain.txt")])
    assert [r.status for r in report.results] == ["added"] * 3, report.results
    page, notes, plain = (r.path for r in report.results)
    assert page is not None and notes is not None and plain is not None
    meta = split_front_matter(page.read_text("utf-8")).meta
    assert meta["title"] == STORIES[1].title and meta["author"] == STORIES[1].author
    assert "Share on Facebook" not in page.read_text("utf-8")
    notes_text = notes.read_text("utf-8")
    assert split_front_matter(notes_text).meta["author"] == "Me"
    assert body_of(notes_text) == "\n# Ignored heading\n\nSome **text**.\n"
    assert notes.name == "my-notes.md"
    # Plain text stays plain text: a .txt as it was, never read as Markdown.
    assert plain.name == "a-plain-title.txt" and plain.read_text("utf-8") == plain_text
    [article] = Library.load([plain]).articles
    assert article.title == "A plain title" and "* not a list, 2 * 3\n# not a" in article.text
    # The same files again: their text is known.
    again = add_sources(settings, [str(saved / "plain.txt"), str(saved / "page.html")])
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("missing.html", None, "no such file"),
        ("picture.png", b"\x89PNG", "not an article file"),
        ("binary.txt", b"\x00\x01\x02" * 100, "binary"),
        ("empty.md", b"---\ntitle: x\n---\n", "empty"),
        (
            "front.html",
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article text",
        ),
    ],
)
def test_bad_files_fail_with_a_reason_and_change_nothing(
    tmp_path: Path, settings: Settings, name: str, content: bytes | None, why: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = library_files(settings)
    [result] = add_sources(settings, [str(path)]).results
    assert result.status == "failed" and why in (result.reason or ""), result
    assert library_files(settings) == before


def test_failures_keep_what_succeeded_and_leave_no_partial_file(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    httpserver.expect_request("/data.json").respond_with_data("{}", content_type="application/json")
    report = add_sources(
        settings,
        [
            httpserver.url_for("/news/pipeline"),
            httpserver.url_for("/missing"),
            "htp:/broken",
            httpserver.url_for("/data.json"),
            httpserver.url_for("/news/harbour"),
        ],
    )
    assert [r.status for r in report.results] == ["added", "failed", "failed", "failed", "added"]
    reasons = [r.reason for r in report.failed]
    assert reasons[0] == "HTTP 404 NOT FOUND" or reasons[0].startswith("HTTP 404")
    assert "no such file" in reasons[1]
    assert "application/json" in reasons[2]
    folder = settings.article_paths[0]
    assert sorted(p.name for p in folder.iterdir()) == [
        "berlin-opens-new-gas-pipeline.md",
        "storm-closes-lisbon-harbour-for-two-days.md",
    ]  # no temporary or empty file left behind


def test_progress_is_reported_in_the_calling_thread(
    httpserver: HTTPServer, settings: Settings
) -> None:
    serve_stories(httpserver)
    calls: list[tuple[int, int, str | None, str]] = []

    def progress(done: int, total: int, result: object) -> None:
        status = getattr(result, "status", None)
        calls.append((done, total, status, threading.current_thread().name))

    urls = [httpserver.url_for(f"/news/{s.slug}") for s in STORIES]
    add_sources(settings, urls, progress=progress)
    assert [c[0] for c in calls] == [1, 2, 3]
    assert all(c[1] == 3 and c[2] == "added" for c in calls)
    assert {c[3] for c in calls} == {threading.current_thread().name}


def test_cancelled_before_start_adds_nothing(httpserver: HTTPServer, settings: Settings) -> None:
    serve_stories(httpserver)
    urls = [httpserver.url_for(f"/news/{s.slug}") for s in STORIES] * 3
    stop = threading.Event()
    stop.set()
    report = add_sources(settings, urls, jobs=1, cancelled=stop.is_set)
    assert report.cancelled
    assert len(report.results) <= 1  # at most the one already running


def test_the_default_folder_is_the_library_in_force(tmp_path: Path) -> None:
    library = tmp_path / "news"
    library.mkdir()
    found = Settings(article_paths=[library], sources={"articles": "found in /x"})
    assert default_folder(found) == library
    bundled = Settings(article_paths=[tmp_path], sources={"articles": "default"})
    with pytest.raises(AddError, match="--to DIR"):
        default_folder(bundled)
    configured = Settings(article_paths=[tmp_path / "later"], sources={"articles": "config file"})
    assert default_folder(configured) == tmp_path / "later"


def test_limits_are_the_callers(httpserver: HTTPServer, settings: Settings) -> None:
    serve_stories(httpserver)
    report = add_sources(
        settings, [httpserver.url_for("/news/pipeline")], limits=FetchLimits(max_bytes=100)
    )
    assert report.failed and "too large" in (report.failed[0].reason or "")


def test_the_app_calls_it_with_its_workspace(tmp_path: Path, settings: Settings) -> None:
    """What Ctrl+O will call from a worker: the workspace in, a report out."""
    from reader.workspace import Workspace

    saved = tmp_path / "page.html"
    saved.write_text(article_page(STORIES[2]), "utf-8")
    workspace = Workspace(settings)
    try:
        report = add_sources(workspace, [str(saved)], to=None)
    finally:
        workspace.close()
    [result] = report.added
    assert result.path is not None and result.path.parent == settings.article_paths[0]
    assert report.folder == settings.article_paths[0] and not report.cancelled


def test_the_known_index_reads_the_files_the_library_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's walk and size cap: hidden names, symlinked folders and excluded folders
    are left out, and a long file's hash is of what the library reads of it."""
    monkeypatch.setattr(known, "RACY_SECONDS", 0.0)
    folder = tmp_path / "lib"
    (folder / "sub").mkdir(parents=True)
    (folder / "exports").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text("Outside\n")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "a.md").write_text("Alpha\n")
    (folder / "sub" / "b.txt").write_text("Beta\n")
    (folder / ".hidden.md").write_text("Hidden\n")
    (folder / "exports" / "e.md").write_text("Exported\n")
    line = "word " * 19 + "\n"
    long_text = line * (3 * MAX_ARTICLE_BYTES // len(line))  # past the cap, under 4 MiB
    (folder / "long.txt").write_text(long_text)
    found = KnownArticles.in_folders([folder], None, exclude=[folder / "exports"])
    assert found.files_read == 3
    for text in ("Alpha\n", "Beta\n"):
        assert found.by_text(text_hash(text)) is not None
    for text in ("Outside\n", "Hidden\n", "Exported\n", long_text):
        assert found.by_text(text_hash(text)) is None
    assert found.by_text(text_hash(long_text[:MAX_ARTICLE_BYTES])) == str(folder / "long.txt")


def test_a_saved_page_in_the_library_is_not_added_again(
    httpserver: HTTPServer, tmp_path: Path, settings: Settings
) -> None:
    """A saved page the library already lists (``page.html``): adding it again (the file
    itself, a copy, or its URL) says it is there, writes no Markdown copy beside it, and
    does not fail (`reader add` exits 0)."""
    serve_stories(httpserver)
    folder = settings.article_paths[0]
    page = folder / "page.html"
    page.write_text(article_page(STORIES[1]), "utf-8")
    copy = tmp_path / "copy.html"
    copy.write_text(article_page(STORIES[1]), "utf-8")
    url = httpserver.url_for(f"/news/{STORIES[1].slug}")
    report = add_sources(settings, [str(page), str(copy), url])
    assert [(r.status, r.path) for r in report.results] == [("duplicate", page)] * 3
    assert [r.reason for r in report.results] == ["same text"] * 3
    assert sorted(p.name for p in folder.iterdir()) == ["page.html"]
