"""
Entry point: `python3 test/api ...` (or `python3 -m api` with test/ on the
module path) runs the test API server; see server.py for the options.
"""

import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the checkout

if not __package__:
    # run as a directory: import it as the package "api" from test/, and keep
    # test/api itself off the path (its modules are not top-level modules)
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from api import server  # noqa: E402

sys.exit(server.main())
