from __future__ import annotations

from pathlib import Path

import pytest

from esctui.config import (
    Config,
    ConfigError,
    load_config,
    resolve_identity,
    resolve_store_path,
)
from esctui.domain.models import SlaTarget

BAD = Path(__file__).parent / "data" / "config"


def test_a_good_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'identity = "carol"\nstore = "~/oncall"\nbell = false\nrefresh = 0.5\n'
        'default_view = "mine"\n[keymap]\n"incident.acknowledge" = "A"\n'
        '[sla.sev1]\nacknowledge = "3m"\nresolve = "2h"\n'
    )
    config = load_config(path)
    assert config.identity == "carol"
    assert config.bell is False
    assert config.refresh == 0.5
    assert config.keymap == {"incident.acknowledge": "A"}
    assert config.sla_overrides() == {1: SlaTarget(acknowledge_minutes=3, resolve_minutes=120)}


def test_a_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") == Config()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown-nested-key.toml", "unknown key 'sla.sev1.ack'"),
        ("unknown-top-key.toml", "unknown key 'identiy'"),
        ("refresh-not-a-number.toml", "bad value for 'refresh'"),
        ("refresh-negative.toml", "'refresh' must be a number of seconds above 0"),
        ("bad-view.toml", "bad value for 'default_view'"),
        ("bad-duration.toml", "bad value for 'sla.sev2.acknowledge': 'soon' is not a duration"),
        ("bell-not-bool.toml", "bad value for 'bell'"),
        ("not-toml.toml", "is not valid TOML"),
        ("keymap-not-string.toml", "bad value for 'keymap': expected `str`, got `int`"),
    ],
)
def test_bad_configs_name_the_file_and_key(name: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / name)
    assert message in str(caught.value)
    assert str(BAD / name) in str(caught.value)


def test_store_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = Config(store=str(tmp_path / "from-config"))
    monkeypatch.setenv("ESCTUI_STORE", str(tmp_path / "from-env"))
    assert resolve_store_path(str(tmp_path / "flag"), config) == tmp_path / "flag"
    assert resolve_store_path(None, config) == tmp_path / "from-env"
    monkeypatch.delenv("ESCTUI_STORE")
    assert resolve_store_path(None, config) == tmp_path / "from-config"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_store_path(None, Config()) == tmp_path / "xdg" / "esctui" / "store"


def test_identity_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCTUI_USER", "from-env")
    assert resolve_identity("flag", Config(identity="config")) == "flag"
    assert resolve_identity(None, Config(identity="config")) == "config"
    assert resolve_identity(None, Config()) == "from-env"
    monkeypatch.delenv("ESCTUI_USER")
    monkeypatch.setenv("LOGNAME", "login-name")
    monkeypatch.setenv("USER", "login-name")
    assert resolve_identity(None, Config()) == "login-name"
