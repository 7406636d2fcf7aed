"""Design rules of the demo networks: storm intensity, pipe sizes, minimum slopes, Manning."""

from __future__ import annotations

import itertools
import math

import numpy as np

# Storm-intensity formula q = 167·A1·(1 + C·lgP) / (t + b)^n (q in L/s/ha, t in min), with
# A1 in mm/min. Plausible Hangzhou-like parameters for the demo; not an official formula.
A1, C, B, N_EXP = 17.08, 0.670, 12.6, 0.728
DESIGN_RETURN_YEARS = 2.0  # storm pipe sizing (GB 50014-2021: 2-3 years for small towns)
INLET_TIME = 5.0  # minutes of overland flow before the first pipe

# Storm trunks above DN1500 (reinforced concrete up to DN3000) are needed where an outfall
# drains more than ~15 ha: a DN1500 at 0.1 % carries about 2.2 m³/s.
STORM_SIZES = (0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.35, 1.5, 1.65, 1.8, 2.0, 2.2, 2.4, 2.6,
               2.8, 3.0)
SEWER_SIZES = (0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
MIN_COVER = {"storm": 0.7, "sewer": 1.0}  # metres above the pipe crown
SEWER_MAX_DEPTH = 6.0  # deeper than this at a manhole → a pump station lifts the flow
N_DESIGN = 0.013


def min_slope(diameter: np.ndarray | float, kind: str = "storm") -> np.ndarray:
    """Smallest gravity slope for a diameter (m): 0.003 at DN300 … 0.001 from DN800.

    DN300 sewers may use 0.002, as GB 50014-2021 allows for plastic pipe; the demo makes every
    DN300 sewer laid flatter than 0.003 HDPE or PVC.
    """
    d = np.asarray(diameter, dtype=float)
    first = 0.002 if kind == "sewer" else 0.003
    return np.select([d <= 0.3, d <= 0.4, d <= 0.6], [first, 0.002, 0.0015], 0.001)


def intensity_mm_min(t_min: np.ndarray | float, return_years: float) -> np.ndarray:
    """Average intensity i (mm/min) over a duration t."""
    a = A1 * (1 + C * math.log10(return_years))
    return a / (np.asarray(t_min, dtype=float) + B) ** N_EXP


def q_l_s_ha(t_min: np.ndarray | float, return_years: float) -> np.ndarray:
    """Design storm intensity q (L/s/ha)."""
    return 167.0 * intensity_mm_min(t_min, return_years)


def full_capacity(diameter: np.ndarray | float, slope: np.ndarray | float,
                  n: float = N_DESIGN) -> np.ndarray:
    """Full-bore Manning capacity (m³/s) of a circular pipe."""
    d = np.asarray(diameter, dtype=float)
    area = math.pi * d * d / 4
    return area * (d / 4) ** (2 / 3) * np.sqrt(slope) / n


def pick_diameter(flow: np.ndarray, slope: np.ndarray, sizes: tuple[float, ...], kind: str,
                  usable: float = 1.0) -> np.ndarray:
    """Smallest size carrying the flow at max(its minimum slope, slope); the largest if none."""
    sz = np.array(sizes)
    s = np.maximum(min_slope(sz, kind)[None, :], np.asarray(slope, dtype=float)[:, None])
    ok = full_capacity(sz[None, :], s) * usable >= np.asarray(flow)[:, None]
    idx = np.where(ok.any(axis=1), ok.argmax(axis=1), len(sz) - 1)
    return sz[idx]


def chicago_hyetograph(return_years: float = 2.0, duration_min: int = 120, step_min: int = 5,
                       peak_ratio: float = 0.4) -> list[float]:
    """Block intensities (mm/h) of a Chicago design storm from the intensity formula."""
    a = A1 * (1 + C * math.log10(return_years))

    def depth(t: float) -> float:  # mm fallen in the most intense t minutes
        return a * t / (t + B) ** N_EXP if t > 0 else 0.0

    tp = peak_ratio * duration_min

    def cumulative(t: float) -> float:
        if t <= tp:
            return peak_ratio * (depth(tp / peak_ratio) - depth((tp - t) / peak_ratio))
        return (peak_ratio * depth(tp / peak_ratio)
                + (1 - peak_ratio) * depth((t - tp) / (1 - peak_ratio)))

    edges = [cumulative(float(t)) for t in range(0, duration_min + step_min, step_min)]
    return [round((hi - lo) * 60.0 / step_min, 2) for lo, hi in itertools.pairwise(edges)]
