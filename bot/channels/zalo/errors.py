"""What a Zalo answer means, in one table: HTTP status and the body's `error_code` → what the bot does.

Read from Zalo's official error table (docs/zalo-bot-api.md): only 401 says the token is bad; 403 is labelled
"Internal server error" and is retried like a 5xx; 408 at either layer (HTTP 408, or HTTP 200 with
`error_code: 408`) is an idle getUpdates; 404 is "invalid access request", which a proxy or a wrong base URL
answers too (often as HTML), so a chat is taken for gone only when Zalo's own JSON names the recipient.
`tests/channels/zalo/test_zalo_errors.py` walks every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    OK = "ok"
    IDLE = "idle"  # an empty long poll: poll again, no warning, no backoff
    CONFIG = "config"  # the token is wrong or revoked: nothing but the operator can fix it
    TRANSIENT = "transient"  # Zalo (or the way to it) is unwell: try again later, with backoff
    RATE_LIMITED = "rate_limited"  # "Quota exceeded": a burst limit, or (repeated) the month's budget
    WEBHOOK_ACTIVE = "webhook_active"  # getUpdates refused while a webhook is set
    RECIPIENT_GONE = "recipient_gone"  # Zalo says the user or group cannot be written to: deactivate the chat
    WRONG_BASE = "wrong_base"  # getMe answered by something that is not the Zalo Bot API: ZALO_API_BASE
    REJECTED = "rejected"  # Zalo refused this request as it is: do not send it again


SENDS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendVoice", "sendChatAction"})
# Zalo's wording is not published for a blocked bot or an unknown user; these are the phrasings its JSON uses
# for a bad recipient (English and Vietnamese). Anything else is a rejection of the request, not of the chat.
_RECIPIENT = re.compile(r"(user|recipient|chat|người dùng|cuộc trò chuyện)[^.]*"
                        r"(not found|invalid|blocked|not exist|không tồn tại|chặn)"
                        r"|(blocked|chặn)[^.]*(bot|user|người dùng)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back for one call: the HTTP status, and the body's envelope when it was Zalo's JSON."""

    status: int
    json: bool  # the body was a JSON object (Zalo's envelope); False for HTML, text, an empty body
    ok: bool = False
    error_code: int = 0
    description: str = ""

    @property
    def codes(self) -> frozenset[int]:
        """The error codes said at either layer (HTTP status, body error_code); 0 and 200 say nothing."""
        return frozenset({self.status, self.error_code} - {0, 200})


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: matches a method (None: any), a code said at either layer (None: any), the body kind."""

    meaning: str
    action: Action
    codes: frozenset[int] | None = None
    methods: frozenset[str] | None = None
    json: bool | None = None  # True: only Zalo's JSON; False: only a body that is not JSON
    words: re.Pattern[str] | None = None  # the description must match

    def matches(self, method: str, answer: Answer) -> bool:
        return ((self.methods is None or method in self.methods)
                and (self.codes is None or bool(self.codes & answer.codes))
                and (self.json is None or self.json == answer.json)
                and (self.words is None or bool(self.words.search(answer.description))))


def _codes(*codes: int) -> frozenset[int]:
    return frozenset(codes)


_POLL, _ME = frozenset({"getUpdates"}), frozenset({"getMe"})
SERVER_ERRORS = _codes(*range(500, 600))
# First match wins. A success is decided before the table (HTTP 200, JSON, ok: true).
RULES: tuple[Rule, ...] = (
    Rule("idle long poll (HTTP 408, or 408 in the body)", Action.IDLE, _codes(408), _POLL),
    Rule("getMe answered by a proxy or a web page", Action.WRONG_BASE, None, _ME, json=False),
    Rule("not Zalo's JSON (HTML 404, a proxy's 502 page, an empty body)", Action.TRANSIENT, json=False),
    Rule("401 invalid or expired token", Action.CONFIG, _codes(401)),
    Rule("403 'Internal server error' in Zalo's table", Action.TRANSIENT, _codes(403)),
    Rule("408 request timeout outside a poll", Action.TRANSIENT, _codes(408)),
    Rule("429 quota exceeded", Action.RATE_LIMITED, _codes(429)),
    Rule("5xx server error", Action.TRANSIENT, SERVER_ERRORS),
    Rule("getUpdates while a webhook is set (400 or 409)", Action.WEBHOOK_ACTIVE, _codes(400, 409), _POLL,
         words=re.compile("webhook", re.IGNORECASE)),
    Rule("getMe refused otherwise (400/404, no envelope): not the Bot API here", Action.WRONG_BASE, None, _ME),
    Rule("a send Zalo refused for its recipient (invalid, blocked)", Action.RECIPIENT_GONE, None, SENDS, True,
         _RECIPIENT),
    Rule("any other refusal (400 bad request, 404 invalid access request)", Action.REJECTED),
)


def action_for(method: str, answer: Answer) -> Action:
    """What to do about one answer to `method` (the first matching row of RULES)."""
    if answer.status == 200 and answer.json and answer.ok:
        return Action.OK
    return next(rule.action for rule in RULES if rule.matches(method, answer))


class ZaloError(Exception):
    """A failed API call; `status` is the code said (0 for a network error), `description` the platform's."""

    def __init__(self, method: str, status: int, description: str = "") -> None:
        super().__init__(f"zalo {method} failed: {status} {description}".strip())
        self.method, self.status, self.description = method, status, description


class ZaloConfigError(ZaloError):
    """401: the token is wrong or revoked; retrying cannot help."""


class ZaloRateLimited(ZaloError):
    """429 "Quota exceeded": a rate limit, or (when it repeats) the month's budget."""


class ZaloTransientError(ZaloError):
    """403, 5xx, a body that is not Zalo's JSON, or a network failure: try again later."""


class ZaloTimeout(ZaloTransientError):
    """No answer within the timeout: the platform may have accepted the message."""


class ZaloWebhookActive(ZaloError):
    """getUpdates refused because a webhook is set (400 or 409 — the docs disagree)."""


class ZaloRecipientGone(ZaloError):
    """Zalo's JSON says the recipient is invalid or has blocked the bot."""


class ZaloWrongBase(ZaloError):
    """getMe was not answered by the Zalo Bot API (404/400 or not JSON): ZALO_API_BASE points elsewhere."""


ERRORS: dict[Action, type[ZaloError]] = {
    Action.CONFIG: ZaloConfigError, Action.TRANSIENT: ZaloTransientError, Action.RATE_LIMITED: ZaloRateLimited,
    Action.WEBHOOK_ACTIVE: ZaloWebhookActive, Action.RECIPIENT_GONE: ZaloRecipientGone,
    Action.WRONG_BASE: ZaloWrongBase, Action.REJECTED: ZaloError}


def error_for(method: str, answer: Answer, action: Action) -> ZaloError:
    code = answer.error_code if answer.error_code not in (0, 200) else answer.status
    return ERRORS[action](method, code, answer.description)
