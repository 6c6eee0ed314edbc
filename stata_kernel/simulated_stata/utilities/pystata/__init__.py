"""pystata for the SIMULATED Stata shipped with stata-live (not Stata's own package).

Import it the way real users do: put ``<STATA_DIR>/utilities`` on ``sys.path``, then
``from pystata import config; config.init("mp"); from pystata import stata``.
"""

__version__ = "0.1.0+simulated"
__author__ = "stata-live simulator (not StataCorp)"
