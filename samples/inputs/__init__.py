"""Data, not code: this folder is shipped as the package hue_dx.data.samples (see hue_dx/data/__init__.py).

The file exists only because setuptools' editable install maps a folder to a package when it has one.
"""
