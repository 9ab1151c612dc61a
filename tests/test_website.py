"""The website as readers get it: every chapter page opened in a real browser (headless Chromium).

The site is built with `make book` (Jupyter Book reuses its execution cache, so
this is quick when the chapters have not changed). The browser is Debian's
chromium, driven by Playwright; `.ci/run` installs it. Without it these tests are
skipped, saying why, except under CI (CI=true), where they fail.
"""

import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import without
from fmlib.video import CONTROLS_PIXELS

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.browser
PAGE_BUDGET = 5_000_000  # bytes: a chapter's HTML with the images it shows (videos are inside the HTML)


@pytest.fixture(scope="module")
def build(stored_execution):
    """`make book`: (whether every chapter's execution was stored before it, the build's log)."""
    stored = all(stored_execution(ROOT / "notebooks" / f"{chapter}.ipynb") for chapter in CHAPTERS)
    run = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return stored, run.stdout + run.stderr


@pytest.fixture(scope="module")
def site(build):
    return HTML


def test_the_build_executes_no_chapter_the_tests_executed(build):
    import inspect

    from myst_nb.core.execute import cache

    assert "Executing notebook using " in inspect.getsource(cache), "has the build's log changed its words?"
    stored, log = build
    if not stored:
        pytest.skip("the chapters were not executed as they now read (pytest -m notebooks executes them)")
    assert "Executing notebook" not in log


def test_every_page_shows_its_chapters_latest_execution(site, stored_execution):
    # The build reads a chapter again when its stored execution is newer (book/_ext/execution_cache.py).
    for chapter in CHAPTERS:
        executed = stored_execution(ROOT / "notebooks" / f"{chapter}.ipynb", when=True)
        if executed is not None:
            page = site / "notebooks" / f"{chapter}.html"
            assert page.stat().st_mtime >= executed.timestamp(), chapter


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        without("the playwright package is not installed")
    if not shutil.which(CHROMIUM):
        without(
            f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM to one"
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


def load_shown_pictures(page):
    """Fetch every picture the page shows, without scrolling to each: the chapters' figures load lazily (as a
    reader scrolls to them), and a hidden one, never."""
    page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]')"
        ".forEach(img => { if (img.getClientRects().length) img.loading = 'eager'; })"
    )
    page.wait_for_function("() => [...document.images].every(img => img.complete || !img.getClientRects().length)")


def open_page(browser, path):
    """Open a page; returns (page, console errors, URLs of requests to other hosts)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, elsewhere = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: None if request.url.startswith(("file:", "data:", "blob:")) else elsewhere.append(request.url),
    )
    page.goto(path.as_uri(), wait_until="load")
    return page, errors, elsewhere


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_in_a_browser(browser, site, chapter):
    page, errors, elsewhere = open_page(browser, site / "notebooks" / f"{chapter}.html")
    try:
        # Math is typeset by the MathJax copy inside the site.
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        source = (ROOT / "notebooks" / f"{chapter}.ipynb").read_text()
        if "$" in source:
            assert page.locator("mjx-container").count() > 0, "no typeset math"
        # Every figure decodes (a row of panels' phone picture is hidden here: see
        # test_a_row_of_panels_becomes_a_column_on_a_phone).
        load_shown_pictures(page)
        images = page.evaluate(
            "() => [...document.images].filter(i => !i.classList.contains('column-of-panels'))"
            ".map(i => [i.src.slice(0, 80), i.complete && i.naturalWidth > 0])"
        )
        assert images and all(ok for _, ok in images), [src for src, ok in images if not ok]
        # Every video can load (they are embedded mp4s).
        page.wait_for_function(
            "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 1 || v.error)", timeout=20_000
        )
        videos = page.evaluate(
            "() => [...document.querySelectorAll('video')].map(v => [v.readyState, v.error && v.error.code])"
        )
        assert all(state >= 1 and error is None for state, error in videos), videos
        # The launch button opens this chapter in Colab, from the configured repository.
        repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
        colab = "https://colab.research.google.com/github/" + repository.split("github.com/")[1]
        expected = f"{colab}/blob/main/notebooks/{chapter}.ipynb"
        assert page.locator(f'a[href="{expected}"]').count() >= 1, f"no Colab launch link to {expected}"
        # Widgets show their static fallback, never their Python repr or a broken widget.
        text = page.evaluate("() => document.body.innerText")
        assert not re.search(r"\b[HV]Box\(children=|Loading widget", text), "a widget shows as text"
        assert not elsewhere, f"the page asked other hosts for {elsewhere}"
        assert not errors, f"console errors: {errors}"
    finally:
        page.close()


# Every picture and video of a chapter, as a screen reader and a reader meet it:
# its text (an image's alt, a video's aria-label), and the figure around it with
# its caption number ("Fig. 3.2") and caption text.
FIGURES_AND_NAMES = """() => {
    const described = element => {
        const figure = element.closest('figure');
        const caption = figure && figure.querySelector('figcaption');
        const number = caption && caption.querySelector('.caption-number');
        return {
            tag: element.tagName.toLowerCase(),
            src: (element.getAttribute('src') || '').slice(0, 80),
            name: (element.tagName === 'IMG' ? element.getAttribute('alt') : element.getAttribute('aria-label')) || '',
            output: !!element.closest('.cell_output'),
            column: element.classList.contains('column-of-panels'),
            id: figure ? figure.id : null,
            number: number ? number.textContent.trim() : null,
            caption: caption ? caption.textContent.trim() : null,
        };
    };
    return [...document.querySelectorAll('img, video')].map(described);
}"""


def looks_like_a_file(name, src):
    """Alt text that is a file name or a hash, as MyST-NB writes when a cell gives none."""
    base = src.rsplit("/", 1)[-1]
    return bool(re.search(r"\.(png|jpe?g|gif|svg|webp)$|[0-9a-f]{32}", name, re.I)) or (base and base in name)


def figure_problems(found):
    """What keeps the images and videos `found` (FIGURES_AND_NAMES) from a screen reader or a numbered caption."""
    problems = []
    for item in found:
        what = f"{item['tag']} {item['src']!r}"
        if len(item["name"].split()) < 2 or looks_like_a_file(item["name"], item["src"]):
            problems.append(f"{what}: no text for screen readers ({item['name']!r})")
        if not item["output"]:
            continue  # the page's own images (the Colab logo), not the chapter's figures
        if not (item["id"] and item["number"] and re.fullmatch(r"Fig\. \d+(\.\d+)*", item["number"])):
            problems.append(f"{what}: no numbered figure around it ({item['number']!r})")
        elif len(item["caption"]) - len(item["number"]) < 20:
            problems.append(f"{what}: a caption number without a caption ({item['caption']!r})")
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_and_video_is_captioned_and_named_for_screen_readers(browser, site, chapter):
    page, _, _ = open_page(browser, site / "notebooks" / f"{chapter}.html")
    try:
        found = page.evaluate(FIGURES_AND_NAMES)
        assert any(item["output"] for item in found), "no figure found: has the page changed its structure?"
        problems = figure_problems(found)
        assert not problems, problems
        # One number per figure (a row of panels' phone picture shares its figure with the row).
        numbers = [item["number"] for item in found if item["output"] and not item["column"]]
        assert len(numbers) == len(set(numbers)), f"figure numbers repeat: {numbers}"
        # Links to a figure in the text ([the figure below](#fig-...)) land on that figure.
        targets = page.evaluate(
            "() => [...document.querySelectorAll('article a[href*=\"#fig-\"]')].map(a => {"
            " const id = decodeURIComponent(a.getAttribute('href').split('#')[1]);"
            " const target = document.getElementById(id);"
            " return [id, target ? target.tagName.toLowerCase() : null]; })"
        )
        assert all(tag == "figure" for _, tag in targets), targets
    finally:
        page.close()


def test_the_figure_check_can_fail():
    def item(tag="img", name="Two clouds side by side.", number="Fig. 3.1", caption="Fig. 3.1 Two clouds, one blue."):
        src = "../_images/" + "ab12" * 16 + ".png"
        return dict(tag=tag, src=src, name=name, output=True, id="fig-morphing-x", number=number, caption=caption)

    assert figure_problems([item(), item(tag="video")]) == []
    assert figure_problems([dict(item(name="Colab logo"), output=False, id=None, number=None, caption=None)]) == []
    assert figure_problems([item(name="../_images/" + "ab12" * 16 + ".png")])  # MyST-NB's default alt
    assert figure_problems([item(tag="video", name="")])
    assert figure_problems([item(number=None, caption=None)])  # no figure around it
    assert figure_problems([item(caption="Fig. 3.1")])  # a number without a caption


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_weight(site, chapter):
    html = (site / "notebooks" / f"{chapter}.html").read_text()
    images = set(re.findall(r'src="\.\./(_images/[^"]+)"', html))
    weight = len(html.encode()) + sum((site / image).stat().st_size for image in images)
    assert weight <= PAGE_BUDGET, f"{chapter}: {weight / 1e6:.1f} MB"


def test_other_pages_load_without_errors(browser, site):
    for path in [site / "index.html", *sorted((site / "book").glob("*.html"))]:
        page, errors, elsewhere = open_page(browser, path)
        page.close()
        assert not errors and not elsewhere, (path.name, errors, elsewhere)


def test_built_pages_use_no_planning_words_or_machine_paths(site, planning_words):
    # What the executed chapters printed (a cache path, a benchmark file) counts too.
    from bs4 import BeautifulSoup

    pages = [*sorted((site / "book").glob("*.html")), *sorted((site / "notebooks").glob("*.html"))]
    assert len(pages) >= len(CHAPTERS) + 5
    for path in pages:
        article = BeautifulSoup(path.read_text(), "html.parser").select_one("article")
        assert article is not None, path.name
        # Where the model cache lives (~/.cache/fmlib) is documentation, not a machine's path.
        words = planning_words(article.get_text(" ").replace("~/.cache/fmlib", ""))
        assert not words, (path.name, words)


def _visible_toggle(page, name):
    """The sidebar button of class `name` that a reader can see and tap."""
    return page.locator(f"button.{name}:visible").first


def test_sidebar_buttons_open_the_sidebars_on_a_phone(site, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto((site / "notebooks" / f"{CHAPTERS[0]}.html").as_uri(), wait_until="load")
        for name, dialog in [
            ("primary-toggle", "#pst-primary-sidebar-modal"),
            ("secondary-toggle", "#pst-secondary-sidebar-modal"),
        ]:
            _visible_toggle(page, name).tap()
            page.wait_for_function(f"() => document.querySelector('{dialog}').open", timeout=5000)
            # The drawer shows the navigation (or the page's contents), not an empty box.
            assert page.locator(f"{dialog} a:visible").count() > 0, dialog
            page.keyboard.press("Escape")
            page.wait_for_function(f"() => !document.querySelector('{dialog}').open", timeout=5000)
    finally:
        page.close()


def test_a_drawer_closes_when_an_entry_is_tapped_and_on_escape_wherever_the_focus_is(site, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto((site / "notebooks" / f"{CHAPTERS[5]}.html").as_uri(), wait_until="load")
        drawer = "#pst-secondary-sidebar-modal"
        _visible_toggle(page, "secondary-toggle").tap()
        page.wait_for_function(f"() => document.querySelector('{drawer}').open", timeout=5000)
        page.locator(f"{drawer} a[href^='#']:visible").nth(2).tap()  # a section further down this page
        page.wait_for_function(f"() => !document.querySelector('{drawer}').open", timeout=5000)
        assert page.evaluate("window.scrollY") > 0  # and the page went to the section
        drawer = "#pst-primary-sidebar-modal"
        _visible_toggle(page, "primary-toggle").tap()
        page.wait_for_function(f"() => document.querySelector('{drawer}').open", timeout=5000)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => !document.querySelector('{drawer}').open", timeout=5000)
    finally:
        page.close()


def test_sidebar_button_hides_and_shows_the_navigation_on_a_wide_screen(site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((site / "notebooks" / f"{CHAPTERS[0]}.html").as_uri(), wait_until="load")
        sidebar = page.locator(".bd-sidebar-primary")
        assert sidebar.is_visible()
        _visible_toggle(page, "primary-toggle").click()
        page.wait_for_function("() => !document.querySelector('.bd-sidebar-primary').checkVisibility()")
        _visible_toggle(page, "primary-toggle").click()
        page.wait_for_function("() => document.querySelector('.bd-sidebar-primary').checkVisibility()")
    finally:
        page.close()


# How much of each video's box lies under its picture, in CSS pixels: the browser lays
# its controls over the bottom of the box.
VIDEO_BANDS = """() => [...document.querySelectorAll('div.cell_output video')].map(v => {
    const box = v.getBoundingClientRect();
    return [v.getAttribute('aria-label'), box.height - box.width * v.videoHeight / v.videoWidth];
})"""


def test_landing_page_leads_with_its_animation_and_a_map_of_the_chapters(site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((site / "book" / "intro.html").as_uri(), wait_until="load")
        video = page.locator("figure.book-hero video")
        assert video.get_attribute("aria-label")
        page.wait_for_function("() => document.querySelector('figure.book-hero video').readyState >= 1", timeout=5000)
        assert page.evaluate("document.querySelector('figure.book-hero video').duration") >= 5
        hero = page.evaluate(VIDEO_BANDS.replace("div.cell_output video", "figure.book-hero video"))
        assert len(hero) == 1 and hero[0][1] == pytest.approx(CONTROLS_PIXELS, abs=1), hero
        # one card per chapter, each a link to its chapter
        links = page.locator(".sd-card a.sd-stretched-link").evaluate_all("links => links.map(a => a.href)")
        assert sorted(link.rsplit("/", 1)[-1] for link in links) == [f"{c}.html" for c in CHAPTERS]
        # a favicon (the browser asks for one), and no second header band with a second search field
        favicon = page.locator("link[rel='icon']").get_attribute("href")
        assert (site / "book" / favicon).resolve().is_file(), favicon
        assert not page.locator("#pst-header").is_visible()
        assert page.locator(".bd-sidebar-primary .search-button-field:visible").count() == 1
    finally:
        page.close()


OVERFLOWING = """() => [...document.querySelectorAll('div.cell pre, div.cell table')]
    .filter(block => block.scrollWidth > block.clientWidth + 1)
    .map(block => block.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''))"""


# Blocks wider than their box that a reader can scroll, and whether each says so: overflow-x auto and the edge
# shadows of book.css (gradients in its background).
SCROLL_CUES = """selector => [...document.querySelectorAll(selector)]
    .filter(block => block.getClientRects().length && block.scrollWidth > block.clientWidth + 1)
    .map(block => [getComputedStyle(block).overflowX, getComputedStyle(block).backgroundImage.includes('gradient')])"""
OUTPUT_WHITE_SPACE = """() => [...new Set([...document.querySelectorAll('div.cell_output pre')]
    .map(pre => getComputedStyle(pre).whiteSpace))]"""


@pytest.mark.parametrize("width", [1280, 390])
def test_no_code_or_output_runs_off_its_box(site, browser, width):
    """Code and printed output fit their boxes at 1280 px as they are. On a phone code wraps, and printed output
    keeps its lines whole (a table's columns stay under their headers) and scrolls with a cue at its edge."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        scrolled = 0
        for chapter in CHAPTERS:
            page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
            assert page.locator("div.cell pre").count() > 10, chapter
            assert page.evaluate(OUTPUT_WHITE_SPACE) == ["pre"], chapter
            if width == 1280:
                assert page.evaluate(OVERFLOWING) == [], (chapter, width)
                continue
            assert page.evaluate(OVERFLOWING.replace("div.cell pre", "div.cell_input pre")) == [], chapter
            cues = page.evaluate(SCROLL_CUES, "div.cell_output pre")
            assert all(cue == ["auto", True] for cue in cues), (chapter, cues)
            scrolled += len(cues)
        assert width == 1280 or scrolled > 5  # a phone has wide tables to scroll
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_picture_keeps_its_shape_and_every_wide_equation_scrolls_with_a_cue(site, browser, width):
    """No figure is squashed (each shown within 2 % of its own aspect ratio), and a display equation wider than
    the column scrolls, with a shadow at the edge that hides more."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        pictures, equations, bad = 0, 0, []
        for chapter in CHAPTERS:
            page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
            load_shown_pictures(page)
            ratios = page.evaluate(ASPECT_RATIOS)
            pictures += len(ratios)
            bad += [(chapter, alt, round(ratio, 3)) for alt, ratio in ratios if abs(ratio - 1) > 0.02]
            page.wait_for_function("() => document.querySelector('mjx-container') || !document.querySelector('.math')")
            cues = page.evaluate(SCROLL_CUES, 'mjx-container[display="true"]')
            assert all(cue == ["auto", True] for cue in cues), (chapter, cues)
            equations += len(cues)
        assert pictures > 30 and bad == [], bad
        assert width == 1280 or equations > 5  # a phone has wide equations to scroll
    finally:
        page.close()


ASPECT_RATIOS = """() => [...document.querySelectorAll('.bd-article img')]
    .filter(img => img.getClientRects().length && img.naturalWidth)
    .map(img => [img.getAttribute('alt'),
                 img.clientWidth / img.clientHeight / (img.naturalWidth / img.naturalHeight)])"""


def test_no_page_is_wider_than_a_phone(site, browser):
    """Nothing widens a page past a 390 px screen (the instructor guide's long Colab address once did)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        paths = sorted(site.glob("book/*.html")) + [site / "notebooks" / f"{c}.html" for c in CHAPTERS]
        wide = []
        for path in paths:
            page.goto(path.as_uri(), wait_until="load")
            if page.evaluate("document.documentElement.scrollWidth") > 390:
                wide.append(path.stem)
        assert len(paths) > 20 and wide == []
    finally:
        page.close()


SCROLLING_TABLES = """() => [...document.querySelectorAll('article table')]
    .map(table => table.scrollWidth > table.parentElement.clientWidth + 1)"""

# On a phone the Performance page's six-column table shows each value after its column's name (book.css).
LABELS_AND_HEADERS = """table => [...table.querySelectorAll('tbody tr')].flatMap(row => [...row.cells].slice(1)
    .map((cell, i) => [getComputedStyle(cell, '::before').content, table.tHead.rows[0].cells[i + 1].textContent]))"""


def test_the_pages_tables_fit_a_phone(site, browser):
    """Every table fits a 390 px phone: the instructor plan, the notation, chapter 7's comparison, and the
    Performance page's measurements, whose rows become paragraphs with each value named."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        tables, wide = 0, []
        for path in sorted(site.glob("book/*.html")) + [site / "notebooks" / f"{c}.html" for c in CHAPTERS]:
            page.goto(path.as_uri(), wait_until="load")
            scrolling = page.evaluate(SCROLLING_TABLES)
            tables += len(scrolling)
            if any(scrolling):
                wide.append(path.stem)
        assert tables >= 6 and wide == []
        page.goto((site / "book" / "performance.html").as_uri(), wait_until="load")
        named = page.locator("section#the-measurements table:has(th:nth-child(6))").evaluate(LABELS_AND_HEADERS)
        assert len(named) >= 25 and all(label == f'"{header} "' for label, header in named), named[:5]
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_video_controls_lie_under_the_picture_not_over_it(site, browser, width):
    """Each chapter's videos keep CONTROLS_PIXELS (fmlib.video) blank under the picture, on a desktop and a phone."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    videos = 0
    try:
        for chapter in CHAPTERS:
            page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 1)", timeout=20_000
            )
            bands = page.evaluate(VIDEO_BANDS)
            videos += len(bands)
            assert all(band == pytest.approx(CONTROLS_PIXELS, abs=1) for _, band in bands), (chapter, bands)
    finally:
        page.close()
    assert videos >= 5


SOFT_FIGURES = """() => [...document.querySelectorAll('div.cell_output img')]
    .filter(img => img.getClientRects().length)
    .filter(img => !(parseFloat(img.style.width) > 0)  // MyST-NB sizes each figure in its style
        || img.naturalWidth < 1.9 * img.clientWidth || img.clientWidth < 0.9 * parseFloat(img.style.width))
    .map(img => [img.getAttribute('alt'), img.naturalWidth, img.clientWidth, img.style.width])"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_figures_are_sharp_and_shown_at_their_own_size(site, browser, chapter):
    """Each figure carries twice the pixels it is shown with (high-density screens), and the text column holds it
    unshrunk: fmlib.viz.page_png draws its text at 9 points or more for exactly that size."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
        load_shown_pictures(page)
        assert page.locator("div.cell_output img").count() > 0
        assert page.evaluate(SOFT_FIGURES) == []
    finally:
        page.close()


PANEL_LAYOUTS = """() => [...document.querySelectorAll('div.cell_output img:is(.row-of-panels, .column-of-panels)')]
    .map(img => ({column: img.classList.contains('column-of-panels'), shown: img.getClientRects().length > 0,
                  figure: img.closest('figure').id, alt: img.getAttribute('alt'), width: img.clientWidth,
                  own: parseFloat(img.style.width), pixels: img.naturalWidth,
                  note: getComputedStyle(img.closest('figure').querySelector('figcaption'), '::after').content}))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_row_of_panels_becomes_a_column_on_a_phone(site, browser, width):
    """A figure of panels side by side (fmlib.viz.page_figure) holds two pictures: the row, shown on a wide screen,
    and the same panels in one column, shown on a phone at its own size, sharp, with the same alt text. The
    browser fetches only the one it shows."""
    phone = width < 600
    page = browser.new_page(viewport={"width": width, "height": 900})
    figures = 0
    try:
        for chapter in CHAPTERS:
            page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
            load_shown_pictures(page)
            layouts = page.evaluate(PANEL_LAYOUTS)
            by_figure = {}
            for layout in layouts:
                by_figure.setdefault(layout["figure"], []).append(layout)
            for figure, pictures in by_figure.items():
                assert sorted(p["column"] for p in pictures) == [False, True], (chapter, figure)
                (shown,) = [p for p in pictures if p["shown"]]
                (hidden,) = [p for p in pictures if not p["shown"]]
                assert shown["column"] == phone, (chapter, figure)
                assert shown["pixels"] > 0 and hidden["pixels"] == 0, (chapter, figure)  # the hidden one never loads
                assert len({p["alt"] for p in pictures}) == 1, (chapter, figure)
                # The caption's "left" and "right" still make sense: on a phone it says which panel is which.
                assert ("the left one is on top" in shown["note"]) == phone, (chapter, figure, shown["note"])
                if phone:  # the column fits the phone unshrunk, with twice the pixels it is shown with
                    assert 0.9 * shown["own"] <= shown["width"] <= shown["own"], (chapter, figure, shown)
                    assert shown["pixels"] >= 1.9 * shown["width"], (chapter, figure, shown)
            figures += len(by_figure)
    finally:
        page.close()
    assert figures >= 20


# --- the live figures: panels redrawn in the page by book/_static/live.js (fmlib/live.py) ---

LIVE_READY = "() => [...document.querySelectorAll('.fm-live')].every(e => e.dataset.state === 'ready')"
CANVASES = "root => [...root.querySelectorAll('canvas')].map(c => c.toDataURL())"


def open_live(browser, site, chapter, width=1280):
    page, errors, elsewhere = open_page(browser, site / "notebooks" / f"{chapter}.html")
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function(LIVE_READY, timeout=60_000)
    return page, errors, elsewhere


def live_chapter(name):
    """The chapter whose page holds the live figure `name`."""
    return next(c for c in CHAPTERS if f'data-figure="{name}"' in (HTML / "notebooks" / f"{c}.html").read_text())


def press(page, root, control, key, times=1):
    """Move a control with the keyboard, as a reader without a mouse does."""
    root.locator(f"[name='{control}']").focus()
    for _ in range(times):
        page.keyboard.press(key)


def press_and_redraw(page, root, moves):
    """Make `moves`, (control, key, times) each, with the keyboard: every canvas of the figure is redrawn."""
    before = root.evaluate(CANVASES)
    for control, key, times in moves:
        press(page, root, control, key, times)
    after = root.evaluate(CANVASES)
    assert all(a != b for a, b in zip(before, after)), [control for control, _, _ in moves]


def test_the_live_figures_replace_their_pictures_and_stay_in_the_column(site, browser):
    for name in ("mixture", "warp", "morph"):
        for width in (1280, 390):
            page, errors, elsewhere = open_live(browser, site, live_chapter(name), width)
            try:
                root = page.locator(f".fm-live[data-figure='{name}']")
                assert root.locator("img").count() == 0 and root.locator("canvas").count() >= 1
                assert root.get_attribute("role") == "group" and len(root.get_attribute("aria-label").split()) > 5
                # every control has a label a screen reader reads, and every canvas a description
                labels = root.locator("input, select").evaluate_all("cs => cs.map(c => c.closest('label') !== null)")
                assert labels and all(labels), name
                assert all(
                    len(t.split()) > 4
                    for t in root.locator("canvas").evaluate_all("cs => cs.map(c => c.getAttribute('aria-label'))")
                )
                # nothing sticks out of the text column, on a phone either
                sticking_out = root.evaluate(
                    "r => [...r.querySelectorAll('canvas, .fm-live-controls')]"
                    ".filter(e => e.getBoundingClientRect().right > r.getBoundingClientRect().right + 1).length"
                )
                assert sticking_out == 0, (name, width)
                assert not errors and not elsewhere, (errors, elsewhere)
            finally:
                page.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_live_figures_canvases_stand_side_by_side_on_a_wide_screen(site, browser, theme):
    """Their captions say left and right: at 1280 px, in either colour theme, the first two canvases share a row."""
    for chapter in ("02_flow_matching_1d", "05_time_warping"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto((site / "notebooks" / f"{chapter}.html").as_uri(), wait_until="load")
            page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
            page.wait_for_selector(".fm-live-plots canvas")
            tops = page.evaluate(
                "() => [...document.querySelector('.fm-live-plots').querySelectorAll('canvas')]"
                ".map(c => Math.round(c.getBoundingClientRect().top))"
            )
            assert len(tops) >= 2 and tops[0] == tops[1], (chapter, theme, tops)
        finally:
            page.close()


def test_without_javascript_the_live_figures_show_their_pictures(site, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((site / "notebooks" / f"{live_chapter('warp')}.html").as_uri())
        picture = page.locator(".fm-live[data-figure='warp'] img")
        assert picture.count() == 1 and len(picture.get_attribute("alt").split()) > 5
        assert page.evaluate("() => document.querySelector('.fm-live img').naturalWidth") > 0
    finally:
        context.close()


def test_the_live_mixture_explorer_computes_fmlibs_closed_forms(site, browser):
    import torch

    from fmlib.mixtures import GaussianMixture

    page, _, _ = open_live(browser, site, live_chapter("mixture"))
    try:
        root = page.locator(".fm-live[data-figure='mixture']")
        mixture = GaussianMixture([0.3, 0.7], [-1.2, 0.8], [0.4, 0.9])
        xs, ts = [-2.5, -1.0, 0.0, 0.4, 2.2], [0.0, 0.25, 0.5, 0.9, 1.0]
        pairs = [(x, t) for x in xs for t in ts]
        page_values = page.evaluate(
            "([pairs, m]) => pairs.map(([x, t]) => [FMLive.mixtureDensity(m, x, t), FMLive.mixtureVelocity(m, x, t)])",
            [pairs, {"weights": [0.3, 0.7], "means": [-1.2, 0.8], "stds": [0.4, 0.9]}],
        )
        for (x, t), (p, v) in zip(pairs, page_values):
            point = torch.tensor([[x]], dtype=torch.float64)
            assert p == pytest.approx(mixture.path_density(point, t).item(), rel=1e-9, abs=1e-12)
            assert v == pytest.approx(mixture.velocity(point, t).item(), rel=1e-9, abs=1e-12)
        # Moving a slider with the keyboard redraws the figure, and the readout is fmlib's number.
        press_and_redraw(page, root, [("mean2", "ArrowLeft", 6), ("t", "ArrowRight", 2)])  # 1.50 -> 1.20, 0.50 -> 0.60
        chosen = GaussianMixture([0.55, 0.45], [-0.85, 1.2], [0.65, 0.25])
        grid = torch.linspace(-3, 3, 300, dtype=torch.float64)[:, None]
        density = chosen.path_density(grid, 0.6)
        peak = int(density.argmax())
        expected = (
            f"At t = 0.60 the density peaks at x = {grid[peak, 0]:.3f} (p = {density[peak]:.3f}), "
            f"where the velocity is v = {chosen.velocity(grid[peak : peak + 1], 0.6).item():.3f} (black dot)."
        )
        assert root.locator(".fm-live-readout").text_content() == expected
    finally:
        page.close()


def test_the_live_warp_panel_rides_the_parabola_as_fmlib_does(site, browser):
    from fmlib import parabola

    page, _, _ = open_live(browser, site, live_chapter("warp"))
    try:
        root = page.locator(".fm-live[data-figure='warp']")
        press_and_redraw(page, root, [("s", "ArrowRight", 10), ("steps", "ArrowLeft", 8)])  # 0.50 -> 1.00, 20 -> 12
        miss = parabola.miss(parabola.ride(12, "euler", warp=1.0))
        expected = f"The ride misses the end by {miss:.4f} after 12 Euler steps (12 velocity evaluations)."
        assert root.locator(".fm-live-readout").text_content() == expected
    finally:
        page.close()


def test_the_live_morph_integrates_the_exported_networks_as_fmlib_does(site, browser):
    page, _, _ = open_live(browser, site, live_chapter("morph"))
    try:
        # The page's integrators on fmlib's reference points (fmlib.live.morph_models wrote the answers).
        worst = page.evaluate(
            """() => {
            const d = FMLiveData.morph, r = d.reference;
            const net = FMLive.network(FMLive.decodeHalf(d.models[r.model]), d.layers);
            let worst = 0;
            for (const [direction, field] of [["forwards", net], ["backwards", FMLive.backwards(net)]])
                for (const method of ["euler", "midpoint", "rk4"]) {
                    const x = FMLive.integrate(field, r.x0, r.steps, method, r.warp, false).x;
                    x.forEach((v, i) => worst = Math.max(worst, Math.abs(v - r[direction][method][i])));
                }
            return worst;
        }"""
        )
        assert worst <= 1e-4
    finally:
        page.close()


def test_the_live_morph_controls_redraw_and_report_fmlibs_distance(site, browser):
    import torch

    import fmlib
    from fmlib import live

    page, _, _ = open_live(browser, site, live_chapter("morph"))
    try:
        root = page.locator(".fm-live[data-figure='morph']")
        data = page.evaluate("() => FMLiveData.morph")
        # smiley to heart: the heart-to-smiley network run backwards, 4 midpoint steps warped with s = 0.5
        before = root.evaluate(CANVASES)
        root.locator("[name='source']").select_option("smiley")
        root.locator("[name='target']").select_option("heart")
        root.locator("[name='method']").select_option("midpoint")
        press(page, root, "steps", "ArrowLeft", times=4)  # 8 -> 4
        press(page, root, "warp", "ArrowLeft", times=10)  # 1.00 -> 0.50
        page.wait_for_function(LIVE_READY)
        page.wait_for_function("() => document.querySelector('.fm-live-readout').textContent.includes('heart')")
        assert root.evaluate(CANVASES) != before
        velocity = fmlib.solvers.backwards(live.exported_velocity(data["models"]["heart>smiley"], data["layers"]))
        x0 = live.decode_half(data["sources"]["smiley"]).reshape(-1, 2)
        goal = live.decode_half(data["targets"]["heart"]).reshape(-1, 2)
        x1 = fmlib.integrate(velocity, x0, steps=4, method="midpoint", warp=0.5).x
        distance = fmlib.metrics.sliced_wasserstein(x1, goal)
        readout = root.locator(".fm-live-readout").text_content()
        assert f": {distance:.3f}, after 4 midpoint steps (8 network evaluations)" in readout, readout
        assert "heart-to-smiley network, run backwards" in readout
        assert float(root.get_attribute("data-distance")) == pytest.approx(distance, abs=1e-6)
        # The time slider moves the cloud; a frame of 2 000 points draws in well under 50 ms.
        frame = root.evaluate(CANVASES)
        press(page, root, "time", "Home")
        assert root.evaluate(CANVASES) != frame
        milliseconds = root.evaluate(
            "r => { const s = performance.now(); for (let i = 0; i < 20; i++) r.fmlive.drawFrame(i / 19);"
            " return (performance.now() - s) / 20; }"
        )
        assert milliseconds <= 50, milliseconds
        assert torch.isfinite(x1).all()
        # Shapes are named as a reader writes them, and one step is "1 ... step".
        names = " ".join(root.locator("[name='source'] option").all_inner_texts())
        assert "_" not in names and "two gaussians" in names, names
        press(page, root, "steps", "Home")
        page.wait_for_function(LIVE_READY)
        page.wait_for_function("() => document.querySelector('.fm-live-readout').textContent.includes('after 1 ')")
        assert "after 1 midpoint step (2 network evaluations)" in root.locator(".fm-live-readout").text_content()
        # The same shape twice: the page says to pick two, and shows that cloud.
        root.locator("[name='target']").select_option("smiley")
        page.wait_for_function(LIVE_READY)
        assert root.locator(".fm-live-readout").text_content() == "Pick two different shapes."
        root.locator("[name='target']").select_option("heart")
        page.wait_for_function(LIVE_READY)
        # Play runs the morph to t = 1.
        root.locator("button").click()
        page.wait_for_function("() => document.querySelector('[name=time]').value === '1'", timeout=10_000)
    finally:
        page.close()


def test_search_results_quote_maths_readably(site, browser):
    # Search summaries are fetched pages, so the site is served over http here, as a reader's would be.
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        # Without book/_static/search_math.js, the summaries for "score" quote "\(\nabla_x \log p_t(x)\)" and
        # the pages' "Contents" sidebars.
        page.goto(f"http://127.0.0.1:{server.server_port}/search.html?q=score", wait_until="load")
        # Each summary is fetched on its own after the list is drawn: wait until the search has finished and
        # every result carries its summary, so the assertions see them all.
        page.wait_for_function(
            "() => { const r = document.querySelector('#search-results');"
            " if (!r) return false; const items = r.querySelectorAll('li').length;"
            " return (r.querySelector('.search-summary') || {innerText: ''}).innerText.includes('finished')"
            " && items >= 3 && r.querySelectorAll('p.context').length === items; }",
            timeout=30_000,
        )
        summaries = page.locator("#search-results p.context").all_text_contents()
        assert not [s for s in summaries if re.search(r"\\[(\[a-zA-Z]", s) or "Contents" in s], summaries
        assert any("∇_x log p_t(x)" in s for s in summaries), summaries
        assert page.evaluate(r"() => FMPlainMath('the field \\(\\mathbb{E}[x_1 \\mid x_t = x]\\) here')") == (
            "the field E[x_1 | x_t = x] here"
        )
    finally:
        page.close()
        server.shutdown()
