/*
 * summary: Community ID v1 flow hash.
 * spec:    https://github.com/corelight/community-id-spec (v1): SHA-1 over
 *          seed(2, BE) | saddr | daddr | proto(1) | pad(1) | sport(2) | dport(2),
 *          the endpoint pair ordered smaller-first unless the flow is a one-way
 *          ICMP message, then base64, prefixed "1:".
 */
#include "flow/flow.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

/* Fetch SHA-1 once: EVP_sha1() makes OpenSSL 3 look the algorithm up (under
 * a lock) on every call, which cost more than the hash itself. */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;
/* One digest context per thread, reused: EVP_Digest() allocates and frees a
 * context per call, which costs as much as hashing these 40 bytes. */
static pthread_key_t ctx_key;

static void ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha1_fetch(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
    if (pthread_key_create(&ctx_key, ctx_free) != 0) {
        EVP_MD_free(sha1_md);
        sha1_md = NULL;
    }
}

static EVP_MD_CTX *thread_ctx(void)
{
    EVP_MD_CTX *ctx = pthread_getspecific(ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (ctx && pthread_setspecific(ctx_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            ctx = NULL;
        }
    }
    return ctx;
}

void nc_community_id_fini(void)
{
    if (sha1_md) {
        /* this thread's context (workers free theirs when they exit) */
        EVP_MD_CTX *ctx = pthread_getspecific(ctx_key);
        if (ctx) {
            EVP_MD_CTX_free(ctx);
            pthread_setspecific(ctx_key, NULL);
        }
    }
    EVP_MD_free(sha1_md);
    sha1_md = NULL;
}

void nc_community_id(char *out, size_t out_len, uint8_t ver, uint8_t proto, const uint8_t *src,
        const uint8_t *dst, uint16_t sport, uint16_t dport, bool one_way)
{
    size_t alen = ver == 4 ? 4 : 16;
    int c = memcmp(src, dst, alen);
    bool swap = !one_way && (c > 0 || (c == 0 && sport > dport));
    const uint8_t *a = swap ? dst : src;
    const uint8_t *b = swap ? src : dst;
    uint16_t pa = swap ? dport : sport;
    uint16_t pb = swap ? sport : dport;

    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = 0; /* seed 0, big-endian */
    buf[n++] = 0;
    memcpy(buf + n, a, alen);
    n += alen;
    memcpy(buf + n, b, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    /* ports (or ICMP type/code equivalents) only for the protocols that
     * have them; for any other protocol the spec hashes no port bytes */
    bool has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
    if (has_ports) {
        buf[n++] = (uint8_t)(pa >> 8);
        buf[n++] = (uint8_t)pa;
        buf[n++] = (uint8_t)(pb >> 8);
        buf[n++] = (uint8_t)pb;
    }

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    pthread_once(&sha1_once, sha1_fetch);
    EVP_MD_CTX *ctx = sha1_md ? thread_ctx() : NULL;
    if (out_len < 32 || !ctx || EVP_DigestInit_ex2(ctx, sha1_md, NULL) != 1 ||
            EVP_DigestUpdate(ctx, buf, n) != 1 || EVP_DigestFinal_ex(ctx, md, &md_len) != 1 ||
            md_len != 20) {
        if (out_len) {
            out[0] = '\0';
        }
        return;
    }
    memcpy(out, "1:", 2);
    EVP_EncodeBlock((unsigned char *)out + 2, md, 20); /* 28 chars + NUL */
}
