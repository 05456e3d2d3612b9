from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from esctui.config import (
    Config,
    ConfigError,
    config_path,
    default_store_path,
    display_zone,
    load_config,
    resolve_identity,
    resolve_store_path,
)
from esctui.domain.models import SlaTarget

BAD = Path(__file__).parent / "data" / "config"

GOOD = """\
identity = "carol"
store = "~/oncall"
server = "https://esctui.example.com"
token = "s3cret"
database = "postgresql://esctui@db.example.com:5432/oncall"
theme = "esctui-ansi"
bell = false
refresh = 0.5
default_view = "mine"

[keymap]
"incident.acknowledge" = "A"
"queue.down" = "j,down"

[sla.sev1]
acknowledge = "3m"
resolve = "2h"

[sla.sev4]
acknowledge = "1h30m"
resolve = "7d"
"""


def test_a_good_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.identity == "carol"
    assert config.store == "~/oncall"
    assert config.server == "https://esctui.example.com"
    assert config.token == "s3cret"
    assert config.database == "postgresql://esctui@db.example.com:5432/oncall"
    assert config.theme == "esctui-ansi"
    assert config.bell is False
    assert config.refresh == 0.5
    assert config.default_view == "mine"
    assert config.keymap == {"incident.acknowledge": "A", "queue.down": "j,down"}
    assert config.sla_overrides() == {
        1: SlaTarget(acknowledge_minutes=3, resolve_minutes=120),
        4: SlaTarget(acknowledge_minutes=90, resolve_minutes=7 * 24 * 60),
    }


def test_a_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config == Config()
    assert (config.theme, config.bell, config.refresh, config.default_view) == (
        "esctui-dark",
        True,
        1.0,
        "open",
    )
    assert config.sla_overrides() == {}


def test_an_empty_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# nothing set yet\n")
    assert load_config(path) == Config()


def test_a_whole_number_refresh_is_a_number(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("refresh = 2\n")
    assert load_config(path).refresh == 2.0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown-top-key.toml", "unknown key 'identiy'"),
        ("unknown-nested-key.toml", "unknown key 'sla.sev1.ack'"),
        ("unknown-severity.toml", "unknown key 'sla.sev5'"),
        ("sla-missing-resolve.toml", "missing key 'sla.sev1.resolve'"),
        ("sla-not-a-table.toml", "bad value for 'sla': expected `object`, got `str`"),
        ("bad-duration.toml", "bad value for 'sla.sev2.acknowledge': 'soon' is not a duration"),
        ("sla-duration-not-string.toml", "bad value for 'sla.sev3.acknowledge': expected `str`"),
        (
            "sla-acknowledge-after-resolve.toml",
            "'sla.sev2.acknowledge' (4h) is longer than 'sla.sev2.resolve' (30m)",
        ),
        ("refresh-not-a-number.toml", "bad value for 'refresh': expected `float`, got `str`"),
        ("refresh-quoted.toml", "bad value for 'refresh': expected `float`, got `str`"),
        ("refresh-negative.toml", "'refresh' must be a number of seconds above 0"),
        ("refresh-zero.toml", "'refresh' must be a number of seconds above 0"),
        ("refresh-infinite.toml", "'refresh' must be a number of seconds above 0"),
        ("bell-not-bool.toml", "bad value for 'bell': expected `bool`, got `str`"),
        ("bell-quoted.toml", "bad value for 'bell': expected `bool`, got `str`"),
        ("bad-view.toml", "'default_view' must be one of mine, unacknowledged, open, breaching"),
        ("identity-not-string.toml", "bad value for 'identity': expected `str`, got `int`"),
        ("identity-empty.toml", "'identity' is empty"),
        ("theme-not-string.toml", "bad value for 'theme': expected `str`, got `array`"),
        ("server-not-url.toml", "'server' must be an http:// or https:// URL"),
        ("database-not-url.toml", "'database' must be a postgresql:// URL"),
        ("database-empty.toml", "'database' is empty"),
        ("keymap-not-table.toml", "bad value for 'keymap': expected `object`, got `str`"),
        ("keymap-not-string.toml", "'keymap.\"incident.acknowledge\"' must be the keys"),
        ("keymap-nested-table.toml", "'keymap.\"incident\"' must be the keys"),
        ("not-toml.toml", "is not valid TOML: Illegal character '\\n' (at line 1, column 18)"),
        ("duplicate-key.toml", "is not valid TOML: Cannot overwrite a value (at line 5"),
        ("not-utf8.toml", "is not UTF-8 text"),
    ],
)
def test_bad_configs_name_the_file_and_key(name: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / name)
    assert str(caught.value).startswith(f"config file {BAD / name}")
    assert message in str(caught.value)


def test_a_config_that_is_a_folder_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^Cannot read config file .*: Is a directory\.$"):
        load_config(tmp_path)


def test_the_config_path_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"
    monkeypatch.delenv("ESCTUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "esctui" / "config.toml"


def test_load_config_reads_the_configured_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('identity = "dave"\n')
    monkeypatch.setenv("ESCTUI_CONFIG", str(path))
    assert load_config().identity == "dave"


def test_store_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = Config(store=str(tmp_path / "from-config"))
    monkeypatch.setenv("ESCTUI_STORE", str(tmp_path / "from-env"))
    assert resolve_store_path(str(tmp_path / "flag"), config) == tmp_path / "flag"
    assert resolve_store_path(None, config) == tmp_path / "from-env"
    monkeypatch.delenv("ESCTUI_STORE")
    assert resolve_store_path(None, config) == tmp_path / "from-config"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_store_path(None, Config()) == tmp_path / "xdg" / "esctui" / "store"


def test_a_store_path_may_start_at_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ESCTUI_STORE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_store_path(None, Config(store="~/oncall")) == tmp_path / "oncall"


def test_the_default_store_path_reads_the_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'store = "{tmp_path / "from-config"}"\n')
    monkeypatch.setenv("ESCTUI_CONFIG", str(path))
    monkeypatch.setenv("ESCTUI_STORE", str(tmp_path / "from-env"))
    assert default_store_path() == tmp_path / "from-env"
    monkeypatch.delenv("ESCTUI_STORE")
    assert default_store_path() == tmp_path / "from-config"
    path.unlink()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "esctui" / "store"


def test_identity_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCTUI_USER", "from-env")
    assert resolve_identity("flag", Config(identity="config")) == "flag"
    assert resolve_identity(None, Config(identity="config")) == "config"
    assert resolve_identity(None, Config()) == "from-env"
    monkeypatch.delenv("ESCTUI_USER")
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "login-name")
    assert resolve_identity(None, Config()) == "login-name"


def nested_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_config_nested_too_deep_is_a_sentence_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"theme = {nested_array(3000)}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"config file {path} is nested too deeply to be read."


def test_the_display_time_zone_comes_from_the_config_else_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('time_zone = "Europe/Berlin"\n')
    assert display_zone(load_config(path)) == ZoneInfo("Europe/Berlin")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert display_zone(Config()) == ZoneInfo("Asia/Tokyo")
    monkeypatch.setenv("TZ", ":America/New_York")
    assert display_zone(Config()) == ZoneInfo("America/New_York")
    monkeypatch.delenv("TZ")
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert winter.astimezone(display_zone(Config())).utcoffset() == winter.astimezone().utcoffset()


def test_an_unknown_time_zone_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('time_zone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"config file {path}: bad value for 'time_zone': 'Mars/Olympus' is not a time zone; "
        "write an IANA name such as Europe/Berlin or UTC."
    )
