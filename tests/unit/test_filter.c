/*
 * summary: tests for record/filter.c (-where expressions): every operator
 *          per field type, CIDR v4/v6 edges, regex, names, times, the
 *          and/or/not grammar, and the one-line parse errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record/filter.h"
#include "record/record.h"

static Netcap__Connection conn;
static Netcap__DNS dns;
static Netcap__TLSClientHello hello;

static char s_src[] = "10.1.2.3", s_dst[] = "2001:db8::1", s_http[] = "HTTP", s_fin[] = "fin",
            s_sni[] = "www.example.com";

static void setup_msgs(void)
{
    netcap__connection__init(&conn);
    conn.timestamp_first = 1300475168892037000LL; /* 2011-03-18T19:06:08.892037Z */
    conn.src_ip = s_src;
    conn.dst_ip = s_dst;
    conn.src_port = 51000;
    conn.dst_port = 80;
    conn.ip_protocol = 6;
    conn.application_proto = s_http;
    conn.duration = 1500000000LL;
    conn.num_packets = 12;
    conn.end_reason = s_fin;
    netcap__dns__init(&dns);
    dns.response_code = 3;
    dns.qr = 1;
    static int32_t suites[] = { 4865, 4866 };
    netcap__tlsclient_hello__init(&hello);
    hello.n_cipher_suites = 2;
    hello.cipher_suites = suites;
    static uint8_t rnd[] = { 0x00, 0x0d, 0x0a, 0xff };
    hello.random.data = rnd;
    hello.random.len = sizeof(rnd);
    hello.sni = s_sni;
}

/* Parses expr for m's type and returns whether m matches (parse must work). */
static bool m_(const ProtobufCMessage *m, const char *expr)
{
    struct nc_filter *f = NULL;
    char err[NC_FILTER_ERRBUF_SIZE] = "";
    int rc = nc_filter_parse(&f, m->descriptor, expr, err, sizeof(err));
    if (rc != NC_OK) {
        fail_msg("'%s' did not parse: %s", expr, err);
    }
    bool hit = nc_filter_match(f, m);
    nc_filter_free(f);
    return hit;
}

#define YES(m, e) assert_true(m_(&(m).base, e))
#define NO(m, e)  assert_false(m_(&(m).base, e))

/* Parse error: one line, containing want. */
static void bad(const char *expr, const char *want)
{
    struct nc_filter *f = NULL;
    char err[NC_FILTER_ERRBUF_SIZE] = "";
    assert_int_equal(
            nc_filter_parse(&f, &netcap__connection__descriptor, expr, err, sizeof(err)), NC_EARG);
    assert_null(f);
    if (!strstr(err, want)) {
        fail_msg("error for '%s' is '%s', lacks '%s'", expr, err, want);
    }
    assert_null(strchr(err, '\n'));
}

static void test_numbers(void **state)
{
    (void)state;
    setup_msgs();
    YES(conn, "dst_port=80");
    YES(conn, "dst_port==80");
    NO(conn, "dst_port!=80");
    YES(conn, "dst_port<81");
    NO(conn, "dst_port<80");
    YES(conn, "dst_port<=80");
    YES(conn, "dst_port>79");
    YES(conn, "dst_port>=80");
    NO(conn, "dst_port>=81");
    YES(conn, "num_packets = 0xc"); /* base prefixes, blanks around the operator */
    YES(conn, "ip_protocol=TCP");   /* a name */
    YES(conn, "ip_protocol=tcp");
    NO(conn, "ip_protocol=UDP");
    YES(conn, "ip_protocol_name=TCP"); /* the name column as text */
    YES(conn, "ip_protocol_name~/^T.P$/");
    YES(dns, "response_code=NXDOMAIN");
    YES(dns, "qr=true");
    NO(dns, "qr=false");
    YES(dns, "qr!=0");
}

static void test_times(void **state)
{
    (void)state;
    setup_msgs();
    YES(conn, "timestamp_first=2011-03-18T19:06:08.892037Z");
    YES(conn, "timestamp_first>=2011-03-18T20:06:08+01:00");
    YES(conn, "timestamp_first<2011-03-18T19:06:09Z");
    YES(conn, "timestamp_first>1300475168");
    YES(conn, "timestamp_first>13004751689"); /* 11 digits: ns, not seconds */
    YES(conn, "timestamp_first=1300475168892037000");
    NO(conn, "timestamp_first<1300475168.892037");
    YES(conn, "duration=1.5s");
    YES(conn, "duration>1s and duration<2000ms");
    YES(conn, "duration=1500000000");
}

static void test_text(void **state)
{
    (void)state;
    setup_msgs();
    YES(conn, "application_proto=HTTP");
    NO(conn, "application_proto=http");
    YES(conn, "application_proto~TT");
    NO(conn, "application_proto!~TT");
    YES(conn, "application_proto~/^H?T+P$/");
    NO(conn, "application_proto~/^TLS/");
    YES(conn, "application_proto<I");
    YES(conn, "end_reason=\"fin\"");
    YES(conn, "end_reason~\"i\"");
    YES(conn, "tunnel_parent=\"\""); /* unset string is "" */
    YES(hello, "sni~example");
    YES(hello, "sni~/example\\.com$/");
    YES(hello, "sni~/a\\/?m/"); /* \/ is a slash inside /.../ */
    YES(hello, "random~0d0a");
    YES(hello, "random=000d0aff");
    NO(hello, "random=000d0a");
    YES(hello, "cipher_suites=4866"); /* any element */
    NO(hello, "cipher_suites=1");
    YES(hello, "cipher_suites!=1");
    NO(hello, "cipher_suites!=4865");
}

static void test_cidr(void **state)
{
    (void)state;
    setup_msgs();
    YES(conn, "src_ip=10.0.0.0/8");
    YES(conn, "src_ip=10.1.2.3");
    YES(conn, "src_ip=10.1.2.3/32");
    NO(conn, "src_ip=10.1.2.2/32");
    YES(conn, "src_ip=10.1.2.2/31");
    YES(conn, "src_ip=0.0.0.0/0");
    NO(conn, "src_ip=11.0.0.0/8");
    NO(conn, "src_ip=::/0"); /* another family never matches */
    YES(conn, "src_ip!=192.168.0.0/16");
    YES(conn, "dst_ip=2001:db8::/32");
    YES(conn, "dst_ip=2001:0db8:0::1"); /* compared as addresses, not text */
    YES(conn, "dst_ip=2001:db8::1/128");
    NO(conn, "dst_ip=2001:db8::2/128");
    YES(conn, "dst_ip=2001:db8::/127");
    YES(conn, "dst_ip=::/0");
    NO(conn, "dst_ip=0.0.0.0/0");
    YES(conn, "dst_ip=2001:db9::/31"); /* prefixes that end inside a byte */
    NO(conn, "dst_ip=2001:db9::/32");
    NO(conn, "dst_ip=2001:dba::/31");
    YES(conn, "src_ip=10.1.2.0/23");
    NO(conn, "src_ip=10.1.4.0/23");
}

static void test_logic(void **state)
{
    (void)state;
    setup_msgs();
    YES(conn, "dst_port=80 and src_port=51000");
    NO(conn, "dst_port=80 and src_port=1");
    YES(conn, "dst_port=1 or src_port=51000");
    YES(conn, "not dst_port=1");
    YES(conn, "!dst_port=1");
    YES(conn, "dst_port=80 && (src_port=1 || src_port=51000)");
    /* and binds tighter than or */
    YES(conn, "dst_port=1 and src_port=1 or dst_port=80");
    NO(conn, "dst_port=1 and (src_port=1 or dst_port=80)");
    YES(conn, "NOT (dst_port=1 OR dst_port=2) AND src_ip=10.0.0.0/8");
    YES(conn, "((((dst_port=80))))");
}

static void test_errors(void **state)
{
    (void)state;
    bad("", "empty expression");
    bad("srcip=1", "column 1 'srcip': unknown field");
    bad("srcip=1", "src_ip, src_port");
    bad("dst_port", "expected =, !=");
    bad("dst_port=", "expected a value");
    bad("dst_port=80 and", "column 16 (the end): expected a field name");
    bad("dst_port=80 src_port=1", "column 13 'src_port=1': expected 'and', 'or'");
    bad("(dst_port=80", "expected ')'");
    bad("dst_port=80)", "')' without '('");
    bad("dst_port=eighty", "column 10 'eighty': 'dst_port' is a number");
    bad("dst_port~8", "~ applies to text");
    bad("ip_protocol=NOPE", "a number or a known name");
    bad("application_proto~/[/", "bad regex");
    bad("application_proto~/abc", "unterminated regex");
    bad("end_reason=\"fin", "unterminated string");
    bad("timestamp_first>2011-02-30", "no such date");
    bad("timestamp_first>9999-01-01", "outside the range");
    bad("timestamp_first>2011-03-18T19:06:08", "lacks its zone");
    bad("timestamp_first>2011-03-18T19:06:08.1234567891Z", "finer than a nanosecond");
    bad("duration>1.0001us", "finer than a nanosecond");
    bad("duration>fast", "not a duration");
    bad("dst_port>=80 and nothere_name=x", "unknown field");
    bad("src_ip_name=x", "unknown field"); /* src_ip has no names */
    /* caps: nesting depth and length */
    char deep[300];
    memset(deep, '(', 100);
    strcpy(deep + 100, "dst_port=1");
    memset(deep + 110, ')', 100);
    deep[210] = '\0';
    bad(deep, "nested too deeply");
    char *lng = malloc(NC_FILTER_MAX_LEN + 2);
    assert_non_null(lng);
    memset(lng, ' ', NC_FILTER_MAX_LEN + 1);
    lng[NC_FILTER_MAX_LEN + 1] = '\0';
    bad(lng, "longer than");
    free(lng);
}

static void test_time_field(void **state)
{
    (void)state;
    setup_msgs();
    const ProtobufCFieldDescriptor *f = nc_filter_time_field(&netcap__connection__descriptor);
    assert_non_null(f);
    assert_string_equal(f->name, "timestamp_first");
    assert_int_equal(nc_filter_time_of(f, &conn.base), conn.timestamp_first);
    f = nc_filter_time_field(&netcap__dns__descriptor);
    assert_string_equal(f->name, "timestamp");
    assert_null(nc_filter_time_field(&netcap__dnsquestion__descriptor));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_time_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
