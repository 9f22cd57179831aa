"""The composition root: one place builds the Bot, Dispatcher, storage, services and scheduler."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import jobs
from bot.config import SANDBOX_TOKEN, ConfigError, Settings
from bot.content import Content, require_content
from bot.handlers import build_routers, tune
from bot.i18n import DOMAIN, CatalogI18n, LocaleMiddleware
from bot.middlewares.fallback import FallbackMiddleware
from bot.middlewares.inbox import InboxMiddleware, replay
from bot.middlewares.inflight import InFlight
from bot.middlewares.late_answers import LateCallbackAnswers
from bot.middlewares.retry import RetryAfter
from bot.middlewares.user import ActivityMiddleware, UserMiddleware
from bot.services.agency import AgencyService
from bot.services.broadcast import RATE as BULK_RATE
from bot.services.checkins import CheckinService
from bot.services.checklist import ChecklistService
from bot.services.desk import CaseService
from bot.services.events import EventLog
from bot.services.privacy import Privacy
from bot.services.referrals import ReferralService
from bot.services.search import SearchIndex
from bot.services.stats import StatsService
from bot.services.teams import Teams, TeamsError, load_teams
from bot.services.users import CACHE_SIZE, UserService
from bot.storage.agencies import AgencyRepository
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.calls import CallJournal, journal_path
from bot.storage.cases import CaseRepository
from bot.storage.checkins import CheckinRepository
from bot.storage.checklists import ChecklistRepository
from bot.storage.db import Database
from bot.storage.events import EventRepository
from bot.storage.fsm import FsmRepository
from bot.storage.inbox import InboxRepository
from bot.storage.instances import InstanceRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.privacy import PrivacyRepository
from bot.storage.referrals import ReferralRepository
from bot.storage.trail import TrailRepository
from bot.storage.users import UserRepository
from bot.telegram import menus
from bot.telegram.authorizer import Authorizer
from bot.telegram.broadcast import Broadcasts
from bot.telegram.checkins import CheckinSender
from bot.telegram.desk import Desk
from bot.telegram.digest import Digest
from bot.telegram.fsm import SQLiteStorage
from bot.telegram.health import Metrics, Refusals, UpdateMetrics
from bot.telegram.hide import Hider, TrailMiddleware, TrailRecorder
from bot.telegram.instance import Instance
from bot.telegram.intake import Intake
from bot.telegram.journal import SendJournal
from bot.telegram.outbox import GROUP_POSTS_PER_MINUTE, GroupPacer, Outbox
from bot.telegram.pacer import Paced, Pacer
from bot.telegram.referral import Referrer
from bot.telegram.reload import Reloader
from bot.telegram.reminders import ReminderSender
from bot.telegram.script import CyrillicScript
from bot.telegram.shared import Shared, SharedGroupPacer, SharedPacer

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 20.0
# Update types the bot answers. Edited messages have no handler of their own (the fallback answers
# them), so they are listed here rather than resolved from the routers.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "inline_query"]  # inline: sharing (/setinline)


@dataclass
class App:
    config: Settings
    bot: Bot
    dp: Dispatcher
    db: Database
    storage: BaseStorage  # conversation state: the database's (SQLiteStorage), or Redis's when shared
    users: UserService
    content: Content
    i18n: CatalogI18n
    scheduler: AsyncIOScheduler
    inflight: InFlight
    cases: CaseService
    outbox: Outbox
    desk: Desk
    inbox: InboxRepository
    checklists: ChecklistService
    reminders: ReminderSender
    checkin_sender: CheckinSender
    agencies: AgencyService
    broadcasts: Broadcasts
    digest: Digest
    intake: Intake
    calls: CallJournal
    instance: Instance
    shared: Shared | None = None  # Redis, when several instances may run (REDIS_URL)
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics shows (HEALTH_LISTEN, bot.telegram.health)
    left_over: set[str] = field(default_factory=set, init=False)  # at start: whose unfinished updates this instance takes
    _backlog: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    running_jobs: set[asyncio.Task[object]] = field(default_factory=set, init=False, repr=False)  # scheduled jobs now at work
    closing: bool = field(default=False, init=False)  # close() has begun: a job that starts now does nothing
    reloader: Reloader = field(init=False, repr=False)  # the content read again: an admin's /reload, SIGHUP

    def __post_init__(self) -> None:
        self.reloader = Reloader(self, self.instance.repo)
        self.dp["reloader"] = self.reloader

    async def publish_profile(self) -> None:
        await menus.publish(self.bot, self.i18n)
        for admin_id in sorted(self.config.admin_ids):
            user = await self.users.get(admin_id)
            with self.i18n.context(), self.i18n.use_locale(user.language if user and user.language else self.config.default_language):
                await menus.publish_admin(self.bot, admin_id)
        with self.i18n.context(), self.i18n.use_locale(self.config.default_language):
            for chat_id in self.desk.cases.teams.chat_ids:
                if await self.desk.forums.usable(chat_id):  # the commands work in a case's topic
                    await menus.publish_desk(self.bot, chat_id)

    async def startup(self, *, replay_inbox: bool = True) -> None:
        """Before taking new updates: void what a dead process had claimed, and handle the updates it left
        (in order, before any new one; polling does that itself, beside fetching: replay_inbox=False). What
        only sends (the posts waiting in the outbox, the command menus) goes on beside polling, so a
        flood-limited group cannot hold the start: `recovered()` waits for it."""
        await self.instance.arrive()
        dead = await self.instance.dead()  # what the living hold is theirs
        self.left_over = dead | {self.instance.holder}  # the updates taken here are handled here (intake.resume)
        await self.outbox.recover(dead)
        self.calls.keep_only(update_id for update_id, _payload, _attempts in await self.inbox.pending(self.left_over))
        await self.reminders.recover(dead)
        await self.broadcasts.recover(dead)
        if replay_inbox:
            replayed = await replay(self.dp, self.bot, self.inbox, self.left_over)
            if replayed:
                log.info("handled %d updates left over from the last run", replayed)
        if not self.desk.available:
            log.warning("no consultants' group (CONSULTANT_CHAT_ID or TEAMS_FILE): people are given hotlines only")
        self._backlog = asyncio.create_task(self._send_backlog(), name="backlog")

    async def _send_backlog(self) -> None:
        try:
            await self.publish_profile()
            sent = await self.outbox.run_due()
            if sent:
                log.info("sent %d posts left over from the last run", sent)
            await self.desk.settle()  # topics a stopped run did not make, the boards as the queue is now
        except Exception:
            log.exception("sending the backlog failed; the outbox job will retry it")

    async def take_over(self) -> None:
        """The leader's job when several instances run: what an instance that died had claimed is taken over
        (its updates handled here, its reminders, broadcast recipients and posts back in the queue)."""
        await self.instance.forget_gone()
        dead = await self.instance.dead()
        if not dead:
            return
        taken = await self.intake.resume(dead)
        await self.outbox.take_over(dead)
        await self.reminders.recover(dead)
        await self.broadcasts.recover(dead)
        if taken:
            log.warning("took over %d updates of an instance that stopped answering", taken)

    async def recovered(self) -> None:
        """Wait until the backlog of the start has been sent (tests, `try`)."""
        if self._backlog is not None:
            await self._backlog

    async def close(self) -> None:
        self.closing = True
        self.intake.stop()
        if self._backlog is not None and not self._backlog.done():
            self._backlog.cancel()  # what it did not send stays in the outbox, claims void at the next start
            await asyncio.gather(self._backlog, return_exceptions=True)
        if not await self.intake.drain(SHUTDOWN_GRACE_SECONDS) or not await self.inflight.wait_idle(SHUTDOWN_GRACE_SECONDS):
            log.warning("stopping with updates still in flight: they are handled at the next start")
        if self.scheduler.running:
            self.scheduler.pause()  # nothing new is handed over (and what is, does not begin: self.closing)
        if self.running_jobs:  # a job half-way through (the outbox sending, a reminder) ends before the database closes
            _done, late = await asyncio.wait(set(self.running_jobs), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # after the wait: APScheduler's shutdown cancels the jobs at work
        await self.bot.session.close()
        await self.instance.leave()
        await self.db.close()
        if self.shared is not None:
            await self.shared.close()
        self.calls.close()


class Deps(TypedDict):
    """What a handler receives by naming a parameter (aiogram hands the Dispatcher's data to handlers by
    name). The middlewares add `user` (bot.models.User), `locale` and `i18n`; aiogram adds `bot`,
    `state` and `callback_data`."""

    users: UserService
    content: Content
    search: SearchIndex
    config: Settings
    desk: Desk
    cases: CaseService
    checklists: ChecklistService
    agencies: AgencyService
    broadcasts: Broadcasts
    events: EventLog
    privacy: Privacy
    stats: StatsService
    authorizer: Authorizer
    hider: Hider
    checkins: CheckinService


@dataclass(frozen=True)
class Clocks:
    """The app's clocks: tests move them by hand."""

    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    monotonic: Callable[[], float] = time.monotonic


def settle() -> None:
    """Once started: what start-up built (content, catalogs, routers, the API's models) lives as long as the
    process, so it is moved out of the garbage collector's way (each full collection walked all of it:
    pauses of 150-550 ms were measured). Only for a process that runs one bot, not for tests that build many."""
    gc.collect()
    gc.freeze()


async def build_app(
    config: Settings,
    *,
    session: BaseSession | None = None,
    token: str | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    monotonic: Callable[[], float] = time.monotonic,
) -> App:
    """Build everything from the config. `session` replaces HTTP (the in-process sandbox); `now` and
    `monotonic` are the clocks of the response-time rules and of caches (tests move them by hand)."""
    clocks = Clocks(sleep, now, monotonic)
    content = require_content(config.content_dir)  # refuse to start on broken content
    try:
        teams = load_teams(config.teams_file, config.consultant_chat_id, config.working_hours)
    except TeamsError as error:
        raise ConfigError(f"TEAMS_FILE: {error}") from None
    i18n = CatalogI18n(path=config.locales_dir, default_locale=config.default_language, domain=DOMAIN)
    journal = journal_path(config.database_path)
    if config.shared:  # each instance its own journal: what it sent is its own record
        journal = journal.with_name(f"{journal.name}-{config.instance()}")
    calls = CallJournal(journal)
    bot = _bot(config, session, token, clocks, calls)  # refuses a missing token before anything is opened
    shared = await _shared(config)
    db = Database(config.database)
    await db.connect()
    calls.open()
    return _assemble(config, bot, db, calls, content, teams, i18n, clocks, shared)


async def _shared(config: Settings) -> Shared | None:
    """Redis, when REDIS_URL names it: reached before anything else is opened, or a ConfigError."""
    if config.redis_url is None:
        return None
    shared = Shared(config.redis_url, config.redis_prefix, lock_seconds=config.redis_lock_seconds)
    try:
        await shared.ping()
    except Exception as error:
        await shared.close()
        raise ConfigError(f"REDIS_URL: Redis does not answer ({type(error).__name__}: {error})") from None
    return shared


def _bot(config: Settings, session: BaseSession | None, token: str | None, clocks: Clocks, calls: CallJournal) -> Bot:
    if session is None:
        token = token or config.require_token()
        session = AiohttpSession(api=TelegramAPIServer.from_base(config.telegram_api_url))
    session.middleware(SendJournal(calls))  # outermost: a call retried after a 429 is still one call of its update
    session.middleware(RetryAfter(sleep=clocks.sleep))
    session.middleware(LateCallbackAnswers())  # a late button still shows its screen
    return Bot(
        token=token or SANDBOX_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def _assemble(
    config: Settings, bot: Bot, db: Database, calls: CallJournal, content: Content, teams: Teams, i18n: CatalogI18n, clocks: Clocks,
    shared: Shared | None = None,
) -> App:
    """Services over their repositories, the senders over the services, the Dispatcher over both. With
    `shared` (Redis) several instances may run: no in-process cache of what the database holds, the
    conversation state, per-chat order and the pace in Redis, every claim signed with this instance's name."""
    instance = Instance(InstanceRepository(db), config.instance(), shared=shared is not None, clock=clocks.now, sleep=clocks.sleep)
    now, monotonic, language, me = clocks.now, clocks.monotonic, config.default_language, instance.holder
    fsm = FsmRepository(db, cache_size=0 if shared else 20_000)
    users = UserService(db, UserRepository(db), clock=now, cache_size=0 if shared else CACHE_SIZE)
    search = SearchIndex.of(content)
    cases = CaseService(db, CaseRepository(db), teams, clock=now, alarming=search.is_danger, emergency=search.is_emergency)  # triage hears danger
    group_pace = SharedGroupPacer(shared, GROUP_POSTS_PER_MINUTE) if shared else GroupPacer()
    outbox = Outbox(bot, OutboxRepository(db, me), cases, calls, clock=now, pacer=group_pace)
    events = EventLog(EventRepository(db), clock=now)
    trail = TrailRepository(db)  # the private chats' message ids, for the quick hide
    users.on_profile = events.seen  # a language or country chosen: the day's activity says so at once
    checklists = ChecklistService(db, ChecklistRepository(db, me), content, clock=now, events=events)
    # one pace for every bulk send: reminders and broadcasts (of every instance, when shared)
    pacer: Paced = SharedPacer(shared, BULK_RATE, clock=now, sleep=clocks.sleep) if shared else Pacer(BULK_RATE, clock=monotonic, sleep=clocks.sleep)
    stats = StatsService(db, clock=now)
    deps = Deps(
        users=users, content=content, search=search, config=config,
        desk=Desk(bot, config, i18n, content, cases, outbox, clock=now), cases=cases, checklists=checklists,
        agencies=AgencyService(db, AgencyRepository(db), clock=now),
        broadcasts=Broadcasts(bot, db, BroadcastRepository(db, me), users, i18n, language, pacer, clock=now, monotonic=monotonic,
                              zone=config.admin_zone()),
        events=events, privacy=Privacy(db, PrivacyRepository(db), CaseRepository(db), users, fsm, events, clock=now,
                                       forget_states=shared.forget if shared else None),
        stats=stats, authorizer=Authorizer(bot, teams, config.admin_ids, clock=monotonic),
        hider=Hider(bot, trail, clock=now),
        checkins=CheckinService(CheckinRepository(db), wait=timedelta(minutes=config.checkin_wait_minutes), clock=now),
    )
    Referrer(deps["desk"], ReferralService(cases, ReferralRepository(db), clock=now))  # the desk's partner teams
    inbox = InboxRepository(db, me)
    storage: BaseStorage = shared.storage() if shared else SQLiteStorage(fsm)
    isolation: BaseEventIsolation = shared.isolation() if shared else SimpleEventIsolation()  # one update at a time per person
    inflight = InFlight()
    metrics = Metrics()
    bot.session.middleware(Refusals(metrics))  # innermost: each 429 or 403 answer counted once
    bot.session.middleware(TrailRecorder(trail, clock=now))  # what the bot sent into a private chat, for the quick hide
    bot.session.middleware(CyrillicScript(users))  # Uzbek in Cyrillic for those who read it so
    dp = _dispatcher(deps, storage, isolation, InboxMiddleware(inbox, calls, clock=now), inflight, i18n, metrics)
    return App(
        config, bot, dp, db, storage, users, content, i18n, jobs.new_scheduler(), inflight, cases, outbox, deps["desk"], inbox,
        checklists, ReminderSender(bot, checklists, users, content, i18n, language, clock=now, pacer=pacer),
        CheckinSender(bot, deps["checkins"], users, deps["desk"], i18n, language, clock=now, events=events),
        deps["agencies"], deps["broadcasts"], Digest(bot, stats, users, i18n, content, config.admin_ids, language, config.ngo_name),
        Intake(bot, dp, inbox, limit=config.max_in_flight, allowed_updates=ALLOWED_UPDATES, clock=now), calls,
        instance, shared, metrics,
    )


def _dispatcher(
    deps: Deps, storage: BaseStorage, isolation: BaseEventIsolation, inbox: InboxMiddleware, inflight: InFlight, i18n: CatalogI18n,
    metrics: Metrics,
) -> Dispatcher:
    """The Dispatcher: the dependencies by name, the middlewares in the order an update meets them, the routers."""
    dp = Dispatcher(storage=storage, events_isolation=isolation, **deps)
    dp.update.outer_middleware(UpdateMetrics(metrics))  # counted and timed, the whole of its handling
    dp.update.outer_middleware(inbox)  # written down before it is handled, marked once handled
    dp.update.outer_middleware(inflight)  # counted, so a stop waits for it
    dp.update.outer_middleware(UserMiddleware(deps["users"]))  # `user`
    dp.update.outer_middleware(LocaleMiddleware(i18n))  # `locale`, `i18n`
    dp.message.outer_middleware(TrailMiddleware(deps["hider"].trail, clock=deps["hider"].clock))  # for the quick hide
    dp.message.outer_middleware(ActivityMiddleware(deps["events"]))
    dp.callback_query.outer_middleware(ActivityMiddleware(deps["events"]))
    dp.message.outer_middleware(FallbackMiddleware())  # a polite answer for what no handler takes
    dp.edited_message.outer_middleware(FallbackMiddleware(edited=True))
    dp.callback_query.outer_middleware(FallbackMiddleware())
    dp.include_routers(*build_routers())
    tune(dp)  # filters on the loop, buttons routed by prefix: the same handler wins, sooner
    return dp
