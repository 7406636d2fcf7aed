"""Imports every table module so that the metadata is complete (migrations, tests)."""

from zhishui.db.base import Base
from zhishui.network import models as network_models
from zhishui.org import models as org_models

__all__ = ["Base", "network_models", "org_models"]
