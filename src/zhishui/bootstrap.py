"""Builds the running context from settings: engine, sessions, clock and the event bus."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from zhishui.core.clock import Clock, SystemClock
from zhishui.core.events import EventBus
from zhishui.core.settings import Settings
from zhishui.db.engine import make_engine, make_sessionmaker
from zhishui.org.service import LoginPolicy


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    bus: EventBus = field(default_factory=EventBus)

    @property
    def login_policy(self) -> LoginPolicy:
        s = self.settings
        return LoginPolicy(s.login_max_failures, s.login_lockout_minutes, s.session_hours)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def build_context(settings: Settings, clock: Clock | None = None) -> Context:
    engine = make_engine(settings.database_url)
    return Context(settings, engine, make_sessionmaker(engine), clock or SystemClock())
