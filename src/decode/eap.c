/*
 * summary: EAP packet -> EAP records.
 * spec:    RFC 3748 4 (packet format), 5.1 (Identity); RFC 6696 5.3 (codes
 *          5 Initiate and 6 Finish); method types from IANA.
 *
 *   +----------+----------+----------------+----------+-----------------
 *   | code (1) | id (1)   | length (2)     | type (1) | type data
 *   +----------+----------+----------------+----------+-----------------
 *   codes 1 Request, 2 Response, 5 Initiate, 6 Finish carry a type;
 *   3 Success and 4 Failure end after the length (4 bytes)
 *
 * Reached from EAPOL (packet type 0) and from PPP (protocol 0xc227). The
 * window is cut to the EAP length (PPP may pad); a length below 4 is
 * malformed, and an EAP packet the capture cut short keeps the type data
 * it has (counted as truncated). type_data is the method's data raw;
 * Identity responses also have it as text in identity.
 */
#include "decode/decoder.h"

#include "decode/disc_int.h"

enum {
    EAP_HDR_LEN = 4,
    EAP_REQUEST = 1,
    EAP_RESPONSE = 2,
    EAP_INITIATE = 5,
    EAP_FINISH = 6,
    EAP_TYPE_IDENTITY = 1,
};

static int eap_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    uint8_t code = nc_rd_u8(r);
    uint8_t id = nc_rd_u8(r);
    uint16_t len = nc_rd_be16(r);
    if (!nc_rd_ok(r)) {
        return r->err;
    }
    int rc = NC_OK;
    struct nc_rd body;
    if (len < EAP_HDR_LEN) {
        rc = NC_EMALFORMED;
        body = nc_rd_sub(r, 0);
    } else if ((size_t)(len - EAP_HDR_LEN) > nc_rd_left(r)) {
        rc = NC_ETRUNC;
        body = nc_rd_sub(r, nc_rd_left(r));
    } else {
        body = nc_rd_sub(r, (size_t)(len - EAP_HDR_LEN));
    }
    bool typed = code == EAP_REQUEST || code == EAP_RESPONSE || code == EAP_INITIATE ||
                 code == EAP_FINISH;
    uint8_t type = 0;
    struct nc_span data = { NULL, 0 };
    if (typed && nc_rd_left(&body) > 0) {
        type = nc_rd_u8(&body);
        data = nc_rd_rest(&body);
    } else if (typed && rc == NC_OK) {
        rc = NC_EMALFORMED; /* RFC 3748 4.1: a Request or Response has a type */
    }
    Netcap__EAP *rec = nc_pkt_record(pkt, NC_REC_EAP);
    if (rec) {
        rec->code = code;
        rec->id = id;
        rec->length = len;
        rec->type = type;
        rec->type_data = nc_bytes(data);
        if (type == EAP_TYPE_IDENTITY && (code == EAP_REQUEST || code == EAP_RESPONSE)) {
            rec->identity = nc_pkt_str(pkt, data.p, data.len);
        }
        nc_disc_macs(pkt, &rec->src_mac, &rec->dst_mac);
    }
    return rc;
}

static const struct nc_claim eap_claims[] = { { NC_NS_EAPOL, 0 }, { NC_NS_PPP, 0xc227 } };
const struct nc_decoder nc_decoder_eap = {
    .name = "eap",
    .display = "EAP",
    .layer = NC_LAYER_NONE,
    .claims = eap_claims,
    .n_claims = NC_ARRAY_LEN(eap_claims),
    .decode = eap_decode,
};
