from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import Run, esctui, reopen


def test_export_json_has_timelines_within_the_window(run: Run, store_path: Path) -> None:
    data = json.loads(run("export", "--since", "30d").output)
    store = reopen(store_path)
    assert {d["incident"]["id"] for d in data} == set(store.incidents)
    assert all(len(d["timeline"]) == d["incident"]["version"] for d in data)
    recent = json.loads(run("export", "--since", "1h").output)
    assert 0 < len(recent) < len(data)


def test_export_csv(run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(run("export", "--csv", "--since", "30d").output)))
    assert rows and {"id", "status", "labels"} <= set(rows[0])


def test_metrics_json_shape(run: Run) -> None:
    data = json.loads(run("metrics", "--json").output)
    assert set(data) == {
        "since",
        "until",
        "overall",
        "per_service",
        "per_responder",
        "trend_every",
        "recurring",
        "pages_recorded",
    }
    overall = data["overall"]
    assert overall["incidents"] == 60
    assert overall["time_to_acknowledge"]["count"] > 0
    assert 0 <= overall["acknowledge_sla_met"] <= 1
    assert sum(s["incidents"] for s in data["per_service"].values()) == 60


def test_compact_keeps_everything_readable(run: Run, store_path: Path) -> None:
    run("note", "INC-1001", "before compaction")
    before = json.loads(run("export", "--since", "60d").output)
    result = run("compact", "--archive-after", "1d")
    assert result.exit_code == 0 and "archived" in result.output
    assert (store_path / "journal.jsonl").stat().st_size == 0
    after = json.loads(run("export", "--since", "60d").output)
    assert sorted(json.dumps(d, sort_keys=True) for d in after) == sorted(
        json.dumps(d, sort_keys=True) for d in before
    )


def test_demo_creates_once_and_refuses_to_overwrite(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ESCTUI_CONFIG": str(tmp_path / "none.toml")}
    store = tmp_path / "demo"
    made = esctui("--store", str(store), "demo", "--no-tui", "--incidents", "30", env=env)
    assert made.returncode == 0, made.stderr
    snapshot = (store / "snapshot.json").read_bytes()
    again = esctui("--store", str(store), "demo", "--no-tui", env=env)
    assert again.returncode == 1 and "--force" in again.stderr
    assert (store / "snapshot.json").read_bytes() == snapshot
    shown = esctui("--store", str(store), "demo", env=env)  # opens the existing store
    assert shown.returncode == 0 and "open " in shown.stdout
    assert (store / "snapshot.json").read_bytes() == snapshot
    forced = esctui("--store", str(store), "demo", "--no-tui", "--force", "--seed", "9", env=env)
    assert forced.returncode == 0
    assert (store / "snapshot.json").read_bytes() != snapshot


def test_the_handoff_report(run: Run, store_path: Path) -> None:
    data = json.loads(run("report", "--since", "12h", "--json").output)
    store = reopen(store_path)
    open_ids = {i.id for i in store.incidents.values() if i.is_open}
    assert {o["id"] for o in data["open"]} == open_ids
    assert set(data["happened"]) == {
        "triggered",
        "resolved",
        "reopened",
        "escalated_by_timeout",
        "escalated_by_hand",
        "handed_off",
        "breached",
        "customer_updates",
    }
    assert set(data["happened"]["breached"]) <= open_ids
    text = run("report").output
    assert text.startswith("hand-off ")
    assert f"open {len(open_ids)}, by holder:" in text
    assert "in the shift:" in text
