from pkg.domain.models import OnlyInTests, SetOnlyInTests


def test_values():
    assert OnlyInTests(value=1).value == 1
    assert SetOnlyInTests(level=3).level == 3
