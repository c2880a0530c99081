"""parkcheck: compliance checking of park evidence bundles against carbon-management standards."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkcheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
