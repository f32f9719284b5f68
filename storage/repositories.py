"""Repositories: every SQL statement of the bot lives in storage/. One instance per transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.addressing import AddressRepo
from storage.arrivals import ArrivalRepo
from storage.broadcasts import BroadcastRepo, GroupRepo
from storage.chats import ChatRepo
from storage.conversations import ConversationRepo
from storage.directory import DirectoryRepo, InviteRepo
from storage.directory_admin import DirectoryAdminRepo
from storage.health import HeartbeatRepo
from storage.inbox import InboxRepo
from storage.invite_attempts import InviteAttemptRepo
from storage.keyboards import KeyboardRepo
from storage.ledger import LedgerRepo
from storage.outbox import OutboxRepo
from storage.petitions import PetitionRepo
from storage.plans import PlanRepo
from storage.province_rows import ProvinceRowRepo
from storage.reminders import ReminderRepo
from storage.render_jobs import RenderJobRepo
from storage.reports import AuditRepo, FileRepo, ReportRepo
from storage.stale_replies import ReplyRepo
from storage.strangers import StrangerRepo
from storage.usage import UsageRepo
from storage.web_sessions import WebSessionRepo


class Repositories:
    """The repositories of one unit of work, sharing its session (and so its transaction)."""

    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self.session = session
        self.dialect = dialect
        self.arrivals = ArrivalRepo(session, dialect)
        self.directory = DirectoryRepo(session)
        self.directory_admin = DirectoryAdminRepo(session)  # /donvi, /nguoi, /chiso
        self.invites = InviteRepo(session)
        self.invite_attempts = InviteAttemptRepo(session)
        self.chats = ChatRepo(session)
        self.addresses = AddressRepo(session)  # who to tell: chats and languages by role, person or group
        self.reports = ReportRepo(session, dialect)
        self.files = FileRepo(session, dialect)
        self.audit = AuditRepo(session)
        self.conversations = ConversationRepo(session, dialect)
        self.ledger = LedgerRepo(session, dialect)
        self.inbox = InboxRepo(session, dialect)  # polled updates not handled yet (the Zalo poller)
        self.outbox = OutboxRepo(session, dialect)
        self.reminders = ReminderRepo(session, dialect)
        self.broadcasts = BroadcastRepo(session)
        self.groups = GroupRepo(session)
        self.petitions = PetitionRepo(session, dialect)
        self.usage = UsageRepo(session, dialect)
        self.keyboards = KeyboardRepo(session)
        self.render_jobs = RenderJobRepo(session, dialect)
        self.web_sessions = WebSessionRepo(session)
        self.heartbeat = HeartbeatRepo(session)
        self.plans = PlanRepo(session)
        self.province_rows = ProvinceRowRepo(session, dialect)  # the province page's rows, kept across restarts
        self.strangers = StrangerRepo(session, dialect)
        self.replies = ReplyRepo(session)
