"""core.report: the one-page, self-contained HTML report (and ``segments fit --report``)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from core.insight import profile, stability, summary_table
from core.quality import check_quality
from core.report import PALETTE, SCATTER_MAX_POINTS, render_report
from core.segmentation import segment_new
from core.selection import sweep_k

HOSTILE = "<script>alert(1)</script>"
SECTIONS = ("data", "settings", "choosing-k", "profiles", "charts", "drivers", "stability")
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Checker(HTMLParser):
    """Checks that every element is closed in order (a well-formed document) and collects ids and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.tags: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.ids += [v for k, v in attrs if k == "id"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.ids += [v for k, v in attrs if k == "id"]

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(page: str) -> _Checker:
    assert page.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == [], (checker.errors, checker.stack)
    assert len(re.findall(r"<title>Customer segments: ", page)) == 1  # the page title (SVGs have their own)
    for tag in ("html", "head", "body", "style"):
        assert checker.tags.get(tag) == 1, tag
    return checker


def frame_of(n_per: int = 40, seed: int = 0, names=("Income", "Visits")) -> pd.DataFrame:
    """Three well-separated groups as text cells, with a Plan text column and a gap in the first feature."""
    rng = np.random.default_rng(seed)
    centres = [(20, 2), (60, 9), (100, 4)]
    rows = []
    for group, (a, b) in enumerate(centres):
        for _ in range(n_per):
            plan = ["Basic", "Plus", "Pro"][group] if rng.random() < 0.8 else "Basic"
            rows.append({names[0]: f"{a + rng.normal(0, 3):.2f}", names[1]: f"{b + rng.normal(0, 0.5):.2f}",
                         "Plan": plan})
    frame = pd.DataFrame(rows)
    frame.loc[5, names[0]] = ""
    return frame


@pytest.fixture(scope="module")
def rendered():
    frame = frame_of()
    quality = check_quality(frame)
    seg = segment_new(frame, ["Income", "Visits"], k=3, seed=0)
    seg = seg.renamed({0: "Loyal regulars"})
    sweep = sweep_k(StandardScaler().fit_transform(seg.matrix.X), 2, 6, 0)
    stab = stability(seg.matrix.X, 3, 0, runs=2, reference=seg.pipeline)
    page = render_report("customers.csv", frame, seg, report=quality, missing="drop", sweep=sweep,
                         stability=stab, text_columns=quality.text_columns,
                         generated=datetime(2024, 5, 17, 9, 30))
    return page, frame, seg, stab


def test_report_is_valid_html_with_every_section_and_segment(rendered):
    page, frame, seg, stab = rendered
    checker = check_html(page)
    for section in SECTIONS:
        assert section in checker.ids, section
    text = " ".join(checker.text)
    for name in seg.segment_names:
        assert name in text
    assert seg.segment_names[0] == "Loyal regulars"
    # data summary, settings and reasoning
    assert "customers.csv" in text and "17 May 2024, 09:30" in text
    assert re.search(r"Rows left out\s*1\b", text)
    assert "left out of the model" in text and "'Income' has 1 missing value" in text
    for words in ("Income", "Visits", "Random seed", "New K-Means model", "drop:"):
        assert words in text
    assert "Recommended: k=3." in text and "All four measures agree" in text
    assert stab.verdict in text
    # the profile: every summary_table number, index and text mix is shown
    table = summary_table(seg, frame, ["Plan"])
    for value in table["customers"]:
        assert f"{value:,}" in text
    assert "Plan" in text and "Basic" in text and "Pro" in text
    # the mix's strength (Cramér's V), as the dashboard's table gives it
    strength = profile(seg, frame, ["Plan"]).mix_strength["Plan"]
    group = re.search(r'<tr class="group"><th[^>]*>Plan <span class="muted">(.*?)</span></th></tr>', page)
    assert group and group.group(1).endswith(f"</span></span> {strength:.2f})"), group
    assert ">strength<" in group.group(1)
    assert any(f"{v:.0f}" in text for v in table["Income index"])
    # charts: elbow line, silhouette bars, scatter with centroids, sizes
    assert page.count("<svg") == 4
    assert 'class="line"' in page and 'class="bar best"' in page and 'class="centroid"' in page
    scored = int(seg.scored.sum())
    assert page.count('r="2.6"') == scored  # every customer drawn (fewer than the sample limit)
    # segment colours in cluster order
    for i in range(3):
        assert f"background:{PALETTE[i]}" in page
    # drivers ranking names both features in rank order
    drivers = page[page.index('id="drivers"'):page.index('id="stability"')]
    order = profile(seg, frame, []).drivers["feature"].tolist()
    assert drivers.index(f">{order[0]}<") < drivers.index(f">{order[1]}<")


def test_summary_table_columns_and_numbers(rendered):
    _, frame, seg, _ = rendered
    table = summary_table(seg, frame, ["Plan", "Income", "Nope", "Plan"])  # a feature, an unknown, a repeat
    plan = [c for c in table.columns if c.startswith("Plan: ")]
    assert list(table.columns) == ["cluster", "segment", "customers", "share", "Income", "Visits",
                                   "Income index", "Visits index"] + plan
    assert sorted(plan) == ["Plan: Basic", "Plan: Plus", "Plan: Pro"]
    basic = seg.summary()
    pd.testing.assert_frame_equal(table[list(basic.columns)], basic, check_dtype=False)
    assert table["segment"].tolist() == seg.segment_names
    np.testing.assert_allclose(table[plan].sum(axis=1), 1.0)
    with pytest.raises(ValueError):
        summary_table(seg, frame.iloc[:-1], [])


def test_report_makes_no_outside_request(rendered):
    page = rendered[0]
    lowered = page.lower()
    for forbidden in ("http://", "https://", "src=", "<link", "<script", "@import", "url(", "<img", "<iframe"):
        assert forbidden not in lowered, forbidden
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing


def test_hostile_names_are_escaped():
    frame = frame_of(names=("Income", HOSTILE))
    frame["Plan"] = frame["Plan"].where(frame.index % 7 != 0, HOSTILE)
    quality = check_quality(frame)
    seg = segment_new(frame, ["Income", HOSTILE], k=3, seed=0).renamed({1: HOSTILE})
    page = render_report(f"{HOSTILE}.csv", frame, seg, report=quality, missing="drop",
                         sweep=sweep_k(seg.scaled_used(), 2, 4, 0), stability=None,
                         text_columns=["Plan"], warnings=[f"warning about {HOSTILE}"])
    check_html(page)
    assert "<script" not in page.lower()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page.count(escaped) >= 8  # file name, title, column (settings, profile, axes, drivers), segment, mix
    assert "The stability check was not run" in page


def test_sample_limit_one_feature_and_pretrained_wording(blobs):
    frame, _ = blobs([1500, 1200], [(0,), (8,)], spread=1.0, seed=2, names=["Spend"])
    seg = segment_new(frame, ["Spend"], k=2, seed=0)
    page = render_report("big.csv", frame, seg, report=None, missing="drop", sweep=None, stability=None,
                         text_columns=[])
    check_html(page)
    assert page.count('r="2.6"') == SCATTER_MAX_POINTS
    assert f"a random sample of {SCATTER_MAX_POINTS:,} of the 2,700 customers" in page
    assert "the only feature, Spend" in page
    assert "no range of k was compared" in page

    from dataclasses import replace

    applied = replace(seg, source="pretrained")
    page = render_report("big.csv", frame, applied, text_columns=[], model="model.json, trained on x.csv")
    assert "The pre-trained model fixes the number of segments at k=2" in page
    assert "Pre-trained model: model.json, trained on x.csv" in page
    page = render_report("big.csv", frame, replace(seg, source="saved"), text_columns=[], model="march.json")
    assert "The saved model fixes the number of segments at k=2" in page and "Saved model: march.json" in page


def test_cli_report_writes_the_page(cli, tmp_path, write):
    frame = frame_of()
    path = write("shop <script>alert(1).csv", frame.to_csv(index=False))  # no "/" in a file name
    report = tmp_path / "report.html"
    status, out, err = cli("fit", path, "--k", "3", "--out", tmp_path / "out.csv", "--report", report,
                           "--stability-runs", "2", "--name", f"2={HOSTILE}")
    assert (status, err) == (0, ""), err
    assert f"and {report}" in out
    page = report.read_text(encoding="utf-8")
    checker = check_html(page)
    assert set(SECTIONS) <= set(checker.ids)
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "Recommended: k=" in page and "re-fits" in page
    assert "Plan" in page  # the text column's mix


def test_cli_report_for_a_saved_model(cli, tmp_path, write):
    path = write("shop.csv", frame_of().to_csv(index=False))
    bundle, report = tmp_path / "m.json", tmp_path / "r.html"
    assert cli("fit", path, "--k", "3", "--out", tmp_path / "a.csv", "--save-model", bundle,
               "--stability-runs", "0")[0] == 0
    status, _, err = cli("fit", path, "--model", bundle, "--out", tmp_path / "b.csv", "--report", report,
                         "--stability-runs", "0")
    assert (status, err) == (0, "")
    page = report.read_text(encoding="utf-8")
    check_html(page)
    # found from outside: a saved model was called the pre-trained one
    assert "The saved model fixes the number of segments at k=3" in page
    assert "Saved model: m.json, trained on shop.csv: 119 rows" in page and "pre-trained" not in page.lower()
    assert "The stability check was not run" in page


ATTACK = "\"'><img src=x onerror=alert(1)>&amp;"


class _Attributes(HTMLParser):
    """Every attribute value and every text, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.values += [v or "" for _, v in attrs]

    handle_startendtag = handle_starttag


def test_hostile_text_is_escaped_in_every_section_and_attribute():
    """Issue 14, item 6: a segment name, a feature (column) name, a text column's name and its values, the
    file name, a mapping and a warning that try to close a tag or an attribute stay text everywhere: in
    the header, each section, the chart titles and labels (SVG text and aria-label attributes)."""
    frame = frame_of(names=("Income", ATTACK))
    frame[ATTACK + " plan"] = frame["Plan"].where(frame.index % 5 != 0, ATTACK)
    quality = check_quality(frame)
    seg = segment_new(frame, ["Income", ATTACK], k=3, seed=0).renamed({0: ATTACK})
    seg = replace(seg, model_features=("Income", "model " + ATTACK))  # shown as a column mapping
    stab = stability(seg.matrix.X, 3, 0, runs=2, reference=seg.pipeline)
    page = render_report(f"{ATTACK}.csv", frame, seg, report=quality, missing="drop",
                         sweep=sweep_k(seg.scaled_used(), 2, 4, 0), stability=stab,
                         text_columns=[ATTACK + " plan"], model=f"model {ATTACK}",
                         warnings=[f"warning {ATTACK}"])
    check_html(page)
    parsed = _Attributes()
    parsed.feed(page)
    assert "img" not in parsed.tags and "<img" not in page
    assert not [v for v in parsed.values if "onerror" in v and "alert(1)" in v and v.startswith("x")]
    # an attribute holding the hostile text holds all of it (the quote did not end it)
    assert any(ATTACK in v for v in parsed.values if v.startswith("Customers on "))
    escaped = "&#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;"
    assert ATTACK not in page
    head = page[:page.index("<main>")]
    assert head.count(escaped) >= 3  # the <title>, the heading and the legend
    for section in ("warnings", "data", "settings", "profiles", "charts", "drivers", "stability"):
        body = page[page.index(f'<section id="{section}"'):]
        body = body[:body.index("</section>")]
        assert escaped in body, section
    profiles = page[page.index('<section id="profiles"'):page.index('<section id="charts"')]
    assert profiles.count(escaped) >= 4  # the segment, the feature, the text column and its value


def test_a_feature_named_cluster_has_its_centres_where_its_customers_are():
    """The centroid table names a feature called "cluster" "cluster (mean)"; the scatter read the "cluster"
    column (the segment numbers 1..k) as that feature's centres and drew them at the chart's left edge."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"cluster": np.concatenate([rng.normal(m, 20, 60) for m in (1000, 2000, 3000)]),
                          "b": rng.normal(0, 1, 180)})
    seg = segment_new(frame, ["cluster", "b"], k=3, seed=0)
    page = render_report("c.csv", frame, seg)
    centres = [float(x) for x in re.findall(r'<g class="centroid"><circle cx="([-0-9.]+)"', page)]
    customers = [float(x) for x in re.findall(r'<circle cx="([-0-9.]+)" cy="[-0-9.]+" r="2.6"', page)]
    assert len(centres) == 3 and len(customers) == 180
    assert min(customers) <= min(centres) and max(centres) <= max(customers), (centres, min(customers))


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    """What a sighted reader sees without hovering: the text outside tips, SVG titles, style and head."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.skipping: list[str] = []
        self.terms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if "term" in classes:
            assert dict(attrs).get("tabindex") == "0"  # a keyboard reaches the tip
            self.terms += 1
        if tag in _VOID:  # no end tag follows
            return
        if self.skipping or "tip" in classes or tag in ("title", "style", "head"):
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)


def test_technical_terms_read_as_plain_words_with_the_term_in_a_tip(rendered):
    """Issue 12: η², adjusted Rand, Jaccard, WCSS, silhouette (and the recommendation's Calinski-Harabasz and
    Davies-Bouldin) read as plain words; the term and its meaning are in a tip on hover and keyboard focus."""
    page = rendered[0] if isinstance(rendered, tuple) else rendered
    reader = _Reader()
    reader.feed(page)
    shown = " ".join(reader.text).lower()
    bare = [w for w in ("η²", "adjusted rand", "jaccard", "calinski", "davies", "wcss", "silhouette") if w in shown]
    assert "recommended: k=" in shown  # (the reader reads the body)
    assert not bare, bare
    assert reader.terms >= 5
    for technical in ("η² (eta squared)", "Adjusted Rand index", "Jaccard index", "WCSS", "Silhouette score"):
        assert technical in page  # in the tips


def test_a_years_means_have_no_thousands_separator():
    """Found from outside: a year of birth's segment means read "1,968" in the report's averages."""
    import re

    from tests.dashboard.test_callbacks import _born_and_joined

    frame = _born_and_joined().astype(str)
    seg = segment_new(frame, ["Year_Birth", "Income", "Spend"], k=3, seed=0)
    page = render_report("customers.csv", frame, seg, report=None, missing="drop", sweep=None, stability=None,
                         text_columns=[])
    check_html(page)
    assert not re.search(r">1,9\d\d<", page)
    assert len(re.findall(r">19[4-9]\d\.\d<", page)) == 3


def test_the_reports_scatter_ticks_answers_written_as_words():
    """Found from outside (a survey export written in answer text): the report's scatter ticked its axes 1 to 5, as
    the dashboard's did; it now ticks the answers ("Never" ... "Always"), shortened up the side."""
    from tests.core.test_scale_words import OFTEN, survey

    frame = survey()
    questions = ["How often do you order?", "How satisfied are you with the delivery?"]
    seg = segment_new(frame, questions, 2, seed=0, missing="drop")
    html = render_report("survey.csv", frame, seg)
    from core.text import clip

    for word in [*OFTEN, "Very dissatisfied", "Very satisfied"]:  # across in full, up the side cut to 17 characters
        assert f">{word}</text>" in html or f">{clip(word, 17)}</text>" in html, word
