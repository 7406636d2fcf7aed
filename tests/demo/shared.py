"""One demo county built once per test session and shared by the demo test modules."""

from __future__ import annotations

import functools
import time

from zhishui.demo import DemoCounty, build_demo

TIMING: dict[str, float] = {}


@functools.cache
def default_county() -> DemoCounty:
    """build_demo() with the default seed; tests must not modify it."""
    start = time.perf_counter()
    county = build_demo()
    TIMING["build"] = time.perf_counter() - start
    return county
