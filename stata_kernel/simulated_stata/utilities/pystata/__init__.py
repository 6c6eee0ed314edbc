"""pystata for the SIMULATED Stata shipped with stata-live (not Stata's own package).

Import it the way real users do: put ``<STATA_DIR>/utilities`` on ``sys.path``, then
``from pystata import config; config.init("mp"); from pystata import stata``.
"""

from ._sim.release import version_for_environment as _version

__version__ = _version() + "+simulated"  # the pystata of the release played (SIMSTATA_RELEASE)
__author__ = "stata-live simulator (not StataCorp)"

# As in the real package: ``import pystata; pystata.config.init(...)`` works.
from . import config as config
