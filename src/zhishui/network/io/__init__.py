"""Readers and writers of network model files (EPA SWMM 5 and EPANET 2 .inp)."""
