/*
 * summary: HTTP server of a metrics registry (see httpd.h).
 */
#include "metrics/httpd.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/mem.h"

struct nc_mx_httpd {
    struct nc_mx_registry *reg;
    struct MHD_Daemon *d;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
        const char *body, size_t len, bool allow)
{
    struct MHD_Response *r =
            MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!r) {
        return MHD_NO;
    }
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
        const char *method, const char *version, const char *upload_data, size_t *upload_data_size,
        void **con_cls)
{
    struct nc_mx_httpd *x = cls;
    NC_UNUSED(version);
    NC_UNUSED(upload_data);
    NC_UNUSED(upload_data_size);
    NC_UNUSED(con_cls);
    static const char text[] = "text/plain; charset=utf-8";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char m[] = "method not allowed: GET or HEAD\n";
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, m, sizeof(m) - 1, true);
    }
    if (strcmp(url, "/metrics") == 0) {
        struct nc_dbuf b;
        nc_dbuf_init(&b, NC_MX_TEXT_MAX);
        int rc = nc_mx_render(x->reg, &b);
        enum MHD_Result ok;
        if (rc == NC_OK) {
            ok = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                    b.p ? (const char *)b.p : "", b.len, false);
        } else {
            char m[128];
            int n = snprintf(m, sizeof(m), "cannot render the metrics: %s\n", nc_strerror(rc));
            ok = reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, text, m, (size_t)n, false);
        }
        nc_dbuf_fini(&b);
        return ok;
    }
    if (strcmp(url, "/") == 0) {
        static const char m[] = "netcap exporter: metrics at /metrics\n";
        return reply(c, MHD_HTTP_OK, text, m, sizeof(m) - 1, false);
    }
    static const char m[] = "not found: metrics are at /metrics\n";
    return reply(c, MHD_HTTP_NOT_FOUND, text, m, sizeof(m) - 1, false);
}

/* "host:port", "[v6]:port" or ":port" (every address) into ss. */
static bool parse_listen(
        const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    if (!colon || colon[1] == '\0') {
        snprintf(why, whylen, "'%s' is not HOST:PORT (e.g. 127.0.0.1:7777)", s);
        return false;
    }
    size_t hl = (size_t)(colon - s);
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h = s + 1;
        hl -= 2;
    }
    if (hl >= sizeof(host)) {
        snprintf(why, whylen, "host name too long");
        return false;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || port < 0 || port > 65535) {
        snprintf(why, whylen, "'%s' is not a port number", colon + 1);
        return false;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(why, whylen, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return false;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

struct nc_mx_httpd *nc_mx_httpd_start(
        struct nc_mx_registry *r, const char *listen, unsigned *port, char errbuf[NC_ERRBUF_SIZE])
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    memset(&ss, 0, sizeof(ss));
    if (!parse_listen(listen, &ss, &sl, errbuf, NC_ERRBUF_SIZE)) {
        return NULL;
    }
    struct nc_mx_httpd *h = nc_calloc(1, sizeof(*h));
    if (!h) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    h->reg = r;
    unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
            (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)NC_MX_HTTP_MAX_CONNS,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)NC_MX_HTTP_MAX_PER_IP,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)NC_MX_HTTP_TIMEOUT_S,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)NC_MX_HTTP_REQ_MEMORY, MHD_OPTION_END);
    if (!h->d) {
        snprintf(errbuf, NC_ERRBUF_SIZE, "cannot listen on %s (in use, or not an address here?)",
                listen);
        nc_free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? (unsigned)di->port : 0u;
    return h;
}

void nc_mx_httpd_stop(struct nc_mx_httpd *h)
{
    if (h) {
        MHD_stop_daemon(h->d);
        nc_free(h);
    }
}
