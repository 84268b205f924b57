"""Shipped as the package hue_dx.data.addin so that `hue-dx addin build` can copy hue_dx_addin.py out of any install
(see hue_dx/data/__init__.py); xlwings loads that module from the build folder, never through this package.

The file exists only because setuptools' editable install maps a folder to a package when it has one.
"""
