"""Spatial library: coordinates, stakes, geometry and dialect-aware spatial SQL."""
