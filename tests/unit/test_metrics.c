/*
 * summary: tests for metrics/registry.c (Prometheus text exposition: label
 *          and HELP escaping, family ordering, HELP/TYPE lines, names) and
 *          metrics/extract.c (extractors by record type, -per-ip cap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/extract.h"
#include "metrics/registry.h"

/* Renders r into a NUL-terminated static buffer. */
static const char *render(struct nc_mx_registry *r)
{
    static char text[1 << 16];
    struct nc_dbuf b;
    nc_dbuf_init(&b, NC_MX_TEXT_MAX);
    assert_int_equal(nc_mx_render(r, &b), NC_OK);
    assert_true(b.len < sizeof(text));
    memcpy(text, b.p ? (const char *)b.p : "", b.len);
    text[b.len] = '\0';
    nc_dbuf_fini(&b);
    return text;
}

static void test_escaping(void **state)
{
    (void)state;
    struct nc_mx_registry *r = nc_mx_registry_new();
    const char *labels[] = { "path", "a\\b\"c\nd", NULL };
    struct nc_mx_metric *m = nc_mx_counter(r, "x_total", "help \\ with\nnewline", labels);
    assert_non_null(m);
    nc_mx_add(m, 3);
    const char *t = render(r);
    assert_string_equal(t, "# HELP x_total help \\\\ with\\nnewline\n"
                           "# TYPE x_total counter\n"
                           "x_total{path=\"a\\\\b\\\"c\\nd\"} 3\n");
    nc_mx_registry_free(r);
}

static int coll_b(void *ctx, struct nc_mx_emit *e)
{
    (void)ctx;
    assert_int_equal(nc_mx_family(e, "b_total", NC_MX_COUNTER, "B."), NC_OK);
    assert_int_equal(nc_mx_sample_u64(e, 2, "k", "y", NULL), NC_OK);
    assert_int_equal(nc_mx_sample_u64(e, 1, "k", "x", NULL), NC_OK);
    /* a second family of the same name is refused, and its samples too */
    assert_int_equal(nc_mx_family(e, "b_total", NC_MX_COUNTER, "B again."), NC_EARG);
    assert_int_equal(nc_mx_sample_u64(e, 9, NULL), NC_EARG);
    /* invalid names are refused, never written */
    assert_int_equal(nc_mx_family(e, "9bad", NC_MX_GAUGE, "x"), NC_EARG);
    assert_int_equal(nc_mx_family(e, "c", NC_MX_GAUGE, "C."), NC_OK);
    assert_int_equal(nc_mx_sample_u64(e, 1, "__reserved", "v", NULL), NC_EARG);
    assert_int_equal(nc_mx_sample_u64(e, 1, "bad-label", "v", NULL), NC_EARG);
    assert_int_equal(nc_mx_sample_f64(e, 0.5, NULL), NC_OK);
    return NC_OK;
}

static int coll_a(void *ctx, struct nc_mx_emit *e)
{
    (void)ctx;
    assert_int_equal(nc_mx_family(e, "a_gauge", NC_MX_GAUGE, "A."), NC_OK);
    assert_int_equal(nc_mx_sample_u64(e, 7, "one", "1", "two", "2", NULL), NC_OK);
    return NC_OK;
}

static void test_ordering(void **state)
{
    (void)state;
    struct nc_mx_registry *r = nc_mx_registry_new();
    assert_int_equal(nc_mx_add_collector(r, coll_b, NULL), NC_OK);
    assert_int_equal(nc_mx_add_collector(r, coll_a, NULL), NC_OK);
    struct nc_mx_metric *g = nc_mx_gauge(r, "z_open", "Z.", NULL);
    nc_mx_set(g, 4);
    /* families sorted by name, HELP then TYPE then samples in emission order */
    assert_string_equal(render(r), "# HELP a_gauge A.\n"
                                    "# TYPE a_gauge gauge\n"
                                    "a_gauge{one=\"1\",two=\"2\"} 7\n"
                                    "# HELP b_total B.\n"
                                    "# TYPE b_total counter\n"
                                    "b_total{k=\"y\"} 2\n"
                                    "b_total{k=\"x\"} 1\n"
                                    "# HELP c C.\n"
                                    "# TYPE c gauge\n"
                                    "c 0.5\n"
                                    "# HELP z_open Z.\n"
                                    "# TYPE z_open gauge\n"
                                    "z_open 4\n");
    nc_mx_registry_free(r);
}

static void test_owned(void **state)
{
    (void)state;
    struct nc_mx_registry *r = nc_mx_registry_new();
    const char *l1[] = { "state", "up", NULL };
    const char *l2[] = { "state", "down", NULL };
    struct nc_mx_metric *a = nc_mx_gauge(r, "netcap_agent_broker", "Broker state.", l1);
    struct nc_mx_metric *b = nc_mx_gauge(r, "netcap_agent_broker", "Broker state.", l2);
    assert_non_null(a);
    assert_non_null(b);
    /* same name, other kind or help: refused */
    assert_null(nc_mx_counter(r, "netcap_agent_broker", "Broker state.", NULL));
    assert_null(nc_mx_gauge(r, "netcap_agent_broker", "Other help.", NULL));
    assert_null(nc_mx_gauge(r, "bad name", "x", NULL));
    const char *bad[] = { "0k", "v", NULL };
    assert_null(nc_mx_gauge(r, "ok_name", "x", bad));
    nc_mx_set(a, 1);
    nc_mx_add(b, 0.25);
    nc_mx_add(b, 0.25);
    nc_mx_set(NULL, 1); /* ignored */
    assert_true(nc_mx_value(b) == 0.5);
    assert_string_equal(render(r), "# HELP netcap_agent_broker Broker state.\n"
                                    "# TYPE netcap_agent_broker gauge\n"
                                    "netcap_agent_broker{state=\"up\"} 1\n"
                                    "netcap_agent_broker{state=\"down\"} 0.5\n");
    nc_mx_registry_free(r);
}

static void test_floats(void **state)
{
    (void)state;
    char b[40];
    nc_mx_format_f64(b, sizeof(b), 0.0 / 0.0);
    assert_string_equal(b, "NaN");
    nc_mx_format_f64(b, sizeof(b), 1.0 / 0.0);
    assert_string_equal(b, "+Inf");
    nc_mx_format_f64(b, sizeof(b), -1.0 / 0.0);
    assert_string_equal(b, "-Inf");
    nc_mx_format_f64(b, sizeof(b), 12345678901.0);
    assert_string_equal(b, "12345678901");
    nc_mx_format_f64(b, sizeof(b), 0.125);
    assert_string_equal(b, "0.125");
    assert_true(nc_mx_valid_name("netcap_x:y_total"));
    assert_false(nc_mx_valid_name(""));
    assert_false(nc_mx_valid_label("a:b"));
}

static void test_extract(void **state)
{
    (void)state;
    nc_record_init();
    struct nc_mx_records *x = nc_mx_records_new(1);
    assert_non_null(x);
    Netcap__DNS d;
    netcap__dns__init(&d);
    d.qr = 1;
    d.response_code = 3;
    Netcap__IPv4 ip;
    netcap__ipv4__init(&ip);
    nc_mx_current = nc_mx_records_slot(x, 0);
    nc_mx_on_record(NC_REC_DNS, &d.base);
    d.response_code = 99; /* extended: "other" */
    nc_mx_on_record(NC_REC_DNS, &d.base);
    ip.src_ip = (char *)(uintptr_t) "10.0.0.1";
    nc_mx_on_record(NC_REC_IPv4, &ip.base);
    nc_mx_current = nc_mx_records_slot(x, 1);
    nc_mx_on_record(NC_REC_IPv4, &ip.base);
    ip.src_ip = (char *)(uintptr_t) "10.0.0.2"; /* past -per-ip 1 in this slot */
    nc_mx_on_record(NC_REC_IPv4, &ip.base);
    nc_mx_on_record(NC_REC_IPv4, &ip.base);
    nc_mx_current = NULL;
    nc_mx_on_record(NC_REC_DNS, &d.base); /* not counted: no slot */
    assert_int_equal(nc_mx_records_count(x, NC_REC_DNS), 2);
    assert_int_equal(nc_mx_records_count(x, NC_REC_IPv4), 4);
    struct nc_mx_registry *r = nc_mx_registry_new();
    assert_int_equal(nc_mx_add_collector(r, nc_mx_records_collect, x), NC_OK);
    const char *t = render(r);
    assert_non_null(strstr(t, "netcap_dns_responses_total{rcode=\"NXDOMAIN\"} 1\n"));
    assert_non_null(strstr(t, "netcap_dns_responses_total{rcode=\"other\"} 1\n"));
    assert_non_null(strstr(t, "# TYPE netcap_dns_responses_total counter\n"));
    /* 10.0.0.1 twice in two slots; 10.0.0.2 never got a label: other */
    assert_non_null(strstr(t, "netcap_ip_src_packets_total{ip=\"10.0.0.1\"} 2\n"));
    assert_non_null(strstr(t, "netcap_ip_src_packets_total{ip=\"other\"} 2\n"));
    assert_null(strstr(t, "10.0.0.2"));
    nc_mx_registry_free(r);
    nc_mx_records_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_owned),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_extract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
