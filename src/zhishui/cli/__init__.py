"""The `zhishui` command line (Typer), one sub-command group per domain."""
