"""Tests of the Excel component list (部件清单) reader and writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from pyproj import Transformer

from zhishui.core.errors import InputRejected, ValidationFailed
from zhishui.network.io.xlsx import CodeLayout, read_components_xlsx, write_components_xlsx
from zhishui.network.records import FeatureRecord

GIS = Path(__file__).resolve().parents[2] / "data" / "gis"


def workbook(path: Path, rows: list[list], title: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def where(exc: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.file, p.line, p.field) for p in exc.value.problems]


def test_reads_the_component_list():
    records = read_components_xlsx(GIS / "components.xlsx")
    assert len(records) == 30
    first = records[0]
    assert first == FeatureRecord(
        code="3305230101000001", kind="0101", x=119.675, y=30.625, name="上水井盖1",
        attrs={"division_code": "330523", "grid_code": "33052300100101",
               "owner_department": "安吉县住建局", "status": "damaged", "备注": "巡查新增"},
        line=3)  # a title row, then the header row: data starts on Excel row 3
    assert records[1].attrs["status"] == "normal"
    assert {r.kind for r in records} == {"0101", "0102", "0103", "0104", "0206"}
    assert len({r.code for r in records}) == 30


def test_bad_rows_name_file_row_and_column():
    with pytest.raises(InputRejected) as exc:
        read_components_xlsx(GIS / "bad_components.xlsx")
    name = "bad_components.xlsx"
    assert where(exc) == [(name, 4, "部件编码"), (name, 5, "大类"), (name, 6, "经度"),
                          (name, 7, "纬度"), (name, 8, "部件编码")]
    messages = [p.message for p in exc.value.problems]
    assert all(m.startswith("sheet 部件清单: ") for m in messages)
    assert "must be 16 digits" in messages[0]
    assert "major class 02 disagrees with the code (01)" in messages[1]
    assert "not a number" in messages[2]
    assert "out of range" in messages[3]
    assert "duplicate code 3305230101000001 (first at row 3)" in messages[4]


def test_round_trip(tmp_path):
    records = read_components_xlsx(GIS / "components.xlsx")
    path = write_components_xlsx(records, tmp_path / "out.xlsx")
    back = read_components_xlsx(path)
    assert back == [FeatureRecord(r.code, r.kind, r.x, r.y, r.name, r.attrs, i + 2)
                    for i, r in enumerate(records)]


def test_english_headers_xy_with_crs(tmp_path):
    to_xy = Transformer.from_crs(4326, 4549, always_xy=True)
    x, y = to_xy.transform(119.68, 30.63)
    path = workbook(tmp_path / "en.xlsx", [
        ["code", "name", "major", "minor", "X", "Y", "grid", "owner", "status", "material"],
        ["3305230103000001", "rain cover", "01", 3, x, y, "33052300100101", "Anji", "正常",
         "iron"],
    ])
    [rec] = read_components_xlsx(path, crs="EPSG:4549")
    assert rec.kind == "0103" and rec.name == "rain cover"
    assert rec.x == pytest.approx(119.68, abs=1e-8) and rec.y == pytest.approx(30.63, abs=1e-8)
    assert rec.attrs == {"division_code": "330523", "grid_code": "33052300100101",
                         "owner_department": "Anji", "status": "normal", "material": "iron"}
    with pytest.raises(InputRejected, match="need a crs"):
        read_components_xlsx(path)


def test_swapped_xy_gets_a_hint(tmp_path):
    x, y = Transformer.from_crs(4326, 4549, always_xy=True).transform(119.68, 30.63)
    path = workbook(tmp_path / "swap.xlsx", [["部件编码", "X", "Y"],
                                             ["3305230103000001", y, x]])
    with pytest.raises(InputRejected, match="look swapped") as exc:
        read_components_xlsx(path, crs=4549)
    assert where(exc)[0][1:] == (2, "X")


def test_class_names_and_mapping_override(tmp_path):
    path = workbook(tmp_path / "m.xlsx", [
        ["标识码", "大类", "小类", "经度", "纬度"],
        ["3305230102000007", "01公用设施", "02 污水井盖", 119.7, 30.6],
        ["3305230102000008", "公用设施", "污水井盖", None, None],
    ], title="井盖")
    records = read_components_xlsx(path, sheet="井盖", mapping={"fields": {"code": "标识码"}})
    assert records[0].attrs["major_name"] == "公用设施"
    assert records[0].attrs["minor_name"] == "污水井盖"
    assert (records[1].x, records[1].y) == (None, None)


def test_unknown_mapping_field_is_rejected():
    with pytest.raises(ValidationFailed, match="colour"):
        read_components_xlsx(GIS / "components.xlsx", mapping={"colour": "颜色"})


def test_configurable_code_widths(tmp_path):
    path = workbook(tmp_path / "w.xlsx", [["部件编码", "大类", "小类"],
                                          ["330523010200000007", "01", "02"]])
    with pytest.raises(InputRejected, match="must be 16 digits"):
        read_components_xlsx(path)
    [rec] = read_components_xlsx(path, layout=CodeLayout(serial=8))
    assert rec.kind == "0102"


def test_numeric_code_and_missing_coordinate(tmp_path):
    path = workbook(tmp_path / "n.xlsx", [["部件编码", "经度", "纬度"],
                                          [3305230102000007, 119.7, 30.6],
                                          ["3305230102000008", 119.7, None],
                                          [None, 119.7, 30.6]])
    with pytest.raises(InputRejected) as exc:
        read_components_xlsx(path)
    assert where(exc) == [("n.xlsx", 2, "部件编码"), ("n.xlsx", 3, "纬度"),
                          ("n.xlsx", 4, "部件编码")]
    assert "store codes as text" in exc.value.problems[0].message


@pytest.mark.parametrize(("content", "kwargs", "words"), [
    (b"not a workbook", {}, "cannot open"),
    (None, {"sheet": "nope"}, "no sheet 'nope'"),
    (None, {"mapping": {"code": "编号"}}, "no header row"),
])
def test_unusable_workbooks(tmp_path, content, kwargs, words):
    path = tmp_path / "x.xlsx"
    if content is None:
        path = workbook(path, [["部件编码"], ["3305230102000007"]])
    else:
        path.write_bytes(content)
    with pytest.raises(InputRejected, match=words) as exc:
        read_components_xlsx(path, **kwargs)
    assert exc.value.problems[0].file == "x.xlsx"
