"""
The routing table of the test API: every path it answers, with its method
and the function that answers it.  server.Handler.dispatch() calls route().

A path is matched whole; "*" stands for one path segment, a path ending in
"/" for everything under it, and "{auth}" for each protected prefix
(datasets.AUTH_PREFIXES: /api Bearer, /basic HTTP Basic, /header X-API-Key,
/param api_key, /open none).  The first row that matches decides; the
function gets the handler, then what "*" and a trailing "/" matched.  A
request with another method than the row's gets 405 (ANY: every method).
Rows under {auth} first pass datasets.protected(): counted, logged,
authenticated, and a BadParam they raise is answered 400.  Paths no row
matches get 404 {"error": "not_found", "path": ...}.
"""

import re

from . import (admin, apis_ratelimit, apis_rows, arrays, datasets, faults,
               limits, models, oauth, paging, probes, secrets_api, store)
from .common import not_found
from .secrets_api import api
from . import apis      # seven real APIs (a line of its own: other modules join the list above)
from . import apis_templates, graphql       # request bodies and templates
from . import apis_paging   # paging conventions (a line of its own, for merges)
from . import vendor        # DataDirect model-file shapes
from . import nested        # child tables: rows inside arrays
from . import formats       # NDJSON, CSV and XML bodies (a line of its own)
from . import apis_sample   # IMPORT sampling and normalize (a line of its own)
from . import apis_writes   # INSERT (a line of its own, for merges)
from . import apis_cache    # cache_ttl (a line of its own, for merges)
from . import migrate_api   # rest_fdw_sample_model() (a line of its own, for merges)

ANY = None
GET, POST, DELETE = "GET", "POST", "DELETE"

ROUTES = (
    # OAuth 2.0 authorization server (oauth.py)
    (POST, "/oauth/token",                  oauth.token_endpoint),
    (POST, "/oauth/revoke",                 oauth.revoke_endpoint),

    # counters, request log and state (admin.py, oauth.py, probes.py)
    (GET,  "/_admin/stats",                 admin.stats),
    (GET,  "/_admin/reset",                 admin.reset_endpoint),
    (GET,  "/_admin/attempts",              admin.attempts),
    (GET,  "/_admin/last_auth",             admin.last_auth),
    (GET,  "/_admin/auth_events",           admin.auth_events),
    (GET,  "/_admin/log",                   admin.log),
    (GET,  "/_admin/clients",               oauth.admin_clients),
    (GET,  "/_admin/expire_tokens",         oauth.admin_expire_tokens),
    (GET,  "/_admin/reset_grants",          oauth.admin_reset_grants),
    (GET,  "/_admin/new_grant",             oauth.admin_new_grant),
    (GET,  "/_admin/concurrency",           probes.admin_concurrency),
    (GET,  "/_admin/ratelimit",             apis_ratelimit.admin_times),
    (GET,  "/_admin/reset_writes",          apis_writes.reset_endpoint),
    (GET,  "/_admin/cache",                 apis_cache.admin_cache),
    (GET,  "/_admin/",                      not_found),

    # fixed and generated datasets (datasets.py)
    *((GET, "{auth}/" + name,               datasets.static(name))
      for name in datasets.STATIC_DATASETS),
    (GET,  "{auth}/echo",                   datasets.echo),
    (GET,  "{auth}/always401",              datasets.always401),
    (GET,  "{auth}/sleep",                  datasets.sleep),
    (GET,  "{auth}/generate",               datasets.generate),

    # filtered, paged and nested lists (paging.py)
    (GET,  "{auth}/paged/offset",           paging.offset),
    (GET,  "{auth}/paged/page",             paging.numbered_pages(1, link=False)),
    (GET,  "{auth}/paged/page0",            paging.numbered_pages(0, link=False)),
    (GET,  "{auth}/paged/link",             paging.numbered_pages(1, link=True)),
    (GET,  "{auth}/paged/cursor",           paging.cursor),
    (GET,  "{auth}/paged/next",             paging.next_url),
    (GET,  "{auth}/orders",                 paging.orders),
    (GET,  "{auth}/customers/*/orders",     paging.orders_of_customer),

    # faults, stalls, broken bodies, redirects (faults.py)
    (GET,  "{auth}/fault/status",           faults.fault_status),
    (GET,  "{auth}/fault/close",            faults.fault_close),
    (GET,  "{auth}/stall/headers",          faults.stall_headers),
    (GET,  "{auth}/stall/body",             faults.stall_body),
    (GET,  "{auth}/stall/trickle",          faults.stall_trickle),
    *((GET, "{auth}/" + name,               faults.bad_static(name))
      for name in faults.BAD_DATASETS),
    (GET,  "{auth}/bad/deep",               faults.bad_deep),
    (GET,  "{auth}/bad/deep_object",        faults.bad_deep_object),
    (GET,  "{auth}/bad/no_content",         faults.bad_no_content),
    (GET,  "{auth}/bad/huge_value",         faults.bad_huge_value),
    (GET,  "{auth}/bad/gzip",               faults.bad_gzip),
    (GET,  "{auth}/bad/bomb",               faults.bad_bomb),
    (GET,  "{auth}/bad/link_malformed",     faults.bad_link_malformed),
    (GET,  "{auth}/redirect/",              faults.redirect),

    # concurrency probes (probes.py)
    (GET,  "{auth}/conc/pages",             probes.serve("pages")),
    (GET,  "{auth}/conc/offset",            probes.serve("offset")),
    (GET,  "{auth}/conc/cursor",            probes.serve("cursor")),

    # rate-limited endpoints (apis_ratelimit.py)
    (GET,  "{auth}/ratelimit/limited",      apis_ratelimit.limited),
    # paging conventions of real APIs (apis_paging.py)
    (GET,  "{auth}/hdr/list",               apis_paging.hdr_list),
    (GET,  "{auth}/p/stripe/v1/customers",  apis_paging.stripe_customers),
    (GET,  "{auth}/slack/conversations.list", apis_paging.slack_list),
    (GET,  "{auth}/graphql/errors",         apis_paging.graphql_errors),

    # imitations of real APIs (models.py)
    (GET,  "{auth}/m/tickets",              models.tickets),
    (GET,  "{auth}/m/reports/sessions",     models.report),
    (GET,  "{auth}/m/repos/*/*/issues",     models.issues),
    (GET,  "{auth}/m/odata/people",         models.people),
    (GET,  "{auth}/m/sample/",              models.sample),

    # seven real APIs as their documentation describes them (apis.py)
    (POST, "{auth}/notion/v1/databases/*/query", apis.notion_query),
    (POST, "{auth}/ga4/v1beta/properties/*:runReport", apis.ga4_run_report),
    (GET,  "{auth}/qbo/v3/company/*/query", apis.qbo_query),
    (GET,  "{auth}/stripe/v1/customers",    apis.stripe_customers),
    (GET,  "{auth}/sheets/v4/spreadsheets/*/values/*", apis.sheets_values),
    (GET,  "{auth}/xero/api.xro/2.0/Invoices", apis.xero_invoices),
    (GET,  "{auth}/servicenow/api/now/table/incident", apis.servicenow_table),
    # DataDirect model-file shapes (vendor.py)
    (GET,  "{auth}/v/contacts",             vendor.contacts),
    (GET,  "{auth}/v/regional",             vendor.regional),
    (GET,  "{auth}/v/search",               vendor.search),
    (GET,  "{auth}/v/nexthdr",              vendor.nexthdr),
    (GET,  "{auth}/v/tokens",               vendor.tokens),
    # child tables: rows inside arrays of arrays (nested.py)
    (GET,  "{auth}/c/orders",               nested.orders),
    (GET,  "{auth}/c/orders/*",             nested.order),
    (GET,  "{auth}/c/big",                  nested.big),
    (GET,  "{auth}/c/series",               nested.series),
    (GET,  "{auth}/c/stores",               nested.stores),
    # rest_fdw_sample_model() (migrate_api.py)
    (GET,  "{auth}/mg/hostile",             migrate_api.hostile),

    # request bodies and templates (apis_templates.py, graphql.py)
    (POST, "{auth}/t/search",               apis_templates.search),
    (POST, "{auth}/t/echo",                 apis_templates.echo),
    (POST, "{auth}/t/redirect",             apis_templates.redirect),
    (GET,  "{auth}/t/got",                  apis_templates.got),
    (POST, "{auth}/t/fault",                apis_templates.fault),
    (POST, "{auth}/graphql",                graphql.graphql),
    # row and value shapes of real APIs (apis_rows.py)
    (GET,  "{auth}/rows/sheets",            apis_rows.sheets),
    (GET,  "{auth}/rows/sheets_grid",       apis_rows.sheets_grid),
    (GET,  "{auth}/rows/ga4",               apis_rows.ga4),
    (GET,  "{auth}/rows/quickbooks",        apis_rows.quickbooks),
    (GET,  "{auth}/rows/xero",              apis_rows.xero),
    (GET,  "{auth}/rows/servicenow",        apis_rows.servicenow),
    (GET,  "{auth}/rows/events",            apis_rows.events),
    (GET,  "{auth}/rows/null_rows",         apis_rows.null_rows),
    (GET,  "{auth}/rows/number_rows",       apis_rows.number_rows),
    # NDJSON, CSV and XML bodies (formats.py)
    (GET,  "{auth}/fmt/bad/*",              formats.bad),
    (GET,  "{auth}/fmt/*",                  formats.serve),

    # writes (apis_writes.py)
    (POST, "{auth}/w/orders",               apis_writes.orders),
    (GET,  "{auth}/w/orders/list",          apis_writes.orders),
    (POST, "{auth}/w/customers/*/orders",   apis_writes.customer_orders),
    (POST, "{auth}/w/empty",                apis_writes.empty),
    (POST, "{auth}/w/located",              apis_writes.located),
    (DELETE, "{auth}/w/orders/*",           apis_writes.delete_order),
    (GET,  "{auth}/c/items",                apis_cache.items),
    (POST, "{auth}/w/batch",                apis_writes.batch),
    (POST, "{auth}/w/wrapped",              apis_writes.wrapped),
    (GET,  "{auth}/",                       not_found),

    # Slack's answers to bad tokens: 200 {"ok": false} (apis_paging.py)
    (GET,  "/slack/oauth/conversations.list", apis_paging.slack_oauth_list),

    # large arrays (arrays.py)
    *((ANY, "/arrays/" + name,              arrays.fixed(name)) for name in arrays.FIXED),
    (ANY,  "/arrays/*/*",                   arrays.sized),
    (ANY,  "/arrays/",                      not_found),

    # hostile bodies for the resource limits (limits.py)
    (ANY,  "/limits/*/*",                   limits.sized),
    (ANY,  "/limits/",                      not_found),

    # hostile APIs and token endpoints (secrets_api.py)
    (ANY,  "/secrets/stats",                secrets_api.stats),
    (ANY,  "/secrets/reset",                secrets_api.reset_endpoint),
    (ANY,  "/secrets/token/",               secrets_api.token),    # 405 unless POST
    # /secrets/api/...: api() counts how each request carried its key first
    (ANY,  "/secrets/api/next",             api(secrets_api.next_page)),
    (ANY,  "/secrets/api/link",             api(secrets_api.link)),
    (ANY,  "/secrets/api/redirect",         api(secrets_api.redirect)),
    (ANY,  "/secrets/api/landing",          api(secrets_api.landing)),
    (ANY,  "/secrets/api/error",            api(secrets_api.error)),
    (ANY,  "/secrets/api/unauthorized",     api(secrets_api.unauthorized)),
    (ANY,  "/secrets/api/slow_down",        api(secrets_api.slow_down)),
    (ANY,  "/secrets/api/badjson",          api(secrets_api.badjson)),
    (ANY,  "/secrets/api/badvalue",         api(secrets_api.badvalue)),
    (ANY,  "/secrets/api/badtoken",         api(secrets_api.badtoken)),
    (ANY,  "/secrets/api/badsample",        api(secrets_api.badsample)),
    (ANY,  "/secrets/api/escaped",          api(secrets_api.escaped)),
    (ANY,  "/secrets/api/keyvalue",         api(secrets_api.keyvalue)),
    (ANY,  "/secrets/api/echo_challenge",   api(secrets_api.echo_challenge)),
    (ANY,  "/secrets/api/keypath",          api(secrets_api.keypath)),
    (ANY,  "/secrets/api/foreign_next",     api(secrets_api.foreign_next)),
    (ANY,  "/secrets/api/bad_next",         api(secrets_api.bad_next)),
    (ANY,  "/secrets/api/foreign_redirect", api(secrets_api.foreign_redirect)),
    (ANY,  "/secrets/api/bearer",           api(secrets_api.bearer)),
    (ANY,  "/secrets/api/gone/",            api(secrets_api.gone)),
    (ANY,  "/secrets/api/",                 api(secrets_api.unknown)),
    (ANY,  "/secrets/",                     secrets_api.not_found),

    # the token store tests' OAuth 2.0 server (store.py)
    (ANY,  "/store/token",                  store.token_endpoint),  # 405 unless POST
    (ANY,  "/store/data",                   store.data),
    (ANY,  "/store/_admin/new_grant",       store.admin_new_grant),
    (ANY,  "/store/_admin/grant",           store.admin_grant),
    (ANY,  "/store/_admin/set",             store.admin_set),
    (ANY,  "/store/_admin/expire",          store.admin_expire),
    (ANY,  "/store/_admin/cc",              store.admin_cc),
    (ANY,  "/store/_admin/",                store.admin_unknown),
    (ANY,  "/store/",                       not_found),

    # IMPORT sampling through "*" rows paths and normalize (apis_sample.py)
    (GET,  "/sample/orders",                apis_sample.orders),
    (GET,  "/sample/groups",                apis_sample.groups),
    (GET,  "/sample/series",                apis_sample.series),
    (GET,  "/sample/parts",                 apis_sample.parts),
    (GET,  "/sample/deep/*",                apis_sample.deep),
    (GET,  "/sample/wide/*",                apis_sample.wide),
    (GET,  "/sample/keys/*",                apis_sample.keys),
    (GET,  "/sample/nesting/*",             apis_sample.nesting),

    (ANY,  "/sample/",                      not_found),
)

# "{auth}": any number of leading slashes, as "api/x" and "///api/x" are under /api too
AUTH = "/*(?P<auth>%s)" % "|".join(datasets.AUTH_PREFIXES)


def _compile(path):
    """The regular expression that matches path as the table above writes it."""
    pattern = ""
    protected = path.startswith("{auth}")
    if protected:
        path = path[len("{auth}"):]
        pattern = AUTH
    for i, piece in enumerate(path.split("*")):
        pattern += ("([^/]+)" if i else "") + re.escape(piece)
    if path.endswith("/"):
        pattern += "(.*)"
    return re.compile(pattern, re.DOTALL), protected


COMPILED = [(method, *_compile(path), serve) for method, path, serve in ROUTES]


def route(handler):
    """Answer the request through the first row of ROUTES that matches its path."""
    for method, pattern, protected, serve in COMPILED:
        match = pattern.fullmatch(handler.bare_path)
        if match is None:
            continue
        args = match.groups()[1:] if protected else match.groups()
        if protected:
            return datasets.protected(handler, match.group("auth"), method, serve, args)
        if method is not ANY and handler.command != method:
            return handler.method_not_allowed(method)
        return serve(handler, *args)
    return not_found(handler)
