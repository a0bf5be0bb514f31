/*
 * summary: STUB DNS decoder (to be written).
 */
#include "decode/decoder.h"

static int dns_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t dns_claims[] = { 53, 5353, 5355 };
const struct nc_decoder nc_decoder_dns = {
    .name = "dns",
    .display = "DNS",
    .layer = NC_LAYER_APP,
    .ns = NC_NS_UDP_PORT,
    .claims = dns_claims,
    .n_claims = NC_ARRAY_LEN(dns_claims),
    .decode = dns_decode,
};

static int dnstcp_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    NC_UNUSED(pkt);
    NC_UNUSED(r);
    return NC_EUNSUPP;
}

static const uint16_t dnstcp_claims[] = { 53 };
const struct nc_decoder nc_decoder_dnstcp = {
    .name = "dnstcp",
    .display = "DNS",
    .layer = NC_LAYER_APP,
    .ns = NC_NS_TCP_PORT,
    .claims = dnstcp_claims,
    .n_claims = NC_ARRAY_LEN(dnstcp_claims),
    .decode = dnstcp_decode,
};
