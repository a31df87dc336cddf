"""The web page in a real browser (Debian Chromium + Selenium) against ``pipeline serve`` on loopback.

The data dir holds the seeds and a few invented hostile articles, sent
through replay and ``run --until-idle`` like a user's. Set SCREENSHOT_DIR
(e.g. ``SCREENSHOT_DIR=docs``) to keep the screenshot the README shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from http_browser import chromium, require_chromium
from http_hostile import write_hostile_corpus
from support import REPO, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``pipeline serve`` as a real process over a freshly built data dir; stopped with SIGTERM."""
    require_chromium()
    data_dir = tmp_path_factory.mktemp("served")
    run_cli(data_dir, "replay", "--quiet", str(REPO / "seeds"),
            str(write_hostile_corpus(data_dir / "hostile.jsonl")))
    run_cli(data_dir, "run", "--until-idle")
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "PIPELINE_HTTP__RATE_PER_S": "0"}
    env.pop("PIPELINE_CONFIG", None)
    log = data_dir / "serve.log"
    with log.open("w") as stderr, subprocess.Popen(
            [sys.executable, "-m", "pipeline", "serve", "--port", "0"], cwd=REPO, env=env,
            stdout=subprocess.PIPE, stderr=stderr, text=True) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "serving on http://127.0.0.1:PORT/ ..." once the socket listens
        assert line.startswith("serving on http://127.0.0.1:"), line + log.read_text()
        base = line.split()[2].rstrip("/")
        with urllib.request.urlopen(f"{base}/health", timeout=30) as answer:
            assert answer.status == 200
        yield base
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()  # a clean stop


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    driver = chromium(tmp_path_factory.mktemp("profile"))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def by_css(driver, css: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def follow(driver, act) -> None:  # type: ignore[no-untyped-def]
    """Do ``act`` (a click or Enter that loads a page) and wait until the new page is whole.

    Selenium returns from a key press before the navigation it starts, so the
    old page's elements must be gone and the new page's last element there.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    act()
    WebDriverWait(driver, 30).until(lambda _: is_stale(old))
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "footer.bottom"))


def is_stale(element) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``element`` belongs to a page the browser has left.

    Asked mid-navigation, chromedriver may answer with an inspector error
    ("Node with given id does not belong to the document") instead of a stale
    reference; that message means the node's document is gone, any other
    error means "ask again".
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        return "does not belong to the document" in (error.msg or "")
    return False


def card_speakers(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in by_css(driver, ".card .speaker")]


def test_find_sullivans_drone_claims_and_tehrans_denial_by_clicking(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{server}/")
    box = by_css(browser, "input#q")[0]
    follow(browser, lambda: box.send_keys("drones", Keys.ENTER))
    assert "q=drones" in browser.current_url
    [sullivan] = [a for a in by_css(browser, "#facet-speakers a") if a.text == "Jake Sullivan"]
    follow(browser, sullivan.click)
    assert parse_qs(urlsplit(browser.current_url).query) == {"q": ["drones"], "speaker": ["Jake Sullivan"]}
    speakers = card_speakers(browser)
    assert speakers and set(speakers) == {"Jake Sullivan"}
    assert all("drones" in m.text.lower() for m in by_css(browser, ".card mark"))
    follow(browser, by_css(browser, ".active .remove")[0].click)  # drop the speaker filter again
    [deny] = [a for a in by_css(browser, "#facet-stances a") if a.text == "deny"]
    follow(browser, deny.click)
    cards = by_css(browser, ".card")
    assert "Tehran" in card_speakers(browser)
    assert all(c.find_element("css selector", ".stance-deny") for c in cards)


def test_page_on_open_an_article_and_reload_a_shared_url(browser, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{server}/?q=Iran+drones+Russia&limit=3")
    first = [c.get_attribute("id") for c in by_css(browser, ".card")]
    total = by_css(browser, "#total strong")[0].text
    assert len(first) == 3 and int(total) > 3
    follow(browser, by_css(browser, "a.next")[0].click)
    second = [c.get_attribute("id") for c in by_css(browser, ".card")]
    assert second and not set(first) & set(second)
    shared = browser.current_url
    browser.get(shared)  # a reload, or the link sent to a colleague: the same page
    assert [c.get_attribute("id") for c in by_css(browser, ".card")] == second
    follow(browser, browser.back)
    assert [c.get_attribute("id") for c in by_css(browser, ".card")] == first
    claim_id = first[0].removeprefix("claim-")
    follow(browser, by_css(browser, f"#claim-{claim_id} a.article-link")[0].click)
    assert "/articles/" in browser.current_url
    marked = by_css(browser, ".text .claim")
    assert marked and by_css(browser, f".text #claim-{claim_id}")
    assert len(by_css(browser, ".claims li")) >= len(by_css(browser, ".text [id^=claim-]"))
    browser.get(f"{server}/?q=Iran+drones+Russia")
    shot = tmp_path / "search-page.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["SCREENSHOT_DIR"]) / "search-page.png")


def test_labels_and_keyboard(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{server}/")
    for field in by_css(browser, "form.search input:not([type=hidden]), form.search select"):
        fid = field.get_attribute("id")
        labelled = by_css(browser, f"label[for={fid}]") or field.find_elements("xpath", "ancestor::label")
        assert labelled, f"input {fid} has no label"
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "q"  # the search box has the focus on arrival
    active.send_keys("drones")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("type") == "submit"
    ActionChains(browser).send_keys(Keys.TAB).perform()
    speaker = browser.switch_to.active_element
    assert speaker.get_attribute("id") == "speaker"  # then the filters, in reading order
    follow(browser, lambda: speaker.send_keys("Sullivan", Keys.ENTER))
    assert parse_qs(urlsplit(browser.current_url).query) == {"q": ["drones"], "speaker": ["Sullivan"]}
    assert set(card_speakers(browser)) == {"Jake Sullivan"}


def test_hostile_title_speaker_and_url_show_as_text_and_never_run(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{server}/?q=harbor+bridge")
    assert by_css(browser, ".card")
    titles = [a.text for a in by_css(browser, ".card a.article-link")]
    assert any("<script>" in t and "Bridge row" in t for t in titles)  # the title, as text
    assert any("<script>" in s for s in card_speakers(browser))  # the speaker, as text
    assert any(u.text.startswith("javascript:") for u in by_css(browser, ".card .original-text"))
    hrefs = [a.get_attribute("href") or "" for a in by_css(browser, "a")]
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert browser.execute_script("return document.documentElement.dataset.pwned") is None
    assert not by_css(browser, ".card script, .card img")
    assert browser.execute_script("return document.querySelectorAll('[onerror], [onmouseover]').length") == 0
    follow(browser, by_css(browser, ".card a.article-link")[0].click)
    assert browser.execute_script("return document.documentElement.dataset.pwned") is None
    assert not by_css(browser, "main script, main img")


def test_search_works_with_javascript_off(server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    driver = chromium(tmp_path / "profile", javascript=False)
    try:
        driver.implicitly_wait(5)
        driver.get(f"{server}/")
        by_css(driver, "input#speaker")[0].send_keys("Sullivan")
        follow(driver, lambda: by_css(driver, "input#q")[0].send_keys("drones", Keys.ENTER))
        assert set(card_speakers(driver)) == {"Jake Sullivan"}
        [deny] = [a for a in by_css(driver, "#facet-stances a") if a.text == "deny"] or [None]
        assert deny is None  # none of his drone claims is a denial, so no such facet value
        follow(driver, by_css(driver, ".active .remove")[0].click)
        assert "speaker" not in parse_qs(urlsplit(driver.current_url).query)
    finally:
        driver.quit()
