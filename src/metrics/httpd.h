/*
 * summary: the HTTP server of a metrics registry (libmicrohttpd): GET or
 *          HEAD /metrics renders the registry; / says where the metrics
 *          are; other paths 404, other methods 405.
 *
 * One internal polling thread. Capped with libmicrohttpd's options: 64
 * connections in all, 32 from one address, 16 KiB of request line and
 * headers per connection (a huge URL or header is answered 414/431 and
 * closed), 10 s idle timeout; request bodies are never read. Any command
 * can serve its own registry with it (netcap export; an agent: see
 * docs/METRICS.md).
 */
#ifndef NC_METRICS_HTTPD_H
#define NC_METRICS_HTTPD_H

#include "core/common.h"
#include "metrics/registry.h"

enum {
    NC_MX_HTTP_MAX_CONNS = 64,
    NC_MX_HTTP_MAX_PER_IP = 32,
    NC_MX_HTTP_TIMEOUT_S = 10,
    NC_MX_HTTP_REQ_MEMORY = 16384,
};

struct nc_mx_httpd;

/* Listen on "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses; port 0:
 * any free one, *port gets the one bound). NULL with errbuf set: "not
 * HOST:PORT ...", "cannot resolve ...", "cannot listen on ...". r must
 * outlive the server. */
struct nc_mx_httpd *nc_mx_httpd_start(
        struct nc_mx_registry *r, const char *listen, unsigned *port, char errbuf[NC_ERRBUF_SIZE]);
/* Stops serving (waits for the thread); NULL is fine. */
void nc_mx_httpd_stop(struct nc_mx_httpd *h);

#endif
