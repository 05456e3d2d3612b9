"""The responder's config file, and where the store and identity come from.

TOML in the XDG config dir (`ESCTUI_CONFIG` overrides). Unknown keys and bad values are errors
that name the file and the key: a typo in a config must never be silently ignored at 03:00.
"""

from __future__ import annotations

import contextlib
import getpass
import math
import os
import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from esctui.domain.durations import parse_duration
from esctui.domain.models import LONGEST_MINUTES, SlaTarget

T = TypeVar("T")
DATABASE_URL = re.compile(r"postgres(ql)?://\S*$")
View = Literal["mine", "unacknowledged", "open", "breaching", "resolved"]
Platform = Literal["alertmanager", "pagerduty"]


class ConfigError(Exception):
    """The config file (or another TOML input) cannot be used; the message names the key."""


class SlaSetting(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    acknowledge: str
    resolve: str


class SlaSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sev1: SlaSetting | None = None
    sev2: SlaSetting | None = None
    sev3: SlaSetting | None = None
    sev4: SlaSetting | None = None


class Config(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    identity: str | None = None
    store: str | None = None
    server: str | None = None
    token: str | None = None
    database: str | None = None
    theme: str = "esctui-dark"
    bell: bool = True
    refresh: float = 1.0
    default_view: View = "open"
    keymap: dict[str, str] = {}
    sla: SlaSettings = SlaSettings()
    time_zone: str | None = None  # the zone times are shown in; None: the system's
    # The platforms teams already run (see cli/platforms.py): which one, and how to reach it.
    backend: Platform | None = None
    alertmanager_url: str | None = None  # several, comma-separated: one HA cluster
    alertmanager_token: str | None = None
    alertmanager_user: str | None = None
    alertmanager_password: str | None = None
    ack_for: str = "2h"  # how long an acknowledgement silence lasts before it is extended
    pagerduty_url: str | None = None
    from_email: str | None = None
    pagerduty_poll: float = 15.0  # seconds between looks for changes
    timeout: float = 10.0  # seconds a platform has to answer
    severities: dict[str, int] = {}  # label or priority/urgency -> 1..4, over the defaults

    def sla_overrides(self) -> dict[int, SlaTarget]:
        """SLA targets per severity from the `[sla.sevN]` tables (already checked on load)."""
        found: dict[int, SlaTarget] = {}
        for severity in range(1, 5):
            setting: SlaSetting | None = getattr(self.sla, f"sev{severity}")
            if setting is not None:
                found[severity] = SlaTarget(
                    acknowledge_minutes=minutes(setting.acknowledge),
                    resolve_minutes=minutes(setting.resolve),
                )
        return found


def minutes(text: str) -> int:
    return max(1, round(parse_duration(text).total_seconds() / 60))


def config_path() -> Path:
    override = os.environ.get("ESCTUI_CONFIG")
    if override:
        return Path(override)
    import platformdirs  # here, not at the top: every command pays for top-level imports

    return platformdirs.user_config_path("esctui") / "config.toml"


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML document at `path`; `ConfigError` naming `what` and the line if it is not."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{what} {path} is not valid TOML: {error}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text.") from None
    except RecursionError:
        raise too_deep(what, path) from None
    except OSError as error:
        raise ConfigError(f"Cannot read {what} {path}: {error.strerror}.") from None


UNKNOWN = re.compile(r"Object contains unknown field `(?P<field>[^`]+)`(?: - at `\$(?P<at>.*)`)?")
MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)`(?: - at `\$(?P<at>.*)`)?")
AT = re.compile(r"(?P<message>.*?)(?: - at `\$(?P<at>.*)`)?$")


def key_path(at: str | None, field: str | None = None) -> str:
    # msgspec writes a dict's values as `[...]`; the table's name is what a person looks for.
    parts = [p for p in (at or "").replace("[...]", "").lstrip(".").split(".") if p]
    if field:
        parts.append(field)
    return ".".join(parts)


def convert(
    data: dict[str, Any], into: type[T], what: str, path: Path, *, strict: bool = False
) -> T:
    """`data` (from TOML) as `into`, or a `ConfigError` naming the key that is wrong.

    `strict` refuses strings where numbers or booleans belong; without it, tables keyed by
    severity (`[sla.1]`) can be read, TOML keys being strings.
    """
    try:
        return msgspec.convert(data, into, strict=strict)
    except msgspec.ValidationError as error:
        raise explain(error, what, path) from None
    except RecursionError:
        raise too_deep(what, path) from None


def too_deep(what: str, path: Path) -> ConfigError:
    # Arrays nested thousands deep exhaust Python's stack in the TOML reader: a sentence, not
    # a traceback, and never a console that will not start.
    return ConfigError(f"{what} {path} is nested too deeply to be read.")


def explain(error: msgspec.ValidationError, what: str, path: Path) -> ConfigError:
    """Turn msgspec's `... - at $.sla.sev1` into a sentence with a dotted key."""
    text = str(error)
    unknown = UNKNOWN.match(text)
    if unknown:
        key = key_path(unknown["at"], unknown["field"])
        return ConfigError(f"{what} {path}: unknown key {key!r}.")
    missing = MISSING.match(text)
    if missing:
        key = key_path(missing["at"], missing["field"])
        return ConfigError(f"{what} {path}: missing key {key!r}.")
    parsed = AT.match(text)
    assert parsed is not None
    key = key_path(parsed["at"])
    # TOML has no null: "expected `str | null`" would only puzzle the reader.
    message = parsed["message"].rstrip(".").replace(" | null`", "`")
    if not key:
        return ConfigError(f"{what} {path}: {message[0].lower()}{message[1:]}.")
    return ConfigError(f"{what} {path}: bad value for {key!r}: {message[0].lower()}{message[1:]}.")


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: `config_path()`); defaults if the file does not exist."""
    path = path or config_path()
    if not path.exists():
        return Config()
    data = read_toml(path, "config file")
    check_keymap(data.get("keymap"), path)
    check_view(data.get("default_view"), path)
    config = convert(data, Config, "config file", path, strict=True)
    check(config, path)
    return config


def check_keymap(keymap: object, path: Path) -> None:
    # msgspec names only the table when a value in it is wrong; a person needs the binding.
    if not isinstance(keymap, dict):
        return
    for binding, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(
                f"config file {path}: 'keymap.\"{binding}\"' must be the keys as a string, "
                'like "a" or "ctrl+a,A".'
            )


def check_view(view: object, path: Path) -> None:
    views = get_args(View)
    if isinstance(view, str) and view not in views:
        raise ConfigError(
            f"config file {path}: 'default_view' must be one of {', '.join(views)}; not {view!r}."
        )


def check(config: Config, path: Path) -> None:
    """What the types alone do not say: a usable refresh, a URL, durations that parse."""
    if not (config.refresh > 0 and math.isfinite(config.refresh)):
        raise ConfigError(f"config file {path}: 'refresh' must be a number of seconds above 0.")
    if config.server is not None and not re.match(r"https?://\S+$", config.server):
        raise ConfigError(
            f"config file {path}: 'server' must be an http:// or https:// URL, "
            f"not {config.server!r}."
        )
    if config.database and not DATABASE_URL.match(config.database):
        raise ConfigError(
            f"config file {path}: 'database' must be a postgresql:// URL, "
            f"like postgresql://USER@HOST:5432/NAME; not {config.database!r}."
        )
    if config.time_zone is not None:
        try:
            ZoneInfo(config.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"config file {path}: bad value for 'time_zone': {config.time_zone!r} is not a "
                "time zone; write an IANA name such as Europe/Berlin or UTC."
            ) from None
    check_platform(config, path)
    for name in ("identity", "store", "token", "database", "theme", "time_zone"):
        if getattr(config, name) == "":
            raise ConfigError(f"config file {path}: {name!r} is empty; set it or leave it out.")
    for severity in range(1, 5):
        setting: SlaSetting | None = getattr(config.sla, f"sev{severity}")
        if setting is None:
            continue
        windows: dict[str, timedelta] = {}
        for clock in ("acknowledge", "resolve"):
            try:
                windows[clock] = parse_duration(getattr(setting, clock))
            except ValueError as error:
                raise ConfigError(
                    f"config file {path}: bad value for 'sla.sev{severity}.{clock}': {error}."
                ) from None
            if windows[clock] > timedelta(minutes=LONGEST_MINUTES):
                raise ConfigError(
                    f"config file {path}: 'sla.sev{severity}.{clock}' "
                    f"({getattr(setting, clock)}) is longer than a year, the most an SLA "
                    "target may be."
                )
        if windows["acknowledge"] > windows["resolve"]:
            raise ConfigError(
                f"config file {path}: 'sla.sev{severity}.acknowledge' ({setting.acknowledge}) is "
                f"longer than 'sla.sev{severity}.resolve' ({setting.resolve})."
            )


def check_platform(config: Config, path: Path) -> None:
    for name in ("pagerduty_poll", "timeout"):
        if not (getattr(config, name) > 0 and math.isfinite(getattr(config, name))):
            raise ConfigError(f"config file {path}: {name!r} must be a number of seconds above 0.")
    for url in [u for u in (config.alertmanager_url or "").split(",") if u.strip()] + [
        config.pagerduty_url or "https://"
    ]:
        if not re.match(r"https?://\S*$", url.strip()):
            raise ConfigError(
                f"config file {path}: a platform's URL must be http:// or https://, not {url!r}."
            )
    try:
        parse_duration(config.ack_for)
    except ValueError as error:
        raise ConfigError(f"config file {path}: bad value for 'ack_for': {error}.") from None
    for name, severity in config.severities.items():
        if not 1 <= severity <= 4:
            raise ConfigError(
                f"config file {path}: 'severities.{name}' must be 1 to 4 (SEV1 the worst), "
                f"not {severity}."
            )


def display_zone(config: Config) -> tzinfo:
    """The zone every face shows times in: the config's `time_zone`, else the system's
    (`TZ`, else `/etc/localtime`). Stored times stay UTC."""
    if config.time_zone:
        return ZoneInfo(config.time_zone)  # checked when the config was read
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(name)
    with contextlib.suppress(OSError, ValueError), open("/etc/localtime", "rb") as file:
        return ZoneInfo.from_file(file, key="localtime")
    # Whatever the C library makes of the system's zone, at its offset now.
    return datetime.now().astimezone().tzinfo or UTC


def resolve_store_path(flag: str | None, config: Config) -> Path:
    """`--store`, else `ESCTUI_STORE`, else the config's `store`, else the XDG data dir."""
    chosen = flag or os.environ.get("ESCTUI_STORE") or config.store
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return platformdirs.user_data_path("esctui") / "store"


def resolve_store(flag: str | None, config: Config) -> str:
    """Where the store is: `--store` (a directory or a postgresql:// URL), else `ESCTUI_STORE`,
    else `ESCTUI_DATABASE`, else the config's `store`, else its `database`, else `esctui/store`
    in the XDG data dir."""
    chosen = (
        flag
        or os.environ.get("ESCTUI_STORE")
        or os.environ.get("ESCTUI_DATABASE")
        or config.store
        or config.database
    )
    if chosen and DATABASE_URL.match(chosen):
        return chosen
    return str(Path(chosen).expanduser() if chosen else resolve_store_path(None, config))


def default_store_path() -> Path:
    """`ESCTUI_STORE`, else the config file's `store`, else the XDG data dir."""
    return resolve_store_path(None, load_config())


def resolve_server(flag: str | None, config: Config) -> str | None:
    """`--server`, else `ESCTUI_SERVER`, else the config's `server`; None for a local store."""
    chosen = flag or os.environ.get("ESCTUI_SERVER") or config.server
    if chosen and not re.match(r"https?://\S+$", chosen):
        raise ConfigError(f"The server must be an http:// or https:// URL, not {chosen!r}.")
    return chosen or None


def resolve_database(flag: str | None, config: Config) -> str | None:
    """`--database`, else `ESCTUI_DATABASE`, else the config's `database`: a PostgreSQL URL."""
    chosen = flag or os.environ.get("ESCTUI_DATABASE") or config.database
    if chosen and not DATABASE_URL.match(chosen):
        raise ConfigError(
            "The database must be a postgresql:// URL, like postgresql://USER@HOST:5432/NAME."
        )
    return chosen or None


def resolve_token(config: Config) -> str | None:
    """`ESCTUI_TOKEN`, else the config's `token`."""
    return os.environ.get("ESCTUI_TOKEN") or config.token


def resolve_identity(flag: str | None, config: Config) -> str:
    """`--as`, else the config's `identity`, else `ESCTUI_USER`, else the login name."""
    return flag or config.identity or os.environ.get("ESCTUI_USER") or getpass.getuser()


def save_setting(key: str, value: str | bool | float, path: Path | None = None) -> Path:
    """Set one top-level `key` in the config file and keep everything else, comments included.

    The value is written by tomli-w; the new file is checked like any config before it
    replaces the old one (temp file, then rename), so a crash or a bad value never leaves a
    broken config behind. Returns the file's path."""
    import tomli_w

    path = path or config_path()
    if key not in Config.__struct_fields__ or key in ("sla", "keymap"):
        raise ConfigError(f"{key!r} cannot be set from the console.")
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    line = tomli_w.dumps({key: value}).strip()
    lines = old.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    first_table = next((n for n, text in enumerate(lines) if text.lstrip().startswith("[")), None)
    top = lines if first_table is None else lines[:first_table]
    at = next((n for n, text in enumerate(top) if pattern.match(text)), None)
    if at is not None:
        lines[at] = line
    else:
        lines.insert(len(top) if first_table is None else first_table, line)
    new = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(new, encoding="utf-8")
    try:
        load_config(temp)
    except ConfigError:
        temp.unlink()
        raise
    os.replace(temp, path)
    return path
