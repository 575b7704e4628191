"""network_chart: members on an ellipse as focusable links sized by output, edges as lines whose
width follows their weight, hover titles, escaped labels, and what it leaves out."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from hub.web import charts

NODES = [("北京大学", 400, "/institutions/pku"), ("复旦大学", 100, "/institutions/fdu"),
         ("<b>Evil</b> & Co", 25, "/institutions/evil?x=1&y=2")]
EDGES = [(0, 1, 12), (1, 2, 3)]


def _svg(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)


def test_nodes_are_links_named_by_label_and_output():
    svg = charts.network_chart(NODES, EDGES, "Collaboration")
    root = _svg(svg)
    assert root.get("role") == "group" and root.get("aria-label") == "Collaboration"
    links = root.findall("a")
    assert [a.get("href") for a in links] == ["/institutions/pku", "/institutions/fdu", "/institutions/evil?x=1&y=2"]
    assert [a.get("aria-label") for a in links] == ["北京大学: 400", "复旦大学: 100", "<b>Evil</b> & Co: 25"]
    assert "<b>" not in svg and "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in svg


def test_node_area_follows_output_and_edge_width_its_weight():
    svg = charts.network_chart(NODES, EDGES, "Collaboration")
    radii = [float(r) for r in re.findall(r'r="([\d.]+)" class="chart-node"', svg)]
    assert radii[0] > radii[1] > radii[2] >= 4
    widths = {title: float(w) for title, w in re.findall(
        r"<title>([^<]+)</title><line [^>]*chart-edge-hit\"/><line [^>]*stroke-width=\"([\d.]+)\"", svg)}
    assert widths["北京大学 – 复旦大学: 12"] == 8.0
    assert 1 < widths["复旦大学 – &lt;b&gt;Evil&lt;/b&gt; &amp; Co: 3"] < 8


def test_edges_to_unknown_nodes_loops_and_zero_weights_are_left_out():
    svg = charts.network_chart(NODES, [(0, 7, 5), (1, 1, 5), (0, 2, 0), (-1, 0, 2)], "Collaboration")
    assert "chart-edge" not in svg and svg.count('class="chart-node"') == 3


def test_empty_and_single_node():
    assert "chart-empty" in charts.network_chart([], [], "Nobody")
    one = charts.network_chart([("Solo", 0, "/institutions/solo")], [], "One")
    assert 'cx="50.00%"' in one and "<title>Solo: 0</title>" in one


def test_long_labels_are_cut_but_named_whole_and_many_nodes_label_only_the_largest():
    long = "中国科学院大学研究生院图书馆与信息中心"
    svg = charts.network_chart([(long, 5, "/a")], [], "Long")
    assert f'aria-label="{long}: 5"' in svg and re.search(r'class="chart-label">[^<]*…</text>', svg)
    many = [(f"M{i}", i, f"/m{i}") for i in range(30)]
    svg = charts.network_chart(many, [], "Many")
    labels = re.findall(r'class="chart-label">([^<]+)</text>', svg)
    assert len(labels) == charts.NETWORK_LABELS and "M29" in labels and "M0" not in labels
    assert svg.count("<a ") == 30


def test_a_node_without_a_page_is_not_a_link():
    svg = charts.network_chart([("Hidden", 3, "")], [], "No page")
    assert "<a " not in svg and "<title>Hidden: 3</title>" in svg


def test_charts_with_links_are_groups_so_their_links_stay_reachable():
    assert 'role="group"' in charts.network_chart(NODES, EDGES, "Collaboration")
    assert 'role="img"' in charts.network_chart([("Hidden", 3, "")], [], "No page")
    assert 'role="group"' in charts.bar_chart([("A", 1)], "Bars", links=["/search?q=a"])
    assert 'role="img"' in charts.bar_chart([("A", 1)], "Bars") and 'role="img"' in charts.bar_chart(
        [("A", 1)], "Bars", links=[None])
    assert 'role="group"' in charts.column_chart([(2020, 2)], "Years", links={2020: "/search?from=2020&to=2020"})
    assert 'role="img"' in charts.column_chart([(2020, 0), (2021, 1)], "Years", links={2020: "/x"})


def test_a_bar_of_nothing_is_no_link():
    bars = charts.bar_chart([("With full text", 0), ("Metadata only", 5)], "Coverage", links=["/a", "/b"])
    assert 'href="/a"' not in bars and 'href="/b"' in bars
    assert 'role="img"' in charts.bar_chart([("Nothing", 0)], "Coverage", links=["/a"])
