import json

from pipeline.site import index_html, published_reports


def _report(out, year, slug, region, outputs=("rapport.html", "rapport.pdf")):
    folder = out / str(year) / slug
    folder.mkdir(parents=True)
    manifest = {"report": {"region": region, "year": year, "slug": slug},
                "parameters": {"lang": "sv", "report": {"date": "2026-11-25"}},
                "outputs": {name: "0" for name in outputs}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_index_lists_reports_newest_year_first_with_links(tmp_path):
    _report(tmp_path, 2019, "skane", "Skåne")
    _report(tmp_path, 2020, "orebro", "Örebro", ("rapport.html",))
    entries = published_reports(tmp_path)
    assert [(e["year"], e["region"]) for e in entries] == [(2020, "Örebro"), (2019, "Skåne")]
    page = index_html(entries, "sv")
    assert '<html lang="sv">' in page
    assert 'href="2019/skane/rapport.pdf"' in page and 'href="2020/orebro/rapport.html"' in page
    assert page.index(">2020<") < page.index(">2019<")


def test_index_escapes_region_names(tmp_path):
    _report(tmp_path, 2020, "x", "<script>alert(1)</script>")
    page = index_html(published_reports(tmp_path))
    # The page has one script of its own (the filter); the name never becomes one.
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert page.count("<script>") == 1


def test_empty_index_says_so(tmp_path):
    assert "Inga rapporter" in index_html(published_reports(tmp_path), "sv")


def test_overview_is_listed_first_in_its_year(tmp_path):
    _report(tmp_path, 2020, "skane", "Skåne")
    manifest = {"report": {"region": "Nationell översikt", "year": 2020, "kind": "overview"},
                "parameters": {"lang": "sv"}, "outputs": {"oversikt.html": "0"}}  # fmt: skip
    (tmp_path / "2020" / "oversikt.json").write_text(json.dumps(manifest))
    entries = published_reports(tmp_path)
    assert [e["region"] for e in entries] == ["Nationell översikt", "Skåne"]
    assert 'href="2020/oversikt.html"' in index_html(entries)


def _grid(page: str) -> dict[str, dict[str, str]]:
    """{region: {year: cell html}} from the index grid."""
    import re

    rows = {}
    for row in re.findall(r'<tr data-region="([^"]*)">(.*?)</tr>', page, re.S):
        cells = re.findall(r'<td data-year="(\d+)" data-status="(\w+)">(.*?)</td>', row[1], re.S)
        rows[row[0]] = {year: (status, body) for year, status, body in cells}
    return rows


def test_index_is_a_region_by_year_grid_with_status_and_rates(tmp_path):
    from pipeline.site import with_states

    _report(tmp_path, 2019, "skane", "Skåne")
    _report(tmp_path, 2020, "skane", "Skåne")
    _report(tmp_path, 2020, "orebro", "Örebro")
    draft = tmp_path / "2020" / "orebro" / "manifest.json"
    data = json.loads(draft.read_text())
    draft.write_text(json.dumps(data | {"status": "draft", "draft_reasons": ["narrative"]}))
    (tmp_path / ".failed" / "2019" / "skane").mkdir(parents=True)
    entries = with_states(
        published_reports(tmp_path), {(2019, "skane")}, {"2020/skane/manifest.json"}
    )
    page = index_html(entries, "sv", {(2020, "Skåne"): "54,3 %"})
    grid = _grid(page)
    assert list(grid) == ["Skåne", "Örebro"]
    assert grid["Skåne"]["2020"][0] == "stale" and "54,3 %" in grid["Skåne"]["2020"][1]
    assert grid["Skåne"]["2019"][0] == "failed"  # a failed rebuild: the old report stays linked
    assert 'href="2019/skane/rapport.html"' in grid["Skåne"]["2019"][1]
    assert grid["Örebro"]["2020"][0] == "draft"
    assert "<li>narrative</li>" in grid["Örebro"]["2020"][1]  # the reason, visible
    assert grid["Örebro"]["2019"][0] == "missing" and "href" not in grid["Örebro"]["2019"][1]
    assert '<th scope="col" data-year="2020">2020</th>' in page
    assert '<input id="search" type="search"' in page and '<select id="status"' in page


def test_status_absent_from_the_manifest_means_final(tmp_path):
    _report(tmp_path, 2020, "skane", "Skåne")
    assert published_reports(tmp_path)[0]["status"] == "final"
    assert 'data-status="final"' in index_html(published_reports(tmp_path))


def test_index_marks_reports_in_another_language(tmp_path):
    _report(tmp_path, 2020, "skane", "Skåne")
    manifest = tmp_path / "2020" / "skane" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["parameters"]["lang"] = "en"
    manifest.write_text(json.dumps(data))
    assert 'hreflang="en"' in index_html(published_reports(tmp_path), "sv")


def test_response_rate_labels_per_region_and_country():
    import pandas as pd

    from pipeline.site import response_rate_labels

    survey = pd.DataFrame({"year": [2020] * 3, "region": ["A", "A", "B"]})
    population = pd.DataFrame(
        {"year": [2020, 2020], "region": ["A", "B"], "target_population": [4, 2]}
    )
    labels = response_rate_labels(survey, population, [2020], "sv", "Nationell översikt")
    half = "50\u00a0%"  # a no-break space keeps number and sign together
    assert labels == {(2020, "A"): half, (2020, "B"): half, (2020, "Nationell översikt"): half}


def test_a_params_region_the_years_population_lacks_reads_no_data_collection_in_the_index():
    import pandas as pd

    from pipeline.site import response_rate_labels

    # C joins in a later round: in no 2020 file at all, its 2020 cell must not be blank.
    survey = pd.DataFrame({"year": [2020] * 2, "region": ["A", "A"]})
    population = pd.DataFrame({"year": [2020], "region": ["A"], "target_population": [4]})
    labels = response_rate_labels(
        survey, population, [2020], "en", "National overview", regions=["A", "C"]
    )
    assert labels[(2020, "C")] == "Survey: no data collection"
    assert labels[(2020, "A")] == "50%"


def test_a_region_without_survey_answers_reads_no_data_collection_in_the_index(tmp_path):
    import pandas as pd

    from pipeline.site import response_rate_labels

    survey = pd.DataFrame({"year": [2020] * 2, "region": ["A", "A"]})
    population = pd.DataFrame(
        {"year": [2020, 2020], "region": ["A", "B"], "target_population": [4, 2]}
    )
    labels = response_rate_labels(survey, population, [2020], "sv", "Nationell översikt")
    # B had no survey: not "0 %"; the country's rate counts only A's target (2 of 4).
    assert labels[(2020, "B")] == "Enkät: ingen datainsamling"
    assert labels[(2020, "Nationell översikt")] == "50\u00a0%"
    _report(tmp_path, 2020, "b", "B")
    page = index_html(published_reports(tmp_path), "sv", labels)
    assert "Enkät: ingen datainsamling</span>" in page and "svarsfrekvens</small>" not in page


def test_a_pair_that_failed_before_it_was_ever_published_has_a_failed_cell(tmp_path):
    from pipeline.site import with_states

    _report(tmp_path, 2019, "skane", "Skåne")
    entries = with_states(published_reports(tmp_path), {(2020, "skane"), (2020, "gotland")})
    grid = _grid(index_html(entries, "sv"))
    assert grid["Skåne"]["2020"][0] == "failed" and "href" not in grid["Skåne"]["2020"][1]
    assert grid["gotland"]["2020"][0] == "failed"


def test_index_follows_the_run_language_and_keeps_rate_and_word_apart(tmp_path):
    from pipeline.site import index_language

    assert index_language("en", "sv") == "en" and index_language(None, "sv") == "sv"
    _report(tmp_path, 2020, "skane", "Skåne")
    page = index_html(published_reports(tmp_path), "en", {(2020, "Skåne"): "50%"})
    assert "Every published report" in page and "Alla publicerade" not in page
    assert "50%</span>" not in page and "50% <small>response rate</small>" in page
