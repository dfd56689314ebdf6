# rest_fdw: PostgreSQL foreign data wrapper for REST/JSON APIs
MODULE_big = rest_fdw
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))

EXTENSION = rest_fdw
DATA = rest_fdw--0.1.sql
PGFILEDESC = "rest_fdw - foreign data wrapper for REST/JSON APIs with OAuth 2.0"

# make installcheck: the pg_regress suite against the running server;
# the security_*.sql files run after the others, in name order
REGRESS = setup options auth auth_methods scan paging concurrency faults import import_sample \
	ratelimit \
	templates \
	rows \
	transport \
	$(sort $(basename $(notdir $(wildcard sql/security_*.sql))))
REGRESS += revocation token_types jwt login
REGRESS += model
REGRESS += children
REGRESS += migrate
REGRESS += httprules
REGRESS += params
REGRESS += writes
REGRESS += cache
# SigV4 with encoded query strings: not with the libcurl of Debian 13 (8.0
# to 8.14 sign some wrongly)
ifneq (,$(shell v=$$(curl-config --vernum 2>/dev/null) && { [ $$((0x$$v)) -lt $$((0x080000)) ] || [ $$((0x$$v)) -gt $$((0x080e01)) ]; } && echo yes))
REGRESS += auth_sigv4_query
endif
# NTLM only where libcurl has it (some builds of curl 8 leave it out)
ifneq (,$(shell curl-config --features 2>/dev/null | grep -x NTLM))
REGRESS += auth_ntlm
endif
REGRESS += paging_more \
	$(sort $(basename $(notdir $(wildcard sql/api_*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=test/results

# make prove_installcheck: the TAP tests, each on nodes of its own
# (PostgreSQL::Test::Cluster, in tmp_check/)
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

# installcheck is defined below, with the test API
NO_INSTALLCHECK = 1

PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$(shell pkg-config --cflags libcurl jansson openssl libxml-2.0 2>/dev/null)
# libcsv (csv.c) ships no pkg-config file; libxml2 (xml.c) is PostgreSQL's
SHLIB_LINK = $(shell pkg-config --libs libcurl jansson openssl 2>/dev/null || echo -lcurl -ljansson -lssl -lcrypto) -lcsv \
	$(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)

EXTRA_CLEAN = test/results

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every file includes these: a change rebuilds everything (PGXS tracks
# dependencies only when PostgreSQL was configured with --enable-depend)
$(OBJS): $(wildcard src/*.h)

# The tests reach the bundled test API (test/api/) through the
# REST_TEST_* variables of test/lib.sh.  Unless REST_TEST_PORT is set (by
# test/run-tests.sh), each run starts the test API and stops it after.
with_test_api = . $(srcdir)/test/lib.sh && use_test_api $(srcdir) &&

installcheck: submake $(REGRESS_PREP)
	$(with_test_api) $(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

.PHONY: prove_installcheck
ifneq (,$(wildcard $(top_srcdir)/src/test/perl/PostgreSQL/Test/Cluster.pm))
prove_installcheck:
	@if [ "$$(id -u)" -eq 0 ]; then echo "initdb cannot run as root: run make prove_installcheck as another user (README \"Tests\")" >&2; exit 1; fi
	$(with_test_api) $(prove_installcheck)
else
prove_installcheck:
	@echo "the TAP tests need PostgreSQL::Test::Cluster, which PostgreSQL $(MAJORVERSION) does not ship" >&2; exit 1
endif
REGRESS += formats
