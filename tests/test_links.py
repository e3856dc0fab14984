from pipeline.links import is_safe_link, report_links


def test_region_report_links():
    links = report_links(
        kind="region", year=2019, slug="skane", stem="rapport", formats=["html", "pdf"],
        years=[2020, 2018, 2019], overview=True,
    )  # fmt: skip
    assert links["index"] == "../../index.html" and links["pdf"] == "rapport.pdf"
    assert links["overview"] == "../oversikt.html"
    assert [(y["year"], y["href"], y["current"]) for y in links["years"]] == [
        (2018, "../../2018/skane/rapport.html", False),
        (2019, "../../2019/skane/rapport.html", True),
        (2020, "../../2020/skane/rapport.html", False),
    ]


def test_overview_links_and_no_pdf_without_pdf_format():
    links = report_links(
        kind="overview", year=2020, slug="x", stem="oversikt", formats=["html"],
        years=[2019, 2020], overview=True,
    )  # fmt: skip
    assert "pdf" not in links and "overview" not in links
    assert links["index"] == "../index.html"
    assert [y["href"] for y in links["years"]] == ["../2019/oversikt.html", "../2020/oversikt.html"]


def test_only_plain_relative_links_are_safe():
    assert is_safe_link("../../2019/skane/rapport.html") and is_safe_link("rapport.pdf")
    for bad in ["javascript:alert(1)", "https://x.org", "//x.org/a", "/etc/passwd", "a b", 3, None]:
        assert not is_safe_link(bad), bad
