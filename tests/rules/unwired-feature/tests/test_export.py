from app.export import export_preview


def test_preview():
    assert export_preview([{"a": 1}]) == "{'a': 1}"
