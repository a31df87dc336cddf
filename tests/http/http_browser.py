"""Chromium from the Debian packages, driven by Selenium, offline (Selenium Manager downloads nothing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import in_ci, servers_required

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def require_chromium() -> None:
    """Skip (fail in CI or with TEST_REQUIRE_SERVERS=1) unless the Debian chromium and driver are installed."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    reason = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; scripts/test does)"
    if in_ci() or servers_required():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def chromium(profile: Path, javascript: bool = True):  # type: ignore[no-untyped-def]
    """A headless Chromium session with a fresh profile; no network beyond what the page asks for."""
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
