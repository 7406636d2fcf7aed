"""Core: settings, errors, clock, events and geographic helpers shared by every domain."""
