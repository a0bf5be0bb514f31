/*
 * summary: the record helpers of appmsg.h: the packet's (nc_pkt_*) or the
 *          stream's (nc_stream_*), whichever path the message came by.
 */
#include "decode/appmsg.h"

#include "core/str.h"
#include "proto/parser.h"

static char empty_str[1] = "";

void *nc_app_record(struct nc_app_out *o, enum nc_rec_type t)
{
    if (o->pkt) {
        return nc_pkt_record(o->pkt, t);
    }
    return nc_stream_record(o->s, t, o->dir, o->ts);
}

void nc_app_emit(struct nc_app_out *o, void *rec)
{
    if (rec && !o->pkt) {
        nc_stream_emit(o->s, rec);
    }
}

void *nc_app_alloc(struct nc_app_out *o, size_t n)
{
    return o->pkt ? nc_pkt_alloc(o->pkt, n) : nc_stream_alloc(o->s, n);
}

char *nc_app_str(struct nc_app_out *o, const uint8_t *p, size_t n)
{
    return o->pkt ? nc_pkt_str(o->pkt, p, n) : nc_stream_str(o->s, p, n);
}

char *nc_app_ip4(struct nc_app_out *o, const uint8_t ip[4])
{
    if (o->pkt) {
        return nc_pkt_ip4(o->pkt, ip);
    }
    char *s = nc_stream_alloc(o->s, NC_IP4_STRLEN);
    if (!s) {
        return empty_str;
    }
    nc_fmt_ip4(s, ip);
    return s;
}

char *nc_app_ip6(struct nc_app_out *o, const uint8_t ip[16])
{
    if (o->pkt) {
        return nc_pkt_ip6(o->pkt, ip);
    }
    char *s = nc_stream_alloc(o->s, NC_IP6_STRLEN);
    if (!s) {
        return empty_str;
    }
    nc_fmt_ip6(s, ip);
    return s;
}
