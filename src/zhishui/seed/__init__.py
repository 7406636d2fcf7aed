"""Loading prepared data (the demo county) through the ordinary services."""
