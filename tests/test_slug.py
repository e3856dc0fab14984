import pytest

from pipeline.slug import slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Västra Götaland", "vastra-gotaland"), ("Örebro", "orebro"), ("Skåne", "skane"),
     ("Region 07", "region-07"), ("  Jönköping  ", "jonkoping"), ("Malmö/Lund", "malmo-lund")],
)  # fmt: skip
def test_slugs_are_lower_case_ascii(name, slug):
    assert slugify(name) == slug
