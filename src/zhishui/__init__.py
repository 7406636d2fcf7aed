"""zhishui (智水): one-network management of a county's water networks and city operations."""

__version__ = "0.1.0"
