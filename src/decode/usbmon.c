/*
 * summary: Linux usbmon binary header (LINKTYPE_USB_LINUX, 48 octets, and
 *          LINKTYPE_USB_LINUX_MMAPPED, 64 octets) -> USB records, and
 *          USBRequestBlockSetup records for control submissions.
 * spec:    Linux Documentation/usb/usbmon.rst ("Raw binary format and
 *          API"); https://www.tcpdump.org/linktypes/LINKTYPE_USB_LINUX_MMAPPED.html
 *
 *    0          8    9    10   11   12        14   15   16
 *   +----------+----+----+----+----+---------+----+----+-----------+----------+---------+
 *   | id (8)   |type|xfer|ep  |dev | bus (2) |stp |dat | ts_sec (8)| ts_usec 4| status 4|
 *   +----------+----+----+----+----+---------+----+----+-----------+----------+---------+
 *   32           36            40                          48 (end of the 48-octet header)
 *   +-------------+-------------+---------------------------+
 *   | length (4)  | len_cap (4) | setup (8) | iso err, ndesc|
 *   +-------------+-------------+---------------------------+
 *   48            52             56                60              64
 *   +-------------+--------------+-----------------+-------------+
 *   | interval (4)| start frame 4| xfer_flags (4)  | ndesc (4)   |   (64-octet header only)
 *   +-------------+--------------+-----------------+-------------+
 *   then, 64-octet header and isochronous: ndesc descriptors of 16 octets; then the data.
 *
 * Decisions:
 * - The header is in the capturing host's byte order; we read it as
 *   little-endian, which every usbmon capture we know of is (x86, ARM).
 *   A big-endian capture decodes with swapped numbers (not detected).
 * - setup/data follow usbmon's flags: 0 means "present" ('-', '<', '>'
 *   and the like say why not). A setup packet becomes a
 *   USBRequestBlockSetup record.
 * - At most USBMON_MAX_ISO_DESC isochronous descriptors are skipped; a
 *   larger count is malformed (the kernel never captures more).
 */
#include "decode/decoder.h"
#include "decode/usb_int.h"

enum {
    USBMON_HDR_SHORT = 48,   /* LINKTYPE_USB_LINUX (189) */
    USBMON_HDR_MMAPPED = 64, /* LINKTYPE_USB_LINUX_MMAPPED (220) */
    USBMON_DLT_MMAPPED = 220,
    USBMON_ISO_DESC_LEN = 16,   /* status, offset, length, padding */
    USBMON_MAX_ISO_DESC = 1024, /* more than the kernel ever puts in one capture */
};

static int usbmon_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    bool mmapped = pkt->next_id == USBMON_DLT_MMAPPED;
    size_t hdr_len = mmapped ? USBMON_HDR_MMAPPED : USBMON_HDR_SHORT;
    struct nc_rd h = nc_rd_sub(r, hdr_len);
    if (!nc_rd_ok(&h)) {
        return h.err;
    }
    uint64_t id = nc_rd_le64(&h);
    uint8_t type = nc_rd_u8(&h);
    uint8_t xfer = nc_rd_u8(&h);
    uint8_t ep = nc_rd_u8(&h);
    uint8_t dev = nc_rd_u8(&h);
    uint16_t bus = nc_rd_le16(&h);
    uint8_t flag_setup = nc_rd_u8(&h);
    uint8_t flag_data = nc_rd_u8(&h);
    uint64_t ts_sec = nc_rd_le64(&h);
    uint32_t ts_usec = nc_rd_le32(&h);
    uint32_t status = nc_rd_le32(&h);
    uint32_t length = nc_rd_le32(&h);
    uint32_t len_cap = nc_rd_le32(&h);
    struct nc_rd setup = nc_rd_sub(&h, USB_SETUP_LEN); /* or the ISO error count and count */
    struct nc_rd iso = setup;
    uint32_t iso_errors = nc_rd_le32(&iso);
    uint32_t iso_numdesc = nc_rd_le32(&iso);
    uint32_t interval = 0, start_frame = 0, xfer_flags = 0, ndesc = 0;
    if (mmapped) {
        interval = nc_rd_le32(&h);
        start_frame = nc_rd_le32(&h);
        xfer_flags = nc_rd_le32(&h);
        ndesc = nc_rd_le32(&h);
    }
    if (!nc_rd_ok(&h)) {
        return h.err;
    }
    if (mmapped && xfer == USB_XFER_ISO) {
        if (ndesc > USBMON_MAX_ISO_DESC) {
            return NC_EMALFORMED;
        }
        nc_rd_skip(r, (size_t)ndesc * USBMON_ISO_DESC_LEN);
        if (!nc_rd_ok(r)) {
            return r->err;
        }
    }
    Netcap__USB *rec = nc_pkt_record(pkt, NC_REC_USB);
    if (rec) {
        rec->id = id;
        rec->event_type = type;
        rec->transfer_type = xfer;
        rec->direction = ep & USB_DIR_IN;
        rec->endpoint_number = ep & 0x7f;
        rec->device_address = dev;
        rec->bus_id = bus;
        rec->usbmon_ts_sec = (int64_t)ts_sec;
        rec->usbmon_ts_usec = (int32_t)ts_usec;
        rec->setup = flag_setup == 0;
        rec->data = flag_data == 0;
        rec->status = (int32_t)status;
        rec->urb_length = length;
        rec->urb_data_length = len_cap;
        rec->urb_interval = interval;
        rec->urb_start_frame = start_frame;
        rec->urb_copy_of_transfer_flags = xfer_flags;
        if (xfer == USB_XFER_ISO) {
            rec->iso_num_desc = mmapped ? ndesc : iso_numdesc;
            rec->iso_error_count = (int32_t)iso_errors;
        }
        rec->header_length = (int32_t)hdr_len;
        rec->control_stage = -1; /* a USBPcap notion */
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, &rec->payload);
    }
    if (flag_setup == 0) {
        nc_usb_setup_record(pkt, setup, id);
    }
    return NC_OK;
}

static const struct nc_claim usbmon_claims[] = {
    { NC_NS_DLT, 189 /* LINKTYPE_USB_LINUX */ },
    { NC_NS_DLT, USBMON_DLT_MMAPPED /* LINKTYPE_USB_LINUX_MMAPPED */ },
};
const struct nc_decoder nc_decoder_usbmon = {
    .name = "usbmon",
    .display = "USB",
    .layer = NC_LAYER_LINK,
    .claims = usbmon_claims,
    .n_claims = NC_ARRAY_LEN(usbmon_claims),
    .decode = usbmon_decode,
};
