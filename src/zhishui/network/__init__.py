"""The registry: networks, nodes, links, components, river outfalls, stations, pollution sources."""
