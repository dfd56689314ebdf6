-- rest_fdw demo: customers come from a REST API protected by OAuth 2.0
-- (the bundled test server), invoices from a local table.
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'

CREATE EXTENSION rest_fdw;

-- the API: base URL and OAuth 2.0 settings (no secrets here)
CREATE SERVER crm FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url',
           authentication_method 'OAuth2',
           token_uri :'token_uri',
           scope 'read');

-- this user's secrets: only the user mapping holds them
CREATE USER MAPPING FOR CURRENT_USER SERVER crm
  OPTIONS (client_id 'regress_client',
           client_secret :'client_secret',
           refresh_token :'refresh_token');

CREATE FOREIGN TABLE crm_customers (
  id       int,
  name     text,
  country  text,
  city     text OPTIONS (json_path 'address.city'),
  active   boolean,
  balance  numeric,
  tags     text[]
) SERVER crm OPTIONS (endpoint '/api/customers');

-- a local table
CREATE TABLE invoices (
  invoice_no  int PRIMARY KEY,
  customer_id int NOT NULL,
  issued_on   date NOT NULL,
  amount      numeric(12,2) NOT NULL
);
INSERT INTO invoices
SELECT n, 1 + n % 5, date '2026-01-01' + (n * 7) % 300, round((50 + (n * 37) % 950)::numeric, 2)
FROM generate_series(1, 60) AS n;

\echo
\echo '== Customers, straight from the API =='
SELECT id, name, country, city, active, tags FROM crm_customers ORDER BY id;

\echo '== Report: 2026 invoicing per customer, API data joined with the local invoices table =='
SELECT c.name,
       coalesce(c.country, '??') AS country,
       c.city,
       count(*)                  AS invoices,
       sum(i.amount)             AS invoiced,
       round(avg(i.amount), 2)   AS average,
       max(i.issued_on)          AS last_invoice
FROM crm_customers AS c
JOIN invoices AS i ON i.customer_id = c.id
WHERE c.active
GROUP BY c.name, c.country, c.city
ORDER BY invoiced DESC;

\echo '== How the scan ran (one request; the access token was obtained once and is cached) =='
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM crm_customers WHERE active;
