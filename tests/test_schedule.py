from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from litsync.store.schedule import CheckLog, is_due, window

KEYS = [f"2101.{n:05d}" for n in range(7000)]
START = date(2026, 11, 1)


def test_unchecked_papers_are_spread_evenly_over_the_week() -> None:
    per_day = [sum(is_due(k, None, START + timedelta(d), 7) for k in KEYS) for d in range(7)]
    assert sum(per_day) == len(KEYS)  # each paper exactly once a week
    assert max(per_day) - min(per_day) < 0.1 * len(KEYS) / 7


def test_a_checked_paper_is_due_again_once_its_window_has_passed() -> None:
    key = "1812.07252"
    checked = START
    due_days = [d for d in range(1, 15) if is_due(key, checked, START + timedelta(d), 7)]
    assert due_days[0] <= 7  # never older than the maximum age
    assert not is_due(key, checked, checked, 7)
    # Once checked on its due night it stays fresh for exactly one window.
    first = START + timedelta(due_days[0])
    later = [d for d in range(1, 15) if is_due(key, first, first + timedelta(d), 7)]
    assert later[0] == 7


def test_windows_are_max_age_days_long() -> None:
    counts = Counter(window("x", START + timedelta(d), 5) for d in range(50))
    inner = [counts[w] for w in sorted(counts)][1:-1]  # the first and last are cut by the range
    assert inner == [5] * (len(counts) - 2)


def test_check_log_round_trip_and_damage_tolerance(tmp_path: Path) -> None:
    path = tmp_path / ".litsync" / "state.json"
    log = CheckLog.load(path)
    log.mark(["b", "a"], START)
    log.save()
    assert CheckLog.load(path).checked == {"a": START, "b": START}
    path.write_text("{not json", encoding="utf-8")
    assert CheckLog.load(path).checked == {}
