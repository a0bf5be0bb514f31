/*
 * summary: fuzz target: the alert and attack-map parsers of netcap label
 *          (label/lbl_text.c, label/lbl_json.c) and the index built from
 *          what they accept.
 *
 * The first byte picks the parser (eve.json, fast.log, attack map, or all
 * three over the same lines) and whether the load is strict; the rest is
 * the file, read through lbl_load from an fmemopen stream exactly as the
 * command reads a file. Then the overlap check runs, the index is built
 * with a tolerance from the second byte, and a few queries made of the
 * rules' own addresses are checked: every rule must match a query made of
 * its own source, destination, first port and start time, and the count
 * returned never exceeds the number of rules.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/lbl.h"

static void check_rules(struct lbl_set *s, int64_t tol)
{
    const char *names[3] = { "a", "b", "c" };
    char why[LBL_ERRLEN];
    if (lbl_check_overlaps(s, names, false, NULL, 0, why) != NC_OK) {
        return;
    }
    struct lbl_index *ix = NULL;
    if (lbl_index_build(&ix, s, tol) != NC_OK) {
        return;
    }
    uint32_t ids[8];
    for (size_t i = 0; i < s->n && i < 64; i++) {
        const struct lbl_rule *r = &s->v[i];
        if (r->dropped || r->src.fam == 0 || r->src.fam != r->dst.fam) {
            continue;
        }
        struct lbl_query q;
        memset(&q, 0, sizeof(q));
        q.fam = r->src.fam;
        memcpy(q.a, r->src.a, 16);
        memcpy(q.b, r->dst.a, 16);
        q.sport = r->sp_lo;
        q.dport = r->dp_lo;
        q.proto = r->proto;
        q.t0 = q.t1 = r->start;
        size_t n = lbl_index_match(ix, &q, ids, NC_ARRAY_LEN(ids));
        if (n == 0 || n > s->n) {
            abort(); /* a rule must match its own 5-tuple and time */
        }
        for (size_t k = 0; k < n && k < NC_ARRAY_LEN(ids); k++) {
            if (ids[k] >= s->n || s->v[ids[k]].dropped) {
                abort();
            }
        }
        /* reversed */
        memcpy(q.a, r->dst.a, 16);
        memcpy(q.b, r->src.a, 16);
        q.sport = r->dp_lo;
        q.dport = r->sp_lo;
        if (lbl_index_match(ix, &q, ids, NC_ARRAY_LEN(ids)) == 0) {
            abort();
        }
    }
    lbl_index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 2) {
        return 0;
    }
    uint8_t sel = data[0];
    int64_t tol = (int64_t)data[1] * 10000000; /* 0 .. 2.55 s */
    uint8_t *buf = fuzz_dup(data + 2, size - 2);
    if (!buf && size > 2) {
        return 0;
    }
    struct lbl_set s;
    lbl_set_init(&s);
    s.eve_label = (sel & 0x10) ? LBL_FROM_CATEGORY : LBL_FROM_SIGNATURE;
    bool strict = (sel & 0x80) != 0;
    static const enum lbl_kind kinds[] = { LBL_EVE, LBL_FASTLOG, LBL_MAP };
    unsigned pick = (sel & 0x0f) % 4;
    for (unsigned k = 0; k < 3; k++) {
        if (pick != 3 && pick != k) {
            continue;
        }
        FILE *f = size > 2 ? fmemopen(buf, size - 2, "rb") : NULL;
        if (!f) {
            continue;
        }
        struct lbl_load_stats st;
        char why[LBL_ERRLEN];
        int rc = lbl_load(&s, kinds[k], f, "fuzz", (uint16_t)k, strict, NULL, 0, &st, why);
        fclose(f);
        if (rc == NC_OK &&
                st.rules + st.ignored + st.malformed + st.too_long + st.over_cap != st.lines) {
            abort(); /* every line is counted exactly once */
        }
    }
    check_rules(&s, tol);
    lbl_set_fini(&s);
    free(buf);
    return 0;
}
