"""Dashboard login links, sessions and scoping, on SQLite and PostgreSQL (the browser tests: test_dashboard_browser)."""

from __future__ import annotations

import hashlib
import inspect
from datetime import timedelta

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select
from support.app import ChatUser, attach_recorder, make_app
from support.dashboard_data import link_in, other_commune, seed_commune
from support.zalo_harness import free_port

from bot.dashboard import auth
from bot.dashboard.scope import PROVINCE, Viewer, commune_scope
from handlers import web_login
from storage.models import Commune, Person, WebLogin, WebSession


@pytest.fixture
async def dash(database_url, clock):
    port = free_port()
    app = await make_app(database_url, clock, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="secret-for-links-1")
    await app.web.start()
    yield app
    await app.web.stop()
    await app.close()


async def _person(app, role: str) -> Person:
    async with app.db.transaction() as repos:
        return next(p for p in await repos.directory.people(1) if p.role == role)


async def test_a_login_link_opens_one_session_and_only_once(dash, clock):
    person = await _person(dash, "chair")
    async with dash.db.transaction() as repos:
        token = await web_login.issue_login(repos, person.id, clock())
    async with dash.db.transaction() as repos:
        assert await auth.login_state(repos, token, clock()) == "ok"
        state, session_id = await auth.redeem(repos, token, clock(), timedelta(hours=8))
    assert state == "ok" and len(session_id) >= 43  # 256 random bits, url-safe
    async with dash.db.transaction() as repos:
        assert await auth.redeem(repos, token, clock(), timedelta(hours=8)) == ("used", None)
        logins = list((await repos.session.execute(select(WebLogin))).scalars())
        sessions = list((await repos.session.execute(select(WebSession))).scalars())
    # only hashes are stored: neither the link's token nor the cookie's session id is in the database
    assert [row.token_hash for row in logins] == [hashlib.sha256(token.encode()).hexdigest()]
    assert [row.session_hash for row in sessions] == [hashlib.sha256(session_id.encode()).hexdigest()]
    assert token not in repr(logins) and session_id not in repr(sessions)
    assert "secrets." in inspect.getsource(web_login.issue_login) and web_login.TOKEN_BYTES * 8 >= 128
    assert "secrets." in inspect.getsource(auth.redeem) and auth.SESSION_BYTES * 8 >= 128


async def test_expired_forged_and_deactivated_links_open_nothing(dash, clock):
    chair, staff = await _person(dash, "chair"), await _person(dash, "staff")
    async with dash.db.transaction() as repos:
        expiring = await web_login.issue_login(repos, chair.id, clock())
        deactivated = await web_login.issue_login(repos, staff.id, clock())
        (await repos.directory.person(staff.id)).active = False
    forged = expiring[:-1] + ("A" if expiring[-1] != "A" else "B")
    async with dash.db.transaction() as repos:
        assert await auth.redeem(repos, deactivated, clock(), timedelta(hours=8)) == ("inactive", None)
    clock.advance(minutes=10)  # the link lasts 10 minutes: at the 10th it is gone
    async with dash.db.transaction() as repos:
        for token, expected in ((expiring, "expired"), (forged, "unknown"),
                                ("../../etc/passwd", "unknown"), ("", "unknown"), ("x" * 5000, "unknown")):
            assert await auth.redeem(repos, token, clock(), timedelta(hours=8)) == (expected, None), token
        assert list((await repos.session.execute(select(WebSession))).scalars()) == []


async def test_a_session_ends_at_its_expiry_at_log_out_and_when_the_person_is_deactivated(dash, clock):
    chair = await _person(dash, "chair")

    async def open_session() -> str:
        async with dash.db.transaction() as repos:
            token = await web_login.issue_login(repos, chair.id, clock())
            return (await auth.redeem(repos, token, clock(), timedelta(hours=8)))[1]

    async def live(session_id: str) -> bool:
        async with dash.db.transaction() as repos:
            return await repos.web_sessions.live(auth.session_hash(session_id), clock()) is not None

    expiring, ending = await open_session(), await open_session()
    clock.advance(hours=7, minutes=59)
    assert await live(expiring)
    clock.advance(minutes=1)
    assert not await live(expiring)
    ending = await open_session()
    async with dash.db.transaction() as repos:
        session, _ = await repos.web_sessions.live(auth.session_hash(ending), clock())
        await repos.web_sessions.end(session.id, clock())
    assert not await live(ending)
    deactivated = await open_session()
    async with dash.db.transaction() as repos:
        (await repos.directory.person(chair.id)).active = False
    assert not await live(deactivated)
    assert not await live(deactivated[:-2] + "xx")  # a tampered cookie is no session


async def test_scope_is_the_own_commune_and_a_province_role_gets_its_province(dash, clock):
    async with dash.db.transaction() as repos:
        other = await other_commune(repos, dash.plan, clock())
        chair = await repos.directory.person((await _person(dash, "chair")).id)
        assert await commune_scope(repos, chair) == (1,)
        province = (await repos.directory.commune(1)).province
        same_province = await repos.directory.add(Commune(name="Xã Bên", province=province))
        watcher = await repos.directory.add(Person(commune_id=1, name="Tỉnh", role=PROVINCE, created_at=clock()))
        assert sorted(await commune_scope(repos, watcher)) == sorted([1, same_province.id])
        assert other["commune"] not in await commune_scope(repos, watcher)
    viewer = Viewer(1, "c", chair.id, chair.name, "chair", "vi", (1,))
    assert viewer.commune(None) == 1 and viewer.commune("1") == 1
    for probe in (str(other["commune"]), "abc", "-1", "1 OR 1=1"):
        with pytest.raises(web.HTTPNotFound):
            viewer.commune(probe)


async def test_through_http_a_link_opens_a_session_once_and_another_communes_ids_are_404(dash, clock):
    recorder = attach_recorder(dash)
    async with dash.db.transaction() as repos:
        made = await seed_commune(repos, dash.plan, clock(), 1)
        other = await other_commune(repos, dash.plan, clock())
    link = link_in(await ChatUser(dash, recorder, "chair", "Chủ tịch").say("/web"))
    base = link.split("/d/", 1)[0]
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(link)).status_code == 200  # a link preview's GET does not use the link up
        opened = await http.post(link)
        assert opened.status_code == 303 and opened.headers["location"] == "/d/"
        cookie = opened.headers["set-cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Max-Age=28800", "Path=/d/"):
            assert flag in cookie, cookie
        session = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"]}
        again = await http.post(link)
        assert again.status_code == 410 and "mttq_session" not in again.headers.get("set-cookie", "")
        assert "đã được dùng" in again.text
        own = await http.get(f"{base}/d/bao-cao/{made['photo'].id}", headers=session)
        assert own.status_code == 200
        for path in (f"/d/bao-cao/{other['report']}", f"/d/don-vi/{other['unit']}", f"/d/?xa={other['commune']}",
                     "/d/bao-cao/999999", "/d/bao-cao/abc"):
            probe = await http.get(base + path, headers=session)
            assert probe.status_code == 404, path
            assert "Xã Khác" not in probe.text and "Thôn Khác" not in probe.text
        assert (await http.get(f"{base}/d/", headers={"Cookie": "mttq_session=forged"})).status_code == 401


async def test_through_http_expired_forged_and_deactivated_links_get_a_clear_page_and_no_cookie(dash, clock):
    """What a person sees when they open such a link (GET, as the chat opens it, and the button's POST)."""
    recorder = attach_recorder(dash)
    t = dash.translator.for_language("vi")
    chair, staff = ChatUser(dash, recorder, "chair", "Chủ tịch"), ChatUser(dash, recorder, "staff", "Cán bộ")
    expiring, deactivated = link_in(await chair.say("/web")), link_in(await staff.say("/web"))
    async with dash.db.transaction() as repos:
        (await repos.directory.person((await _person(dash, "staff")).id)).active = False
    forged = expiring[:-3] + ("AAA" if not expiring.endswith("AAA") else "BBB")
    async with httpx.AsyncClient(timeout=30) as http:
        for link, status, text, later in ((deactivated, 403, t("dash.login.inactive"), 0),
                                          (forged, 404, t("dash.login.unknown"), 0),
                                          (expiring, 410, t("dash.login.expired"), 10)):
            clock.advance(minutes=later)  # a link lasts 10 minutes
            for method in (http.get, http.post):
                response = await method(link)
                assert response.status_code == status and text in response.text, (link, method)
                assert "mttq_session" not in response.headers.get("set-cookie", "")
                assert 'id="login"' not in response.text  # no button to press
