/*
 * summary: the HTTP parser on real captures, compared with Zeek and tshark.
 *
 * For each case of ../shared/corpus (or $CORPUS) below, the TCP streams of
 * the capture come from tests/tools/http_streams.py (Python 3, standard
 * library), generated at test time; nothing large is committed. Each
 * connection is probed as the stream stage would (the first bytes of the
 * client side, else of the server side, through nc_parser_http.probe), and
 * a connection taken as HTTP is fed, event by event (data, gaps, end), to a
 * harness stream. The records, tagged with the connection's addresses, go
 * to a temporary file that `http_streams.py compare` checks against the
 * case's oracle/zeek/http.log and oracle/tshark/http.tsv: method, host,
 * URI, user agent and status per exchange, matched/compared printed per
 * field. A case whose capture (or python3) is absent is skipped (cmocka
 * SKIPPED, counted). Run from the repository root, as `make unit` does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/parser.h"

static const char tool[] = "tests/tools/http_streams.py";

struct ev {
    char type; /* 'D' data, 'G' gap */
    int dir;
    int64_t ts;
    uint8_t *data;
    size_t len;
};

struct conn {
    char tuple[256];
    struct ev *ev;
    size_t n_ev, cap_ev;
    bool ended;
    int64_t end_ts;
};

static struct conn *conns;
static size_t n_conns;
static unsigned long n_http, n_other;

static void add_ev(struct conn *c, struct ev e)
{
    if (c->n_ev == c->cap_ev) {
        c->cap_ev = c->cap_ev ? 2 * c->cap_ev : 16;
        c->ev = realloc(c->ev, c->cap_ev * sizeof(*c->ev));
        assert_non_null(c->ev);
    }
    c->ev[c->n_ev++] = e;
}

static bool by_port(const struct conn *c)
{
    unsigned port = 0;
    const char *sp = strrchr(c->tuple, ' ');
    if (sp) {
        port = (unsigned)strtoul(sp + 1, NULL, 10);
    }
    for (size_t i = 0; i < nc_parser_http.n_ports; i++) {
        if (nc_parser_http.ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* The first bytes of direction dir (up to the first gap), as probed. */
static enum nc_probe probe_dir(const struct conn *c, int dir)
{
    uint8_t buf[256];
    size_t n = 0;
    for (size_t i = 0; i < c->n_ev && n < sizeof(buf); i++) {
        const struct ev *e = &c->ev[i];
        if (e->dir != dir) {
            continue;
        }
        if (e->type == 'G') {
            break;
        }
        size_t take = e->len < sizeof(buf) - n ? e->len : sizeof(buf) - n;
        memcpy(buf + n, e->data, take);
        n += take;
    }
    if (n == 0) {
        return NC_PROBE_MORE;
    }
    uint8_t *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    enum nc_probe v = nc_parser_http.probe(copy, n, dir, by_port(c));
    free(copy);
    return v;
}

/* Feed one connection if it is HTTP; its records go to out. */
static void run_conn(struct conn *c, FILE *out)
{
    enum nc_probe v0 = probe_dir(c, 0);
    enum nc_probe v1 = probe_dir(c, 1);
    if (v0 != NC_PROBE_YES && v1 != NC_PROBE_YES) {
        n_other++;
        return;
    }
    n_http++;
    struct nc_stream *s = nc_stream_test_new(&nc_parser_http, 0);
    assert_non_null(s);
    for (size_t i = 0; i < c->n_ev; i++) {
        const struct ev *e = &c->ev[i];
        if (e->type == 'G') {
            nc_stream_test_gap(s, e->dir, e->len, e->ts);
        } else {
            uint8_t *copy = malloc(e->len ? e->len : 1);
            assert_non_null(copy);
            memcpy(copy, e->data, e->len);
            nc_stream_test_feed(s, e->dir, copy, e->len, e->ts);
            free(copy);
        }
    }
    nc_stream_test_close(s, c->end_ts);
    assert_int_equal(nc_stream_test_budget_used(s), 0);
    const char *json = nc_stream_test_json(s);
    while (*json) {
        const char *nl = strchr(json, '\n');
        size_t len = nl ? (size_t)(nl - json) : strlen(json);
        fprintf(out, "%s\t%.*s\n", c->tuple, (int)len, json);
        json += len + (nl ? 1 : 0);
    }
    nc_stream_test_free(s);
}

static void free_conns(void)
{
    for (size_t i = 0; i < n_conns; i++) {
        for (size_t k = 0; k < conns[i].n_ev; k++) {
            free(conns[i].ev[k].data);
        }
        free(conns[i].ev);
    }
    free(conns);
    conns = NULL;
    n_conns = 0;
}

static struct conn *conn_by_id(unsigned long id)
{
    assert_true(id >= 1 && id <= n_conns);
    return &conns[id - 1];
}

/* Reads the events of `http_streams.py streams pcap`. */
static void read_streams(const char *pcap)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "python3 %s streams '%s'", tool, pcap);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    char line[512];
    while (fgets(line, sizeof(line), fp)) {
        unsigned long id = 0;
        int dir = 0;
        long long ts = 0;
        size_t len = 0;
        if (line[0] == 'C') {
            char a[128], b[128];
            unsigned ap = 0, bp = 0;
            assert_int_equal(sscanf(line, "C %lu %127s %u %127s %u", &id, a, &ap, b, &bp), 5);
            assert_int_equal(id, n_conns + 1);
            conns = realloc(conns, (n_conns + 1) * sizeof(*conns));
            assert_non_null(conns);
            memset(&conns[n_conns], 0, sizeof(conns[n_conns]));
            snprintf(conns[n_conns].tuple, sizeof(conns[n_conns].tuple), "%s %u %s %u", a, ap, b,
                    bp);
            n_conns++;
        } else if (line[0] == 'D' || line[0] == 'G') {
            assert_int_equal(sscanf(line + 1, "%lu %d %lld %zu", &id, &dir, &ts, &len), 4);
            struct ev e = { line[0], dir & 1, ts, NULL, len };
            if (line[0] == 'D') {
                e.data = malloc(len ? len : 1);
                assert_non_null(e.data);
                assert_int_equal(fread(e.data, 1, len, fp), len);
            }
            add_ev(conn_by_id(id), e);
        } else if (line[0] == 'E') {
            assert_int_equal(sscanf(line, "E %lu %lld", &id, &ts), 2);
            struct conn *c = conn_by_id(id);
            c->ended = true;
            c->end_ts = ts;
        } else {
            fail_msg("unexpected line from %s: %s", tool, line);
        }
    }
    assert_int_equal(pclose(fp), 0);
}

static const char *corpus_dir(void)
{
    const char *c = getenv("CORPUS");
    return c && *c ? c : "../shared/corpus";
}

static void run_case(const char *name)
{
    char dir[2048], pcap[4096];
    snprintf(dir, sizeof(dir), "%s/%s", corpus_dir(), name);
    snprintf(pcap, sizeof(pcap), "%s/%s.pcap", dir, name);
    struct stat st;
    if (stat(pcap, &st) != 0 || access(tool, R_OK) != 0 ||
            system("python3 -c '' 2>/dev/null") != 0) {
        print_message("SKIP %s: capture, %s or python3 absent\n", name, tool);
        skip();
    }
    read_streams(pcap);
    char tmp[] = "/tmp/netcap-http-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    n_http = n_other = 0;
    for (size_t i = 0; i < n_conns; i++) {
        run_conn(&conns[i], out);
    }
    fclose(out);
    print_message("%s: %zu TCP connections, %lu taken as HTTP\n", name, n_conns, n_http);
    free_conns();
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "python3 %s compare '%s' '%s'", tool, dir, tmp);
    fflush(stdout);
    int rc = system(cmd);
    unlink(tmp);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

static void test_zeek_http_get(void **state)
{
    NC_UNUSED(state);
    run_case("zeek-http-get");
}

static void test_arkime_http_simple_get(void **state)
{
    NC_UNUSED(state);
    run_case("arkime-http-simple-get");
}

static void test_arkime_v6_http(void **state)
{
    NC_UNUSED(state);
    run_case("arkime-v6-http");
}

static void test_zeek_wikipedia(void **state)
{
    NC_UNUSED(state);
    run_case("zeek-wikipedia");
}

static void test_ndpi_1kxun(void **state)
{
    NC_UNUSED(state);
    run_case("ndpi-1kxun");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeek_http_get),
        cmocka_unit_test(test_arkime_http_simple_get),
        cmocka_unit_test(test_arkime_v6_http),
        cmocka_unit_test(test_zeek_wikipedia),
        cmocka_unit_test(test_ndpi_1kxun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
