"""Generators of the bundled ILLUSTRATIVE data files, apart from the library (``make data``)."""
