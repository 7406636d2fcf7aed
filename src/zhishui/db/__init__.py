"""Database layer: declarative base, portable types, engines, units of work and spatial ops."""
