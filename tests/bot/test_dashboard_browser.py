"""The dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.

Logs in through a /web link taken from the console chat, visits every page at 360×740 and 1366×768, checks the
numbers equal /tonghop, follows a photo link, downloads the DOCX, logs out; then the same link again, and
another commune's report. Screenshots of every page are saved in a temporary directory printed in the output
(MTTQ_SCREENSHOTS chooses it) — they are artefacts for a person to look at, never committed.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from support.app import ChatUser, attach_recorder
from support.dashboard_data import link_in, other_commune, seed_commune
from support.demo_db import demo_app
from support.province_data import province_invite, three_communes
from support.zalo_harness import free_port

from bot.dashboard.routes import DASHBOARD

SIZES = {"phone": (360, 740), "desktop": (1366, 768)}
PAGES = {"tong-quan": "/d/", "don-vi": "/d/don-vi", "bao-cao": "/d/bao-cao", "kien-nghi": "/d/kien-nghi",
         "nhac-viec": "/d/nhac-viec", "tai-ve": "/d/tai-ve"}


# The units grid at 360 px: the space between its caption and its first unit (the column heads' band, 170 px when
# the grid's long activity names were wrapped in 7em columns) and how far its box scrolls sideways.
UNITS_ON_A_PHONE = """const table = document.querySelector('table.grid'), box = table.parentElement;
return [table.tBodies[0].rows[0].getBoundingClientRect().top - table.caption.getBoundingClientRect().bottom,
        box.scrollWidth - box.clientWidth];"""


def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does it)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    return chromium, driver


@pytest.fixture
def browser(tmp_path):
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-extensions", "--no-first-run", "--lang=vi"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture
def shots(capsys) -> Path:
    directory = Path(os.environ.get("MTTQ_SCREENSHOTS") or tempfile.mkdtemp(prefix="mttq-dashboard-shots-"))
    directory.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\n[dashboard screenshots] {directory}")
    return directory


def _full_page(driver, path: Path) -> None:
    """The whole page, not only the viewport (Chromium's DevTools screenshot beyond the viewport)."""
    deadline = time.monotonic() + 30
    while True:  # right after a navigation Chromium may report the new document as 0 px tall: not laid out yet
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        if size["height"] > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    width = max(size["width"], driver.execute_script("return window.innerWidth"))  # overlay scrollbars
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def _tab_through(driver, presses: int) -> list[str]:
    """Press Tab `presses` times from the top of the page; what got the focus each time (tag, class or href)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached = []
    for _ in range(presses):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.append(driver.execute_script(
            "const e = document.activeElement; if (!e || e === document.body) return 'body';"
            "const href = e.getAttribute('href'); const type = e.getAttribute('type');"
            "return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')"
            " + (href ? '[href=' + href.split('?')[0] + ']' : '') + (type ? '[type=' + type + ']' : '')"
            " + (e.form && e.form.className ? ' in form.' + e.form.className : '')"))
    return reached


def _wait_for_file(directory: Path, suffix: str, timeout: float = 60) -> Path:
    """A download is written by the browser process: wait for the finished file (I/O, not a schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in directory.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded into {directory}: {list(directory.iterdir())}")


async def test_the_dashboard_in_a_real_browser(tmp_path, clock, browser, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as arrived
    from selenium.webdriver.support.wait import WebDriverWait

    def click_and_wait(css: str, condition) -> None:
        """Click, then wait for the browser to reach the next page (a click returns before it navigates)."""
        browser.find_element(By.CSS_SELECTOR, css).click()
        WebDriverWait(browser, 60).until(condition)

    port = free_port()
    app = await demo_app(tmp_path, clock, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="secret-for-links-1")
    recorder = attach_recorder(app)
    async with app.db.transaction() as repos:
        made = await seed_commune(repos, app.plan, clock(), 1)
        other = await other_commune(repos, app.plan, clock())
    await app.web.start()
    base = f"http://127.0.0.1:{port}"
    chair = ChatUser(app, recorder, "chair", "Chủ tịch")

    def run(call, *args):  # the browser blocks; the server answers on this test's event loop meanwhile
        return asyncio.to_thread(call, *args)

    def text(css: str) -> str:
        return browser.find_element(By.CSS_SELECTOR, css).text

    try:
        told = dict(re.findall(r"^\S+ (\S+)\. .*?: ([^/\n]+)/", "\n".join(await chair.say("/tonghop")), re.M))
        link = link_in(await chair.say("/web"))
        await run(browser.set_window_size, *SIZES["phone"])
        await run(browser.get, link)
        await run(_full_page, browser, shots / "dang-nhap-phone.png")
        await run(click_and_wait, "#login", arrived.url_to_be(base + "/d/"))
        for size_name, size in SIZES.items():
            await run(browser.set_window_size, *size)
            for name, path in PAGES.items():
                await run(browser.get, base + path)
                assert "Cần đăng nhập" not in browser.page_source, path
                width = await run(browser.execute_script, "return document.documentElement.scrollWidth")
                assert width <= size[0] + 1, f"{path} at {size_name}: page is {width}px wide"
                if name == "don-vi" and size_name == "phone":  # a block per unit, not a grid to scroll sideways
                    gap, wider = await run(browser.execute_script, UNITS_ON_A_PHONE)
                    assert gap <= 2 and wider <= 1, f"units grid: {gap}px of header band, {wider}px to scroll"
                await run(_full_page, browser, shots / f"{name}-{size_name}.png")
            for name, path in (("bao-cao-chi-tiet", f"/d/bao-cao/{made['scripted'].id}"),
                               ("bao-cao-anh", f"/d/bao-cao/{made['photo'].id}"),
                               ("don-vi-chi-tiet", f"/d/don-vi/{made['photo'].unit_id}")):
                await run(browser.get, base + path)
                await run(_full_page, browser, shots / f"{name}-{size_name}.png")

        await run(browser.get, base + "/d/")
        reached = await run(_tab_through, browser, 40)  # keyboard only: Tab from the top of the page
        assert reached[0] == "a.skip[href=#main]", reached  # the skip link first
        for needed in (*(f"a[href={path}]" for path in PAGES.values()), "select#ky in form.period",
                       "button[type=submit] in form.period", "button[type=submit] in form.logout"):
            assert any(r.startswith(needed) or r.endswith(needed) for r in reached), (needed, reached)
        shown = {e.get_attribute("data-indicator"): e.text
                 for e in browser.find_elements(By.CSS_SELECTOR, "[data-indicator]")}
        assert shown == told and len(shown) == len(app.plan.indicators)
        assert len(browser.find_elements(By.CSS_SELECTOR, "figure.chart svg rect.bar")) == len(shown)

        await run(browser.get, f"{base}/d/bao-cao/{made['scripted'].id}")
        assert "<script>alert('x')</script>" in text("dl.answers")  # shown as text, and nothing ran
        await run(browser.get, f"{base}/d/bao-cao/{made['photo'].id}")
        await run(click_and_wait, "a.photo", arrived.url_contains("/files/"))
        assert await run(browser.execute_script, "return document.contentType") == "image/png"

        await run(browser.get, base + "/d/tai-ve")
        await run(lambda: browser.find_element(By.CSS_SELECTOR, 'a[href^="/d/tai-ve/docx?"]').click())
        docx = await run(_wait_for_file, browser.downloads, ".docx")
        assert "word/document.xml" in zipfile.ZipFile(docx).namelist()

        await run(browser.get, f"{base}/d/bao-cao/{other['report']}")
        assert "Không tìm thấy" in text("h1") and "Thôn Khác" not in browser.page_source
        await run(_full_page, browser, shots / "khong-tim-thay.png")

        await run(browser.get, base + "/d/")
        await run(click_and_wait, "form.logout button", arrived.text_to_be_present_in_element((By.TAG_NAME, "h1"),
                                                                                               "Đã đăng xuất"))
        await run(browser.get, base + "/d/")
        assert "Cần đăng nhập" in text("h1")

        await run(browser.get, link)  # the same link, once more
        assert "Không vào được" in text("h1") and "đã được dùng" in browser.page_source
        assert browser.find_elements(By.ID, "login") == []
        await run(_full_page, browser, shots / "link-da-dung.png")
    finally:
        await app.web.stop()
        await app.close()
    assert len(list(shots.glob("*.png"))) >= 2 * len(PAGES) + 6


async def test_the_province_page_in_a_real_browser(tmp_path, clock, browser, shots):
    """A province viewer logs in from the chat and sees the communes of their province side by side, at both
    sizes; a commune's name opens its indicators; the XLSX downloads; another province's commune is a 404."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as arrived
    from selenium.webdriver.support.wait import WebDriverWait

    port = free_port()
    app = await demo_app(tmp_path, clock, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="secret-for-links-1")
    recorder = attach_recorder(app)
    async with app.db.transaction() as repos:
        await seed_commune(repos, app.plan, clock(), 1)
    same, other = await three_communes(app)
    app.web.app[DASHBOARD].province_budget = None  # every row at once, however loaded the machine
    await app.web.start()
    base = f"http://127.0.0.1:{port}"
    viewer = ChatUser(app, recorder, "tinh", "Ban Thường trực tỉnh")

    def run(call, *args):
        return asyncio.to_thread(call, *args)

    try:
        await viewer.say(f"/start {await province_invite(app)}")
        told = "\n".join(await viewer.say("/tonghop"))
        link = link_in(await viewer.say("/web"))
        await run(browser.get, link)
        await run(lambda: browser.find_element(By.ID, "login").click())
        await run(WebDriverWait(browser, 60).until, arrived.url_to_be(base + "/d/"))
        for size_name, size in SIZES.items():
            await run(browser.set_window_size, *size)
            await run(browser.get, base + "/d/")
            width = await run(browser.execute_script, "return document.documentElement.scrollWidth")
            assert width <= size[0] + 1, f"province page at {size_name}: {width}px wide"
            await run(_full_page, browser, shots / f"tinh-{size_name}.png")
        # A period never viewed, with a budget of one commune per view: one commune is marked as being updated,
        # and the page reloads itself (a <meta> refresh, no script) until both are shown.
        app.web.app[DASHBOARD].province_budget = 0
        for size_name, size in SIZES.items():
            await run(browser.set_window_size, *size)
            await run(browser.get, f"{base}/d/?ky={'2026-H1' if size_name == 'phone' else '2026-9M'}")
            assert len(browser.find_elements(By.CSS_SELECTOR, "table.province tr.pending")) == 1
            assert "Đang cập nhật số liệu của 1/2 xã" in browser.find_element(By.CSS_SELECTOR, ".updating").text
            await run(_full_page, browser, shots / f"tinh-dang-cap-nhat-{size_name}.png")
            await run(WebDriverWait(browser, 30).until,
                      lambda b: not b.find_elements(By.CSS_SELECTOR, "tr.pending, .updating"))
            assert len(browser.find_elements(By.CSS_SELECTOR, "table.province tbody tr[id^='xa-']")) == 2
        await run(browser.get, base + "/d/")  # the current quarter again, as the chat's /tonghop
        rows = browser.find_elements(By.CSS_SELECTOR, "table.province tbody tr")
        names = [row.find_element(By.CSS_SELECTOR, "th a").text for row in rows]
        assert names == ["Nam Cường", "Phúc Lộc"]
        for row, name in zip(rows, names, strict=True):  # the chat's numbered lines say the same
            reports = row.find_element(By.CSS_SELECTOR, '[data-col="reports"]').text
            silent = row.find_element(By.CSS_SELECTOR, '[data-col="silent"]').text
            assert f"{name}: {reports} báo cáo; {silent} đơn vị chưa báo cáo" in told
        await run(lambda: browser.find_element(By.LINK_TEXT, "Phúc Lộc").click())
        await run(WebDriverWait(browser, 60).until, arrived.url_contains(f"xa={same.id}"))
        assert "Phúc Lộc" in browser.find_element(By.TAG_NAME, "h1").text
        await run(_full_page, browser, shots / "tinh-mot-xa.png")
        await run(browser.get, base + "/d/")
        await run(lambda: browser.find_element(By.CSS_SELECTOR, 'a[href^="/d/tinh/tai-ve/xlsx"]').click())
        xlsx = await run(_wait_for_file, browser.downloads, ".xlsx")
        assert xlsx.name.startswith("tong-hop-tinh-") and zipfile.is_zipfile(xlsx)
        await run(browser.get, f"{base}/d/?xa={other.id}")
        assert "Không tìm thấy" in browser.find_element(By.TAG_NAME, "h1").text
        assert "Minh Tân" not in browser.page_source
        await run(browser.get, f"{base}/d/bao-cao/{same.reports[0]}")
        assert "Không tìm thấy" in browser.find_element(By.TAG_NAME, "h1").text
    finally:
        await app.web.stop()
        await app.close()
