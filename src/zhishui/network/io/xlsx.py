"""Excel component lists (部件清单): read with validation, write back, through openpyxl."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from zhishui.core.errors import InputRejected, Problem, ValidationFailed
from zhishui.core.geo import parse_crs, to_storage, within_area_of_use
from zhishui.network.io.fieldmap import is_blank, to_float, to_text
from zhishui.network.records import FeatureRecord

DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("部件编码", "部件代码", "部件标识码", "编码", "code", "component_code"),
    "name": ("部件名称", "名称", "name"),
    "major": ("大类", "大类代码", "大类编码", "major", "major_code"),
    "minor": ("小类", "小类代码", "小类编码", "minor", "minor_code"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "x": ("x", "x坐标", "横坐标", "easting"),
    "y": ("y", "y坐标", "纵坐标", "northing"),
    "grid": ("所属网格", "网格", "网格编码", "单元网格", "grid", "grid_code"),
    "owner": ("权属单位", "主管部门", "养护单位", "owner", "owner_department"),
    "status": ("状态", "部件状态", "status"),
}
STATUS_VALUES = {"完好": "normal", "正常": "normal", "破损": "damaged", "损坏": "damaged",
                 "丢失": "missing", "缺失": "missing", "占用": "occupied", "废弃": "abandoned",
                 "停用": "abandoned"}
STATUS_LABELS = {"normal": "完好", "damaged": "破损", "missing": "丢失", "occupied": "占用",
                 "abandoned": "废弃"}
WRITE_HEADERS = ("部件编码", "部件名称", "大类", "小类", "经度", "纬度", "所属网格", "权属单位",
                 "状态")
_ATTR_KEYS = {"grid": "grid_code", "owner": "owner_department", "status": "status"}
_HEADER_SCAN_ROWS = 10
_EXCEL_DIGITS = 15


@dataclass(frozen=True)
class CodeLayout:
    """Digit widths of a component code: division + major class + minor class + serial."""

    division: int = 6
    major: int = 2
    minor: int = 2
    serial: int = 6

    @property
    def width(self) -> int:
        return self.division + self.major + self.minor + self.serial

    def parts(self, code: str) -> tuple[str, str, str, str]:
        a = self.division
        b = a + self.major
        c = b + self.minor
        return code[:a], code[a:b], code[b:c], code[c:]


def read_components_xlsx(path: str | Path, sheet: str | None = None,
                         mapping: Mapping[str, Any] | None = None,
                         crs: str | int | None = None,
                         layout: CodeLayout = CodeLayout()) -> list[FeatureRecord]:
    """Components from a sheet (default: the first) whose header row names the columns.

    `mapping`: field (code, name, major, minor, lon, lat, x, y, grid, owner, status) ->
    header text(s), over the Chinese/English defaults; flat or under a "fields" key.
    经度/纬度 are lon/lat (in `crs` when given, e.g. EPSG:4490); X/Y are easting/northing
    in `crs`. Returned x/y are EPSG:4326 lon/lat; kind is the class code (major + minor);
    attrs hold division_code, grid_code, owner_department, status and every other column
    under its header. Problems carry the Excel row number and the column header, and the
    sheet name in the message. Raises InputRejected.
    """
    label = Path(path).name
    problems: list[Problem] = []
    ws = _open_sheet(Path(path), sheet, label, problems)
    if ws is None:
        raise InputRejected(problems)
    prefix = f"sheet {ws.title}: "
    headers = _headers(mapping)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, min_col=1)]
    found = _header_row(rows, headers)
    if found is None:
        problems.append(Problem(f"{prefix}no header row naming a code column "
                                f"({'/'.join(headers['code'][:3])}) in the first "
                                f"{_HEADER_SCAN_ROWS} rows", file=label))
        raise InputRejected(problems)
    header_index, columns = found
    titles = [to_text(v) if not is_blank(v) else "" for v in rows[header_index]]
    ctx = _Rows(label, prefix, titles, columns, layout, problems)
    records = [rec for offset, values in enumerate(rows[header_index + 1:])
               if (rec := ctx.record(header_index + offset + 2, values)) is not None]
    _place(records, ctx, crs, "x" in columns and "lon" not in columns)
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: p.line or 0))
    return records


def write_components_xlsx(records: Iterable[FeatureRecord], path: str | Path,
                          sheet: str = "部件清单", layout: CodeLayout = CodeLayout()) -> Path:
    """Write components under Chinese headers (code as text); read_components_xlsx reads it."""
    records = list(records)
    own = {"division_code", *(_ATTR_KEYS.values())}
    extra = list(dict.fromkeys(k for r in records for k in r.attrs if k not in own))
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([*WRITE_HEADERS, *extra])
    for rec in records:
        _, major, minor, _ = layout.parts(rec.code)
        if len(rec.kind) == layout.major + layout.minor and rec.kind.isdigit():
            major, minor = rec.kind[:layout.major], rec.kind[layout.major:]
        status = rec.attrs.get("status")
        ws.append([rec.code, rec.name, major, minor, rec.x, rec.y, rec.attrs.get("grid_code"),
                   rec.attrs.get("owner_department"), STATUS_LABELS.get(status, status),
                   *(_cell(rec.attrs.get(k)) for k in extra)])
    for column in ("A", "C", "D", "G"):
        for cell in ws[column]:
            cell.number_format = "@"
    path = Path(path)
    wb.save(path)
    return path


class _Rows:
    """Validates data rows into FeatureRecords, collecting problems."""

    def __init__(self, label: str, prefix: str, titles: list[str], columns: dict[str, int],
                 layout: CodeLayout, problems: list[Problem]) -> None:
        self.label, self.prefix, self.titles = label, prefix, titles
        self.columns, self.layout, self.problems = columns, layout, problems
        self.seen: dict[str, int] = {}

    def problem(self, row: int, key: str | None, message: str) -> None:
        column = self.titles[self.columns[key]] if key in self.columns else None
        self.problems.append(Problem(self.prefix + message, file=self.label, line=row,
                                     field=column))

    def get(self, values: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(values):
            return None
        value = values[index]
        return None if is_blank(value) else value

    def record(self, row: int, values: list[Any]) -> FeatureRecord | None:
        if all(is_blank(v) for v in values):
            return None
        count = len(self.problems)
        code = self._code(row, self.get(values, "code"))
        xy = self._coords(row, values)
        attrs: dict[str, Any] = {}
        if code is not None:
            division, major, minor, _ = self.layout.parts(code)
            attrs["division_code"] = division
            self._class(row, values, "major", major, attrs)
            self._class(row, values, "minor", minor, attrs)
        for key, attr in _ATTR_KEYS.items():
            value = self.get(values, key)
            if value is not None:
                text = to_text(value)
                attrs[attr] = STATUS_VALUES.get(text, text) if key == "status" else text
        used = set(self.columns.values())
        for index, value in enumerate(values):
            if index not in used and not is_blank(value) and index < len(self.titles):
                attrs[self.titles[index] or f"column {index + 1}"] = _cell(value)
        if code is None or len(self.problems) > count:
            return None
        name = self.get(values, "name")
        _, major, minor, _ = self.layout.parts(code)
        return FeatureRecord(code, major + minor, xy[0], xy[1],
                             None if name is None else to_text(name), attrs, row)

    def _code(self, row: int, value: Any) -> str | None:
        layout = self.layout
        if value is None:
            self.problem(row, "code", "missing component code")
            return None
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and len(to_text(value)) > _EXCEL_DIGITS:
            self.problem(row, "code", f"code {to_text(value)} is stored as a number: Excel "
                         f"keeps only {_EXCEL_DIGITS} digits, store codes as text")
            return None
        code = to_text(value)
        if not code.isdigit() or len(code) != layout.width:
            self.problem(row, "code", f"code {code!r} must be {layout.width} digits "
                         f"({layout.division} division + {layout.major} major + "
                         f"{layout.minor} minor + {layout.serial} serial)")
            return None
        if code in self.seen:
            self.problem(row, "code", f"duplicate code {code} (first at row {self.seen[code]})")
            return None
        self.seen[code] = row
        return code

    def _class(self, row: int, values: list[Any], key: str, expected: str,
               attrs: dict[str, Any]) -> None:
        value = self.get(values, key)
        if value is None:
            return
        text = to_text(value)
        digits = re.match(r"^\d+", text)
        if digits is None:
            attrs[f"{key}_name"] = text
            return
        width = self.layout.major if key == "major" else self.layout.minor
        given = digits.group(0).zfill(width)
        if given != expected:
            self.problem(row, key, f"{key} class {given} disagrees with the code ({expected})")
        rest = text[digits.end():].strip(" -_:、.")
        if rest:
            attrs[f"{key}_name"] = rest

    def _coords(self, row: int, values: list[Any]) -> tuple[float | None, float | None]:
        pair = ("lon", "lat") if "lon" in self.columns or "x" not in self.columns else ("x", "y")
        out: list[float | None] = []
        bad = False
        for key in pair:
            value = self.get(values, key)
            if value is None:
                out.append(None)
                continue
            try:
                out.append(to_float(value))
            except ValueError:
                self.problem(row, key, f"{to_text(value)!r} is not a number")
                out.append(None)
                bad = True
        if (out[0] is None) != (out[1] is None):
            if not bad:
                self.problem(row, pair[0] if out[0] is None else pair[1], "coordinate missing")
            return None, None
        return out[0], out[1]


def _place(records: list[FeatureRecord], ctx: _Rows, crs: str | int | None,
           projected_columns: bool) -> None:
    placed = [r for r in records if r.x is not None and r.y is not None]
    if not placed:
        return
    if projected_columns and crs is None and any(abs(r.x) > 180 or abs(r.y) > 90 for r in placed):
        ctx.problem(placed[0].line or 0, "x", "X/Y columns need a crs (e.g. EPSG:4549)")
        return
    try:
        crs_text = None if crs is None else parse_crs(crs)
        transform = to_storage(crs_text)
    except ValidationFailed as exc:
        ctx.problems.append(Problem(exc.message, file=ctx.label, field="crs"))
        return
    xs = np.array([r.x for r in placed])
    ys = np.array([r.y for r in placed])
    lon, lat = transform(xs, ys)
    inside = within_area_of_use(crs_text, lon, lat)
    swapped = within_area_of_use(crs_text, *transform(ys, xs))
    keys = ("x", "y") if projected_columns else ("lon", "lat")
    for i, rec in enumerate(placed):
        if inside[i]:
            rec.x, rec.y = float(lon[i]), float(lat[i])
            continue
        records.remove(rec)
        lat_only = bool(np.isfinite(lon[i]) and abs(lon[i]) <= 180 and not (
            np.isfinite(lat[i]) and abs(lat[i]) <= 90))
        key = keys[1] if lat_only else keys[0]
        if crs_text is None:
            value = rec.y if lat_only else rec.x
            ctx.problem(rec.line or 0, key, f"coordinate {value:g} out of range")
            continue
        hint = " (X and Y look swapped: Chinese surveying calls northing X)" if swapped[i] else ""
        ctx.problem(rec.line or 0, key, f"({rec.x:g}, {rec.y:g}) is out of range or outside "
                    f"the area of {crs_text}{hint}")


def _headers(mapping: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Defaults overridden by a flat {field: header(s)} dict or a field mapping's "fields"."""
    given = dict(mapping or {})
    if isinstance(given.get("fields"), Mapping):
        given = dict(given["fields"])
    given = {("code" if k == "external_id" else k): v for k, v in given.items()}
    unknown = sorted(set(given) - set(DEFAULT_HEADERS))
    if unknown:
        raise ValidationFailed(f"unknown component fields in mapping: {', '.join(unknown)}",
                               allowed=list(DEFAULT_HEADERS))
    return {**DEFAULT_HEADERS, **{k: (v,) if isinstance(v, str) else tuple(v)
                                  for k, v in given.items()}}


def _open_sheet(path: Path, sheet: str | None, label: str,
                problems: list[Problem]) -> Worksheet | None:
    if not path.is_file():
        problems.append(Problem("file not found", file=label))
        return None
    try:
        wb = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.append(Problem(f"cannot open as an Excel workbook (.xlsx): {exc}", file=label))
        return None
    if sheet is None:
        return wb.worksheets[0]
    if sheet not in wb.sheetnames:
        problems.append(Problem(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                                file=label))
        return None
    return wb[sheet]


def _norm(text: Any) -> str:
    folded = re.sub(r"[(（\[【].*?[)）\]】]", "", str(text))
    return re.sub(r"[\s_\-]+", "", folded).lower()


def _header_row(rows: list[list[Any]],
                headers: dict[str, tuple[str, ...]]) -> tuple[int, dict[str, int]] | None:
    wanted = {key: [_norm(h) for h in names] for key, names in headers.items()}
    for index, values in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cells = {_norm(v): i for i, v in reversed(list(enumerate(values))) if not is_blank(v)}
        columns: dict[str, int] = {}
        for key, names in wanted.items():
            hit = next((cells[n] for n in names if n in cells and
                        cells[n] not in columns.values()), None)
            if hit is not None:
                columns[key] = hit
        if "code" in columns:
            return index, columns
    return None


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
