/*
 * summary: text helpers: address formatting, UTF-8 sanitising, entropy.
 *
 * Formatting is hand-written because it runs for every packet: inet_ntop and
 * snprintf cost several times more than these loops.
 */
#include "core/str.h"

#include <math.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

/* Byte b as two lowercase hex digits at hex2[2 * b], "00".."ff". */
#define HD(d)   (char)((d) < 10 ? '0' + (d) : 'a' + ((d)-10))
#define HX(v)   HD((v) >> 4), HD((v) % 16)
#define HX4(v)  HX(v), HX((v) + 1), HX((v) + 2), HX((v) + 3)
#define HX16(v) HX4(v), HX4((v) + 4), HX4((v) + 8), HX4((v) + 12)
#define HX64(v) HX16(v), HX16((v) + 16), HX16((v) + 32), HX16((v) + 48)
static const char hex2[512] = { HX64(0), HX64(64), HX64(128), HX64(192) };

/* Byte b in decimal at dec3[4 * b]: its 1-3 digits, padded, and their count
 * in the 4th byte, so one 4-byte copy writes an octet (what follows
 * overwrites the padding). */
#define DG(v, d) (char)('0' + (v) / (d) % 10)
#define D0(v)    ((v) >= 100 ? DG(v, 100) : (v) >= 10 ? DG(v, 10) : DG(v, 1))
#define D1(v)    ((v) >= 100 ? DG(v, 10) : (v) >= 10 ? DG(v, 1) : 0)
#define D2(v)    ((v) >= 100 ? DG(v, 1) : 0)
#define DN(v)    ((v) >= 100 ? 3 : (v) >= 10 ? 2 : 1)
#define DC(v)    D0(v), D1(v), D2(v), DN(v)
#define DC4(v)   DC(v), DC((v) + 1), DC((v) + 2), DC((v) + 3)
#define DC16(v)  DC4(v), DC4((v) + 4), DC4((v) + 8), DC4((v) + 12)
#define DC64(v)  DC16(v), DC16((v) + 16), DC16((v) + 32), DC16((v) + 48)
static const char dec3[1024] = { DC64(0), DC64(64), DC64(128), DC64(192) };

size_t nc_fmt_hwaddr(char *out, const uint8_t *p, size_t n)
{
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    memcpy(out, hex2 + 2 * p[0], 2);
    size_t o = 2;
    for (size_t i = 1; i < n; i++) {
        out[o] = ':';
        memcpy(out + o + 1, hex2 + 2 * p[i], 2);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

size_t nc_fmt_mac(char out[NC_MAC_STRLEN], const uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        memcpy(out + 3 * i, hex2 + 2 * mac[i], 2);
        out[3 * i + 2] = ':';
    }
    out[17] = '\0';
    return 17;
}

size_t nc_fmt_ip4(char out[NC_IP4_STRLEN], const uint8_t ip[4])
{
    /* at most "255.255.255." (12) before the last octet's 4-byte copy */
    size_t o = 0;
    for (int i = 0; i < 3; i++) {
        const char *d = dec3 + 4 * ip[i];
        memcpy(out + o, d, 4);
        o += (size_t)d[3];
        out[o++] = '.';
    }
    const char *d = dec3 + 4 * ip[3];
    memcpy(out + o, d, 4);
    o += (size_t)d[3];
    out[o] = '\0';
    return o;
}

size_t nc_fmt_ip(char out[NC_IP_STRLEN], uint8_t ver, const uint8_t *ip)
{
    return ver == 4 ? nc_fmt_ip4(out, ip) : nc_fmt_ip6(out, ip);
}

static size_t put_hex16(char *out, unsigned v)
{
    size_t o = 0;
    bool started = false;
    for (int s = 12; s >= 0; s -= 4) {
        unsigned d = (v >> s) & 15;
        if (d || started || s == 0) {
            out[o++] = hexdig[d];
            started = true;
        }
    }
    return o;
}

size_t nc_fmt_ip6(char out[NC_IP6_STRLEN], const uint8_t ip[16])
{
    unsigned w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
    }
    /* longest run of zero words (length >= 2), first one wins ties */
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) {
        best = -1;
    }
    size_t o = 0;
    /* IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) as inet_ntop */
    bool v4 = best == 0 && ((best_len == 5 && w[5] == 0xffff) || (best_len == 6 && w[6] != 0));
    if (v4) {
        memcpy(out, "::", 2);
        o = 2;
        if (best_len == 5) {
            memcpy(out + o, "ffff:", 5);
            o += 5;
        }
        o += nc_fmt_ip4(out + o, ip + 12);
        return o;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[o++] = ':';
            if (i == 0) {
                out[o++] = ':';
            }
            i += best_len - 1;
            continue;
        }
        o += put_hex16(out + o, w[i]);
        if (i < 7) {
            out[o++] = ':';
        }
    }
    out[o] = '\0';
    return o;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    uint32_t min, cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

bool nc_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time (most protocol text is) */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) {
                break;
            }
            i += 8;
        }
        if (i == n) {
            break;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t l = utf8_seq(p + i, n - i);
        if (l == 0) {
            return false;
        }
        i += l;
    }
    return true;
}

size_t nc_utf8_sanitize(char *out, const uint8_t *p, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t l = utf8_seq(p + i, n - i);
        if (l == 0) {
            out[o++] = (char)0xef; /* U+FFFD */
            out[o++] = (char)0xbf;
            out[o++] = (char)0xbd;
            i++;
            continue;
        }
        memcpy(out + o, p + i, l);
        o += l;
        i += l;
    }
    out[o] = '\0';
    return o;
}

double nc_entropy(const uint8_t *p, size_t n)
{
    if (n == 0) {
        return 0.0;
    }
    uint32_t counts[256] = { 0 };
    for (size_t i = 0; i < n; i++) {
        counts[p[i]]++;
    }
    double h = 0.0, dn = (double)n;
    for (int i = 0; i < 256; i++) {
        if (counts[i]) {
            double q = counts[i] / dn;
            h -= q * log2(q);
        }
    }
    return h;
}
