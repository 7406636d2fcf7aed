"""The demo county (安吉县 (演示), 330523): a pure, seeded, deterministic generator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString

from zhishui.demo.assets import build_outfalls, build_sources, build_stations
from zhishui.demo.catchment import build_catchment
from zhishui.demo.classes import ClassRow, component_classes
from zhishui.demo.components import build_components
from zhishui.demo.county import (
    DivisionSpec,
    GridSpec,
    OrgUnitSpec,
    UserSpec,
    build_divisions,
    build_grids,
    build_org_units,
    build_users,
    locate_division,
    locate_grid,
)
from zhishui.demo.geo import COUNTY_CODE, CRS, ORIGIN, build_geography
from zhishui.demo.networks import build_networks
from zhishui.demo.streets import build_streets
from zhishui.demo.supply import LTOWN_INP, LTOWN_TOWN_CODE, place_ltown, read_ltown_coordinates
from zhishui.network.records import FeatureRecord, NetworkModel

# build_demo(seed) returns everything a demo installation loads: divisions, 50 unit grids,
# org units, users, a storm and a sewer network (~1,180 km of pipe), river outfalls,
# monitoring stations, pollution sources, coded components and one SWMM catchment, all in
# EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger CM 120E; x = easting, y = northing, metres).
# The L-TOWN supply network is not generated: place_ltown maps its file coordinates into the
# county. User passwords are demo-only ("demo-" + role) and meant to be printed at start-up.

XY = tuple[float, float]


@dataclass
class DemoCounty:
    """Everything generated for the demo county (coordinates in `crs`)."""

    seed: int
    crs: str
    origin: XY  # EPSG:4549 of (119.68E, 30.63N)
    county_code: str
    divisions: list[DivisionSpec]
    grids: list[GridSpec]
    org_units: list[OrgUnitSpec]
    users: list[UserSpec]
    storm: NetworkModel
    sewer: NetworkModel
    catchment: NetworkModel  # format "swmm": one storm tree with subcatchments and a storm
    component_classes: list[ClassRow]
    components: list[FeatureRecord]
    outfalls: list[FeatureRecord]
    stations: list[FeatureRecord]
    pollution_sources: list[FeatureRecord]
    rivers: dict[str, LineString]  # river centre lines, clipped to the county
    supply_inp: str = LTOWN_INP  # relative to the shared data directory; see place_ltown
    supply_division_code: str = LTOWN_TOWN_CODE


def build_demo(seed: int = 2026, ltown_inp: str | Path | None = None) -> DemoCounty:
    """Generate the demo county; the same seed always gives the same county.

    With `ltown_inp` (the L-TOWN .inp file) hydrants sit on L-TOWN junctions; without it they
    are spread along the 孝丰 streets inside L-TOWN's placed footprint. The users' passwords
    are demo-only ("demo-" + role) and are meant to be printed when a demo starts.
    """
    geo = build_geography(seed)
    divisions = build_divisions(geo, np.random.default_rng([seed, 10]))
    grids = build_grids(divisions)
    locate_div = locate_division(divisions)
    streets = build_streets(geo, np.random.default_rng([seed, 2]))
    storm, sewer = build_networks(geo, streets, locate_div, seed)
    ltown = read_ltown_coordinates(ltown_inp) if ltown_inp else None
    components = build_components(geo, streets, storm, sewer, locate_grid(grids), locate_div,
                                  np.random.default_rng([seed, 11]), ltown)
    shift = np.array(ORIGIN)
    county = geo.county
    rivers = {r.name: shapely.transform(r.line.intersection(county), lambda c: c + shift)
              for r in geo.rivers}
    return DemoCounty(
        seed=seed, crs=CRS, origin=ORIGIN, county_code=COUNTY_CODE, divisions=divisions,
        grids=grids, org_units=build_org_units(), users=build_users(grids),
        storm=storm, sewer=sewer,
        catchment=build_catchment(storm, geo, np.random.default_rng([seed, 15])),
        component_classes=component_classes(), components=components,
        outfalls=build_outfalls(storm, sewer, geo, locate_div,
                                 np.random.default_rng([seed, 12])),
        stations=build_stations(geo, storm, sewer, components, locate_div,
                                np.random.default_rng([seed, 13])),
        pollution_sources=build_sources(geo, storm, sewer, np.random.default_rng([seed, 14])),
        rivers=rivers,
    )


__all__ = ["DemoCounty", "build_demo", "place_ltown"]
