"""Coverage simulator for BPJS Ketenagakerjaan: load data, project, run scenarios, assess targets.

Heavy libraries (statsmodels, scipy.stats) are imported where they are used, not here, so that
``import simulator`` and the command line start quickly.
"""

__version__ = "0.1.0"

from simulator.errors import InputError  # noqa: E402

__all__ = ["InputError", "__version__"]
