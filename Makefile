# rest_fdw: PostgreSQL foreign data wrapper for REST/JSON APIs
MODULE_big = rest_fdw
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))

EXTENSION = rest_fdw
DATA = rest_fdw--0.1.sql
PGFILEDESC = "rest_fdw - foreign data wrapper for REST/JSON APIs with OAuth 2.0"

# the security_*.sql files run after the others, in name order
REGRESS = setup options auth scan paging concurrency faults import \
	$(sort $(basename $(notdir $(wildcard sql/security_*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=test/results

PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$(shell pkg-config --cflags libcurl jansson openssl 2>/dev/null)
SHLIB_LINK = $(shell pkg-config --libs libcurl jansson openssl 2>/dev/null || echo -lcurl -ljansson -lssl -lcrypto)

EXTRA_CLEAN = test/results

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
