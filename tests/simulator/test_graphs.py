"""Graphs are recorded by name, listed with _gr_list, and exported as real PNG and SVG files."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

from .conftest import Scenario


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    i = 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        tag, body = data[i + 4 : i + 8], data[i + 8 : i + 8 + length]
        (crc,) = struct.unpack(">I", data[i + 8 + length : i + 12 + length])
        assert zlib.crc32(tag + body) & 0xFFFFFFFF == crc, f"bad CRC in {tag!r}"
        chunks.append((tag, body))
        i += 12 + length
    return chunks


def test_graph_export_writes_a_valid_png_with_drawn_pixels(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "scatter.png"
    out = scenario(f'RESULT.update(run("sysuse auto\\nscatter price mpg\\ngraph export {path}, width(400) replace"))')
    assert out.result["error"] is None
    assert f"(file {path} written in PNG format)" in out.result["tail"]
    chunks = _png_chunks(path.read_bytes())
    assert [t for t, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (width, height, depth, color) == (400, 291, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == height * (1 + 3 * width)
    rows = [raw[r * (1 + 3 * width) + 1 : (r + 1) * (1 + 3 * width)] for r in range(height)]
    non_white = sum(1 for row in rows for k in range(0, len(row), 3) if row[k : k + 3] != b"\xff\xff\xff")
    assert non_white > 500  # axes, ticks and 74 markers were drawn


def test_graph_export_writes_well_formed_svg(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "hist.svg"
    out = scenario(f'RESULT.update(run("sysuse auto\\nhistogram mpg, name(h)\\ngraph export {path}, name(h) replace"))')
    assert out.result["error"] is None
    assert "(bin=8, start=12, width=3.625)" in out.result["streamed"] + out.result["tail"]
    root = ET.fromstring(path.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    bars = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("fill") != "#ffffff"]
    assert len(bars) == 8


def test_gr_list_reports_graphs_made_since_it_was_turned_on(scenario: Scenario) -> None:
    out = scenario(
        """
        run("sysuse auto\\nscatter price mpg, name(before)")
        run("_gr_list on")
        run("scatter price weight\\ntwoway (scatter mpg weight) (line mpg weight), name(g2)")
        run("_gr_list list")
        RESULT["list"] = sfi.Macro.getGlobal("r(_grlist)")
        RESULT["dir"] = run("graph dir")["tail"]
        """
    )
    assert out.result["list"] == "Graph g2"
    assert out.result["dir"] == "  before  Graph  g2\n"


def test_graph_export_refuses_to_overwrite_without_replace(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "g.png"
    path.write_bytes(b"old")
    out = scenario(f'RESULT.update(run("sysuse auto\\nscatter price mpg\\ngraph export {path}"))')
    assert out.result["error"].endswith("r(602);")
    assert path.read_bytes() == b"old"


def test_graph_export_of_unknown_graph_is_an_error(scenario: Scenario, tmp_path: Path) -> None:
    out = scenario(f'RESULT.update(run("sysuse auto\\nscatter price mpg\\ngraph export {tmp_path}/x.png, name(nope)"))')
    assert out.result["error"] == "graph nope not found\nr(111);"


def test_graph_drop_removes_graphs(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run("sysuse auto\\nscatter price mpg, name(a)\\ngraph drop a\\ngraph dir"))')
    assert "  a" not in out.result["streamed"] + out.result["tail"]
