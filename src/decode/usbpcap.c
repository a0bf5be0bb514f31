/*
 * summary: USBPcap packet header (LINKTYPE_USBPCAP, Windows) -> USB records,
 *          and USBRequestBlockSetup records for setup stages.
 * spec:    https://desowin.org/usbpcap/captureformat.html;
 *          https://www.tcpdump.org/linktypes/LINKTYPE_USBPCAP.html
 *
 *    0         2            10         14         16     17        19         21   22   23
 *   +---------+------------+----------+----------+------+---------+----------+----+----+-----------+
 *   | hdr len | IRP id (8) | status 4 | function | info | bus (2) | dev (2)  | ep |xfer| data len
 * 4|
 *   +---------+------------+----------+----------+------+---------+----------+----+----+-----------+
 *   27: transfer-specific part up to hdr len: control: stage (1);
 *       isochronous: start frame (4), packets (4), error count (4), packet descriptors...
 *   then data len octets of data (for a control setup stage: the 8-octet setup packet).
 *
 * All little-endian, packed.
 *
 * Decisions:
 * - The USB record's fields are usbmon's; USBPcap maps onto them: id = IRP
 *   id, event 'S' when the IRP goes down to the device (info bit 0 clear),
 *   'C' when it comes back, urb_length = dataLength, urb_data_length the
 *   data octets actually captured. usbmon-only fields stay 0; USBPcap's
 *   function, info and control stage have their own fields.
 * - The header length is trusted only within [27, what is captured]; its
 *   transfer-specific part is read only when long enough.
 */
#include "decode/decoder.h"
#include "decode/usb_int.h"

enum {
    USBPCAP_HDR_MIN = 27,        /* the common part */
    USBPCAP_ISO_HDR = 12,        /* start frame, number of packets, error count */
    USBPCAP_INFO_PDO_TO_FDO = 1, /* info bit 0: the IRP is on its way back (completion) */
    USBPCAP_STAGE_SETUP = 0,     /* control transfer stages */
};

static int usbpcap_decode(struct nc_pkt *pkt, struct nc_rd *r)
{
    struct nc_rd p = *r;
    uint16_t hdr_len = nc_rd_le16(&p);
    if (!nc_rd_ok(&p)) {
        return p.err;
    }
    if (hdr_len < USBPCAP_HDR_MIN) {
        return NC_EMALFORMED;
    }
    struct nc_rd h = nc_rd_sub(r, hdr_len);
    if (!nc_rd_ok(&h)) {
        return h.err;
    }
    nc_rd_skip(&h, 2);
    uint64_t irp = nc_rd_le64(&h);
    uint32_t status = nc_rd_le32(&h);
    uint16_t function = nc_rd_le16(&h);
    uint8_t info = nc_rd_u8(&h);
    uint16_t bus = nc_rd_le16(&h);
    uint16_t dev = nc_rd_le16(&h);
    uint8_t ep = nc_rd_u8(&h);
    uint8_t xfer = nc_rd_u8(&h);
    uint32_t data_len = nc_rd_le32(&h);
    if (!nc_rd_ok(&h)) {
        return h.err;
    }
    int32_t stage = -1;
    uint32_t start_frame = 0, n_packets = 0, iso_errors = 0;
    if (xfer == USB_XFER_CONTROL && nc_rd_left(&h) >= 1) {
        stage = nc_rd_u8(&h);
    } else if (xfer == USB_XFER_ISO && nc_rd_left(&h) >= USBPCAP_ISO_HDR) {
        start_frame = nc_rd_le32(&h);
        n_packets = nc_rd_le32(&h);
        iso_errors = nc_rd_le32(&h);
    }
    /* the data: what the header announces, as far as it was captured */
    if (data_len < nc_rd_left(r)) {
        *r = nc_rd_sub(r, data_len);
    }
    bool setup = stage == USBPCAP_STAGE_SETUP && nc_rd_left(r) >= USB_SETUP_LEN;
    Netcap__USB *rec = nc_pkt_record(pkt, NC_REC_USB);
    if (rec) {
        rec->id = irp;
        rec->event_type = (info & USBPCAP_INFO_PDO_TO_FDO) ? USB_EVENT_COMPLETE : USB_EVENT_SUBMIT;
        rec->transfer_type = xfer;
        rec->direction = ep & USB_DIR_IN;
        rec->endpoint_number = ep & 0x7f;
        rec->device_address = dev;
        rec->bus_id = bus;
        rec->setup = setup;
        rec->data = !setup && data_len > 0;
        rec->status = (int32_t)status;
        rec->urb_length = data_len;
        rec->urb_data_length = (uint32_t)nc_rd_left(r);
        rec->urb_start_frame = start_frame;
        rec->iso_num_desc = n_packets;
        rec->iso_error_count = (int32_t)iso_errors;
        rec->header_length = hdr_len;
        rec->usbpcap_function = function;
        rec->usbpcap_info = info;
        rec->control_stage = stage;
        nc_pkt_payload(pkt, r, &rec->payload_size, &rec->payload_entropy, &rec->payload);
    }
    if (setup) {
        nc_usb_setup_record(pkt, *r, irp);
    }
    return NC_OK;
}

static const struct nc_claim usbpcap_claims[] = { { NC_NS_DLT, 249 /* LINKTYPE_USBPCAP */ } };
const struct nc_decoder nc_decoder_usbpcap = {
    .name = "usbpcap",
    .display = "USB",
    .layer = NC_LAYER_LINK,
    .claims = usbpcap_claims,
    .n_claims = NC_ARRAY_LEN(usbpcap_claims),
    .decode = usbpcap_decode,
};
