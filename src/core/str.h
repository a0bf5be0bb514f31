/*
 * summary: text helpers: address formatting, UTF-8 sanitising, entropy.
 */
#ifndef NC_CORE_STR_H
#define NC_CORE_STR_H

#include "core/common.h"

enum {
    NC_MAC_STRLEN = 18, /* "aa:bb:cc:dd:ee:ff" + NUL */
    NC_IP4_STRLEN = 16, /* "255.255.255.255" + NUL */
    NC_IP6_STRLEN = 46, /* INET6_ADDRSTRLEN */
    NC_IP_STRLEN = 46,
};

/* Each writes a NUL-terminated string into out and returns its length. */
size_t nc_fmt_mac(char out[NC_MAC_STRLEN], const uint8_t mac[6]);
size_t nc_fmt_ip4(char out[NC_IP4_STRLEN], const uint8_t ip[4]);
/* RFC 5952 text (lowercase, longest zero run compressed, embedded IPv4 for
 * ::ffff:a.b.c.d as inet_ntop does). */
size_t nc_fmt_ip6(char out[NC_IP6_STRLEN], const uint8_t ip[16]);
/* ver 4: the first 4 bytes of ip as nc_fmt_ip4; otherwise nc_fmt_ip6. */
size_t nc_fmt_ip(char out[NC_IP_STRLEN], uint8_t ver, const uint8_t *ip);
/* Hardware address of any length as colon-separated hex (ARP); out must
 * hold 3 * n bytes (n > 0) and is "" for n == 0. */
size_t nc_fmt_hwaddr(char *out, const uint8_t *p, size_t n);

/* True if p[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool nc_utf8_valid(const uint8_t *p, size_t n);
/* Copy p[0..n) into out (capacity 3*n+1) replacing each invalid byte with
 * U+FFFD; returns the length written (NUL-terminated). */
size_t nc_utf8_sanitize(char *out, const uint8_t *p, size_t n);

/* Shannon entropy of p[0..n) in bits per byte (0 for n == 0). */
double nc_entropy(const uint8_t *p, size_t n);

#endif
