import json
from pathlib import Path

import pytest

from litsync.errors import CacheError
from litsync.sources.record import Record
from litsync.store.cache import Cache


def make(key: str) -> Record:
    return Record(
        id=key,
        version=2,
        requested=key,
        title="Title",
        authors=["A B"],
        abstract="Text",
        published="2020-01-01T00:00:00Z",
        updated="2020-02-01T00:00:00Z",
        primary_category="cs.LG",
        categories=["cs.LG", "stat.ML"],
    )


def test_round_trip_is_byte_stable(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    cache = Cache(path)
    cache.put(make("2001.00002"))
    cache.put(make("hep-th/9901001"))
    cache.put(make("2001.00001"))
    assert cache.save() is True
    text = path.read_text(encoding="utf-8")
    assert list(json.loads(text)["papers"]) == ["2001.00001", "2001.00002", "hep-th/9901001"]
    loaded = Cache.load(path)
    assert loaded.records == cache.records
    assert loaded.save() is False  # same bytes: not rewritten
    assert path.read_text(encoding="utf-8") == text


def test_missing_cache_is_empty(tmp_path: Path) -> None:
    assert Cache.load(tmp_path / "cache.json").records == {}


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_text('{\n  "format": 1,\n  "papers": {\n    "x": ,\n', encoding="utf-8")
    with pytest.raises(CacheError) as info:
        Cache.load(path)
    assert str(info.value).startswith(f"{path}:4: the cache is not valid JSON")
    assert "git checkout -- catalogue/cache.json" in str(info.value)


def test_text_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_bytes(b'{"format": 1, "papers": {"x": "\xff"}}')
    with pytest.raises(CacheError, match=r"cache.json: cannot read the cache: 'utf-8' codec"):
        Cache.load(path)


def test_json_that_only_the_json_module_reads_is_read(tmp_path: Path) -> None:
    # A lone surrogate escape: the fast reader refuses it, the json module reads it.
    path = tmp_path / "cache.json"
    cache = Cache(path)
    cache.put(make("2001.00001"))
    cache.save()
    path.write_text(path.read_text().replace('"Title"', '"Title \\ud800"'), encoding="utf-8")
    assert Cache.load(path).records["2001.00001"].title == "Title \ud800"


def test_hand_edited_entry_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    cache = Cache(path)
    cache.put(make("2001.00001"))
    cache.save()
    text = path.read_text(encoding="utf-8").replace('"title": "Title"', '"titel": "Title"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CacheError, match=r"cache.json:4: entry '2001.00001' is damaged"):
        Cache.load(path)
    assert path.read_text(encoding="utf-8") == text


def test_foreign_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_text("[]\n", encoding="utf-8")
    with pytest.raises(CacheError, match="not a litsync cache of format 1"):
        Cache.load(path)


@pytest.mark.parametrize(
    ("field", "value"),
    [("authors", "A B"), ("version", "2"), ("doi", 3), ("withdrawn", "no"), ("title", None)],
)
def test_wrong_types_are_reported(tmp_path: Path, field: str, value: object) -> None:
    path = tmp_path / "cache.json"
    data = {"format": 1, "papers": {"2001.00001": {**make("2001.00001").to_json(), field: value}}}
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(CacheError, match=f"field '{field}' has the wrong type"):
        Cache.load(path)


@pytest.mark.parametrize(
    ("edit", "damage"),
    [
        ({"titel": "Title", "title": None}, "unknown field 'titel'"),
        ({"extra": 1}, "unknown field 'extra'"),
        ({"title": None}, "missing 1 required positional argument: 'title'"),
        ({"comment": None, "missing": None}, None),  # fields with a default may be left out
    ],
)
def test_records_of_other_fields(
    tmp_path: Path, edit: dict[str, object], damage: str | None
) -> None:
    """A field renamed, added or left out: as many fields as litsync writes, or not."""
    path = tmp_path / "cache.json"
    fields = make("2001.00001").to_json()
    for name, value in edit.items():
        if value is None:
            del fields[name]
        else:
            fields[name] = value
    path.write_text(json.dumps({"format": 1, "papers": {"2001.00001": fields}}), encoding="utf-8")
    if damage is None:
        assert Cache.load(path).records == {"2001.00001": make("2001.00001")}
    else:
        with pytest.raises(CacheError, match=f"entry '2001.00001' is damaged \\(.*{damage}"):
            Cache.load(path)


def json_dumps(cache: Cache) -> str:
    """The cache file as the json module writes it, the format save() must keep."""
    payload = {
        "format": 1,
        "papers": {key: cache.records[key].to_json() for key in sorted(cache.records)},
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def saved(cache: Cache) -> str:
    """The cache's file as `save` writes it."""
    cache.save()
    return cache.path.read_text(encoding="utf-8")


def test_the_file_is_what_the_json_module_writes(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache.json")
    assert saved(cache) == json_dumps(cache) == '{\n  "format": 1,\n  "papers": {}\n}\n'
    odd = make("math/0309136")._replace(
        title='Quotes " and \\ back\nslash, tab\t, Müller, $x^2$, \u2028',
        authors=[],
        categories=[],
        doi="10.1/x",
        comment="",
        withdrawn=True,
    )
    for record in (make("2001.00002"), odd, make("1812.07252")):
        cache.put(record)
        assert saved(cache) == json_dumps(cache)


def test_the_file_follows_every_change_of_a_record(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache.json")
    cache.put(make("2001.00001"))
    cache.put(make("2001.00002"))
    first = saved(cache)
    cache.put(make("2001.00001")._replace(title="Changed"))
    assert saved(cache) == json_dumps(cache) != first
    cache.records["2001.00002"] = make("2001.00002")._replace(version=3)
    assert '"version": 3' in saved(cache)
    assert saved(cache) == json_dumps(cache)
