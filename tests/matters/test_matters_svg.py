"""The dossier's timeline picture: plain values in, well-formed SVG out (no database)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from tracker.matters import svg

NS = {"s": "http://www.w3.org/2000/svg"}
TODAY = dt.date(2026, 11, 22)
BE, KZ = svg.Lane("BE", "Belgium"), svg.Lane("KZ", "Kazakhstan")


def draw(bars, marks=(), links=(), lanes=(BE, KZ), title="Bota Jardemalie") -> ET.Element:
    return ET.fromstring(
        svg.render(title=title, lanes=lanes, bars=bars, marks=marks, links=links, today=TODAY)
    )


def bar(id_, lane="BE", start=dt.date(2018, 4, 1), **fields) -> svg.Bar:
    return svg.Bar(id_, lane, f"Proceeding {id_}", f"/proceedings/{id_}", start, **fields)


def bars_of(root: ET.Element) -> dict[str, ET.Element]:
    return {a.get("data-proceeding"): a for a in root.iterfind(".//s:a[@class='bar']", NS)}


def span(anchor: ET.Element) -> tuple[float, float, float]:
    """x, right edge and y of the solid part of a bar."""
    rect = anchor.find("s:rect[@class='span']", NS)
    x = float(rect.get("x"))
    return x, x + float(rect.get("width")), float(rect.get("y"))


def test_is_an_accessible_image_with_a_title_and_description():
    root = draw([bar(1)])

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    assert [root.find(f"*[@id='{i}']").tag.split("}")[1] for i in labelled] == ["title", "desc"]
    assert root.find("s:title", NS).text == "Bota Jardemalie"
    assert "1 proceeding in 2 jurisdictions" in root.find("s:desc", NS).text


def test_one_lane_per_jurisdiction_in_the_order_given():
    root = draw([bar(1, "KZ"), bar(2, "BE")])

    lanes = root.findall(".//s:g[@class='lane']", NS)
    assert [lane.get("data-lane") for lane in lanes] == ["BE", "KZ"]
    be_top = float(lanes[0].find("s:rect", NS).get("y"))
    kz_top = float(lanes[1].find("s:rect", NS).get("y"))
    drawn = bars_of(root)
    assert be_top < span(drawn["2"])[2] < kz_top < span(drawn["1"])[2]


def test_a_closed_bar_runs_from_opening_to_closing_and_an_open_one_to_today():
    root = draw(
        [
            bar(1, start=dt.date(2018, 4, 1), end=dt.date(2020, 1, 15), open=False),
            bar(2, start=dt.date(2019, 1, 1)),
        ]
    )

    drawn = bars_of(root)
    assert (drawn["1"].get("data-start"), drawn["1"].get("data-end")) == (
        "2018-04-01",
        "2020-01-15",
    )
    assert drawn["2"].get("data-end") == TODAY.isoformat()
    closed, still_open = span(drawn["1"]), span(drawn["2"])
    assert closed[0] < still_open[0] < closed[1] < still_open[1]
    today = root.find(".//s:g[@class='today']/s:line", NS)
    assert abs(float(today.get("x1")) - still_open[1]) < 0.2


def test_bars_are_proportional_to_time():
    root = draw(
        [
            bar(1, start=dt.date(2018, 1, 1), end=dt.date(2019, 1, 1), open=False),
            bar(2, "KZ", start=dt.date(2019, 1, 1), end=dt.date(2021, 1, 1), open=False),
        ]
    )

    one, two = (span(a) for a in bars_of(root).values())
    assert abs((two[1] - two[0]) - 2 * (one[1] - one[0])) < 1
    assert abs(one[1] - two[0]) < 0.2


def test_a_vague_opening_is_a_pale_band_over_its_period():
    root = draw([bar(1, start=dt.date(2016, 1, 1), precision="year")])

    anchor = bars_of(root)["1"]
    vague = anchor.find("s:rect[@class='vague']", NS)
    assert vague is not None
    assert float(vague.get("x")) + float(vague.get("width")) == span(anchor)[0]


def test_an_unknown_opening_starts_at_the_first_fact_and_is_marked():
    marks = [svg.Mark("event", 1, dt.date(2019, 6, 1), "Arrest", "/proceedings/1#event-3")]

    root = draw([bar(1, start=None)], marks)

    anchor = bars_of(root)["1"]
    assert anchor.get("data-start") == "2019-06-01"
    assert anchor.get("data-start-unknown") == "true"
    assert "?" in [t.text for t in anchor.iterfind("s:text", NS)]


def test_an_ended_proceeding_without_a_closing_date_ends_at_its_last_fact():
    marks = [svg.Mark("decision", 1, dt.date(2021, 3, 2), "Judgment", "/proceedings/1#event-9")]

    root = draw([bar(1, open=False, status="decided")], marks)

    anchor = bars_of(root)["1"]
    assert anchor.get("data-end") == "2021-03-02"
    assert anchor.get("data-end-unknown") == "true"


def test_hearings_postponements_and_decisions_are_distinct_linked_marks():
    marks = [
        svg.Mark("hearing", 1, dt.date(2024, 4, 15), "Trial hearing", "/hearings/4", state="held"),
        svg.Mark(
            "postponement",
            1,
            dt.date(2024, 4, 15),
            "Postponed",
            "/hearings/4",
            to=dt.date(2024, 6, 18),
        ),
        svg.Mark("postponement", 1, dt.date(2024, 6, 18), "Sine die", "/hearings/4"),
        svg.Mark("decision", 1, dt.date(2025, 1, 30), "Judgment", "/proceedings/1#event-2"),
        svg.Mark("event", 1, dt.date(2023, 12, 14), "Filing", "/proceedings/1#event-1"),
    ]

    root = draw([bar(1)], marks)

    found = root.findall(".//s:a[@data-kind]", NS)
    assert sorted(a.get("data-kind") for a in found) == [
        "decision",
        "event",
        "hearing",
        "postponement",
        "postponement",
    ]
    shapes = {a.get("data-kind"): a[1].tag.split("}")[1] for a in found}
    assert shapes == {
        "hearing": "circle",
        "postponement": "path",
        "decision": "path",
        "event": "rect",
    }
    assert {a.get("href") for a in found} >= {"/hearings/4", "/proceedings/1#event-2"}
    assert all(a.find("s:title", NS).text for a in found)
    moved, sine_die = (a for a in found if a.get("data-kind") == "postponement")
    assert moved.get("data-to") == "2024-06-18"
    assert moved.find("s:path", NS).get("marker-end") == "url(#arrow-postponed)"
    assert sine_die.get("data-to") == ""
    assert "sine die" in "".join(sine_die.itertext())


def test_every_bar_links_to_its_proceeding():
    root = draw([bar(1), bar(2, "KZ")])

    assert {a.get("href") for a in bars_of(root).values()} == {"/proceedings/1", "/proceedings/2"}


def test_a_link_is_drawn_between_proceedings_in_different_lanes():
    bars = [bar(1, "KZ", start=dt.date(2017, 1, 1)), bar(2, "BE", start=dt.date(2018, 5, 1))]

    root = draw(bars, links=[svg.Link(1, 2, "origin", "Requested by the KZ case")])

    [link] = root.findall(".//s:g[@data-source]", NS)
    assert (link.get("data-source"), link.get("data-target"), link.get("class")) == (
        "1",
        "2",
        "link origin",
    )
    path = link.find("s:path", NS)
    assert path.get("marker-end") == "url(#arrow-origin)"
    start, end = path.get("d").split("C")[0], path.get("d").split()[-1]
    _sx, sy = (float(v) for v in start[1:].split(","))
    ex, ey = (float(v) for v in end.split(","))
    drawn = bars_of(root)
    assert ey < sy  # from the KZ lane (below) up to the BE lane
    assert abs(ey - (span(drawn["2"])[2] + 5)) < 0.1
    assert abs(ex - span(drawn["2"])[0]) <= 2


def test_a_link_to_a_proceeding_not_drawn_is_left_out():
    root = draw([bar(1)], links=[svg.Link(99, 1, "parent")])

    assert root.findall(".//s:g[@data-source]", NS) == []


def test_overlapping_bars_of_one_lane_get_their_own_rows():
    root = draw([bar(1, start=dt.date(2018, 1, 1)), bar(2, start=dt.date(2019, 1, 1))])

    drawn = bars_of(root)
    assert span(drawn["1"])[2] != span(drawn["2"])[2]


def test_bars_one_after_the_other_share_a_row():
    bars = [
        bar(1, start=dt.date(2010, 1, 1), end=dt.date(2011, 1, 1), open=False),
        bar(2, start=dt.date(2020, 1, 1), end=dt.date(2021, 1, 1), open=False),
    ]

    drawn = bars_of(draw(bars))

    assert span(drawn["1"])[2] == span(drawn["2"])[2]


def test_the_axis_has_a_tick_and_label_per_year():
    root = draw([bar(1, start=dt.date(2016, 3, 1))])

    labels = [t.text for t in root.iterfind(".//s:g[@class='axis']/s:text", NS)]
    assert labels == [str(year) for year in range(2016, 2027)]


def test_a_short_span_labels_months():
    root = draw([bar(1, start=dt.date(2026, 2, 1))])

    labels = [t.text for t in root.iterfind(".//s:g[@class='axis']/s:text", NS)]
    assert labels[:3] == ["2026", "Feb", "Mar"]


def test_there_is_a_legend():
    root = draw([bar(1)])

    legend = "".join(root.find(".//s:g[@class='legend']", NS).itertext())
    for words in ("open", "decided", "hearing", "postponed", "decision", "appeal or stage of"):
        assert words in legend


def test_text_is_escaped():
    nasty = 'A <script>alert("x")</script> & "co"'
    bars = [svg.Bar(1, "B<E>", nasty, '/proceedings/1?a="b"&c', dt.date(2020, 1, 1), tooltip=nasty)]
    marks = [svg.Mark("event", 1, dt.date(2021, 1, 1), nasty, "/proceedings/1#e")]

    markup = svg.render(
        title=nasty, lanes=[svg.Lane("B<E>", nasty)], bars=bars, marks=marks, today=TODAY
    )

    assert "<script>" not in markup
    root = ET.fromstring(markup)
    assert root.find("s:title", NS).text == nasty
    assert bars_of(root)["1"].get("href") == '/proceedings/1?a="b"&c'
    assert root.find(".//s:g[@class='lane']", NS).get("data-lane") == "B<E>"


def test_many_proceedings_stay_well_formed_and_grow_downwards():
    few = draw([bar(i, start=dt.date(2015, 1, 1)) for i in range(1, 3)])
    many = draw([bar(i, start=dt.date(2015, 1, 1)) for i in range(1, 60)])

    height = lambda root: float(root.get("viewBox").split()[3])  # noqa: E731
    assert height(many) > height(few) + 50 * 30
    assert len(bars_of(many)) == 59


# --- long words: labels are cut to their room, the full text is the tooltip ---------------

#: no letter of a common sans-serif is wider than its size (W, the widest, is 0.99 em in
#: DejaVu Sans and Verdana), nor than 1.12 times it in bold: an upper bound of a label's width
EM, BOLD = 1.0, 1.12


def widest(text: ET.Element) -> float:
    """The most a <text> can measure: each character as wide as the widest letter."""
    size = float(text.get("font-size") or 11)
    bold = BOLD if text.get("font-weight") in ("600", "700", "bold") else EM
    return len(text.text) * size * bold


def test_a_title_of_200_letters_without_a_space_is_cut_to_the_lane_with_its_tooltip():
    title = "W" * 200
    bars = [svg.Bar(1, "BE", title, "/proceedings/1", dt.date(2026, 10, 1))]

    root = draw(bars, lanes=[BE])

    anchor = bars_of(root)["1"]
    label = anchor.find("s:text", NS)
    assert label.text.endswith("…")
    assert label.text.startswith("WWWW")
    assert anchor.find("s:title", NS).text == title
    x = float(label.get("x"))
    assert x >= svg.GUTTER
    assert x + widest(label) <= svg.WIDTH - svg.RIGHT


def test_a_lane_name_and_code_without_a_space_are_cut_to_the_gutter_with_their_tooltip():
    code, name = "W" * 16, "W" * 200
    bars = [svg.Bar(1, code, "Appeal", "/proceedings/1", dt.date(2020, 1, 1))]

    root = draw(bars, lanes=[svg.Lane(code, name)])

    lane = root.find(".//s:g[@class='lane']", NS)
    texts = lane.findall(".//s:text", NS)
    assert [t.text[-1] for t in texts] == ["…", "…"]
    for text in texts:
        assert float(text.get("x")) + widest(text) <= svg.GUTTER
    assert lane.find(".//s:title", NS).text == f"{code} — {name}"


def test_a_short_title_is_drawn_whole():
    root = draw([svg.Bar(1, "BE", "Extradition request", "/p/1", dt.date(2020, 1, 1))])

    assert bars_of(root)["1"].find("s:text", NS).text == "Extradition request"
    texts = root.find(".//s:g[@class='lane']", NS).findall(".//s:text", NS)
    assert [t.text for t in texts] == ["BE", "Belgium"]
