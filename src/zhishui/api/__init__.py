"""HTTP adapters: REST API, OGC API – Features, vector tiles; parse, call a service, render."""
