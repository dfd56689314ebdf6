"""
The test API of the rest_fdw tests: an OAuth 2.0 authorization server and a
REST/JSON resource server in one process, Python standard library only.

Start it with test/start-api-server.sh (or `python3 test/api --help`).  Every
path it answers is in one table, routes.ROUTES; each role is a module:

  server.py    HTTP/HTTPS listeners, the request handler, the blackhole port
  routes.py    the routing table: path + method -> function
  common.py    secrets from REST_TEST_*, the shared lock, parameter parsers,
               the issued-token log (REST_TEST_ISSUED_TOKENS)
  oauth.py     POST /oauth/token and the registered clients; grant admin
  datasets.py  the protected prefixes (/api /basic /header /param /open) and
               the fixed and generated datasets behind them
  paging.py    filtered, paged and nested lists (paged/..., orders)
  faults.py    injected failures, stalls, broken bodies, redirects
  probes.py    concurrency probes (conc/...) and their counters
  admin.py     counters and the request log (/_admin/...)
  models.py    imitations of real APIs (m/...)
  arrays.py, limits.py, secrets_api.py, store.py
               hostile bodies and endpoints of the security and token store
               tests (/arrays/, /limits/, /secrets/, /store/)

Secrets, access and refresh tokens, headers, query strings and bodies are
never logged.
"""

import sys

sys.dont_write_bytecode = True     # no __pycache__ in the checkout
