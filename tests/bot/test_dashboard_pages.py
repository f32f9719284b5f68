"""Dashboard pages over HTTP: the same numbers as /tonghop, escaping, headers, bad input, log-out with CSRF."""

from __future__ import annotations

import contextlib
import html
import io
import random
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from support.app import ChatUser, attach_recorder
from support.dashboard_data import SCRIPT, ZALO_ID, add_report, link_in, seed_commune
from support.demo_db import demo_app
from support.zalo_harness import free_port

import bot.dashboard
from core.i18n import Translator

PAGES = ("/d/", "/d/don-vi", "/d/bao-cao", "/d/kien-nghi", "/d/nhac-viec", "/d/tai-ve")
TEMPLATES = Path(bot.dashboard.__file__).parent / "templates"


@pytest.fixture
async def site(tmp_path, clock):
    async with open_site(tmp_path, clock) as opened:
        yield opened


@contextlib.asynccontextmanager
async def open_site(tmp_path, clock, **overrides):
    port = free_port()
    app = await demo_app(tmp_path, clock, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="secret-for-links-1", **overrides)
    recorder = attach_recorder(app)
    async with app.db.transaction() as repos:
        made = await seed_commune(repos, app.plan, clock(), 1)
    await app.web.start()
    chair = ChatUser(app, recorder, "chair", "Chủ tịch")
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            link = link_in(await chair.say("/web"))
            opened = await http.post(link)
            headers = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"]}
            yield app, http, f"http://127.0.0.1:{port}", headers, chair, made
    finally:
        await app.web.stop()
        await app.close()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_overview_shows_the_same_numbers_as_tonghop(site):
    app, http, base, session, chair, _made = site
    chat = "\n".join(await chair.say("/tonghop"))
    page = (await http.get(base + "/d/", headers=session)).text
    shown = dict(re.findall(r'data-indicator="([^"]+)">([^<]*)<', page))
    told = dict(re.findall(r"^\S+ (\S+)\. .*?: ([^/\n]+)/", chat, re.M))
    assert len(told) == len(app.plan.indicators) >= 10 and shown == told
    # a percent with no denominator: "—" with the same reason as the chat's, in the indicator's own row
    told_why = dict(re.findall(r"^\S+ (\S+)\. .*?: —/\S+ \((.+)\) — ", chat, re.M))
    assert told_why and all(shown[i] == "—" for i in told_why)
    rows = {i: html.unescape(_text(row)) for i, row in re.findall(r'<tr id="ind-([^"]+)">(.*?)</tr>', page, re.S)}
    for indicator, reason in told_why.items():
        assert f"— ({reason})" in rows[indicator], indicator
    assert not any(reason in row for i, row in rows.items() if i not in told_why for reason in told_why.values())
    assert "<svg" in page and page.count('class="bar bar-') == len(app.plan.indicators)


async def test_every_page_renders_escaped_with_security_headers_and_no_personal_ids(site):
    _app, http, base, session, _chair, made = site
    paths = [*PAGES, f"/d/bao-cao/{made['scripted'].id}", f"/d/bao-cao/{made['photo'].id}",
             f"/d/don-vi/{made['photo'].unit_id}"]
    for path in paths:
        response = await http.get(base + path, headers=session)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "<script" not in response.text and " style=" not in response.text, path
        assert ZALO_ID not in response.text, path
    detail = (await http.get(f"{base}/d/bao-cao/{made['scripted'].id}", headers=session)).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;đậm&lt;/b&gt;" in detail
    assert "99" in _text(detail) and "Cán bộ Ủy ban MTTQ Việt Nam xã (mẫu)" in detail  # the edit and who made it
    petitions = (await http.get(base + "/d/kien-nghi", headers=session)).text
    assert SCRIPT not in petitions and "&lt;script&gt;" in petitions
    assert petitions.index("KN-2026-001") < petitions.index("KN-2026-002")  # the overdue one first
    assert 'class="overdue"' in petitions


async def test_a_photo_is_served_through_a_signed_file_link(site):
    _app, http, base, session, _chair, made = site
    detail = (await http.get(f"{base}/d/bao-cao/{made['photo'].id}", headers=session)).text
    [href] = re.findall(r'<a href="(/files/[^"]+)" class="photo"', detail)
    photo = await http.get(base + href)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")


async def test_bad_input_gets_a_clear_page(site):
    _app, http, base, session, _chair, _made = site
    for asked in ("2026-Q5", "2025-Q1", "abc", "<script>", "2026-" + "9" * 100):
        response = await http.get(base + "/d/", params={"ky": asked}, headers=session)
        assert response.status_code == 400 and "không phải là kỳ báo cáo" in response.text, asked
        assert "<script>" not in response.text
    for page in ("0", "-3", "99999", "abc", "9" * 30):
        response = await http.get(base + "/d/bao-cao", params={"trang": page}, headers=session)
        assert response.status_code == 200, page
    quarter = await http.get(base + "/d/", params={"ky": "2026-Q3"}, headers=session)
    assert quarter.status_code == 200 and "Quý III" in quarter.text
    english = await http.get(base + "/d/", params={"lang": "en"}, headers=session)
    assert "Overview" in english.text and 'lang="en"' in english.text


async def test_downloads_render_the_periods_files(site):
    _app, http, base, session, _chair, _made = site
    for kind, magic in (("docx", b"PK"), ("docx-dang-uy", b"PK"), ("xlsx", b"PK"), ("png", b"\x89PNG")):
        response = await http.get(f"{base}/d/tai-ve/{kind}", params={"ky": "2026-Q4"}, headers=session)
        assert response.status_code == 200 and response.content.startswith(magic), kind
        assert "attachment" in response.headers["content-disposition"]
    docx = (await http.get(f"{base}/d/tai-ve/docx", headers=session)).content
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    assert (await http.get(f"{base}/d/tai-ve/exe", headers=session)).status_code == 404


async def test_a_download_is_read_compiled_and_rendered_by_the_worker(tmp_path, clock):
    """With a render worker the page hands it the commune and period, never the compiled summary (pickling a
    2,000-unit one over held the bot's loop ~0.5 s); the worker reads the period itself."""
    async with open_site(tmp_path, clock, render_processes=1, render_timeout_seconds=120) as (app, http, base,
                                                                                              session, _c, _m):
        ran, pool = [], app.render_jobs.pool
        real_run = pool.run

        async def watched_run(fn, *args):
            ran.append(fn.__name__)
            return await real_run(fn, *args)

        async def no_summary_over(*_args, **_kwargs):
            raise AssertionError("the compiled summary was sent to the worker")

        pool.run, pool.render = watched_run, no_summary_over
        response = await http.get(f"{base}/d/tai-ve/xlsx", params={"ky": "2026-Q4"}, headers=session)
        assert response.status_code == 200 and response.content.startswith(b"PK")
        assert ran == ["files_in_worker"]
        sheets = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert "xl/worksheets/sheet1.xml" in sheets


async def test_log_out_needs_the_forms_csrf_token_and_ends_the_session(site):
    _app, http, base, session, _chair, _made = site
    page = (await http.get(base + "/d/", headers=session)).text
    [csrf] = re.findall(r'name="csrf" value="([^"]+)"', page)
    refused = await http.post(base + "/d/dang-xuat", data={"csrf": "wrong"}, headers=session)
    assert refused.status_code == 403
    assert (await http.get(base + "/d/", headers=session)).status_code == 200
    done = await http.post(base + "/d/dang-xuat", data={"csrf": csrf}, headers=session)
    assert done.status_code == 200 and "Đã đăng xuất" in done.text
    assert 'mttq_session=""' in done.headers["set-cookie"]
    assert (await http.get(base + "/d/", headers=session)).status_code == 401


async def test_web_without_a_public_url_says_so(app, recorder):
    replies = await ChatUser(app, recorder, "chair", "Chủ tịch").say("trang web")
    assert replies == [app.translator.for_language("vi")("web.not_configured")]


def test_every_text_in_the_templates_is_in_both_catalogs():
    translator = Translator(Path(__file__).resolve().parents[2] / "locales")
    ids = set()
    families = {"dash.nav.": ("overview", "units", "reports", "petitions", "messages", "downloads"),
                "dash.units.sort_": ("ten", "thieu", "moi"), "dash.units.": ("missing", "overdue"),
                "dash.audit.": ("create", "edit", "delete"),
                "dash.reminder.": ("sent", "answered", "skipped", "unreachable"),
                "dash.download.": ("docx", "docx-dang-uy", "xlsx", "png"),
                "dash.login.": ("used", "expired", "inactive", "unknown"),
                "summary.status.": ("dat", "chua_dat", "dang_thuc_hien"),
                "role.": ("admin", "chair", "staff", "viewer"),
                "petition.source.": ("nhan_dan", "sau_giam_sat", "phan_bien", "cu_tri"),
                "petition.status.": ("tiep_nhan", "da_chuyen", "da_tra_loi", "da_giai_quyet",
                                     "khong_thuoc_tham_quyen")}
    for template in TEMPLATES.glob("*.html"):
        for msgid in re.findall(r"""\bt\(["']([a-z_.-]+)["']""", template.read_text(encoding="utf-8")):
            ids.update(msgid + v for v in families.get(msgid, ("",)))
    assert len(ids) > 60
    for language in ("vi", "en"):
        assert sorted(ids - translator.msgids(language)) == [], language


async def test_a_new_or_deleted_report_shows_at_once_despite_the_scene_cache(site, clock):
    app, http, base, session, _chair, made = site

    async def listed() -> int:
        page = (await http.get(base + "/d/bao-cao", headers=session)).text
        return int(re.search(r'<p class="note">(\d+) báo cáo</p>', page).group(1))

    before = await listed()
    assert await listed() == before  # served from the cache: same numbers
    async with app.db.transaction() as repos:
        village = await repos.directory.unit(made["photo"].unit_id)
        await add_report(repos, app.plan, "ngay_hoi", village, made["photo"].person_id, clock().date(), clock(),
                         random.Random(2))
    assert await listed() == before + 1
    async with app.db.transaction() as repos:
        await repos.reports.soft_delete(await repos.reports.get(made["photo"].id), clock())
    assert await listed() == before
    assert (await http.get(f"{base}/d/bao-cao/{made['photo'].id}", headers=session)).status_code == 404
