"""Settings built once at the entry point from the environment and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DB_FILE = "zhishui.db"


@dataclass(frozen=True)
class Settings:
    """Everything configurable; read from ZHISHUI_* environment variables by `from_env`."""

    database_url: str = f"sqlite:///{DEFAULT_DB_FILE}"
    secret_key: str = ""
    session_hours: int = 12
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    basemap_url: str = ""
    basemap_attribution: str = ""
    default_locale: str = "zh"
    upload_max_mb: int = 200
    data_dir: str = "var"
    map_center: tuple[float, float] = (119.68, 30.63)
    map_zoom: float = 11.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        base = cls()
        center = env.get("ZHISHUI_MAP_CENTER")
        return cls(
            database_url=normalize_database_url(env.get("ZHISHUI_DATABASE_URL", base.database_url)),
            secret_key=env.get("ZHISHUI_SECRET_KEY", ""),
            session_hours=int(env.get("ZHISHUI_SESSION_HOURS", base.session_hours)),
            cookie_secure=env.get("ZHISHUI_COOKIE_SECURE", "").lower() in {"1", "true", "yes"},
            login_max_failures=int(env.get("ZHISHUI_LOGIN_MAX_FAILURES", base.login_max_failures)),
            login_lockout_minutes=int(
                env.get("ZHISHUI_LOGIN_LOCKOUT_MINUTES", base.login_lockout_minutes)
            ),
            basemap_url=env.get("ZHISHUI_BASEMAP_URL", ""),
            basemap_attribution=env.get("ZHISHUI_BASEMAP_ATTRIBUTION", ""),
            default_locale=env.get("ZHISHUI_LOCALE", base.default_locale),
            upload_max_mb=int(env.get("ZHISHUI_UPLOAD_MAX_MB", base.upload_max_mb)),
            data_dir=env.get("ZHISHUI_DATA_DIR", base.data_dir),
            map_center=_parse_center(center) if center else base.map_center,
            map_zoom=float(env.get("ZHISHUI_MAP_ZOOM", base.map_zoom)),
        )


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL, or None for memory or another dialect."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :]
    return Path(path) if path and path != ":memory:" else None


def _parse_center(text: str) -> tuple[float, float]:
    lon, lat = (float(v) for v in text.split(","))
    return lon, lat
