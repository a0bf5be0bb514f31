/*
 * summary: SCTP packets (common header and chunk list) -> SCTP records;
 *          hands the user data of a DATA chunk on by port.
 * spec:    RFC 9260 3 (packet format), 3.2 (chunk field descriptions),
 *          3.3.1 (DATA), 3.3.2 (INIT), 3.3.3 (INIT ACK).
 *
 *    0                   1                   2                   3
 *   +-------------------------------+-------------------------------+
 *   |     Source Port Number        |     Destination Port Number   |
 *   +-------------------------------+-------------------------------+
 *   |                      Verification Tag                         |
 *   +---------------------------------------------------------------+
 *   |                           Checksum                            |
 *   +---------------+---------------+-------------------------------+
 *   |  Chunk Type   |  Chunk Flags  |         Chunk Length          |  x N,
 *   +---------------+---------------+-------------------------------+  each padded
 *   |                          Chunk Value ...                      |  to 4 bytes
 *
 *   DATA value: TSN (4) | Stream Id (2) | Stream Seq (2) | PPID (4) | user data
 *
 * Decisions:
 *   - The flow context gets the ports like UDP, so SCTP associations are
 *     keyed (and their Community ID computed) by ports, as the Community ID
 *     specification says; peers without an SCTP analyzer (Zeek, nDPI) use 0.
 *   - Chunks are listed up to SCTP_MAX_CHUNKS; num_chunks counts them all
 *     (NC_ELIMIT when the list is cut, and then nothing is handed on). A chunk length below 4 is
 *     NC_EMALFORMED; a chunk that runs past the captured bytes is kept with
 *     its fields so far and gives NC_ETRUNC; padding after the last chunk
 *     may be missing.
 *   - The user data of the first DATA chunk with the B (beginning) bit is
 *     handed to NC_NS_SCTP_PORT (destination, then source port). A message
 *     split over several DATA chunks is not reassembled: the next decoder
 *     sees its first fragment. Bundled later DATA chunks are listed only.
 *   - The CRC32c checksum is recorded, not verified.
 */
#include "decode/decoder.h"

enum {
    SCTP_HDR_LEN = 12,
    SCTP_CHUNK_HDR = 4,
    SCTP_DATA_HDR = 16, /* chunk header + TSN, stream id, stream seq, PPID */
    SCTP_INIT_MIN = 8,  /* chunk header + initiate tag */
    SCTP_IPPROTO = 132,
    SCTP_MAX_CHUNKS = 32, /* listed per packet; a full-size packet holds few more */
    SCTP_MAX_WALK = 1024, /* chunks walked at all (4 bytes each at least in 4 KiB) */
    SCTP_T_DATA = 0,
    SCTP_T_INIT = 1,
    SCTP_T_INIT_ACK = 2,
    SCTP_FLAG_B = 0x02, /* DATA: first fragment of a user message */
};

static int sctp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint16_t sport = nc_rd_be16(r);
    uint16_t dport = nc_rd_be16(r);
    uint32_t vtag = nc_rd_be32(r);
    uint32_t checksum = nc_rd_be32(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    struct nc_pkt_ctx *c = &pkt->ctx;
    c->ip_proto = SCTP_IPPROTO;
    c->has_ports = true;
    c->src_port = sport;
    c->dst_port = dport;
    c->l4_payload = nc_pkt_ip_after(pkt, SCTP_HDR_LEN);

    Netcap__SCTP *rec = nc_pkt_record(pkt, NC_REC_SCTP);
    Netcap__SCTPChunk **chunks = NULL;
    uint32_t *ppids = NULL;
    if (rec) {
        rec->src_port = sport;
        rec->dst_port = dport;
        rec->verification_tag = vtag;
        rec->checksum = checksum;
        rec->payload_size = (int32_t)nc_rd_left(r);
        chunks = nc_pkt_alloc(pkt, SCTP_MAX_CHUNKS * sizeof(*chunks));
        ppids = nc_pkt_alloc(pkt, SCTP_MAX_CHUNKS * sizeof(*ppids));
        rec->chunks = chunks;
        rec->ppids = ppids;
    }

    int rc = NC_OK;
    size_t n = 0;
    struct nc_span user = { NULL, 0 };
    bool have_user = false;
    while (nc_rd_left(r) > 0) {
        if (n == SCTP_MAX_WALK) {
            rc = NC_ELIMIT;
            break;
        }
        uint8_t type = nc_rd_u8(r);
        uint8_t flags = nc_rd_u8(r);
        uint16_t len = nc_rd_be16(r);
        if (!nc_rd_ok(r)) {
            rc = NC_ETRUNC;
            break;
        }
        if (len < SCTP_CHUNK_HDR) {
            rc = NC_EMALFORMED;
            break;
        }
        size_t body = (size_t)len - SCTP_CHUNK_HDR;
        size_t have = NC_MIN(body, nc_rd_left(r));
        struct nc_rd v = nc_rd_sub(r, have);
        Netcap__SCTPChunk *ch = NULL;
        if (chunks && rec->n_chunks < SCTP_MAX_CHUNKS) {
            ch = nc_pkt_alloc(pkt, sizeof(*ch));
            if (ch) {
                netcap__sctpchunk__init(ch);
                ch->type = type;
                ch->flags = flags;
                ch->length = len;
                chunks[rec->n_chunks++] = ch;
            }
        }
        n++;
        if (type == SCTP_T_DATA) {
            uint32_t tsn = nc_rd_be32(&v);
            uint16_t sid = nc_rd_be16(&v);
            uint16_t sseq = nc_rd_be16(&v);
            uint32_t ppid = nc_rd_be32(&v);
            if (nc_rd_ok(&v)) {
                if (ch) {
                    ch->tsn = tsn;
                    ch->stream_id = sid;
                    ch->stream_sequence_number = sseq;
                    ch->ppid = ppid;
                    ch->data_length = (int32_t)(body - (SCTP_DATA_HDR - SCTP_CHUNK_HDR));
                }
                if (ppids && rec->n_ppids < SCTP_MAX_CHUNKS) {
                    ppids[rec->n_ppids++] = ppid;
                }
                if (!have_user && (flags & SCTP_FLAG_B) && nc_rd_left(&v) > 0) {
                    user = nc_rd_rest(&v);
                    have_user = true;
                }
            } else if (body >= SCTP_DATA_HDR - SCTP_CHUNK_HDR) {
                rc = NC_ETRUNC; /* header cut by the capture */
            } else {
                rc = NC_EMALFORMED; /* the chunk itself is too short */
            }
        } else if ((type == SCTP_T_INIT || type == SCTP_T_INIT_ACK) && ch) {
            ch->initiate_tag = nc_rd_be32(&v);
        }
        if (have < body) {
            rc = NC_ETRUNC;
            break;
        }
        /* padding to a multiple of 4; the last chunk's may be absent */
        size_t pad = (4 - (len & 3u)) & 3u;
        nc_rd_skip(r, NC_MIN(pad, nc_rd_left(r)));
        if (rc != NC_OK) {
            break;
        }
    }
    if (rec) {
        rec->num_chunks = (int32_t)n;
    }
    if (rc == NC_OK && n > SCTP_MAX_CHUNKS) {
        rc = NC_ELIMIT; /* the list was cut (counted); nothing is handed on */
    }
    if (rc == NC_OK && have_user) {
        *r = nc_rd_make(user.p, user.len);
        nc_pkt_next_port(pkt, NC_NS_SCTP_PORT, dport, sport);
    } else {
        *r = nc_rd_make(NULL, 0);
    }
    return rc;
}

static const struct nc_claim sctp_claims[] = { { NC_NS_IPPROTO, SCTP_IPPROTO } };
const struct nc_decoder nc_decoder_sctp = {
    .name = "sctp",
    .display = "SCTP",
    .layer = NC_LAYER_TRANSPORT,
    .claims = sctp_claims,
    .n_claims = NC_ARRAY_LEN(sctp_claims),
    .decode = sctp_decode,
};
