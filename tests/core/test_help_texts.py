"""/trogiup lists every command each role may use, and nothing it may not, in Vietnamese and English."""

from __future__ import annotations

import re

import pytest
from support.app import ChatUser

from core.roles import ROLES
from handlers.commands import COMMANDS
from handlers.flows.groups import MAY_REGISTER

HIDDEN = {"start"}  # the invite code is typed once, from the invite message itself
GROUP_REGISTRATION = {"dangkynhom", "huynhom"}  # allowed by the table, refused by the handler to all but these


def usable(role: str) -> set[str]:
    """The commands a role may really use: the command table's roles, narrowed where a handler narrows them."""
    names = {name for name, spec in COMMANDS.items() if role in spec.roles} - HIDDEN
    return names if role in MAY_REGISTER else names - GROUP_REGISTRATION


def test_every_role_may_use_some_command_and_the_table_is_not_empty():
    assert {r: len(usable(r)) for r in ROLES} == {"admin": 18, "chair": 18, "staff": 16, "reporter": 7, "viewer": 5}


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_help_lists_exactly_the_commands_the_role_may_use(app, recorder, language):
    for role in sorted(ROLES):
        user = ChatUser(app, recorder, role)
        if language == "en":
            await user.say("/ngonngu")
            await user.say("2")  # English
        help_text = "\n".join(await user.say("/trogiup"))  # staff: the main commands, then the managing ones
        listed = set(re.findall(r"/([a-z]+)", help_text))
        assert usable(role) <= listed, f"missing from {role}'s help: {sorted(usable(role) - listed)}"
        # a shared text (admin, chair and staff read the same one) lists only what one of its readers may use
        readers = {"help.viewer": {"viewer"}, "help.reporter": {"reporter"}}.get(_key(role),
                                                                               {"admin", "chair", "staff"})
        assert listed <= set().union(*(usable(r) for r in readers)), role
        assert help_text.startswith("Commands" if language == "en" else "Các lệnh"), role


def _key(role: str) -> str:
    return {"viewer": "help.viewer", "reporter": "help.reporter"}.get(role, "help.staff")
