"""pystata for the SIMULATED Stata shipped with stata-live (not Stata's own package).

Import it the way real users do: put ``<STATA_DIR>/utilities`` on ``sys.path``, then
``from pystata import config; config.init("mp"); from pystata import stata``.
"""

__version__ = "0.1.3+simulated"  # API level of Stata 18's pystata (splash= exists since 0.1.1)
__author__ = "stata-live simulator (not StataCorp)"

# As in the real package: ``import pystata; pystata.config.init(...)`` works.
from . import config as config
