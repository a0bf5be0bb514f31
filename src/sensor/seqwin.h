/*
 * summary: which batches of one record file a collector has applied: the
 *          highest sequence number and a window of the NC_SEQWIN below it.
 *
 * A batch is redelivered only after the consumer's ack wait, so one lost on
 * its way (a broker node died) comes back after newer batches of its file
 * were applied. It must still be told from a replay: below the highest
 * applied, a batch is new exactly when its bit is clear. Beyond the window
 * nothing can be told, and an old batch is taken for a duplicate (dropped):
 * 4096 batches are 16M packets of one type, far more than a sensor makes
 * in an ack wait.
 */
#ifndef NC_SENSOR_SEQWIN_H
#define NC_SENSOR_SEQWIN_H

#include "core/common.h"

enum {
    NC_SEQWIN = 4096,                 /* batches remembered below the highest */
    NC_SEQWIN_WORDS = NC_SEQWIN / 64, /* of the bitmap */
    NC_SEQWIN_HEX = NC_SEQWIN / 4,    /* hex digits of its text form */
};

struct nc_seqwin {
    bool any;                       /* a batch was applied */
    uint64_t last;                  /* the highest applied */
    uint64_t mask[NC_SEQWIN_WORDS]; /* bit i (of word i / 64): last - 1 - i applied */
};

void nc_seqwin_reset(struct nc_seqwin *w);
/* true if seq was applied already, or is too far below to tell */
bool nc_seqwin_seen(const struct nc_seqwin *w, uint64_t seq);
void nc_seqwin_mark(struct nc_seqwin *w, uint64_t seq);

/* The bitmap as NC_SEQWIN_HEX hex digits, most significant first, and back:
 * 1 to NC_SEQWIN_HEX digits are read (fewer: the high bits are clear; a
 * state file of a netcap with a 64-batch window has 16). false if s is not
 * such a string. */
void nc_seqwin_format(const struct nc_seqwin *w, char out[NC_SEQWIN_HEX + 1]);
NC_WARN_UNUSED bool nc_seqwin_parse(struct nc_seqwin *w, uint64_t last, const char *s);

#endif
