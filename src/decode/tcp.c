/*
 * summary: TCP segment header -> TCP records; dispatches the payload by port.
 * spec:    RFC 9293 3.1 (header, options); RFC 3540 (NS bit); RFC 3168 (ECE, CWR).
 *
 *    0                   1                   2                   3
 *   +-------------------------------+-------------------------------+
 *   |          Source Port          |       Destination Port        |
 *   +-------------------------------+-------------------------------+
 *   |                        Sequence Number                        |
 *   +---------------------------------------------------------------+
 *   |                    Acknowledgment Number                      |
 *   +-------+-----+-+-+-+-+-+-+-+-+-+-------------------------------+
 *   |  Data |     |N|C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsv |S|W|C|R|C|S|S|Y|I|            Window             |
 *   |       |     | |R|E|G|K|H|T|N|N|                               |
 *   +-------+-----+-+-+-+-+-+-+-+-+-+-------------------------------+
 *   |           Checksum            |         Urgent Pointer        |
 *   +-------------------------------+-------------------------------+
 *   |                 Options (Data Offset * 4 - 20)                |
 *   +---------------------------------------------------------------+
 *   |   Payload ...
 *
 * The window on entry is the IP payload (the IP decoder cut it to the IP
 * length), so what follows the header is exactly the captured payload.
 * Segments are decoded one at a time here; reassembly is stream/'s job.
 */
#include "decode/decoder.h"

enum {
    TCP_HDR_LEN = 20,  /* fixed part; data offset 5 */
    TCP_MIN_DOFF = 5,  /* data offset counts 32-bit words; < 5 overlaps the fixed part */
    TCP_OPT_EOL = 0,   /* end of option list: the rest of the option space is padding */
    TCP_OPT_NOP = 1,   /* one-byte filler */
    TCP_MAX_OPTS = 40, /* 40 bytes of option space, at least one byte per option */
    TCP_IPPROTO = 6,
};

/*
 * Options in the sub-window o (exactly the option space of the header):
 * EOL and NOP are a single kind byte, every other option is kind, length
 * (counting kind and length), data. With rec set, fills rec->options and
 * rec->padding (arena memory; data borrows the packet); with rec NULL it
 * only validates, so verdicts do not depend on which records were asked
 * for. Options before an error are kept. The whole option space was
 * captured (the caller checked), so an option that does not fit it is
 * NC_EMALFORMED, as is a length below 2.
 */
static int parse_options(struct nc_pkt *pkt, struct nc_rd *o, Netcap__TCP *rec)
{
    size_t cap = NC_MIN(nc_rd_left(o), (size_t)TCP_MAX_OPTS);
    Netcap__TCPOption **v = NULL;
    if (rec && cap > 0) {
        v = nc_pkt_alloc(pkt, cap * sizeof(*v));
    }
    size_t n = 0;
    size_t n_stored = 0;
    int rc = NC_OK;
    while (nc_rd_left(o) > 0) {
        if (n == TCP_MAX_OPTS) {
            rc = NC_ELIMIT;
            break;
        }
        uint8_t kind = nc_rd_u8(o);
        uint8_t len = 1;
        struct nc_span data = { NULL, 0 };
        if (kind != TCP_OPT_EOL && kind != TCP_OPT_NOP) {
            len = nc_rd_u8(o);
            if (len < 2) {
                /* also catches a kind byte with no room for its length */
                rc = NC_EMALFORMED;
                break;
            }
            data = nc_rd_span(o, (size_t)len - 2);
            if (!nc_rd_ok(o)) {
                rc = NC_EMALFORMED;
                break;
            }
        }
        if (v && n_stored < cap) {
            Netcap__TCPOption *opt = nc_pkt_alloc(pkt, sizeof(*opt));
            if (opt) {
                netcap__tcpoption__init(opt);
                opt->option_type = kind;
                opt->option_length = len;
                opt->option_data = nc_bytes(data);
                v[n_stored++] = opt;
            }
        }
        n++;
        if (kind == TCP_OPT_EOL) {
            struct nc_span pad = nc_rd_rest(o);
            if (rec) {
                rec->padding = nc_bytes(pad);
            }
            break;
        }
    }
    if (rec) {
        rec->options = v;
        rec->n_options = n_stored;
    }
    return rc;
}

static int tcp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t sport = nc_rd_be16(r);
    uint16_t dport = nc_rd_be16(r);
    uint32_t seq = nc_rd_be32(r);
    uint32_t ack = nc_rd_be32(r);
    uint8_t doff_ns = nc_rd_u8(r);
    uint8_t flag_bits = nc_rd_u8(r);
    uint16_t window = nc_rd_be16(r);
    uint16_t checksum = nc_rd_be16(r);
    uint16_t urgent = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    uint8_t doff = (uint8_t)(doff_ns >> 4);
    if (doff < TCP_MIN_DOFF) {
        return NC_EMALFORMED;
    }
    uint16_t flags = (uint16_t)((doff_ns & 0x01u) << 8 | flag_bits);
    /* The fixed part is enough for the flow table: a snaplen that cuts
     * into the options still leaves the packet with its connection. */
    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = TCP_IPPROTO;
    c->has_ports = true;
    c->src_port = sport;
    c->dst_port = dport;
    c->tcp_flags = flags;
    c->tcp_window = window;
    /* payload as the IP header declares it: a snaplen does not shrink it */
    c->l4_payload = nc_pkt_ip_after(pkt, (size_t)doff * 4);
    c->tcp_seq = seq;
    c->tcp_ack = ack;

    /* the option space must be captured for a record; a child window
     * keeps option parsing inside it */
    struct nc_rd opts = nc_rd_sub(r, (size_t)doff * 4 - TCP_HDR_LEN);
    if (!nc_rd_ok(r)) {
        return r->err;
    }

    if (nc_rd_left(r) > 0) {
        c->l4_data = nc_rd_ptr(r); /* for reassembly by the packet's shard */
        c->l4_caplen = (uint32_t)NC_MIN(nc_rd_left(r), c->l4_payload);
    }
    Netcap__TCP *rec = nc_pkt_record(pkt, NC_REC_TCP);
    if (rec) {
        rec->src_port = sport;
        rec->dst_port = dport;
        rec->sequence_number = seq;
        rec->ack_number = ack;
        rec->data_offset = doff;
        rec->fin = (flags & NC_TCP_FIN) != 0;
        rec->syn = (flags & NC_TCP_SYN) != 0;
        rec->rst = (flags & NC_TCP_RST) != 0;
        rec->psh = (flags & NC_TCP_PSH) != 0;
        rec->ack = (flags & NC_TCP_ACK) != 0;
        rec->urg = (flags & NC_TCP_URG) != 0;
        rec->ece = (flags & NC_TCP_ECE) != 0;
        rec->cwr = (flags & NC_TCP_CWR) != 0;
        rec->ns = (flags & NC_TCP_NS) != 0;
        rec->window = window;
        rec->checksum = checksum;
        rec->urgent = urgent;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, &rec->payload);
    }
    int rc = parse_options(pkt, &opts, rec);
    if (rc != NC_OK) {
        /* the record and the flow context stand; a payload behind a broken
         * header is not handed to application decoders */
        return rc;
    }
    if (nc_rd_left(r) > 0) {
        nc_pkt_next_port(pkt, NC_NS_TCP_PORT, dport, sport);
    }
    return NC_OK;
}

static const struct nc_claim tcp_claims[] = { { NC_NS_IPPROTO, TCP_IPPROTO } };
const struct nc_decoder nc_decoder_tcp = {
    .name = "tcp",
    .display = "TCP",
    .layer = NC_LAYER_TRANSPORT,
    .claims = tcp_claims,
    .n_claims = NC_ARRAY_LEN(tcp_claims),
    .decode = tcp_decode,
};
