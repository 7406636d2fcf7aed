"""Geography and people: administrative divisions, unit grids, org units, users and access."""
