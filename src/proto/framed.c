/*
 * summary: the feed loop of the header-framed message parsers (framed.h).
 */
#include "proto/framed.h"

/* Give up direction dir: counted; NC_PARSE_DONE when the other one is
 * given up too, else everything consumed. */
static long give_up(struct nc_stream *s, struct nc_framed_state *st, int dir, bool gap, size_t n)
{
    if (!st->off[dir]) {
        st->off[dir] = true;
        nc_stream_dir_off(s, gap);
    }
    return st->off[!dir] ? NC_PARSE_DONE : (long)n;
}

long nc_framed_feed(const struct nc_framed *f, struct nc_stream *s, struct nc_framed_state *st,
        int dir, const uint8_t *p, size_t n, int64_t ts)
{
    dir &= 1;
    if (st->off[dir]) {
        return (long)n;
    }
    struct nc_app_out o = {
        .s = s,
        .dir = dir,
        .ts = ts,
        .src_port = dir ? nc_stream_server_port(s) : nc_stream_client_port(s),
        .transport = "tcp",
    };
    size_t off = 0;
    while (off < n) {
        if (f->crlf_pings && (p[off] == '\r' || p[off] == '\n')) {
            off++;
            continue;
        }
        long len = f->frame(p + off, n - off);
        if (len < 0) {
            break; /* the header is not all there yet */
        }
        if (len == 0 || (size_t)len > f->max_msg) {
            return give_up(s, st, dir, false, n);
        }
        if ((size_t)len > n - off) {
            break; /* wait for the rest of the message */
        }
        (void)f->msg(&o, p + off, (size_t)len);
        off += (size_t)len;
    }
    return (long)off;
}

int nc_framed_gap(struct nc_stream *s, void *state, int dir, uint64_t n, int64_t ts)
{
    NC_UNUSED(n);
    NC_UNUSED(ts);
    long r = give_up(s, state, dir & 1, true, 0);
    return r == NC_PARSE_DONE ? NC_PARSE_DONE : 0;
}

void nc_framed_close(struct nc_stream *s, void *state, int64_t ts)
{
    NC_UNUSED(s);
    NC_UNUSED(state);
    NC_UNUSED(ts);
}
