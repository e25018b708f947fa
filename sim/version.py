"""The package's version, as installed (``0+unknown`` from a source tree that was not installed)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("workforce-sim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
